"""vizcore.models.compare: kernel kinds, map zeros and likeness against NumPy on hand-made
kernels and maps; the untrained twin and the trained layers run through real Keras layers."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore import ModelError
from vizcore.models import compare

PREWITT_X = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], np.float64)
BOX = np.ones((3, 3))
CENTRE = np.zeros((3, 3))
CENTRE[1, 1] = 1.0


def as_kernels(*slices_per_filter) -> np.ndarray:
    """Filters given as lists of (kh, kw) slices (one per input channel) -> (kh, kw, cin, cout)."""
    return np.stack([np.stack(slices, axis=-1) for slices in slices_per_filter], axis=-1)


def reference_shares(kernels: np.ndarray) -> np.ndarray:
    """Independent reference: least-squares plane a + b·x + c·y per slice (np.linalg.lstsq);
    flat = the mean's energy, ramp = (plane - mean)'s energy, summed over channels."""
    kh, kw, cin, cout = kernels.shape
    ys, xs = np.mgrid[0:kh, 0:kw]
    design = np.stack([np.ones(kh * kw), xs.ravel(), ys.ravel()], axis=1).astype(np.float64)
    out = []
    for o in range(cout):
        flat = ramp = total = 0.0
        for i in range(cin):
            w = kernels[:, :, i, o].ravel()
            plane = design @ np.linalg.lstsq(design, w, rcond=None)[0]
            flat += w.size * w.mean() ** 2
            ramp += ((plane - w.mean()) ** 2).sum()
            total += (w ** 2).sum()
        out.append([flat / total, ramp / total, 1 - (flat + ramp) / total])
    return np.array(out)


@pytest.mark.parametrize("slices, expected", [
    ([PREWITT_X], (0, 1, 0)),
    ([PREWITT_X.T], (0, 1, 0)),
    ([BOX], (1, 0, 0)),
    ([CENTRE], (1 / 9, 0, 8 / 9)),
    ([PREWITT_X, np.sqrt(6) / 3 * BOX], (0.5, 0.5, 0)),     # equal energies (6 and 6) in two channels
    ([np.array([[1, -1, 1], [-1, 1, -1], [1, -1, 1]], float)], (1 / 81, 0, 80 / 81)),
], ids=["prewitt-x", "prewitt-y", "box", "centre-dot", "edge-channel-plus-flat-channel", "checkerboard"])
def test_kernel_shares_of_hand_made_filters(slices, expected):
    np.testing.assert_allclose(compare.kernel_shares(as_kernels(slices))[0], expected, atol=1e-12)


def test_kernel_shares_match_a_least_squares_plane_on_random_kernels():
    kernels = np.random.default_rng(0).normal(size=(5, 5, 3, 7))
    shares = compare.kernel_shares(kernels)
    np.testing.assert_allclose(shares, reference_shares(kernels), atol=1e-10)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


def test_kernel_kinds_count_edges_and_blobs():
    kernels = as_kernels([PREWITT_X], [BOX], [CENTRE], [PREWITT_X + 0.1 * CENTRE])
    assert compare.kernel_kinds(kernels) == (0.5, 0.25)  # 2 edge-like of 4, 1 blob of 4


def test_all_zero_filter_and_wrong_rank():
    np.testing.assert_array_equal(compare.kernel_shares(np.zeros((3, 3, 1, 1)))[0], [0, 0, 0])
    with pytest.raises(ModelError, match=r"\(3, 3\)"):
        compare.kernel_shares(np.zeros((3, 3)))


def test_zero_share_counts_values_at_or_below_zero():
    maps = np.array([[[0.0, 1.0], [2.0, 0.0]], [[0.0, 0.0], [3.0, -1.0]]])
    assert compare.zero_share(maps) == 5 / 8
    with pytest.raises(ModelError, match="empty"):
        compare.zero_share(np.zeros((0, 3)))


def test_redundancy_is_the_mean_absolute_correlation():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = np.array([1.0, 3.0, 2.0, 4.0])           # corr(a, b) = 0.8 by hand
    maps = np.stack([a, 2 * a + 1, -a, b], axis=-1).reshape(2, 2, 4)
    # pairs: (a,2a+1) 1, (a,-a) 1, (a,b) .8, (2a+1,-a) 1, (2a+1,b) .8, (-a,b) .8 -> mean 0.9
    assert compare.redundancy(maps) == pytest.approx(0.9)
    with_flat = np.concatenate([maps, np.full((2, 2, 1), 5.0)], axis=-1)
    assert compare.redundancy(with_flat) == pytest.approx(0.9)  # a flat map is left out
    assert compare.redundancy(np.ones((2, 2, 3))) == 0.0


def test_training_note_states_both_sides():
    before = compare.LayerStats(0.0, 0.0, 0.51, 0.51)
    after = compare.LayerStats(0.64, 0.33, 0.48, 0.26)
    note = compare.training_note(before, after, layer="block1_conv1")
    assert note == ("block1_conv1, untrained → trained: edge-like kernels 0 % → 64 %, colour/brightness blobs "
                    "0 % → 33 %; zeros in the maps 51 % → 48 %; maps alike (mean |correlation|) 0.51 → 0.26.")


def _conv_same_relu(grey: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """NumPy reference: 'same' 3x3 cross-correlation of (H, W) with (3, 3, 1, C), + bias, ReLU."""
    padded = np.pad(grey, 1)
    h, w = grey.shape
    out = np.zeros((h, w, kernel.shape[-1]))
    for dy in range(3):
        for dx in range(3):
            out += padded[dy:dy + h, dx:dx + w, None] * kernel[dy, dx, 0]
    return np.maximum(out + bias, 0)


def test_digits_comparison_runs_the_real_first_conv_on_the_picture():
    from vizcore.models import digits

    model = digits.load_digits_model()
    picture = np.random.default_rng(1).random((40, 60, 3)).astype(np.float32)
    result = compare.compare("digits", model, picture, seed=4)
    assert result.batch.shape == (1, 208, 320, 1)  # HED's layout: longer side 320, multiples of 16
    (layer,) = result.layers
    kernel, bias = model.get_layer("conv_1").get_weights()
    np.testing.assert_allclose(layer.trained_maps, _conv_same_relu(result.batch[0, ..., 0], kernel, bias), atol=1e-4)
    untrained_kernel = digits.build_digits_model(seed=4).get_layer("conv_1").get_weights()[0]
    np.testing.assert_array_equal(layer.untrained_kernels, untrained_kernel)
    np.testing.assert_allclose(layer.untrained_maps, _conv_same_relu(result.batch[0, ..., 0], untrained_kernel,
                                                                     np.zeros(16)), atol=1e-4)
    assert layer.trained == compare.layer_stats(kernel, layer.trained_maps)
    with pytest.raises(ModelError, match="'nope'"):
        compare.compare("nope", model, picture)


def test_hed_first_layers_trained_are_edges_and_blobs_untrained_are_neither():
    """On the default sample: the trained block1_conv1 is mostly edge-like and blob kernels,
    the seeded untrained one has none of either; deeper trained maps are sparser."""
    from vizcore.images import DEFAULT_SAMPLE, load_sample
    from vizcore.models import hed

    result = compare.compare("hed", hed.hed_model(), load_sample(DEFAULT_SAMPLE, max_side=512).image, seed=0)
    assert [layer.name for layer in result.layers] == ["block1_conv1", "block1_conv2", "block2_conv2"]
    first, _, last = result.layers
    assert first.untrained.edge_share + first.untrained.blob_share < 0.1
    assert first.trained.edge_share + first.trained.blob_share > 0.8
    assert last.trained.zero_share > last.untrained.zero_share + 0.2
    assert first.trained_maps.shape == first.untrained_maps.shape == (320, 320, 64)
