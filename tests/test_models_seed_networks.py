"""The seeds' networks against the seeds' own tables, typed here by hand from seeds 000, 001 and
002, and the trained tile autoencoder against trivial answers and for seams."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from vizcore import ImageError, ModelError
from vizcore.features import model_summary
from vizcore.models import seed_blocks
from vizcore.models import tile_autoencoder as tae

# ---- seed 001: the 32x32 tile autoencoder --------------------------------------------------

# (name, type, output shape, params) exactly as printed in seed 001
SEED_001 = [
    ("conv2d", "Conv2D", (32, 32, 16), 784),
    ("conv2d_1", "Conv2D", (32, 32, 16), 1040),
    ("max_pooling2d", "MaxPooling2D", (32, 32, 16), 0),
    ("conv2d_2", "Conv2D", (32, 32, 16), 2320),
    ("conv2d_3", "Conv2D", (32, 32, 16), 1040),
    ("dropout", "Dropout", (32, 32, 16), 0),
    ("batch_normalization", "BatchNormalization", (32, 32, 16), 64),
    ("conv2d_transpose", "Conv2DTranspose", (35, 35, 32), 8224),
    ("cropping2d", "Cropping2D", (33, 33, 32), 0),
    ("batch_normalization_1", "BatchNormalization", (33, 33, 32), 128),
    ("conv2d_transpose_1", "Conv2DTranspose", (36, 36, 32), 16416),
    ("cropping2d_1", "Cropping2D", (32, 32, 32), 0),
    ("batch_normalization_2", "BatchNormalization", (32, 32, 32), 128),
    ("dense", "Dense", (32, 32, 512), 16896),
    ("dense_1", "Dense", (32, 32, 3), 1539),
]

# receptive field side after each layer, by hand: k x k stride-1 layers add k - 1 (conv 4 -> 4,
# conv 2 -> 5, pool 2 -> 6, conv 3 -> 8, conv 2 -> 9, transpose 4 -> 12, transpose 4 -> 15);
# dropout, normalisation, cropping and per-pixel Dense add nothing
SEED_001_RF = [4, 5, 6, 8, 9, 9, 9, 12, 12, 12, 15, 15, 15, 15, 15]


@pytest.fixture(scope="module")
def autoencoder_summary():
    return model_summary(tae.tile_autoencoder())


def test_tile_autoencoder_rows_equal_seed_001_table(autoencoder_summary):
    got = [(r.name, r.output_shape, r.params) for r in autoencoder_summary.rows]
    assert got == [(name, shape, params) for name, _, shape, params in SEED_001]


def test_tile_autoencoder_layer_types_equal_seed_001_table():
    model = tae.tile_autoencoder()
    assert [type(layer).__name__ for layer in model.layers] == [t for _, t, _, _ in SEED_001]


def test_tile_autoencoder_totals_equal_seed_001(autoencoder_summary):
    s = autoencoder_summary
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (48_579, 48_419, 160)
    assert sum(p for *_, p in SEED_001) == 48_579


def test_tile_autoencoder_receptive_fields_by_hand(autoencoder_summary):
    assert [r.receptive_field for r in autoencoder_summary.rows] == [(k, k) for k in SEED_001_RF]


@pytest.mark.parametrize("name, kernel, strides, padding", [
    ("conv2d", (4, 4), (1, 1), "same"),
    ("conv2d_1", (2, 2), (1, 1), "same"),
    ("conv2d_2", (3, 3), (1, 1), "same"),
    ("conv2d_3", (2, 2), (1, 1), "same"),
    ("conv2d_transpose", (4, 4), (1, 1), "valid"),
    ("conv2d_transpose_1", (4, 4), (1, 1), "valid"),
])
def test_tile_autoencoder_kernels_derived_from_counts(name, kernel, strides, padding):
    cfg = tae.tile_autoencoder().get_layer(name).get_config()
    assert (tuple(cfg["kernel_size"]), tuple(cfg["strides"]), cfg["padding"]) == (kernel, strides, padding)


def test_tile_autoencoder_is_seeded_and_refuses_bad_dropout():
    a, b = tae.tile_autoencoder(seed=5), tae.tile_autoencoder(seed=5)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    with pytest.raises(ModelError, match="1.5"):
        tae.tile_autoencoder(dropout=1.5)


def test_edge_target_hand_computed_step():
    img = np.zeros((5, 6, 3), np.float32)
    img[:, 3:] = 0.5  # step of 0.5 between columns 2 and 3
    edges = tae.edge_target(img)
    # Sobel gx at columns 2 and 3: (1 + 2 + 1) x 0.5 = 2; / 4 x gain 2 = 1.0; flat elsewhere
    np.testing.assert_allclose(edges[:, 2:4], 1.0, atol=1e-6)
    np.testing.assert_allclose(edges[:, [0, 1, 4, 5]], 0.0, atol=1e-6)
    with pytest.raises(ImageError, match=r"\(5, 6\)"):
        tae.edge_target(img[..., 0])


# ---- tiling ------------------------------------------------------------------------------------

def _centre_copy_model():
    """A model whose output is its own input: stitched centres must give the picture back."""
    return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Identity()])


@pytest.mark.parametrize("shape, margin", [((37, 50), 4), ((24, 24), 4), ((5, 3), 4), ((70, 33), 8), ((40, 40), 0)])
def test_apply_tiled_puts_every_pixel_back_in_place(shape, margin):
    img = np.random.default_rng(1).random((*shape, 3)).astype(np.float32)
    out = tae.apply_tiled(_centre_copy_model(), img, margin=margin, batch_size=4)
    np.testing.assert_array_equal(out, img)


@pytest.mark.parametrize("length, margin, expected", [
    (24, 4, [0]), (25, 4, [0, 24]), (48, 4, [0, 24]), (17, 8, [0, 16]),
])
def test_tile_positions_step_by_tile_minus_two_margins(length, margin, expected):
    assert tae.tile_positions(length, margin=margin) == expected


@pytest.mark.parametrize("kwargs, message", [({"length": 0}, "length"), ({"length": 9, "margin": 16}, "16")])
def test_tile_positions_refuses_bad_settings(kwargs, message):
    with pytest.raises(ModelError, match=message):
        tae.tile_positions(**kwargs)


def test_apply_tiled_refuses_non_rgb():
    with pytest.raises(ImageError, match=r"\(4, 4\)"):
        tae.apply_tiled(_centre_copy_model(), np.zeros((4, 4)))


# ---- the trained weights -------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained():
    return tae.load_tile_autoencoder()


def _smooth_picture(h: int = 72, w: int = 96) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = 0.5 + 0.4 * np.sin(xx / 9.0) * np.cos(yy / 13.0)
    g = 0.5 + 0.3 * np.sin((xx + yy) / 17.0)
    b = 0.3 + 0.4 * (xx / w)
    return np.stack([r, g, b], axis=-1).astype(np.float32)


def _seam_ratio(out: np.ndarray, step: int) -> float:
    """Mean jump across tile borders over the mean jump between other neighbouring columns/rows."""
    dx = np.abs(np.diff(out, axis=1)).mean(axis=(0, 2))  # dx[j]: between columns j and j + 1
    dy = np.abs(np.diff(out, axis=0)).mean(axis=(1, 2))
    seams_x = np.arange(step - 1, len(dx), step)
    seams_y = np.arange(step - 1, len(dy), step)
    inner_x = np.setdiff1d(np.arange(len(dx)), seams_x)
    inner_y = np.setdiff1d(np.arange(len(dy)), seams_y)
    seam = np.concatenate([dx[seams_x], dy[seams_y]]).mean()
    inner = np.concatenate([dx[inner_x], dy[inner_y]]).mean()
    return float(seam / inner)


def test_tiled_output_has_no_seams_on_a_smooth_picture(trained):
    pic = _smooth_picture()
    kept = tae.apply_tiled(trained, pic)  # overlapping tiles, centres kept
    naive = tae.apply_tiled(trained, pic, margin=0)  # tiles side by side, whole outputs kept
    # with centres kept, a tile border is no jumpier than any other pair of neighbours ...
    assert _seam_ratio(kept, 32 - 2 * tae.MARGIN) < 1.5
    # ... while abutting whole tiles shows the seed's seams (so the measure can fail)
    assert _seam_ratio(naive, 32) > 2 * _seam_ratio(kept, 32 - 2 * tae.MARGIN)


def test_trained_autoencoder_beats_trivial_answers_on_the_held_out_picture(trained):
    from tools.train_tiles import HELD_OUT, TRAIN_IMAGES, training_tiles

    record = tae.tile_autoencoder_record()
    assert record["held_out"] == HELD_OUT and HELD_OUT not in TRAIN_IMAGES
    x, y = training_tiles([HELD_OUT], max_side=128, stride=32)
    m = tae.MARGIN
    pred = np.asarray(trained(x, training=False))[:, m:-m, m:-m]
    y = y[:, m:-m, m:-m]
    mse = float(np.mean((pred - y) ** 2))
    black = float(np.mean(y ** 2))  # "no edges anywhere"
    flat = float(np.mean((record["mean_target"] - y) ** 2))  # one grey everywhere, the seed's failure
    assert mse < 0.5 * min(black, flat)


# ---- seed 000: the conv-pool block ----------------------------------------------------------

# (name, output shape, params) exactly as printed in seed 000 (256x256x3 input, 32 kernels)
SEED_000 = [
    ("input", (256, 256, 3), 0),
    ("conv3_0_max_0_conv", (256, 256, 16), 448),
    ("conv3_0_avg_0_conv", (256, 256, 16), 448),
    ("conv3_0_max_0_norm", (256, 256, 16), 64),
    ("conv3_0_avg_0_norm", (256, 256, 16), 64),
    ("conv3_0_max_0_dropout", (256, 256, 16), 0),
    ("conv3_0_avg_0_dropout", (256, 256, 16), 0),
    ("conv3_0_max_1_conv", (256, 256, 16), 2320),
    ("conv3_0_avg_1_conv", (256, 256, 16), 2320),
    ("conv3_0_max_1_norm", (256, 256, 16), 64),
    ("conv3_0_avg_1_norm", (256, 256, 16), 64),
    ("conv3_0_max_1_dropout", (256, 256, 16), 0),
    ("conv3_0_avg_1_dropout", (256, 256, 16), 0),
    ("conv3_0_dense", (256, 256, 3), 12),
    ("conv3_0_maxpool", (128, 128, 16), 0),
    ("conv3_0_avgpool", (128, 128, 16), 0),
    ("conv3_0_densepool", (128, 128, 3), 0),
    ("conv3_0_concatenate", (128, 128, 35), 0),
]


@pytest.fixture(scope="module")
def conv_pool():
    return seed_blocks.conv_pool_block((256, 256, 3), kernels=32)


def test_conv_pool_block_layers_in_seed_000_order(conv_pool):
    got = [(layer.name, tuple(layer.output.shape[1:]), layer.count_params()) for layer in conv_pool.layers]
    assert got == SEED_000


def test_conv_pool_block_summary_rows_equal_seed_000(conv_pool):
    rows = {r.name: (r.output_shape, r.params) for r in model_summary(conv_pool).rows}
    for name, shape, params in SEED_000[1:]:
        assert rows[name] == (shape, params), name


def test_conv_pool_block_concatenates_the_three_branches(conv_pool):
    concat = conv_pool.get_layer("conv3_0_concatenate")
    sources = [t._keras_history.operation.name for t in concat.input]
    assert sources == ["conv3_0_maxpool", "conv3_0_avgpool", "conv3_0_densepool"]


@pytest.mark.parametrize("kwargs, message", [
    ({"kernels": 31}, "even"), ({"depth": 0}, "depth"), ({"input_shape": (15, 16, 3)}, "even"),
])
def test_conv_pool_block_refuses_bad_settings(kwargs, message):
    args = {"input_shape": (16, 16, 3), **kwargs}
    with pytest.raises(ModelError, match=message):
        seed_blocks.conv_pool_block(args.pop("input_shape"), **args)


# ---- seed 002: the 3x3 chain ---------------------------------------------------------------

CHAIN_PARAMS = [320, 18_496, 73_856] + [147_584] * 10  # seed 002's four terms
CHAIN_SIDES = [26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2]  # 28 - 2n, 'valid' 3x3
CHAIN_RF = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27]  # 2n + 1


@pytest.fixture(scope="module")
def chain_summary():
    return model_summary(seed_blocks.conv_chain())


def test_conv_chain_parameters_equal_seed_002(chain_summary):
    assert [r.params for r in chain_summary.rows] == CHAIN_PARAMS
    assert chain_summary.total_params == 320 + 18_496 + 73_856 + 10 * 147_584 == 1_568_512


def test_conv_chain_shapes_and_receptive_fields_by_hand(chain_summary):
    assert [r.output_shape for r in chain_summary.rows] == [
        (s, s, f) for s, f in zip(CHAIN_SIDES, [32, 64] + [128] * 11)]
    assert [r.receptive_field for r in chain_summary.rows] == [(k, k) for k in CHAIN_RF]


def test_chain_note_gives_the_right_terms():
    note = seed_blocks.CHAIN_NOTE
    for right in ("18,496", "73,856", "147,584", "1,568,512", "27x27"):
        assert right in note
    assert f"{64 * 32 + 64:,}" in note  # the seed's written term as it evaluates: 2,112


def test_conv_chain_refuses_too_small_input():
    with pytest.raises(ModelError, match=r"\(26, 26, 1\)"):
        seed_blocks.conv_chain((26, 26, 1))


# ---- in the app, from a fresh start ---------------------------------------------------------

def _summary_table(key: str):
    from tests.apptest_helpers import open_app

    at = open_app("trained_models", query={"model": key, "view": "Summary"})
    assert not at.exception and not at.error
    return at, at.dataframe[0].value


def test_app_summary_of_the_tile_autoencoder_is_seed_001s_table():
    at, table = _summary_table("autoencoder")
    assert list(table["layer"]) == [name for name, *_ in SEED_001]
    assert list(table["parameters"]) == [f"{p:,}" for *_, p in SEED_001]
    assert any("Total params: 48,579" in m.value and "non-trainable: 160" in m.value for m in at.markdown)


def test_app_summary_of_the_conv_pool_block_uses_seed_000s_names():
    _, table = _summary_table("conv_pool")
    rows = dict(zip(table["layer"], table["output shape"]))
    assert rows["conv3_0_max_0_conv"] == "256 × 256 × 16"
    assert rows["conv3_0_concatenate"] == "128 × 128 × 35"


def test_app_summary_of_the_chain_shows_seed_002s_numbers_and_receptive_fields():
    at, table = _summary_table("conv_chain")
    assert list(table["parameters"]) == [f"{p:,}" for p in CHAIN_PARAMS]
    assert list(table["receptive field"]) == [f"{k}×{k}" for k in CHAIN_RF]
    assert any("Total params: 1,568,512" in m.value for m in at.markdown)
    assert any("leave out the 3x3 kernel's factor 9" in c.value for c in at.caption)


# ---- seed 004: the hand-made 7x7 line filters ------------------------------------------------

def _seed_004_line(axis: int) -> np.ndarray:
    k = np.zeros((7, 7), np.float32)
    if axis == 1:
        k[:, 3] = 1.0  # seed 004: column 3 of a 7x7 filter set to 1 -> vertical line
    else:
        k[3, :] = 1.0  # row 3 set to 1 -> horizontal line
    return k


@pytest.mark.parametrize("name, axis", [("vertical_line_7x7", 1), ("horizontal_line_7x7", 0)])
def test_kernel_presets_hold_seed_004s_line_filters(name, axis):
    from vizcore.layers import KERNEL_PRESETS

    preset = KERNEL_PRESETS[name]
    np.testing.assert_array_equal(preset, _seed_004_line(axis))
    assert preset.dtype == np.float32 and not preset.flags.writeable


def test_vertical_line_preset_sums_seven_pixels_down_a_column():
    from vizcore.layers import KERNEL_PRESETS, conv2d

    img = np.zeros((9, 9, 3), np.float32)
    img[:, 4] = 1.0  # a white vertical line
    img[4, :] = np.maximum(img[4, :], 0.5)  # crossed by a grey horizontal one
    out = conv2d(img, kernel=KERNEL_PRESETS["vertical_line_7x7"], space="luminance").output[..., 0]
    # centre column: 7 pixels of the white line (grey crossing is under it too but white wins: 1.0)
    assert out[4, 4] == pytest.approx(7.0, abs=1e-5)
    # one column off the line, the window's column holds only the grey crossing pixel
    assert out[4, 3] == pytest.approx(0.5, abs=1e-5)


def test_conv2d_page_offers_the_seed_004_preset_as_a_7x7_grid():
    from tests.apptest_helpers import open_app

    at = open_app("conv2d", query={"conv2d.view": "Kernel editor", "conv2d.preset": "horizontal_line_7x7"})
    assert not at.exception and not at.error
    grid = at.data_editor[0].value.to_numpy(dtype=np.float32)
    np.testing.assert_array_equal(grid, _seed_004_line(0))
    assert any("Seed 004" in c.value for c in at.caption)
