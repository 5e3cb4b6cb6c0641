"""The seeds' models as the app offers them (vizcore.models.seeds and the registry): other sizes
of the conv-pool block by hand arithmetic, the shipped autoencoder's record and tiled output
against trivial baselines, the tiles view and the specs. Layer-by-layer tables against the
seeds are in test_models_seed_networks.py."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tools.train_tiles import HELD_OUT, TRAIN_IMAGES
from vizcore import ModelError
from vizcore.features import model_summary
from vizcore.models import seeds

# ---- conv-pool block (seed 000) ------------------------------------------------------------


@pytest.mark.parametrize("kernels, depth, conv1, conv2, out_channels", [
    (8, 2, 3 * 3 * 3 * 4 + 4, 3 * 3 * 4 * 4 + 4, 11),
    (32, 1, 448, None, 35),
], ids=["8-kernels-depth-2", "32-kernels-depth-1"])
def test_conv_pool_block_other_sizes_follow_hand_arithmetic(kernels, depth, conv1, conv2, out_channels):
    model = seeds.conv_pool_block((16, 16, 3), kernels=kernels, depth=depth)
    assert model.get_layer("conv3_0_max_0_conv").count_params() == conv1
    if conv2 is not None:
        assert model.get_layer("conv3_0_max_1_conv").count_params() == conv2
    assert tuple(model.output.shape[1:]) == (8, 8, out_channels)


def test_conv_pool_block_prefix_names_every_layer():
    model = seeds.conv_pool_block((8, 8, 3), kernels=4, depth=1, prefix="conv3_1")
    names = [layer.name for layer in model.layers[1:]]
    assert all(name.startswith("conv3_1_") for name in names), names


def test_conv_pool_block_is_seeded():
    a = seeds.conv_pool_block((8, 8, 3), kernels=4, seed=3)
    b = seeds.conv_pool_block((8, 8, 3), kernels=4, seed=3)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


# ---- tile autoencoder (seed 001) -----------------------------------------------------------

def test_tile_autoencoder_totals_and_output_match_seed():
    model = seeds.tile_autoencoder()
    summary = model_summary(model)
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (48_579, 48_419, 160)
    assert model(np.zeros((2, 32, 32, 3), np.float32)).shape == (2, 32, 32, 3)


def test_flatten_dense_1024_on_32x32x1_has_1049600_params():
    model = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(), keras.layers.Dense(1024)])
    rows = model_summary(model).rows
    assert rows[-1].params == 32 * 32 * 1024 + 1024 == 1_049_600


def test_tiles_view_shows_the_picture_and_the_stitched_output():
    same = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Identity()])
    img = np.random.default_rng(1).random((20, 40, 3)).astype(np.float32)
    spec = next(s for s in seeds.specs() if s.key == "autoencoder")
    caption, (shown_in, shown_out) = spec.extra_view("Tiles").pictures(same, img)
    np.testing.assert_array_equal(shown_in.image, img)
    np.testing.assert_allclose(shown_out.image, img, atol=0)  # an identity model gives the picture back
    assert "the 6 tiles" in caption  # 16x16 centres: ceil(20 / 16) * ceil(40 / 16) = 2 * 3


def test_tiles_view_shrinks_a_large_picture_to_256_first():
    same = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Identity()])
    img = np.random.default_rng(2).random((300, 600, 3)).astype(np.float32)
    spec = next(s for s in seeds.specs() if s.key == "autoencoder")
    caption, (shown_in, shown_out) = spec.extra_view("Tiles").pictures(same, img)
    assert shown_in.image.shape == shown_out.image.shape == (128, 256, 3)  # 600 -> 256, 300 -> 128
    assert "600×300 picture was first shrunk to 256×128" in caption


@pytest.fixture(scope="module")
def trained():
    return seeds.load_autoencoder()


def test_training_record_holds_out_an_image():
    info = seeds.tile_autoencoder_info()
    assert info["held_out"] == HELD_OUT
    assert HELD_OUT not in info["train_images"]
    assert tuple(info["train_images"]) == TRAIN_IMAGES
    assert info["picture_mse"] < 0.5 * min(info["picture_flat_mse"], info["picture_black_mse"])


def test_autoencoder_whole_image_tiled_beats_flat_baseline(trained):
    from vizcore.images import load_sample

    img = load_sample(HELD_OUT, max_side=128).image
    target = seeds.edge_target(img)
    out = seeds.apply_tiled(trained, img)
    assert out.shape == img.shape and out.dtype == np.float32
    mse = float(np.mean((np.clip(out, 0, 1) - target) ** 2))
    flat = float(np.mean((target.mean() - target) ** 2))  # the best flat output, even
    assert mse <= 0.5 * flat, (mse, flat)


# ---- the 3x3 chain (seed 002) --------------------------------------------------------------

def test_chain_spec_takes_a_grey_28x28_and_states_the_numbers():
    spec = next(s for s in seeds.specs() if s.key == "conv_chain")
    batch = spec.preprocess(np.random.default_rng(0).random((40, 30, 3)).astype(np.float32))
    assert batch.shape == (1, 28, 28, 1)
    for number in ("1,568,512", "18,496", "73,856", "147,584", "27x27"):
        assert number in spec.description
    assert spec.load().count_params() == 1_568_512


# ---- registry ----------------------------------------------------------------------------------

def test_registry_lists_the_shipped_models_and_names_keys_on_error():
    from vizcore.models.registry import available_models, get_model_spec

    keys = [spec.key for spec in available_models()]
    assert {"digits", "autoencoder", "conv_pool", "conv_chain"} <= set(keys)
    assert len(keys) == len(set(keys))
    spec = get_model_spec("autoencoder")
    assert spec.input_size == (32, 32) and spec.available() == (True, "")
    batch = spec.preprocess(np.random.default_rng(0).random((50, 70, 3)).astype(np.float32))
    assert batch.shape == (1, 32, 32, 3)
    with pytest.raises(ModelError, match="digits"):
        get_model_spec("no-such-model")
