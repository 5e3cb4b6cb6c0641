"""The seeds' architectures against the seeds' published numbers, and the trained autoencoder
against trivial baselines on tiles of an image it never saw."""
from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from tools.train import AE_HELD_OUT, AE_TRAIN_IMAGES, autoencoder_tiles
from vizcore import ImageError
from vizcore.features import model_summary
from vizcore.models import seeds

# ---- conv-pool block: the seed's table for a 256x256x3 input and 32 kernels ----------------

@pytest.fixture(scope="module")
def conv_pool():
    return seeds.conv_pool_block((256, 256, 3), kernels=32)


@pytest.mark.parametrize(
    "layer, params, shape",
    [
        ("conv_max_1", 448, (256, 256, 16)),
        ("conv_avg_1", 448, (256, 256, 16)),
        ("conv_max_2", 2_320, (256, 256, 16)),
        ("conv_avg_2", 2_320, (256, 256, 16)),
        ("bn_max_1", 64, (256, 256, 16)),
        ("bn_avg_2", 64, (256, 256, 16)),
        ("dense_rgb", 12, (256, 256, 3)),
        ("max_pool", 0, (128, 128, 16)),
        ("avg_pool", 0, (128, 128, 16)),
        ("avg_pool_rgb", 0, (128, 128, 3)),
        ("concat", 0, (128, 128, 35)),
    ],
)
def test_conv_pool_block_matches_seed_table(conv_pool, layer, params, shape):
    rows = {r.name: r for r in model_summary(conv_pool).rows}
    assert rows[layer].params == params
    assert rows[layer].output_shape == shape
    assert conv_pool.get_layer(layer).count_params() == params


def test_conv_pool_block_output_and_structure(conv_pool):
    assert tuple(conv_pool.output.shape[1:]) == (128, 128, 35)
    types = [type(layer).__name__ for layer in conv_pool.layers]
    assert types.count("Conv2D") == 4 and types.count("BatchNormalization") == 4
    assert types.count("Dropout") == 4 and "MaxPooling2D" in types and types.count("AveragePooling2D") == 2


@pytest.mark.parametrize("kernels, depth, conv1, conv2, out_channels", [
    (8, 2, 3 * 3 * 3 * 4 + 4, 3 * 3 * 4 * 4 + 4, 11),
    (32, 1, 448, None, 35),
])
def test_conv_pool_block_other_sizes_follow_hand_arithmetic(kernels, depth, conv1, conv2, out_channels):
    model = seeds.conv_pool_block((16, 16, 3), kernels=kernels, depth=depth)
    assert model.get_layer("conv_max_1").count_params() == conv1
    if conv2 is not None:
        assert model.get_layer("conv_max_2").count_params() == conv2
    assert tuple(model.output.shape[1:]) == (8, 8, out_channels)


@pytest.mark.parametrize("kwargs, message", [
    ({"kernels": 31}, "even"),
    ({"kernels": 0}, "even"),
    ({"depth": 0}, "depth"),
    ({"input_shape": (15, 16, 3)}, "even"),
])
def test_conv_pool_block_refuses_bad_settings(kwargs, message):
    from vizcore import ModelError

    args = {"input_shape": (16, 16, 3), **kwargs}
    with pytest.raises(ModelError, match=message):
        seeds.conv_pool_block(args.pop("input_shape"), **args)


def test_conv_pool_block_is_seeded():
    a = seeds.conv_pool_block((8, 8, 3), kernels=4, seed=3)
    b = seeds.conv_pool_block((8, 8, 3), kernels=4, seed=3)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


# ---- tile autoencoder ------------------------------------------------------------------------

def test_tile_autoencoder_parameter_counts_match_seed():
    model = seeds.tile_autoencoder()
    summary = model_summary(model)
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (48_579, 48_419, 160)
    assert model.count_params() == 48_579
    assert summary.rows[-1].output_shape == (16, 16, 3)
    assert model(np.zeros((2, 32, 32, 3), np.float32)).shape == (2, 16, 16, 3)
    types = {type(layer).__name__ for layer in model.layers}
    assert {"Conv2D", "MaxPooling2D", "Dropout", "BatchNormalization", "Conv2DTranspose",
            "Cropping2D", "Dense"} <= types


def test_flatten_dense_1024_on_32x32x1_has_1049600_params():
    model = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(), keras.layers.Dense(1024)])
    rows = model_summary(model).rows
    assert rows[-1].params == 32 * 32 * 1024 + 1024 == 1_049_600


def test_edge_target_hand_computed_step():
    img = np.zeros((6, 8, 3), np.float32)
    img[:, 4:] = 0.5  # vertical step of 0.5 between columns 3 and 4
    edges = seeds.edge_target(img)
    # Sobel gx at columns 3 and 4: (1 + 2 + 1) * 0.5 = 2, / 4 = 0.5, x EDGE_GAIN 2 = 1.0
    np.testing.assert_allclose(edges[:, 3:5], 1.0, atol=1e-6)
    np.testing.assert_allclose(edges[:, :3], 0.0, atol=1e-6)
    np.testing.assert_allclose(edges[:, 5:], 0.0, atol=1e-6)
    with pytest.raises(ImageError, match=r"\(6, 8\)"):
        seeds.edge_target(img[..., 0])


@pytest.mark.parametrize("shape", [(37, 50), (16, 16), (5, 3), (64, 48)])
def test_apply_tiled_stitches_centres_without_seams(shape):
    # a model that returns the centre of its tile must give back the input exactly
    centre = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Cropping2D(seeds.CROP)])
    img = np.random.default_rng(0).random((*shape, 3)).astype(np.float32)
    np.testing.assert_allclose(seeds.apply_tiled(centre, img, batch_size=3), img, atol=0)


def test_tiles_view_shows_the_picture_and_the_stitched_output():
    centre = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Cropping2D(seeds.CROP)])
    img = np.random.default_rng(1).random((20, 40, 3)).astype(np.float32)
    spec = next(s for s in seeds.specs() if s.key == "autoencoder")
    caption, (shown_in, shown_out) = spec.extra_view("Tiles").pictures(centre, img)
    np.testing.assert_array_equal(shown_in.image, img)
    np.testing.assert_allclose(shown_out.image, img, atol=0)  # an identity-on-the-centre model
    assert "the 6 tiles" in caption  # ceil(20 / 16) * ceil(40 / 16) = 2 * 3


def test_apply_tiled_refuses_non_rgb():
    centre = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Cropping2D(seeds.CROP)])
    with pytest.raises(ImageError, match=r"\(4, 4\)"):
        seeds.apply_tiled(centre, np.zeros((4, 4)))


@pytest.fixture(scope="module")
def trained():
    return seeds.load_autoencoder()


def test_training_record_holds_out_an_image():
    info = json.loads(seeds.AUTOENCODER_INFO.read_text())
    assert info["held_out"] == AE_HELD_OUT
    assert AE_HELD_OUT not in info["train_images"]
    assert tuple(info["train_images"]) == AE_TRAIN_IMAGES


def test_autoencoder_beats_flat_and_black_baselines_on_held_out_tiles(trained):
    x, y = autoencoder_tiles([AE_HELD_OUT], max_side=256, stride=16)
    pred = np.asarray(trained(x, training=False))
    mse = float(np.mean((pred - y) ** 2))
    mean_target = json.loads(seeds.AUTOENCODER_INFO.read_text())["mean_target"]
    flat = float(np.mean((mean_target - y) ** 2))  # the seed's failure: one flat grey everywhere
    black = float(np.mean(y ** 2))  # "no edges anywhere"
    assert mse <= 0.5 * flat, (mse, flat)
    assert mse <= 0.5 * black, (mse, black)


def test_autoencoder_whole_image_tiled_beats_flat_baseline(trained):
    from vizcore.images import load_sample

    img = load_sample(AE_HELD_OUT, max_side=128).image
    target = seeds.edge_target(img)
    out = seeds.apply_tiled(trained, img)
    assert out.shape == img.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    mse = float(np.mean((out - target) ** 2))
    flat = float(np.mean((target.mean() - target) ** 2))  # best possible flat output, even
    assert mse <= 0.5 * flat, (mse, flat)


# ---- registry ----------------------------------------------------------------------------------

def test_registry_lists_the_shipped_models_and_names_keys_on_error():
    from vizcore import ModelError
    from vizcore.models.registry import available_models, get_model_spec

    keys = [spec.key for spec in available_models()]
    assert {"digits", "autoencoder", "conv_pool"} <= set(keys)
    assert len(keys) == len(set(keys))
    spec = get_model_spec("autoencoder")
    assert spec.input_size == (32, 32) and spec.available() == (True, "")
    batch = spec.preprocess(np.random.default_rng(0).random((50, 70, 3)).astype(np.float32))
    assert batch.shape == (1, 32, 32, 3)
    with pytest.raises(ModelError, match="digits"):
        get_model_spec("no-such-model")
