"""What a trained model does to an image: the views shared by the two model pages.

``pages/trained_models.py`` (shipped models) and ``pages/your_model.py`` (an uploaded model)
both end with :func:`show_views`: a view switch (summary, feature maps, network overview,
filters, patterns, predictions) over one :class:`Subject` — a model, the batch it takes and
the picture that batch shows.

Caching (so changing a control recomputes only what changed):

* the one-pass feature extractor: ``st.cache_resource`` keyed by the model key;
* every layer's activations for one input: ``st.cache_resource`` keyed by model key + a
  SHA-1 of the batch's bytes. These arrays are large (VGG16 at 224x224: about 64 MB) and
  only read, so they are kept once rather than pickled and copied on every rerun as
  ``st.cache_data`` would; they are made read-only;
* everything drawn (grids, overlays, patterns, Grad-CAM): ``st.cache_data`` keyed by model
  key + input hash + the view's settings, holding encoded pictures (``ui.panels.PanelView``).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import streamlit as st

from vizcore import render
from vizcore.errors import ImageError, ModelError

from . import state
from .panels import PanelView, download_png, make_view, show_panel

__all__ = ["Subject", "batch_key", "show_views", "VIEWS", "CMAPS"]

CMAPS = ("viridis", "magma", "gray", "coolwarm", "jet")
SCALES = ("map", "layer")
SCALE_LABELS = {"map": "Each map", "layer": "Whole layer"}
VIEWS = ("Summary", "Feature maps", "Overview", "Filters", "Patterns", "Predictions")
#: Grids are drawn about this wide: maps are averaged down or enlarged by integer factors
#: (crisp, not blurred by the browser) so that their columns fill it.
GRID_WIDTH = 960
#: Single maps and overlays are drawn at least this large (integer enlargement).
DETAIL_SIDE = 320
OVERVIEW_MAPS = 4


@dataclass(frozen=True)
class Subject:
    """One model looking at one input.

    key:     stable model id ("hed", "upload:<sha1>") — the cache key of the model.
    model:   the keras.Model.
    batch:   (1, H, W, C) float32 exactly as the model takes it.
    seen:    RGB float32 (H, W, 3) in [0, 1]: what the batch shows, for overlays.
    labels:  class names when the model is a classifier, else None.
    decode:  optional (output) -> [(label, probability)] (overrides labels, e.g. ImageNet).
    value_range: the model's input range, for patterns (a picture in [0, 1] is mapped onto it).
    pattern_model: optional () -> smaller twin of a fully convolutional model, for patterns (HED).
    pattern_bgr: the model reads BGR (Caffe-style nets): patterns are flipped back for display.
    """

    key: str
    model: object
    batch: np.ndarray
    seen: np.ndarray
    labels: tuple[str, ...] | None = None
    decode: Callable | None = None
    value_range: tuple[float, float] = (0.0, 1.0)
    pattern_model: Callable[[], object] | None = None
    pattern_bgr: bool = False
    extra_views: tuple[str, ...] = field(default_factory=tuple)

    @property
    def input_key(self) -> str:
        return batch_key(self.batch)


def batch_key(batch: np.ndarray) -> str:
    """SHA-1 of a batch's shape and bytes: the cache key of one input."""
    arr = np.ascontiguousarray(batch, dtype=np.float32)
    digest = hashlib.sha1(str(arr.shape).encode())
    digest.update(arr.tobytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# cached computations
# --------------------------------------------------------------------------------------------

@st.cache_resource(max_entries=8, show_spinner=False)
def extractor_for(model_key: str, _model):
    """The one-pass extractor of a model (every layer's output from one forward pass)."""
    from vizcore import features

    return features.build_extractor(_model)


@st.cache_resource(max_entries=4, show_spinner=False)
def activations_for(model_key: str, input_key: str, _extractor, _batch) -> dict[str, np.ndarray]:
    """Every layer's output for one input (batch axis removed), read-only."""
    acts = _extractor.activations(_batch)
    out = {}
    for name, value in acts.items():
        arr = np.asarray(value)[0]
        arr.setflags(write=False)
        out[name] = arr
    return out


def _shape_text(shape) -> str:
    return " × ".join("?" if d is None else str(d) for d in shape)


@st.cache_data(max_entries=96, show_spinner=False)
def _grid_view(model_key: str, input_key: str, layer: str, cmap: str, scale: str,
               _maps: np.ndarray) -> PanelView:
    from vizcore import features

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
    grid = features.feature_grid(maps, cmap=cmap, scale=scale, columns=cols, min_cell=cell)
    count = _maps.shape[-1] if _maps.ndim == 3 else 1
    scale_text = ("each map stretched to its own min…max (shows every map's pattern)" if scale == "map"
                  else "one min…max for the whole layer (shows which maps are strong)")
    if _maps.ndim == 3:
        what = f"{count} feature maps of {_maps.shape[1]}×{_maps.shape[0]}"
    else:
        what = f"{_maps.shape[-1]} values drawn as one grid of cells (a vector has no picture layout)"
    return make_view(grid, title=f"{layer}", caption=what,
                     explanation=f"Colormap {cmap}, {scale_text}.{note}")


@st.cache_data(max_entries=96, show_spinner=False)
def _map_views(model_key: str, input_key: str, layer: str, index: int, cmap: str,
               _fmap: np.ndarray, _seen: np.ndarray) -> tuple[PanelView, PanelView]:
    from vizcore import features

    fmap = np.asarray(_fmap, dtype=np.float32)
    lo, hi = float(fmap.min()), float(fmap.max())
    norm = (fmap - lo) / (hi - lo) if hi > lo else np.zeros_like(fmap)
    import matplotlib

    rgb = matplotlib.colormaps[cmap](norm)[..., :3]
    big = render.enlarge(rgb, DETAIL_SIDE)
    enlarged = make_view(big, title=f"{layer} · map {index}",
                         caption=f"{fmap.shape[1]}×{fmap.shape[0]}, values {lo:.3g} … {hi:.3g}",
                         explanation="The map on its own, stretched to its min…max and enlarged "
                                     "(each cell is one output position of the layer).")
    over = features.overlay(render.enlarge(_seen, DETAIL_SIDE), fmap, alpha=0.55, cmap=cmap)
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
        grid = features.feature_grid(maps, cmap=cmap, scale="map", columns=len(picks), min_cell=64)
        label = ", ".join(str(int(i)) for i in picks)
        rows.append((name, f"{_shape_text(act.shape)} · strongest maps {label}",
                     make_view(grid, title=f"{name}: strongest maps")))
    return rows


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


@st.cache_data(max_entries=8, show_spinner=False)
def _top_k(model_key: str, input_key: str, k: int, _output, _labels, _decode) -> list[tuple[str, float, int]]:
    from vizcore import features

    probs = np.asarray(_output, dtype=np.float64).reshape(-1)
    order = np.argsort(-probs, kind="stable")[:k]
    if _decode is not None:  # decoders rank the same way (descending, stable)
        named = list(_decode(probs[None]))[:k]
        return [(label, float(p), int(i)) for (label, p), i in zip(named, order)]
    labels = _labels if _labels is not None else tuple(f"class {i}" for i in range(len(probs)))
    top = features.top_k(probs, labels, k)
    return [(label, p, int(i)) for (label, p), i in zip(top, order)]


@st.cache_data(max_entries=32, show_spinner=False)
def _cam_view(model_key: str, input_key: str, class_index: int, class_name: str, layer: str,
              _model, _extractor, _batch, _seen) -> PanelView:
    from vizcore import features

    cam = features.grad_cam(_model, _batch, class_index=class_index, layer_name=layer, extractor=_extractor)
    over = features.overlay(render.enlarge(_seen, DETAIL_SIDE), cam, alpha=0.5, cmap="jet")
    return make_view(over, title=f"Grad-CAM for “{class_name}”",
                     caption=f"gradients of the class score weight the maps of {layer}",
                     explanation="Red marks where the evidence for this class is; blue where there is "
                                 "none. Computed from the maps of the chosen layer, weighted by how much "
                                 "each one raises the class score.")


# --------------------------------------------------------------------------------------------
# views
# --------------------------------------------------------------------------------------------

def _layer_label(extractor, name: str) -> str:
    layer = extractor.layer(name)
    return f"{name} — {type(layer).__name__}, {_shape_text(extractor.output_shape(name))}"


def show_summary(subject: Subject, extractor) -> None:
    summary = extractor.summary
    st.markdown(f"**{summary.model_name}** · input {_shape_text(summary.input_shape)} · "
                f"{len(summary.rows)} layers · {summary.totals_text()} · activations "
                f"{summary.activation_bytes / 1024 / 1024:.1f} MiB per image")
    st.dataframe(summary.table(), hide_index=True, width="stretch",
                 height=min(38 + 35 * len(summary.rows), 560))
    st.caption("**Output shape**: height × width × maps after the layer (no batch axis). "
               "**Activation memory**: what the layer's output takes for one image (float32). "
               "**Receptive field**: how many input pixels one output position can see; it grows "
               "with every convolution and pooling, and is undefined (—) once the picture is flattened.")


def show_feature_maps(subject: Subject, extractor, acts: dict, *, prefix: str) -> None:
    names = [n for n in extractor.layer_names if n in acts]
    default = next((n for n in names if acts[n].ndim == 3), names[0])
    cols = st.columns([3, 1.3, 1.4])
    layer = cols[0].selectbox(
        "Layer", names, format_func=lambda n: _layer_label(extractor, n),
        help="Every layer of the model, nested models unfolded (inner layers read 'outer/inner'). "
             "Its output maps are drawn below.",
        **state.bind(f"{prefix}layer", default, choices=names))
    cmap = cols[1].selectbox(
        "Colormap", CMAPS,
        help="How values are coloured: low → high. 'gray' is the plainest, 'coolwarm' shows sign "
             "around the middle.", **state.bind(f"{prefix}cmap", "viridis", choices=CMAPS))
    scale = cols[2].segmented_control(
        "Scale", SCALES, format_func=SCALE_LABELS.get, required=True,
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
                   filename=f"{subject.key.split(':')[0]}-{layer.replace('/', '_')}-maps.png")
    if maps.ndim != 3:
        st.caption("This layer outputs a vector (no height and width), so there is no single map to enlarge.")
        return
    count = maps.shape[-1]
    if count > 1:
        index = st.slider("Map", 0, count - 1,
                          help="Pick one map of this layer (counting from 0, left to right, top to "
                               "bottom in the grid) to see it large and laid over the input.",
                          **state.bind(f"{prefix}map", 0, choices=range(count), cast=int))
    else:
        index = 0
    enlarged, overlaid = _map_views(subject.key, subject.input_key, layer, int(index), cmap,
                                    np.ascontiguousarray(maps[..., index]), subject.seen)
    left, right = st.columns(2)
    with left:
        show_panel(enlarged, title=enlarged.title, key=f"{prefix}map-one")
    with right:
        show_panel(overlaid, title=overlaid.title, key=f"{prefix}map-over")


def show_overview(subject: Subject, extractor, acts: dict, *, prefix: str) -> None:
    cmap = st.selectbox("Colormap", CMAPS, key=f"{prefix}ov_cmap",
                        help="How values are coloured, low → high.")
    st.caption(f"One row per layer with picture-shaped output: its {OVERVIEW_MAPS} strongest maps "
               "(largest mean activation), each stretched to its own range. Read it top to bottom: "
               "early layers answer to edges and colours, later ones to larger parts of the picture.")
    rows = _overview_views(subject.key, subject.input_key, cmap,
                           {n: acts[n] for n in extractor.layer_names if n in acts})
    for name, caption, view in rows:
        left, right = st.columns([1, 3], vertical_alignment="center")
        left.markdown(f"**{name}**  \n{caption}")
        right.image(view.display, output_format=view.display_format, width="stretch")
    if rows:
        download_png(render.stack_vertical([view.pixels for _, _, view in rows]),
                     filename=f"{subject.key.split(':')[0]}-overview.png", key=f"{prefix}dl-overview",
                     label="Download the overview (PNG)",
                     tooltip="Every row above, one under the other, as one lossless PNG.")


def _conv_layers(extractor) -> list[str]:
    return [row.name for row in extractor.summary.rows
            if "Conv" in row.type and row.params > 0]


def show_filters(subject: Subject, extractor, *, prefix: str) -> None:
    convs = _conv_layers(extractor)
    if not convs:
        st.info("This model has no convolution layers, so there are no kernels to draw.")
        return
    layer = st.selectbox(
        "Convolution layer", convs, format_func=lambda n: _layer_label(extractor, n),
        help="The first layer's kernels read the RGB picture directly, so they can be drawn as "
             "colour pictures; deeper kernels read many maps and are drawn per input channel.",
        **state.bind(f"{prefix}flayer", convs[0], choices=convs))
    try:
        view = _filters_view(subject.key, layer, subject.model)
    except ModelError as err:
        st.error(str(err))
        return
    # kernels are a few pixels each: half the width keeps them a sensible size
    with st.columns([1, 1])[0]:
        show_panel(view, title=view.title, key=f"{prefix}filters",
                   filename=f"{subject.key.split(':')[0]}-{layer.replace('/', '_')}-kernels.png")


def show_patterns(subject: Subject, extractor, *, prefix: str) -> None:
    model = subject.pattern_model() if subject.pattern_model is not None else subject.model
    pattern_extractor = extractor_for(subject.key + ":patterns", model) if model is not subject.model else extractor
    names = [n for n in _conv_layers(pattern_extractor)
             if len(pattern_extractor.output_shape(n)) == 3]
    if not names:
        st.info("This model has no convolution layers to excite.")
        return
    cols = st.columns([3, 1, 1])
    layer = cols[0].selectbox(
        "Layer", names, format_func=lambda n: _layer_label(pattern_extractor, n),
        help="The layer whose filter we try to excite.",
        **state.bind(f"{prefix}player", names[0], choices=names))
    count = pattern_extractor.output_shape(layer)[-1]
    index = cols[1].number_input(
        "Filter", 0, count - 1, step=1,
        help=f"Which of the layer's {count} filters (0…{count - 1}).",
        **state.bind(f"{prefix}pfilter", 0, choices=range(count), cast=int))
    steps = cols[2].select_slider(
        "Steps", (10, 20, 40, 80),
        help="Gradient-ascent steps: more steps give a clearer pattern and take longer.",
        **state.bind(f"{prefix}steps", 20, choices=(10, 20, 40, 80), cast=int))
    st.caption("Activation maximisation: start from faint seeded noise around grey and change the picture, "
               "step by step, in the direction that raises this filter's mean output over the middle "
               "of its map (shifting it a little each step and blurring it gently now and then, so it "
               "does not cling to single pixels). The result is what the filter 'looks for': stripes "
               "and colours in early layers, textures deeper. Grey means 'does not matter'. A filter that only wants light (or dark) "
               "everywhere is shown by the small patch it likes best, repeated. "
               "Same settings → same picture (cached).")
    holder = st.empty()
    bar = holder.progress(0.0, text="Starting…")

    def report(i: int, total: int) -> None:
        bar.progress(i / total, text=f"Step {i} of {total}")

    try:
        picture = _pattern(subject.key, layer, int(index), int(steps), subject.value_range,
                           subject.pattern_bgr, model, pattern_extractor, report)
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
    shown = picture
    view = make_view(render.enlarge(shown, DETAIL_SIDE), title=f"{layer} · filter {index}: pattern",
                     caption=f"{picture.shape[1]}×{picture.shape[0]}, {steps} steps, seed 0{stretch}",
                     explanation="A picture that makes this filter respond strongly.")
    left, _ = st.columns([1, 1])
    with left:
        show_panel(view, title=view.title, key=f"{prefix}pattern",
                   filename=f"{subject.key.split(':')[0]}-{layer.replace('/', '_')}-{index}-pattern.png")


_PATTERNS: dict[tuple, np.ndarray] = {}


def _pattern(model_key, layer, index, steps, value_range, bgr, model, extractor, report) -> np.ndarray:
    """filter_pattern, cached per process (kept here because the progress bar must be drawn
    by the running page: a st.cache_data function would replay it)."""
    from vizcore import features

    key = (model_key, layer, index, steps, tuple(value_range), bgr)
    if key not in _PATTERNS:
        with st.spinner("Finding a pattern…"):
            picture = features.filter_pattern(model, layer, index, steps=steps, value_range=value_range,
                                              progress=report, extractor=extractor)
        if bgr:
            picture = np.ascontiguousarray(picture[..., ::-1])
        if len(_PATTERNS) > 64:
            _PATTERNS.pop(next(iter(_PATTERNS)))
        _PATTERNS[key] = picture
    report(1, 1)
    return _PATTERNS[key]


def show_predictions(subject: Subject, extractor, acts: dict, *, prefix: str) -> None:
    output = acts[extractor.layer_names[-1]]
    if output.ndim != 1:
        st.info("This model's output is not a list of class scores, so there is nothing to rank.")
        return
    n = output.shape[0]
    k = min(5, n)
    scores = np.asarray(output, dtype=np.float64)
    note = ""
    if scores.min() < 0 or abs(scores.sum() - 1.0) > 1e-3:  # raw scores (logits), not probabilities
        exp = np.exp(scores - scores.max())
        scores = exp / exp.sum()
        note = ("The model's last layer gives raw scores (logits), not probabilities; they are shown "
                "after a softmax.")
    top = _top_k(subject.key, subject.input_key, k, scores, subject.labels, subject.decode)
    st.markdown(f"**Top {k} of {n} classes**")
    if note:
        st.caption(note)
    st.dataframe(
        [{"class": label, "probability": p} for label, p, _ in top],
        hide_index=True, width="stretch",
        column_config={"probability": st.column_config.ProgressColumn(
            "probability", min_value=0.0, max_value=1.0, format="percent",
            help="The model's output for this class (softmax: all classes add up to 100 %).")})
    spatial = [name for name in extractor.layer_names if acts.get(name) is not None and acts[name].ndim == 3]
    if not spatial:
        return
    options = [i for _, _, i in top]
    names = {i: label for label, _, i in top}
    # The class follows the top prediction whenever the input changes: a class the user picked
    # belongs to the input it was picked for (else the map would explain a class the model no
    # longer answers). The first run keeps a class restored from the URL.
    seen_for = state.recall(f"{prefix}cls_input")
    if seen_for != subject.input_key:
        if seen_for is not None:
            state.remember(f"{prefix}cls", options[0], default=options[0])
        state.remember(f"{prefix}cls_input", subject.input_key, url=False)
    cols = st.columns([2, 3])
    chosen = cols[0].selectbox(
        "Class for Grad-CAM", options, format_func=lambda i: names[i],
        help="Grad-CAM shows where in the picture the evidence for this class is.",
        **state.bind(f"{prefix}cls", options[0], choices=options, cast=int))
    default_layer = extractor.default_cam_layer()
    cam_layer = cols[1].selectbox(
        "Grad-CAM layer", spatial, format_func=lambda n: _layer_label(extractor, n),
        help="The layer whose maps are weighted. The last convolution (default) balances detail "
             "and meaning; earlier layers give sharper but less class-specific maps.",
        **state.bind(f"{prefix}camlayer", default_layer, choices=spatial))
    try:
        view = _cam_view(subject.key, subject.input_key, int(chosen), names[chosen], cam_layer,
                         subject.model, extractor, subject.batch, subject.seen)
    except ModelError as err:
        st.error(str(err))
        return
    left, right = st.columns(2)
    with left:
        show_panel(make_view(render.enlarge(subject.seen, DETAIL_SIDE), title="What the model sees"), title="What the model sees",
                   key=f"{prefix}cam-input")
    with right:
        show_panel(view, title=view.title, key=f"{prefix}cam")


def available_views(subject: Subject, extractor) -> tuple[str, ...]:
    views = ["Summary", "Feature maps", "Overview", "Filters", "Patterns"]
    last = extractor.output_shape(extractor.layer_names[-1])
    if len(last) == 1 and (last[0] or 0) >= 2:
        views.append("Predictions")
    return tuple(subject.extra_views) + tuple(views)


def show_views(subject: Subject, *, prefix: str = "",
               extra: dict[str, Callable[[object, Callable[[], dict]], None]] | None = None) -> None:
    """The view switch and the chosen view for ``subject``. Errors become st.error.

    extra: views of one model only (named in ``subject.extra_views``), each a callable
    ``(extractor, get_activations)`` drawing its view; ``get_activations()`` gives the cached
    {layer: output} of this input.
    """
    try:
        with st.spinner("Preparing the model's layers…"):
            extractor = extractor_for(subject.key, subject.model)
        views = available_views(subject, extractor)
        default = views[0] if subject.extra_views else "Feature maps"
        view = st.segmented_control(
            "View", views, required=True,
            help="Summary: the layer table. Feature maps: every map of one layer. Overview: the "
                 "strongest maps of every layer. Filters: the learned kernels. Patterns: pictures "
                 "that excite one filter. Predictions: top classes and Grad-CAM.",
            **state.bind(f"{prefix}view", default, choices=views)) or default
        if view in (extra or {}):
            extra[view](extractor, lambda: activations_for(subject.key, subject.input_key,
                                                           extractor, subject.batch))
            return
        if view == "Summary":
            show_summary(subject, extractor)
            return
        if view == "Filters":
            show_filters(subject, extractor, prefix=prefix)
            return
        if view == "Patterns":
            show_patterns(subject, extractor, prefix=prefix)
            return
        with st.spinner("Running the model (one pass through every layer)…"):
            acts = activations_for(subject.key, subject.input_key, extractor, subject.batch)
        if view == "Overview":
            show_overview(subject, extractor, acts, prefix=prefix)
        elif view == "Predictions":
            show_predictions(subject, extractor, acts, prefix=prefix)
        else:
            show_feature_maps(subject, extractor, acts, prefix=prefix)
    except (ModelError, ImageError) as err:
        st.error(str(err))
