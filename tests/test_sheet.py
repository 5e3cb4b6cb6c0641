"""vizcore.sheet: every panel present, titled and displayable; each equal to its single-panel
call (itself checked against NumPy in tests/test_layers_*.py); the PNG is a real PNG of the stated size."""
from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image

import vizcore
from vizcore import color
from vizcore import layers as L
from vizcore import sheet as S

RNG = np.random.default_rng(7)
IMAGE = RNG.random((9, 12, 3), dtype=np.float32)
OTHER = RNG.random((9, 12, 3), dtype=np.float32)

MERGES = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"]
SPACES = ["luminance", "rgb", "hsv", "ycbcr"]
# The seed's cheat sheet, panel by panel: merges and poolings in every space, then the
# feature-map panels, written out by hand.
FEATURE_TITLES = [
    "Dense(1) · linear", "Dense(1) · relu", "Dense(1) · sigmoid", "Dense(1) · tanh", "Dense(1) · elu",
    "Conv2D 3×3 · linear", "Conv2D 3×3 · relu", "Conv2D 3×3 · sigmoid", "Conv2D 3×3 · tanh", "Conv2D 3×3 · elu",
    "Conv2D 7×7 · linear", "Conv2D 7×7 · relu", "Conv2D 7×7 · sigmoid", "Conv2D 7×7 · tanh",
    "Conv2D·relu → Conv2D·relu", "Conv2D·relu → Conv2D·tanh", "Conv2D·tanh → Conv2D·relu", "Conv2D·tanh → Conv2D·tanh",
    "Conv2DTranspose k2 s2 · relu", "Conv2DTranspose k2 s2 · sigmoid", "Conv2DTranspose k2 s2 · tanh",
    "Conv2DTranspose k2 s4 · relu", "Conv2DTranspose k2 s4 · sigmoid", "Conv2DTranspose k2 s4 · tanh",
    "Conv2DTranspose k4 s2 · relu", "Conv2DTranspose k4 s2 · sigmoid", "Conv2DTranspose k4 s2 · tanh",
    "Conv2DTranspose k8 s2 · relu", "Conv2DTranspose k8 s2 · sigmoid", "Conv2DTranspose k8 s2 · tanh",
]
REQUIRED_TITLES = (
    [f"{kind} · {space}" for kind in MERGES for space in SPACES]
    + [f"{cls} 2×2 · {space}" for cls in ("MaxPooling2D", "AveragePooling2D") for space in SPACES]
    + FEATURE_TITLES
)
# (group, number of panels) in order: 7 merges × 4 spaces, 2 poolings × 4 spaces, then the
# feature panels above: 5 Dense, 5 + 4 Conv2D, 2 × 2 stacks, 4 transposes × 3 activations.
REQUIRED_GROUPS = [("Merging", 28), ("Pooling", 8), ("Dense", 5), ("Conv2D 3×3", 5), ("Conv2D 7×7", 4),
                   ("Two Conv2D layers", 4), ("Conv2DTranspose", 12)]


@pytest.fixture(scope="module")
def panels():
    return S.cheat_sheet(IMAGE, OTHER, seed=0)


def test_sheet_has_every_required_panel_in_order(panels):
    assert [p.title for p in panels] == REQUIRED_TITLES


def test_sheet_groups_are_contiguous_with_the_seed_sheets_sizes(panels):
    groups = [p.group for p in panels]
    sizes = [(g, groups.count(g)) for g in dict.fromkeys(groups)]
    assert sizes == REQUIRED_GROUPS
    assert [g for g, _ in REQUIRED_GROUPS] == list(S.GROUPS)
    assert groups == [g for g, n in REQUIRED_GROUPS for _ in range(n)]  # each group in one run


def test_every_panel_is_displayable_and_explained(panels):
    for p in panels:
        assert isinstance(p, vizcore.LayerResult)
        assert p.image.ndim == 3 and p.image.shape[2] == 3, p.title
        assert p.image.dtype == np.float32, p.title
        assert 0.0 <= p.image.min() and p.image.max() <= 1.0, p.title
        assert p.caption and "\n" not in p.caption, p.title
        assert p.explanation and p.code and p.display in ("clip", "minmax"), p.title
        assert f"{p.params:,} parameters" in p.explanation or "0 parameters" in p.explanation, p.title


def test_transpose_panels_grow_by_their_stride(panels):
    for p in panels:
        if p.title.startswith("Conv2DTranspose"):
            stride = int(p.title.split(" s")[1].split(" ")[0])
            assert p.output.shape == (9 * stride, 12 * stride, 1), p.title
            assert p.image.shape == (9 * stride, 12 * stride, 3), p.title


def test_every_panel_equals_its_single_panel_call(panels):
    for p in panels:
        settings = dict(p.settings)
        function = getattr(L, settings.pop("function"))
        if function is L.merge:
            single = L.merge(settings.pop("kind"), IMAGE, OTHER, **settings)
        else:
            single = function(IMAGE, **settings)
        assert single.title == p.title and single.params == p.params and single.code == p.code, p.title
        np.testing.assert_allclose(p.output, single.output, rtol=1e-5, atol=1e-6, err_msg=p.title)
        np.testing.assert_allclose(p.image, single.image, atol=1e-6, err_msg=p.title)
        assert p.display == single.display, p.title


def test_merges_are_clipped_in_their_space(panels):
    add_hsv = next(p for p in panels if p.title == "Add · hsv")
    expected = color.from_space(np.clip(color.to_space(IMAGE, "hsv") + color.to_space(OTHER, "hsv"), 0, 1), "hsv")
    np.testing.assert_allclose(add_hsv.image, expected, atol=1e-5)


def test_seed_changes_layers_but_not_merges(panels):
    other_seed = S.cheat_sheet(IMAGE, OTHER, seed=5)
    again = S.cheat_sheet(IMAGE, OTHER, seed=0)
    for p, q, r in zip(panels, other_seed, again):
        np.testing.assert_array_equal(p.output, r.output, err_msg=p.title)
        if p.group in ("Merging", "Pooling"):
            np.testing.assert_array_equal(p.output, q.output)
        else:
            assert not np.allclose(p.output, q.output), p.title


def test_spaces_subset_and_other_image_matched_to_size():
    small = S.cheat_sheet(IMAGE, RNG.random((20, 30, 3), dtype=np.float32), spaces=("rgb",))
    assert len(small) == 7 + 2 + 30
    assert {p.title.split(" · ")[-1] for p in small if p.group in ("Merging", "Pooling")} == {"rgb"}
    assert all(p.output.shape[:2] == (9, 12) for p in small if p.group == "Merging")


@pytest.mark.parametrize("kwargs, error, match", [
    ({"spaces": ("rgb", "lab")}, ValueError, "spaces"),
    ({"spaces": ()}, ValueError, "spaces"),
    ({"seed": -3}, ValueError, "seed"),
])
def test_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        S.cheat_sheet(IMAGE, OTHER, **kwargs)


def test_bad_image():
    with pytest.raises(vizcore.ImageError, match=r"\(9, 12\)"):
        S.cheat_sheet(IMAGE[..., 0], OTHER)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_render_sheet_png_size_and_content(panels):
    data = S.render_sheet_png(panels, columns=8, cell_inches=1.0, dpi=40)
    # rows: merges 28 -> 4, pooling 8 -> 1, dense 1, conv3 1, conv7 1, stacks 1, transposes 12 -> 2 = 11 rows,
    # 7 group headings: height = 11 × (1 + 0.45) + 7 × 0.35 inches.
    width, height = _png_size(data)
    assert (width, height) == (8 * 40, round((11 * 1.45 + 7 * 0.35) * 40))
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert pixels.shape == (height, width, 3)
    assert pixels.std() > 20  # not a blank page


def test_render_sheet_png_rejects_nothing_to_draw():
    with pytest.raises(ValueError, match="no panels"):
        S.render_sheet_png([])
