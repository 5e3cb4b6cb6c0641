"""Model views of what the layers hold: feature maps, the overview, learned kernels, patterns.

Everything drawn is cached with ``st.cache_data`` keyed by model key + input hash + the
view's settings and holds encoded pictures (``ui.panels.PanelView``); the pictures are made
by ``vizcore.render`` and ``vizcore.features``. Patterns are kept in a bounded per-process
table instead (the progress bar must be drawn by the running page; a cached function would
replay it).
"""
from __future__ import annotations

import math

import numpy as np
import streamlit as st

from vizcore import render
from vizcore.cache import BoundedCache
from vizcore.errors import ModelError

from . import jobs, state
from .model_subject import CMAPS, DETAIL_SIDE, GRID_WIDTH, Subject, extractor_for, file_stem, layer_label, shape_text
from .panels import PanelView, download_png, make_view, show_panel

__all__ = ["show_feature_maps", "show_overview", "show_filters", "show_patterns", "conv_layers",
           "overview_share", "OVERVIEW_MAPS", "SCALES"]

SCALES = ("map", "layer")
SCALE_LABELS = {"map": "Each map", "layer": "Whole layer"}
OVERVIEW_MAPS = 4
PATTERN_STEPS = (10, 20, 40, 80)


@st.cache_data(max_entries=96, show_spinner=False)
def _grid_view(model_key: str, input_key: str, layer: str, cmap: str, scale: str,
               _maps: np.ndarray) -> PanelView:
    maps = _maps
    note = ""
    cols = max(1, math.ceil(math.sqrt(maps.shape[-1]))) if maps.ndim == 3 else 1
    cell = max(8, GRID_WIDTH // cols)
    if maps.ndim == 3:
        shrunk = render.shrink_blocks(maps, cell)
        if shrunk.shape[:2] != maps.shape[:2]:
            note = (f" Each {maps.shape[1]}×{maps.shape[0]} map is averaged down to "
                    f"{shrunk.shape[1]}×{shrunk.shape[0]} in this grid; pick a map below for full detail.")
        maps = shrunk
        side = max(maps.shape[:2])
        cell = max(1, cell // side) * side  # an integer enlargement
    grid = render.feature_grid(maps, cmap=cmap, scale=scale, columns=cols, min_cell=cell)
    scale_text = ("each map stretched to its own min…max (shows every map's pattern)" if scale == "map"
                  else "one min…max for the whole layer (shows which maps are strong)")
    if _maps.ndim == 3:
        what = f"{_maps.shape[-1]} feature maps of {_maps.shape[1]}×{_maps.shape[0]}"
    else:
        what = f"{_maps.shape[-1]} values drawn as one grid of cells (a vector has no picture layout)"
    return make_view(grid, title=f"{layer}", caption=what,
                     explanation=f"Colormap {cmap}, {scale_text}.{note}")


@st.cache_data(max_entries=96, show_spinner=False)
def _map_views(model_key: str, input_key: str, layer: str, index: int, cmap: str,
               _fmap: np.ndarray, _seen: np.ndarray) -> tuple[PanelView, PanelView]:
    fmap = np.asarray(_fmap, dtype=np.float32)
    rgb = render.apply_colormap(render.normalise(fmap, mode="minmax"), cmap)
    enlarged = make_view(render.enlarge(rgb, DETAIL_SIDE), title=f"{layer} · map {index}",
                         caption=f"{fmap.shape[1]}×{fmap.shape[0]}, values {fmap.min():.3g} … {fmap.max():.3g}",
                         explanation="The map on its own, stretched to its min…max and enlarged "
                                     "(each cell is one output position of the layer).")
    over = render.overlay(render.enlarge(_seen, DETAIL_SIDE), fmap, alpha=0.55, cmap=cmap)
    overlaid = make_view(over, title=f"{layer} · map {index} over the input",
                         caption="resized to the input and laid over it",
                         explanation="Where on the picture this map is strong: bright colours mark "
                                     "the places that make this filter fire.")
    return enlarged, overlaid


@st.cache_data(max_entries=16, show_spinner=False)
def _overview_views(model_key: str, input_key: str, cmap: str, _acts: dict) -> list[tuple[str, str, PanelView]]:
    from vizcore import features

    rows = []
    for name, act in _acts.items():
        if act.ndim != 3 or act.shape[0] < 2:
            continue
        picks = features.strongest_maps(act, OVERVIEW_MAPS)
        maps = render.shrink_blocks(np.ascontiguousarray(act[..., picks]), 64)
        grid = render.feature_grid(maps, cmap=cmap, scale="map", columns=len(picks), min_cell=64)
        label = ", ".join(str(int(i)) for i in picks)
        rows.append((name, f"{shape_text(act.shape)} · strongest maps {label}",
                     make_view(grid, title=f"{name}: strongest maps"), len(picks)))
    return rows


def overview_share(maps: int) -> float:
    """Share of the overview's picture column a row of ``maps`` maps takes: every map is drawn
    as wide as one of a full row's :data:`OVERVIEW_MAPS` (a one-map layer a quarter of the width,
    not the whole width four times as tall). Raises ValueError for fewer than 1 map."""
    if maps < 1:
        raise ValueError(f"a row shows at least 1 map, got {maps}")
    return min(int(maps), OVERVIEW_MAPS) / OVERVIEW_MAPS


@st.cache_data(max_entries=32, show_spinner=False)
def _filters_view(model_key: str, layer: str, _model) -> PanelView:
    from vizcore import features

    kernels = features.layer_filters(_model, layer)
    colour = kernels.ndim == 4 and kernels.shape[-1] == 3
    grid = features.filters_grid(_model, layer, max_filters=64 if colour else 24)
    if colour:
        text = (f"{kernels.shape[0]} kernels of {kernels.shape[2]}×{kernels.shape[1]}, each drawn as a "
                "small colour picture: mid-grey is 0, a filter that responds to red looks red.")
    else:
        text = (f"{kernels.shape[0]} filters × {kernels.shape[1]} input channels: the first 24 filters "
                "(rows) × first 16 channels (columns), each a "
                f"{kernels.shape[3]}×{kernels.shape[2]} kernel: blue negative, white 0, red positive.")
    return make_view(grid, title=f"{layer}: kernels", caption=text,
                     explanation="These are the learned weights themselves, not their response to the picture.")


def show_feature_maps(subject: Subject, extractor, acts: dict, *, prefix: str) -> None:
    names = [n for n in extractor.layer_names if n in acts]
    default = next((n for n in names if acts[n].ndim == 3), names[0])
    cols = st.columns([3, 1.3, 1.4])
    layer = cols[0].selectbox(
        "Layer", names, format_func=lambda n: layer_label(extractor, n),
        help="Every layer of the model, nested models unfolded (inner layers read 'outer/inner'). "
             "Its output maps are drawn below.",
        **state.bind(f"{prefix}layer", default, choices=names))
    cmap = cols[1].selectbox(
        "Colormap", CMAPS,
        help="How values are coloured: low → high. 'gray' is the plainest, 'coolwarm' shows sign "
             "around the middle.", **state.bind(f"{prefix}cmap", "viridis", choices=CMAPS))
    scale = cols[2].segmented_control(
        "Scale", SCALES, format_func=SCALE_LABELS.get, required=True, wrap=True,
        help="Each map: every map stretched to its own min…max, so weak maps still show their "
             "pattern. Whole layer: one min…max for all maps, so you see which maps are strong "
             "(CNN Explainer's local/global switch).",
        **state.bind(f"{prefix}scale", "map", choices=SCALES)) or "map"
    st.caption("Each small picture is one **feature map**: the output of one filter of this layer at every "
               "position of the picture. Bright = the filter fires there. Early layers respond to edges "
               "and colours; deeper ones, with larger receptive fields, to textures and parts.")
    maps = acts[layer]
    view = _grid_view(subject.key, subject.input_key, layer, cmap, scale, maps)
    few = maps.ndim != 3 or maps.shape[-1] <= 4  # a few big maps: half the width is enough
    with st.columns([1, 1])[0] if few else st.container():
        show_panel(view, title=view.title, key=f"{prefix}grid-{layer}",
                   filename=f"{file_stem(subject, layer)}-maps.png")
    if maps.ndim != 3:
        st.caption("This layer outputs a vector (no height and width), so there is no single map to enlarge.")
        return
    count = maps.shape[-1]
    index = 0
    if count > 1:
        index = st.slider("Map", 0, count - 1,
                          help="Pick one map of this layer (counting from 0, left to right, top to "
                               "bottom in the grid) to see it large and laid over the input.",
                          **state.bind(f"{prefix}map", 0, choices=range(count), cast=int))
    enlarged, overlaid = _map_views(subject.key, subject.input_key, layer, int(index), cmap,
                                    np.ascontiguousarray(maps[..., index]), subject.seen)
    left, right = st.columns(2)
    with left:
        show_panel(enlarged, title=enlarged.title, key=f"{prefix}map-one")
    with right:
        show_panel(overlaid, title=overlaid.title, key=f"{prefix}map-over")


def show_overview(subject: Subject, extractor, acts: dict, *, prefix: str) -> None:
    cmap = st.selectbox("Colormap", CMAPS, key=f"{prefix}ov_cmap", help="How values are coloured, low → high.")
    st.caption(f"One row per layer with picture-shaped output: its {OVERVIEW_MAPS} strongest maps "
               "(largest mean activation), each stretched to its own range. Read it top to bottom: "
               "early layers answer to edges and colours, later ones to larger parts of the picture.")
    rows = _overview_views(subject.key, subject.input_key, cmap,
                           {n: acts[n] for n in extractor.layer_names if n in acts})
    for name, caption, view, count in rows:
        left, right = st.columns([1, 3], vertical_alignment="center")
        left.markdown(f"**{name}**  \n{caption}")
        share = overview_share(count)
        if share < 1:  # few maps: each as wide as in a full row, so the row stays as low
            right = right.columns([share, 1 - share])[0]
        right.image(view.display, output_format=view.display_format, width="stretch")
    if rows:
        download_png(render.stack_vertical([view.pixels for _, _, view, _ in rows]),
                     filename=f"{file_stem(subject, 'overview')}.png", key=f"{prefix}dl-overview",
                     label="Download the overview (PNG)",
                     tooltip="Every row above, one under the other, as one lossless PNG.")


def conv_layers(extractor) -> list[str]:
    """Names of the layers with learned convolution kernels, in model order."""
    return [row.name for row in extractor.summary.rows if "Conv" in row.type and row.params > 0]


def show_filters(subject: Subject, extractor, *, prefix: str) -> None:
    convs = conv_layers(extractor)
    if not convs:
        st.info("This model has no convolution layers, so there are no kernels to draw.")
        return
    layer = st.selectbox(
        "Convolution layer", convs, format_func=lambda n: layer_label(extractor, n),
        help="The first layer's kernels read the RGB picture directly, so they can be drawn as "
             "colour pictures; deeper kernels read many maps and are drawn per input channel.",
        **state.bind(f"{prefix}flayer", convs[0], choices=convs))
    try:
        view = _filters_view(subject.key, layer, subject.model)
    except ModelError as err:
        st.error(str(err))
        return
    with st.columns([1, 1])[0]:  # kernels are a few pixels each: half the width keeps them a sensible size
        show_panel(view, title=view.title, key=f"{prefix}filters", filename=f"{file_stem(subject, layer)}-kernels.png")


_PATTERNS = BoundedCache(64)


def _pattern(subject: Subject, layer: str, index: int, steps: int, model, extractor, report) -> np.ndarray:
    """filter_pattern on the spec's pattern range, in RGB order, cached per process."""
    from vizcore import features

    spec = subject.spec
    key = (subject.key, layer, index, steps, spec.pattern_range, spec.reads_bgr)

    def make(step) -> np.ndarray:  # runs in ui.jobs' bounded pool (issue 9: fairness); no st.* here
        picture = features.filter_pattern(model, layer, index, steps=steps, value_range=spec.pattern_range,
                                          progress=step, extractor=extractor)
        return np.ascontiguousarray(picture[..., ::-1]) if spec.reads_bgr else picture

    picture = _PATTERNS.get(key)
    if picture is None:
        picture = jobs.run(key, lambda step: _PATTERNS.get_or_make(key, lambda: make(step)), progress=report)
    report(1, 1)
    return picture


def show_patterns(subject: Subject, extractor, *, prefix: str) -> None:
    model = subject.pattern_model() if subject.pattern_model is not None else subject.model
    pattern_extractor = extractor_for(subject.key + ":patterns", model) if model is not subject.model else extractor
    names = [n for n in conv_layers(pattern_extractor) if len(pattern_extractor.output_shape(n)) == 3]
    if not names:
        st.info("This model has no convolution layers to excite.")
        return
    cols = st.columns([3, 1, 1])
    layer = cols[0].selectbox(
        "Layer", names, format_func=lambda n: layer_label(pattern_extractor, n),
        help="The layer whose filter we try to excite.", **state.bind(f"{prefix}player", names[0], choices=names))
    count = pattern_extractor.output_shape(layer)[-1]
    index = cols[1].number_input(
        "Filter", 0, count - 1, step=1, help=f"Which of the layer's {count} filters (0…{count - 1}).",
        **state.bind(f"{prefix}pfilter", 0, choices=range(count), cast=int))
    steps = cols[2].select_slider(
        "Steps", PATTERN_STEPS, help="Gradient-ascent steps: more steps give a clearer pattern and take longer.",
        **state.bind(f"{prefix}steps", 20, choices=PATTERN_STEPS, cast=int))
    st.caption("Activation maximisation: start from faint seeded noise around grey and change the picture, "
               "step by step, in the direction that raises this filter's mean output over the middle "
               "of its map (shifting it a little each step and blurring it gently now and then, so it "
               "does not cling to single pixels). The result is what the filter 'looks for': stripes "
               "and colours in early layers, textures deeper. Grey means 'does not matter'. A filter that "
               "only wants light (or dark) everywhere is shown by the small patch it likes best, repeated. "
               "Same settings → same picture (cached).")
    holder = st.empty()
    bar = holder.progress(0.0, text="Starting…")

    def report(i: int, total: int) -> None:
        bar.progress(i / total, text=f"Step {i} of {total}")

    try:
        picture = _pattern(subject, layer, int(index), int(steps), model, pattern_extractor, report)
    except ModelError as err:
        holder.empty()
        st.error(str(err))
        return
    holder.empty()
    lo, hi = float(picture.min()), float(picture.max())
    stretch = "; contrast stretched about grey"
    if hi - lo < 1e-3:
        st.info(f"Filter {index} of {layer} answers most to a flat picture (all values {lo:.2f}): "
                "more brightness (or darkness) everywhere means more output. "
                "Try another filter or a deeper layer.", icon=":material/info:")
        stretch = ""
    view = make_view(render.enlarge(picture, DETAIL_SIDE), title=f"{layer} · filter {index}: pattern",
                     caption=f"{picture.shape[1]}×{picture.shape[0]}, {steps} steps, seed 0{stretch}",
                     explanation="A picture that makes this filter respond strongly.")
    with st.columns([1, 1])[0]:
        show_panel(view, title=view.title, key=f"{prefix}pattern",
                   filename=f"{file_stem(subject, layer, str(index))}-pattern.png")
