"""vizcore.sheet: every panel present, titled and displayable; each equal to its single-panel
call (itself checked against NumPy in tests/test_layers_*.py); the PNG is a real PNG of the stated size."""
from __future__ import annotations

import io
import struct
import types

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

# Seed 003's cheat sheet, panel by panel, written out by hand from the seed (not from vizcore.sheet):
# (function, settings every matching panel must have). The sheet may hold more panels, never fewer.
SEED_SPACES = ["luminance", "rgb", "hsv", "ycbcr"]
SEED_PANELS = (
    [("merge", {"kind": kind, "space": space})
     for kind in ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"] for space in SEED_SPACES]
    + [("pool", {"kind": kind, "size": 2, "strides": 2, "space": space})
       for kind in ["max", "average"] for space in SEED_SPACES]
    + [("dense", {"units": 1, "activation": act, "space": "luminance"})
       for act in ["linear", "relu", "sigmoid", "softplus", "tanh"]]
    + [("conv2d", {"kernel_size": 3, "filters": 1, "strides": 1, "activation": act, "space": "luminance"})
       for act in ["linear", "relu", "sigmoid", "softplus", "tanh"]]
    + [("conv2d", {"kernel_size": 7, "filters": 1, "strides": 1, "activation": act, "space": "luminance"})
       for act in ["relu", "sigmoid", "softplus", "tanh"]]
    + [("conv2d_stack", {"layers": [{"filters": 1, "kernel_size": 3, "strides": 1, "activation": first},
                                    {"filters": 1, "kernel_size": 3, "strides": 1, "activation": second}],
                         "space": "luminance"})
       for first, second in [("relu", "relu"), ("relu", "tanh"), ("tanh", "relu"), ("tanh", "tanh")]]
    + [("conv2d_transpose", {"kernel_size": k, "strides": st, "activation": act, "filters": 1, "space": "luminance"})
       for k, st, act in [(2, 2, "relu"), (2, 2, "sigmoid"), (2, 4, "tanh"), (4, 2, "relu"), (4, 2, "tanh"),
                          (8, 2, "relu"), (8, 2, "tanh")]]
)
SEED_TITLES = (
    [f"{kind} · {space}" for kind in ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]
     for space in SEED_SPACES]
    + [f"{cls} 2×2 · {space}" for cls in ["MaxPooling2D", "AveragePooling2D"] for space in SEED_SPACES]
    + [f"Dense(1) · {act}" for act in ["linear", "relu", "sigmoid", "softplus", "tanh"]]
    + [f"Conv2D 3×3 · {act}" for act in ["linear", "relu", "sigmoid", "softplus", "tanh"]]
    + [f"Conv2D 7×7 · {act}" for act in ["relu", "sigmoid", "softplus", "tanh"]]
    + ["Conv2D·relu → Conv2D·relu", "Conv2D·relu → Conv2D·tanh", "Conv2D·tanh → Conv2D·relu",
       "Conv2D·tanh → Conv2D·tanh"]
    + ["Conv2DTranspose k2 s2 · relu", "Conv2DTranspose k2 s2 · sigmoid", "Conv2DTranspose k2 s4 · tanh",
       "Conv2DTranspose k4 s2 · relu", "Conv2DTranspose k4 s2 · tanh", "Conv2DTranspose k8 s2 · relu",
       "Conv2DTranspose k8 s2 · tanh"]
)
# The extras beyond the seed (welcome, checked so that they stay deliberate).
EXTRA_TITLES = [f"Concatenate · {space}" for space in SEED_SPACES] + ["Flatten → Dense(1024) → Reshape · linear"]
# (group, number of panels) in order, seed panels + extras.
REQUIRED_GROUPS = [("Merging", 24 + 4), ("Pooling", 8), ("Dense", 5 + 1), ("Conv2D 3×3", 5), ("Conv2D 7×7", 4),
                   ("Two Conv2D layers", 4), ("Conv2DTranspose", 7)]


def _matches(panel, function: str, wanted: dict) -> bool:
    settings = panel.settings
    return settings.get("function") == function and all(settings.get(k) == v for k, v in wanted.items())


@pytest.fixture(scope="module")
def panels():
    return S.cheat_sheet(IMAGE, OTHER, seed=0)


def test_seed_sheet_has_57_panels():
    assert len(SEED_PANELS) == len(SEED_TITLES) == 57


@pytest.mark.parametrize("function, wanted", SEED_PANELS,
                         ids=[t.replace(" ", "") for t in SEED_TITLES])
def test_every_seed_panel_is_on_the_sheet_once(panels, function, wanted):
    found = [p for p in panels if _matches(p, function, wanted)]
    assert len(found) == 1, [p.title for p in found]


def test_seed_titles_then_extras_are_all_the_panels(panels):
    titles = [p.title for p in panels]
    assert sorted(titles) == sorted(SEED_TITLES + EXTRA_TITLES)
    assert len(titles) == len(set(titles)) == 62


def test_fully_connected_panel_has_the_seeds_parameter_count(panels):
    fc = next(p for p in panels if p.title.startswith("Flatten"))
    assert fc.params == 32 * 32 * 1024 + 1024 == 1_049_600
    assert fc.output.shape == (32, 32, 1)


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
        assert p.explanation and p.code and p.display in vizcore.render.DISPLAY_MODES, p.title
        assert "\n" not in p.observation, p.title
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
        assert single.observation == p.observation, p.title
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
        elif np.ptp(p.output) > 0 or np.ptp(q.output) > 0:  # ReLU can zero a whole one-weight Dense for both seeds
            assert not np.allclose(p.output, q.output), p.title


def test_spaces_subset_and_other_image_matched_to_size():
    small = S.cheat_sheet(IMAGE, RNG.random((20, 30, 3), dtype=np.float32), spaces=("rgb",))
    assert len(small) == 7 + 2 + 26
    assert {p.title.split(" · ")[-1] for p in small if p.group in ("Merging", "Pooling")} == {"rgb"}
    # The one-channel panels stay on the luminance, as in the seed, whatever the spaces.
    assert {p.settings["space"] for p in small if p.group not in ("Merging", "Pooling")} == {"luminance"}
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


def _ink_runs(pixels: np.ndarray, *, join: int = 3) -> list[int]:
    """Heights of the runs of rows holding dark pixels (text lines on a white page); runs closer
    than ``join`` rows are one line (the dot of an "i" floats 2 px above its stem)."""
    inked = (pixels.min(axis=(1, 2)) < 128).astype(int)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inked, [0]])))
    runs = [[int(a), int(b)] for a, b in zip(edges[::2], edges[1::2])]
    merged = [runs[0]]
    for a, b in runs[1:]:
        if a - merged[-1][1] <= join:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [b - a for a, b in merged]


def test_render_sheet_png_is_a_printable_page_of_the_stated_width(panels):
    data = S.render_sheet_png(panels)
    width, height = _png_size(data)
    # 4 columns of 1.8 in plus 0.15 in margins at 200 dpi: printed fit-to-width at ~7.5 in on A4/letter
    assert width == 4 * 360 + 2 * 30
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert pixels.shape == (height, width, 3)
    assert pixels.std() > 20  # not a blank page


def test_render_sheet_png_text_is_at_least_16_px_tall():
    # White pictures, so every dark row belongs to text: the page title, a group heading and its
    # note, two panel titles and their explanation lines.
    white = np.ones((20, 20, 3), np.float32)
    fake = [types.SimpleNamespace(title=f"Add · hsv {i}", caption="Add of the two images in HSV.", image=white,
                                  observation="Hue moved 13° on average from the first image.", group="Merging")
            for i in range(2)]
    pixels = np.asarray(Image.open(io.BytesIO(S.render_sheet_png(fake))).convert("RGB"))
    runs = _ink_runs(pixels)
    assert len(runs) >= 5
    assert min(runs) >= 16, runs


def test_render_sheet_png_draws_tiny_images_as_whole_pixels():
    tiny = np.zeros((5, 5, 3), np.float32)
    tiny[..., 0] = 1.0           # a red 5×5 image (no text is red)...
    tiny[2, 2] = (0, 0, 1)       # ...with one blue pixel
    panel = types.SimpleNamespace(title="t", caption="", image=tiny, observation="", group="")
    pixels = np.asarray(Image.open(io.BytesIO(S.render_sheet_png([panel]))).convert("RGB")).astype(int)
    red = (pixels == (255, 0, 0)).all(-1)
    blue = (pixels == (0, 0, 255)).all(-1)
    rows, cols = np.flatnonzero((red | blue).any(1)), np.flatnonzero((red | blue).any(0))
    picture = red[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
    side = picture.shape[0] // 5
    assert picture.shape == (5 * side, 5 * side) and side >= 2
    assert picture.sum() == 24 * side * side          # sharp: every drawn pixel is red or blue, no blend
    assert blue.sum() == side * side


def test_render_sheet_png_rejects_nothing_to_draw():
    with pytest.raises(ValueError, match="no panels"):
        S.render_sheet_png([])
