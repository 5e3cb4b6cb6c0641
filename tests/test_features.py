"""vizcore.features against independent references: per-layer keras.Models, hand arithmetic,
NumPy, and tiny constructed models whose right answer is known."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from vizcore import ImageError, ModelError
from vizcore import features as F
from vizcore.models import seeds

L = keras.layers


def _reference(model, name, batch):
    """Output of one layer from its own per-layer keras.Model (the slow, obvious way)."""
    return np.asarray(keras.Model(model.input, model.get_layer(name).output)(batch, training=False))


# ---- one-pass extractor ------------------------------------------------------------------------

def test_one_pass_equals_per_layer_models_on_branching_model():
    model = seeds.conv_pool_block((8, 8, 3), kernels=4, seed=1)
    batch = np.random.default_rng(0).random((2, 8, 8, 3)).astype(np.float32)
    ex = F.build_extractor(model)
    acts = ex.activations(batch)
    names = [layer.name for layer in model.layers if not isinstance(layer, L.InputLayer)]
    assert list(ex.layer_names) == names
    for name in names:
        np.testing.assert_allclose(acts[name], _reference(model, name, batch), rtol=1e-5, atol=1e-6)


def _base():
    return keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3, name="c1",
                             kernel_initializer=keras.initializers.GlorotUniform(seed=1)),
                             L.MaxPooling2D(name="p1")], name="base")


def test_nested_sequential_in_sequential_is_unfolded():
    base = _base()
    outer = keras.Sequential([base, L.GlobalAveragePooling2D(name="gap"),
                              L.Dense(2, activation="softmax", name="head")], name="outer")
    outer.build((None, 8, 8, 3))
    batch = np.random.default_rng(1).random((1, 8, 8, 3)).astype(np.float32)
    ex = F.build_extractor(outer)
    assert ex.layer_names == ("base/c1", "base/p1", "gap", "head")
    acts = ex.activations(batch)
    # reference: the layers called one after another in NumPy-visible steps
    c1 = np.asarray(base.get_layer("c1")(batch))
    p1 = np.asarray(base.get_layer("p1")(c1))
    np.testing.assert_allclose(acts["base/c1"], c1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["base/p1"], p1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["gap"], p1.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["head"], np.asarray(outer(batch)), rtol=1e-5, atol=1e-6)


def test_nested_model_in_functional_model_is_unfolded():
    base = _base()
    inp = keras.Input((8, 8, 3))
    x = L.Rescaling(0.5, name="pre")(inp)
    x = base(x, training=False)
    x = L.Flatten(name="flat")(x)
    out = L.Dense(3, name="out")(x)
    model = keras.Model(inp, out, name="transfer")
    batch = np.random.default_rng(2).random((2, 8, 8, 3)).astype(np.float32)
    ex = F.build_extractor(model)
    assert ex.layer_names == ("pre", "base/c1", "base/p1", "flat", "out")
    acts = ex.activations(batch)
    inner = keras.Model(base.inputs[0], base.get_layer("c1").output)
    np.testing.assert_allclose(acts["base/c1"], np.asarray(inner(batch * 0.5)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["out"], np.asarray(model(batch)), rtol=1e-5, atol=1e-6)


def test_pretrained_base_inside_sequential_is_unfolded_mobilenet():
    # the transfer-learning shape keract and tf-keras-vis cannot look inside
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.35)
    base.trainable = False
    model = keras.Sequential([keras.Input((32, 32, 3)), base, L.GlobalAveragePooling2D(name="gap"),
                              L.Dense(3, activation="softmax", name="head")])
    batch = np.random.default_rng(3).random((1, 32, 32, 3)).astype(np.float32)
    ex = F.build_extractor(model)
    assert ex.layer_names[-2:] == ("gap", "head") and len(ex.layer_names) == len(base.layers) - 1 + 2
    acts = ex.activations(batch)
    for name in ("block_1_expand", "block_4_add", "out_relu"):
        ref = keras.Model(base.inputs[0], base.get_layer(name).output)(batch)
        np.testing.assert_allclose(acts[f"{base.name}/{name}"], np.asarray(ref), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(acts["head"], np.asarray(model(batch)), rtol=1e-4, atol=1e-6)
    summary = ex.summary
    assert summary.total_params == model.count_params()
    assert summary.trainable_params == 1280 * 3 + 3  # only the head: the base is frozen
    assert ex.default_cam_layer() == f"{base.name}/Conv_1"


def test_sequential_without_input_needs_a_shape():
    model = keras.Sequential([L.Conv2D(2, 3, name="c"), L.Flatten(name="f")])
    with pytest.raises(ModelError, match="input_shape"):
        F.build_extractor(model)
    ex = F.build_extractor(model, input_shape=(6, 6, 1))
    assert ex.output_shape("c") == (4, 4, 2)


@pytest.mark.parametrize("batch, message", [
    (np.zeros((1, 8, 8, 1)), r"\(1, 8, 8, 1\)"),
    (np.zeros((8, 8, 3)), r"\(8, 8, 3\)"),
])
def test_wrong_batch_is_refused_naming_the_shape(batch, message):
    ex = F.build_extractor(_base())
    with pytest.raises(ModelError, match=message):
        ex.activations(batch)
    with pytest.raises(ModelError, match="nope"):
        ex.activations(np.zeros((1, 8, 8, 3)), layers=["nope"])


def test_two_input_model_is_refused():
    a, b = keras.Input((4, 4, 3)), keras.Input((4, 4, 3))
    model = keras.Model([a, b], L.Add()([a, b]))
    with pytest.raises(ModelError, match="one image input, got 2"):
        F.build_extractor(model)


def test_any_size_model_runs_on_two_sizes_and_has_unknown_memory():
    model = keras.Sequential([keras.Input((None, None, 3)), L.Conv2D(2, 3, padding="same", name="c")])
    ex = F.build_extractor(model)
    assert ex.activations(np.zeros((1, 8, 6, 3)))["c"].shape == (1, 8, 6, 2)
    assert ex.activations(np.zeros((1, 5, 5, 3)))["c"].shape == (1, 5, 5, 2)
    row = ex.summary.rows[0]
    assert row.activation_bytes is None and row.receptive_field == (3, 3)
    assert ex.summary.table()[0]["activation memory"] == "—"


def test_not_a_model_is_refused():
    with pytest.raises(ModelError, match="keras.Model"):
        F.build_extractor(L.Dense(3))


# ---- summary -----------------------------------------------------------------------------------

def test_summary_rows_equal_hand_arithmetic():
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        L.Conv2D(4, 3, name="conv"),            # 6x6x4, 3*3*3*4+4 = 112, RF 3
        L.BatchNormalization(name="bn"),        # 16 params, 8 trainable, RF 3
        L.MaxPooling2D(2, name="pool"),         # 3x3x4, RF 3 + 1*1 = 4, jump 2
        L.Conv2D(2, 3, name="conv2"),           # 1x1x2, 3*3*4*2+2 = 74, RF 4 + 2*2 = 8
        L.Flatten(name="flat"),                 # 2, RF undefined
        L.Dense(5, name="dense"),               # 2*5+5 = 15
    ])
    rows = {r.name: r for r in F.model_summary(model).rows}
    expected = {
        "conv": ((6, 6, 4), 112, 112, 6 * 6 * 4 * 4, (3, 3)),
        "bn": ((6, 6, 4), 16, 8, 6 * 6 * 4 * 4, (3, 3)),
        "pool": ((3, 3, 4), 0, 0, 3 * 3 * 4 * 4, (4, 4)),
        "conv2": ((1, 1, 2), 74, 74, 2 * 4, (8, 8)),
        "flat": ((2,), 0, 0, 8, None),
        "dense": ((5,), 15, 15, 20, None),
    }
    for name, (shape, params, trainable, nbytes, rf) in expected.items():
        row = rows[name]
        assert (row.output_shape, row.params, row.trainable_params, row.activation_bytes,
                row.receptive_field) == (shape, params, trainable, nbytes, rf), name
    summary = F.model_summary(model)
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (217, 209, 8)
    assert rows["flat"].receptive_field_text == "—"
    table = summary.table()
    assert table[0]["parameters"] == "112" and table[0]["receptive field"] == "3×3"


def test_receptive_field_with_strides_dilation_and_transpose():
    model = keras.Sequential([
        keras.Input((32, 32, 1)),
        L.Conv2D(1, 5, strides=2, padding="same", name="a"),                 # 5, jump 2
        L.Conv2D(1, 3, dilation_rate=2, padding="same", name="b"),           # 5 + 2*2*2 = 13
        L.Conv2DTranspose(1, 3, strides=2, padding="same", name="t"),        # 13 + (ceil(3/2)-1)*2 = 15
    ])
    rf = {r.name: r.receptive_field for r in F.model_summary(model).rows}
    assert rf == {"a": (5, 5), "b": (13, 13), "t": (15, 15)}


def test_shared_layer_parameters_counted_once():
    shared = L.Dense(4, name="shared")
    inp = keras.Input((3,))
    out = L.Add(name="add")([shared(inp), shared(inp)])
    summary = F.model_summary(keras.Model(inp, out))
    assert [r.params for r in summary.rows] == [16, 0, 0]
    assert summary.total_params == 16


# ---- pictures ----------------------------------------------------------------------------------

def test_feature_grid_local_and_global_scale():
    maps = np.stack([np.array([[0, 1], [2, 3]]), np.array([[0, 2], [4, 6]])], axis=-1).astype(np.float32)
    local = F.feature_grid(maps, cmap="gray", scale="map", min_cell=2, gap=1, columns=2)
    glob = F.feature_grid(maps, cmap="gray", scale="layer", min_cell=2, gap=1, columns=2)
    assert local.shape == glob.shape == (2, 5, 3)
    np.testing.assert_allclose(local[:, 2], 1.0)  # white gap column
    np.testing.assert_allclose(local[:, :2, 0], [[0, 1 / 3], [2 / 3, 1]], atol=0.01)
    np.testing.assert_allclose(local[:, 3:, 0], [[0, 1 / 3], [2 / 3, 1]], atol=0.01)
    np.testing.assert_allclose(glob[:, :2, 0], [[0, 1 / 6], [2 / 6, 3 / 6]], atol=0.01)


def test_feature_grid_enlarges_small_maps_and_draws_vectors():
    grid = F.feature_grid(np.zeros((1, 4, 4, 3), np.float32), min_cell=16, gap=2, columns=3)
    assert grid.shape == (16, 3 * 16 + 2 * 2, 3) and grid.dtype == np.float32
    vec = F.feature_grid(np.arange(10, dtype=np.float32), cmap="gray", min_cell=4, gap=0)
    assert vec.shape == (12, 16, 3)  # 10 values in a 3x4 grid of 4-pixel cells
    assert vec[-1, -1, 0] == 1.0  # the two empty cells are background
    with pytest.raises(ValueError, match="scale"):
        F.feature_grid(np.zeros((2, 2, 1)), scale="global")
    with pytest.raises(ModelError, match=r"\(2, 2, 2, 2, 2\)"):
        F.feature_grid(np.zeros((2, 2, 2, 2, 2)))


def test_overlay_alpha_ends():
    img = np.full((4, 6, 3), 0.25, np.float32)
    fmap = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_allclose(F.overlay(img, fmap, alpha=0.0), img)
    full = F.overlay(img, fmap, alpha=1.0, cmap="gray")
    assert full.shape == (4, 6, 3)
    assert full[0, 0, 0] == pytest.approx(0.0, abs=1e-6) and full[-1, -1, 0] == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ImageError, match=r"\(4, 6, 2\)"):
        F.overlay(np.zeros((4, 6, 2)), fmap)


def test_strongest_maps_by_mean():
    act = np.zeros((2, 2, 4), np.float32)
    act[..., 2] = 3.0
    act[0, 0, 1] = 8.0  # mean 2
    act[..., 3] = -1.0
    assert list(F.strongest_maps(act, 3)) == [2, 1, 0]
    assert list(F.strongest_maps(act[None], 10)) == [2, 1, 0, 3]


# ---- filters -----------------------------------------------------------------------------------

def test_first_layer_filters_are_colour_pictures_with_zero_at_grey():
    model = keras.Sequential([keras.Input((5, 5, 3)), L.Conv2D(2, 1, name="c")])
    kernel = np.zeros((1, 1, 3, 2), np.float32)
    kernel[0, 0, :, 0] = [2.0, 0.0, -2.0]  # likes red, dislikes blue
    kernel[0, 0, :, 1] = [0.0, 0.5, 0.0]
    model.get_layer("c").set_weights([kernel, np.zeros(2, np.float32)])
    pics = F.layer_filters(model, "c")
    assert pics.shape == (2, 1, 1, 3)
    np.testing.assert_allclose(pics[0, 0, 0], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(pics[1, 0, 0], [0.5, 1.0, 0.5])
    assert F.filters_grid(model, "c", min_cell=4, gap=1).shape == (4, 9, 3)


def test_deeper_filters_as_grid_and_non_conv_refused():
    model = keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3, name="c1"), L.Conv2D(5, 3, name="c2"),
                              L.Flatten(name="f")])
    pics = F.layer_filters(model, "c2")
    assert pics.shape == (5, 4, 3, 3) and 0.0 <= pics.min() and pics.max() <= 1.0
    grid = F.filters_grid(model, "c2", min_cell=3, gap=1)
    assert grid.shape == (5 * 3 + 4, 4 * 3 + 3, 3)
    with pytest.raises(ModelError, match="Flatten"):
        F.layer_filters(model, "f")
    with pytest.raises(ModelError, match="nope"):
        F.layer_filters(model, "nope")


# ---- patterns ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_cnn():
    return keras.Sequential([
        keras.Input((16, 16, 3)),
        L.Conv2D(4, 3, padding="same", activation="relu", name="c1",
                 kernel_initializer=keras.initializers.GlorotUniform(seed=4)),
        L.Conv2D(3, 3, padding="same", name="c2", kernel_initializer=keras.initializers.GlorotUniform(seed=5)),
    ])


def _central_mean(model, layer, index, pic, margin=2):
    """NumPy-side check: the filter's mean output over the centre of its map for picture `pic`."""
    sub = keras.Model(model.inputs[0], model.get_layer(layer).output)
    maps = np.asarray(sub(np.asarray(pic, np.float32)[None]))[0, ..., index]
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
    best_random = max(_central_mean(small_cnn, "c2", 2, x) for x in noise[:200])
    assert after > 3 * before > 0 and after > 1.5 * best_random, (before, after, best_random)


@pytest.mark.parametrize("bias, activation, relu_layer", [
    (0.0, None, False),
    # silent on the grey start: (0.5 - 0.5) - 0.9 < 0, so the ReLU output and its gradient are 0
    # there; only a picture with red near 1 and blue near 0 makes it fire (1 - 0 - 0.9 > 0)
    (-0.9, "relu", False),
    (-0.9, None, True),  # the same with the ReLU as a layer of its own
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
    # the same kernel turned a quarter: horizontal stripes
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


@pytest.mark.parametrize("layer, kwargs, message", [
    ("c2", {"filter_index": 3}, r"3 filters \(0..2\), got 3"),
    ("c2", {"filter_index": -1}, r"got -1"),
    ("c2", {"filter_index": 0, "steps": 0}, "steps must be between 1 and 500, got 0"),
    ("c2", {"filter_index": 0, "size": (8, 8)}, r"size must be .*got \(8, 8\)"),
    ("c2", {"filter_index": 0, "value_range": (1.0, 0.0)}, r"high > low, got \(1.0, 0.0\)"),
    ("flat", {"filter_index": 0}, r"\(H, W, C\) maps.*Flatten layer 'flat' with output \(768,\)"),
    ("nope", {"filter_index": 0}, "no layer called 'nope'"),
])
def test_filter_pattern_refuses_bad_requests(small_cnn, layer, kwargs, message):
    model = keras.Sequential([keras.Input((16, 16, 3)), *small_cnn.layers, L.Flatten(name="flat")]) \
        if layer == "flat" else small_cnn
    with pytest.raises(ModelError, match=message):
        F.filter_pattern(model, layer, **kwargs)


# ---- predictions -------------------------------------------------------------------------------

def test_top_k():
    assert F.top_k([0.1, 0.7, 0.2], ["a", "b", "c"], 2) == [("b", 0.7), ("c", 0.2)]
    with pytest.raises(ModelError, match="3 probabilities but 2 labels"):
        F.top_k([0.1, 0.7, 0.2], ["a", "b"])


def _cam_model():
    # two 1x1 identity-conv channels -> global average -> identity softmax Dense:
    # class 0's logit is the mean of channel 0, class 1's the mean of channel 1
    inp = keras.Input((8, 8, 2))
    x = L.Conv2D(2, 1, name="conv", use_bias=False)(inp)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(2, activation="softmax", name="probs", kernel_initializer="identity")(x)
    model = keras.Model(inp, out)
    model.get_layer("conv").set_weights([np.eye(2, dtype=np.float32).reshape(1, 1, 2, 2)])
    return model


def test_grad_cam_highlights_the_region_that_matters():
    model = _cam_model()
    batch = np.zeros((1, 8, 8, 2), np.float32)
    batch[0, :3, :3, 0] = 1.0  # class 0 evidence top-left
    batch[0, 5:, 5:, 1] = 1.0  # class 1 evidence bottom-right
    for cls, (r, c) in ((0, (1, 1)), (1, (6, 6))):
        cam = F.grad_cam(model, batch, class_index=cls)
        assert cam.shape == (8, 8) and cam.dtype == np.float32
        assert cam.min() >= 0.0 and cam.max() == pytest.approx(1.0)
        assert cam[r, c] == pytest.approx(1.0)
        assert cam[7 - r, 7 - c] == pytest.approx(0.0)


def test_grad_cam_refuses_bad_class_and_layer():
    model = _cam_model()
    batch = np.zeros((1, 8, 8, 2), np.float32)
    with pytest.raises(ModelError, match="got class 5"):
        F.grad_cam(model, batch, class_index=5)
    with pytest.raises(ModelError, match="gap"):
        F.grad_cam(model, batch, class_index=0, layer_name="gap")


# ---- adapt_image -------------------------------------------------------------------------------

def test_adapt_image_grey_and_range_hand_values():
    img = np.zeros((2, 2, 3), np.float32)
    img[0, 0] = [1.0, 0.0, 0.0]
    img[1, 1] = [0.0, 0.0, 1.0]
    batch, notes = F.adapt_image(img, size=None, channels=1, value_range=(-1.0, 1.0))
    assert batch.shape == (1, 2, 2, 1)
    np.testing.assert_allclose(batch[0, :, :, 0], [[-1 + 2 * 0.299, -1], [-1, -1 + 2 * 0.114]], atol=1e-6)
    assert any("grey" in n for n in notes) and any("-1" in n for n in notes)


def test_adapt_image_crops_to_keep_shape_and_resizes():
    img = np.zeros((40, 80, 3), np.float32)
    img[:, 20:60] = 1.0  # the centre square is white
    batch, notes = F.adapt_image(img, size=(10, 10), channels=3)
    assert batch.shape == (1, 10, 10, 3)
    np.testing.assert_allclose(batch, 1.0, atol=1e-6)
    assert any("cropped" in n for n in notes) and any("80×40" in n for n in notes)
    stretched, _ = F.adapt_image(img, size=(10, 10), channels=3, fit="stretch")
    assert stretched[0, 5, 0, 0] < 0.1


@pytest.mark.parametrize("kwargs, error, message", [
    ({"image": np.zeros((4, 4, 2))}, ImageError, r"\(4, 4, 2\)"),
    ({"channels": 4}, ModelError, "got 4"),
    ({"value_range": (1.0, 0.0)}, ModelError, "high > low"),
    ({"fit": "pad"}, ModelError, "'pad'"),
])
def test_adapt_image_refuses(kwargs, error, message):
    args = {"image": np.zeros((4, 4, 3)), "size": (2, 2), "channels": 3, **kwargs}
    with pytest.raises(error, match=message):
        F.adapt_image(args.pop("image"), **args)
