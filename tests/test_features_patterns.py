"""vizcore.features.patterns: gradient ascent checked against what it must achieve (the filter
fires far more than on its start and on the best of random pictures) and against hand-reasoned
kernels whose best input is known (red minus blue, line detectors, brightness filters)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from vizcore import ModelError
from vizcore import features as F

L = keras.layers


@pytest.fixture(scope="module")
def small_cnn():
    return keras.Sequential([
        keras.Input((16, 16, 3)),
        L.Conv2D(4, 3, padding="same", activation="relu", name="c1",
                 kernel_initializer=keras.initializers.GlorotUniform(seed=4)),
        L.Conv2D(3, 3, padding="same", name="c2", kernel_initializer=keras.initializers.GlorotUniform(seed=5)),
    ])


def _central_mean(model, layer, index, pic, margin=2):
    """The filter's mean output over the centre of its map for picture `pic`, by a per-layer model."""
    sub = keras.Model(model.inputs[0], model.get_layer(layer).output)
    maps = np.asarray(sub(np.asarray(pic, np.float32)[None], training=False))[0, ..., index]
    return float(maps[margin:-margin, margin:-margin].mean())


def test_filter_pattern_is_seeded(small_cnn):
    calls = []
    a = F.filter_pattern(small_cnn, "c2", 1, steps=15, seed=7, progress=lambda i, n: calls.append((i, n)))
    b = F.filter_pattern(small_cnn, "c2", 1, steps=15, seed=7)
    c = F.filter_pattern(small_cnn, "c2", 1, steps=15, seed=8)
    assert a.shape == (16, 16, 3) and a.dtype == np.float32 and 0.0 <= a.min() and a.max() <= 1.0
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).mean() > 0.05  # another seed: another start, another picture
    assert calls == [(i, 15) for i in range(1, 16)]


def test_filter_pattern_raises_the_filter_far_above_its_start_and_random_pictures(small_cnn):
    start = F.filter_pattern(small_cnn, "c2", 2, steps=1, step_size=0.0, seed=3, stretch=False)
    np.testing.assert_allclose(start.mean(), 0.5, atol=0.01)  # low-amplitude noise around grey
    assert np.abs(start - 0.5).max() <= 0.05
    end = F.filter_pattern(small_cnn, "c2", 2, steps=30, seed=3, stretch=False)
    before, after = _central_mean(small_cnn, "c2", 2, start), _central_mean(small_cnn, "c2", 2, end)
    # independent baseline: the best of 200 random black-and-white pictures
    noise = np.random.default_rng(0).integers(0, 2, (200, 16, 16, 3)).astype(np.float32)
    best_random = max(_central_mean(small_cnn, "c2", 2, x) for x in noise)
    assert after > 3 * before > 0 and after > 1.5 * best_random, (before, after, best_random)


def test_stretch_keeps_grey_and_spans_the_range(small_cnn):
    raw = F.filter_pattern(small_cnn, "c2", 0, steps=10, seed=1, stretch=False)
    shown = F.filter_pattern(small_cnn, "c2", 0, steps=10, seed=1)
    # stretched about grey: same side of 0.5 everywhere, and reaching 0 or 1
    clear = np.abs(raw - 0.5) > 1e-3
    assert clear.mean() > 0.5
    np.testing.assert_array_equal(np.sign(shown - 0.5)[clear], np.sign(raw - 0.5)[clear])
    assert shown.min() == 0.0 or shown.max() == 1.0


@pytest.mark.parametrize("bias, activation, relu_layer", [
    pytest.param(0.0, None, False, id="linear-filter"),
    # silent on the grey start: (0.5 - 0.5) - 0.9 < 0, so the ReLU output and its gradient are 0
    # there; only a picture with red near 1 and blue near 0 makes it fire (1 - 0 - 0.9 > 0)
    pytest.param(-0.9, "relu", False, id="relu-silent-on-grey"),
    pytest.param(-0.9, None, True, id="separate-relu-layer"),
])
def test_filter_pattern_of_a_red_loving_filter_is_red(bias, activation, relu_layer):
    extra = [L.ReLU(name="relu")] if relu_layer else []
    model = keras.Sequential([keras.Input((6, 6, 3)), L.Conv2D(1, 1, activation=activation, name="red_minus_blue"),
                              *extra])
    model.get_layer("red_minus_blue").set_weights(
        [np.array([1.0, 0.0, -1.0], np.float32).reshape(1, 1, 3, 1), np.array([bias], np.float32)])
    pic = F.filter_pattern(model, "relu" if relu_layer else "red_minus_blue", 0, steps=20, step_size=0.05, seed=0)
    assert pic[..., 0].min() > 0.95 and pic[..., 2].max() < 0.05
    np.testing.assert_allclose(pic[..., 1].mean(), 0.5, atol=0.1)  # green does not matter: stays near start


def _stripe_model(kernel_2d):
    model = keras.Sequential([keras.Input((24, 24, 1)), L.Conv2D(1, 3, padding="same", activation="relu",
                                                                 name="k")])
    model.get_layer("k").set_weights([np.asarray(kernel_2d, np.float32).reshape(3, 3, 1, 1),
                                      np.zeros(1, np.float32)])
    return model


def _energy(pic):
    """(horizontal, vertical) gradient energy of the picture's centre (grey: first channel)."""
    g = pic[4:-4, 4:-4, 0].astype(np.float64)
    return float((np.diff(g, axis=1) ** 2).sum()), float((np.diff(g, axis=0) ** 2).sum())


def test_filter_pattern_of_a_vertical_line_detector_has_vertical_stripes():
    # every row of the kernel is (-1, 2, -1): it answers to a bright column between dark ones and
    # ignores changes from row to row, so its best input varies across x only -> vertical stripes
    pic = F.filter_pattern(_stripe_model([[-1, 2, -1]] * 3), "k", 0, steps=40, seed=1)
    across, down = _energy(pic)
    assert across > 10 * down, (across, down)
    # the same kernel turned a quarter, in a new model with the same layer name and size: the
    # traced step of the first model must not be reused -> horizontal stripes
    pic_t = F.filter_pattern(_stripe_model(np.transpose([[-1, 2, -1]] * 3)), "k", 0, steps=40, seed=1)
    across_t, down_t = _energy(pic_t)
    assert down_t > 10 * across_t, (across_t, down_t)


def test_filter_pattern_of_a_brightness_filter_shows_its_kernel_tiled():
    # weights all positive except the bottom row: on its own it would just want white everywhere;
    # the fallback shows its patch (two bright rows over a dark one) repeated -> horizontal bands
    kernel = [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [-0.5, -0.5, -0.5]]
    pic = F.filter_pattern(_stripe_model(kernel), "k", 0, steps=30, seed=0)
    across, down = _energy(pic)
    assert down > 10 * across, (across, down)
    rows = pic[4:-4, 4:-4, 0].mean(axis=1)
    assert rows.max() > 0.9 and rows.min() < 0.1  # both bright and dark bands


def test_grey_model_pattern_is_grey_rgb():
    pic = F.filter_pattern(_stripe_model([[-1, 2, -1]] * 3), "k", 0, steps=5, seed=0)
    assert pic.shape == (24, 24, 3)
    np.testing.assert_array_equal(pic[..., 0], pic[..., 1])
    np.testing.assert_array_equal(pic[..., 0], pic[..., 2])


@pytest.mark.parametrize("layer, kwargs, message", [
    pytest.param("c2", {"filter_index": 3}, r"3 filters \(0..2\), got 3", id="filter-past-the-last"),
    pytest.param("c2", {"filter_index": -1}, r"got -1", id="negative-filter"),
    pytest.param("c2", {"filter_index": 0, "steps": 0}, "steps must be between 1 and 500, got 0", id="no-steps"),
    pytest.param("c2", {"filter_index": 0, "size": (8, 8)}, r"size must be .*got \(8, 8\)", id="wrong-size"),
    pytest.param("c2", {"filter_index": 0, "value_range": (1.0, 0.0)}, r"high > low, got \(1.0, 0.0\)",
                 id="reversed-range"),
    pytest.param("flat", {"filter_index": 0}, r"\(H, W, C\) maps.*Flatten layer 'flat' with output \(768,\)",
                 id="layer-without-maps"),
    pytest.param("nope", {"filter_index": 0}, "no layer called 'nope'", id="unknown-layer"),
])
def test_filter_pattern_refuses_bad_requests(small_cnn, layer, kwargs, message):
    model = keras.Sequential([keras.Input((16, 16, 3)), *small_cnn.layers, L.Flatten(name="flat")]) \
        if layer == "flat" else small_cnn
    with pytest.raises(ModelError, match=message):
        F.filter_pattern(model, layer, **kwargs)


# ---- the value range a model reads --------------------------------------------------------

def _seeded_conv(scale=1.0, *, after_minus_one=False):
    """A seeded 3x3 ReLU convolution, kernel times `scale`. after_minus_one: it follows a map
    p -> 2p - 1, and its bias takes the constant back, so inside the picture it computes what
    the plain one does on p."""
    conv = L.Conv2D(2, 3, padding="same", activation="relu", name="conv",
                    kernel_initializer=keras.initializers.GlorotUniform(seed=11))
    conv.build((None, 16, 16, 3))
    kernel = conv.get_weights()[0] * np.float32(scale)
    bias = kernel.sum(axis=(0, 1, 2)) if after_minus_one else np.zeros(2, np.float32)
    conv.set_weights([kernel, bias.astype(np.float32)])
    return conv


def _rise(model, pic_lo_hi, *, lo, hi, index=0):
    """The filter's central mean on the optimised picture minus on the start, in the model's
    own units, for pictures in [0, 1] mapped onto lo..hi (as the model reads them)."""
    start, end = pic_lo_hi
    return (_central_mean(model, "conv", index, lo + end * (hi - lo))
            - _central_mean(model, "conv", index, lo + start * (hi - lo)))


READS_UNIT = "reads-0-1"
MODELS = {
    READS_UNIT: lambda: keras.Sequential([keras.Input((16, 16, 3)), _seeded_conv()]),
    # a keras-io style model: augmentation, then Rescaling(1/255): it says it reads 0..255
    "rescaling-1/255": lambda: keras.Sequential([keras.Input((16, 16, 3)), L.RandomFlip(), L.Rescaling(1 / 255),
                                                 _seeded_conv()]),
    # 0..255 -> -1..1 first: also reads 0..255
    "rescaling-1/127.5-minus-1": lambda: keras.Sequential([
        keras.Input((16, 16, 3)), L.Rescaling(2 / 255, offset=-1.0), _seeded_conv(0.5, after_minus_one=True)]),
}


@pytest.mark.parametrize("name, want", [pytest.param(READS_UNIT, (0.0, 1.0), id="plain-conv-0-1"),
                                        pytest.param("rescaling-1/255", (0.0, 255.0), id="augment-rescaling-0-255"),
                                        pytest.param("rescaling-1/127.5-minus-1", (0.0, 255.0), id="tf-style-0-255")])
def test_default_value_range_is_read_from_the_leading_layers(name, want):
    from vizcore.features.patterns import default_value_range

    assert default_value_range(F.build_extractor(MODELS[name]())) == want


def test_default_value_range_of_a_normalization_for_pixels_is_0_255():
    norm = L.Normalization(mean=[123.7, 116.3, 103.5], variance=[58.4 ** 2, 57.1 ** 2, 57.4 ** 2])
    model = keras.Sequential([keras.Input((16, 16, 3)), norm, _seeded_conv()])
    from vizcore.features.patterns import default_value_range

    assert default_value_range(F.build_extractor(model)) == (0.0, 255.0)


def _start_and_end(model, **kwargs):
    start = F.filter_pattern(model, "conv", 0, steps=1, step_size=0.0, seed=2, stretch=False, **kwargs)
    end = F.filter_pattern(model, "conv", 0, steps=15, seed=2, stretch=False, **kwargs)
    return start, end


@pytest.mark.parametrize("name", ["rescaling-1/255", "rescaling-1/127.5-minus-1"])
def test_a_model_reading_0_255_rises_as_much_as_the_same_model_reading_0_1(name):
    # the same filter behind a Rescaling: the same function of the picture (inside its borders),
    # so the same rise
    unit = MODELS[READS_UNIT]()
    reference = _rise(unit, _start_and_end(unit), lo=0.0, hi=1.0)
    assert reference > 0.05
    raw = MODELS[name]()
    np.testing.assert_allclose(_rise(raw, _start_and_end(raw), lo=0.0, hi=255.0), reference, rtol=1e-3)


def test_the_range_passed_drives_a_model_without_rescaling_and_0_1_barely_moves_it():
    # the filter's kernel divided by 255, no Rescaling layer: it was trained on 0..255 pictures
    unit = MODELS[READS_UNIT]()
    reference = _rise(unit, _start_and_end(unit), lo=0.0, hi=1.0)
    raw = keras.Sequential([keras.Input((16, 16, 3)), _seeded_conv(1 / 255)])
    passed = _rise(raw, _start_and_end(raw, value_range=(0.0, 255.0)), lo=0.0, hi=255.0)
    np.testing.assert_allclose(passed, reference, rtol=1e-3)
    # what the plain 0..1 default did: the model sees a 255th of its usual contrast
    wrong = _rise(raw, _start_and_end(raw, value_range=(0.0, 1.0)), lo=0.0, hi=1.0)
    assert abs(wrong) < 0.01 * reference
