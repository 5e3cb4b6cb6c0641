"""Cached calls into vizcore, returning display-ready panels.

Every function here is a thin cache wrapper: the hashable arguments are the image keys
from :class:`ui.sidebar.Choice` plus the page's settings; the arrays travel as
``_underscored`` (unhashed) arguments. A function reads only its arguments, so one changed
control recomputes only the panels that depend on it.

Results are :class:`ui.panels.PanelView` objects (encoded display bytes, read-only pixels,
texts). They are kept with ``st.cache_resource``, not ``st.cache_data``: they are immutable
display objects, and ``st.cache_data`` would unpickle a fresh copy of every panel's pixels
on every rerun (about 1 s for the 66-panel cheat sheet, whose transposed-conv panels are
2048×2048) — the opposite of "changing one control recomputes only what changed".
Each function's ``max_entries`` and ``ttl`` follow the caching policy in
``docs/architecture.md`` (which also lists the memory each bound implies).

vizcore.layers / vizcore.sheet (TensorFlow) are imported inside the functions, so a page
that only shows images (Home) never pays TensorFlow's import time.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from vizcore import color

from . import jobs, sessions
from .panels import PanelView, to_display, view_of

#: Seed of the untrained layers on the interactive pages: GlorotUniform(2) gives positive weights
#: for Dense(1) on luminance and on RGB and a positive-sum 3×3 Conv2D filter, so relu panels are not
#: black on first view (seed 0's are negative). The cheat sheet keeps the seed sheet's 0.
DEFAULT_SEED = 2

#: How long a panel computed for one image stays cached after it was stored (see the caching
#: policy in docs/architecture.md): long enough for a lesson, short enough that a server's
#: memory returns once its users have moved on.
IMAGE_TTL = "1h"

__all__ = ["DEFAULT_SEED", "IMAGE_TTL", "WARM_UP_NOTE", "tensorflow_loaded", "load_tensorflow",
           "channels", "merge", "pool", "dense", "dense_fully_connected", "conv2d",
           "conv2d_stack", "conv2d_transpose", "activation_plot", "shrink", "sheet", "sheet_png", "start_warm_up"]


@st.cache_resource(max_entries=16, ttl=IMAGE_TTL, show_spinner=False)
def channels(key: str, _image: np.ndarray) -> list[tuple[str, list[tuple[str, bytes, str]]]]:
    """Every colour space's channels as grey images: [(space, [(channel, bytes, format)])]."""
    return [(space, [(name, *to_display(plane)) for name, plane in color.split_channels(_image, space)])
            for space in color.SPACES]


#: What a page's spinner says while TensorFlow is not loaded yet in this server process.
WARM_UP_NOTE = "Starting TensorFlow (once per server, ~10 s)…"


def tensorflow_loaded() -> bool:
    """True once ``vizcore.layers`` (and with it TensorFlow) is fully imported in this process."""
    import sys

    layers = sys.modules.get("vizcore.layers")
    return layers is not None and hasattr(layers, "conv2d_transpose")  # set at the end of its __init__


def load_tensorflow() -> None:
    """Import ``vizcore.layers`` (TensorFlow) before a layer page imports it, under a spinner saying why.

    The first layer page opened after the server starts pays TensorFlow's import (seconds on a
    busy machine) before anything is drawn; without a word it looks like a hang. Call this
    before ``from ui import controls`` (which needs ``vizcore.layers``). Nothing is drawn when
    TensorFlow is already loaded (by Home's background warm-up or an earlier page).
    """
    if tensorflow_loaded():
        return
    with st.spinner(WARM_UP_NOTE, show_time=True):
        _layers()


def _layers():
    """vizcore.layers, imported on first use (it imports TensorFlow)."""
    from vizcore import layers

    return layers


def _to_kernel(kernel: tuple[tuple[float, ...], ...] | None) -> np.ndarray | None:
    return None if kernel is None else np.asarray(kernel, dtype=np.float32)


@st.cache_resource(max_entries=64, ttl=IMAGE_TTL, show_spinner=False)
def merge(key: str, other_key: str, kind: str, space: str, _a: np.ndarray, _b: np.ndarray) -> PanelView:
    """``vizcore.merge(kind, a, b, space=space)`` as a panel."""
    return view_of(_layers().merge(kind, _a, _b, space=space))


@st.cache_resource(max_entries=64, ttl=IMAGE_TTL, show_spinner=False)
def pool(key: str, kind: str, space: str, size: int | None, strides: int | None, padding: str,
         _image: np.ndarray) -> PanelView:
    """``vizcore.pool`` (max / average / global_average / depthwise_max) as a panel."""
    kwargs = {} if kind == "global_average" else {"size": size}
    if kind in ("max", "average"):
        kwargs.update(strides=strides, padding=padding)
    result = _layers().pool(_image, kind=kind, space=space, **kwargs)
    view = view_of(result)
    if kind == "global_average":  # keep the mean values for the swatch caption
        values = tuple(float(v) for v in np.ravel(result.output))
        view = replace(view, caption="mean = (" + ", ".join(f"{v:.3f}" for v in values) + ")")
    return view


@st.cache_resource(max_entries=64, ttl=IMAGE_TTL, show_spinner=False)
def dense(key: str, activation: str, seed: int, units: int, space: str, _image: np.ndarray, *,
          display: str = "auto") -> PanelView:
    """Per-pixel ``vizcore.dense`` as a panel (all ``units`` maps kept); ``display``: its display rule."""
    return view_of(_layers().dense(_image, activation=activation, seed=seed, units=units, space=space,
                                   display=display),
                   max_maps=64, map_names=[f"unit {i + 1}" for i in range(units)])


@st.cache_resource(max_entries=64, ttl=IMAGE_TTL, show_spinner=False)
def dense_fully_connected(key: str, activation: str, seed: int, size: int, space: str,
                          _image: np.ndarray, *, display: str = "auto") -> PanelView:
    """``vizcore.dense_fully_connected`` (Flatten → Dense → Reshape) as a panel."""
    return view_of(_layers().dense_fully_connected(_image, activation=activation, seed=seed, size=size,
                                                   space=space, display=display))


def _map_names(result, count: int) -> list[str]:
    """"filter i" per output map; a map drawn mostly black (over half its pixels under 10/255)
    says why in numbers: its share of exact zeros (e.g. "filter 2 · 93 % zero", relu cut them)."""
    names = [f"filter {i + 1}" for i in range(count)]
    maps, output = getattr(result, "maps", None), getattr(result, "output", None)
    if maps is None or output is None or np.shape(output)[-1] != count:
        return names
    for i, shown in enumerate(list(maps)[:count]):
        dark = float(np.mean(np.asarray(shown) < 10 / 255))
        if dark > 0.5:
            zeros = float(np.mean(np.asarray(output)[..., i] == 0))
            names[i] += f" · {100 * zeros:.0f} % zero" if zeros >= 0.5 else f" · {100 * dark:.0f} % near its minimum"
    return names


@st.cache_resource(max_entries=64, ttl=IMAGE_TTL, show_spinner=False)
def conv2d(key: str, *, space: str, activation: str, seed: int = 0, filters: int = 1,
           kernel_size: int | None = None, strides: int = 1, padding: str = "same",
           kernel: tuple[tuple[float, ...], ...] | None = None, display: str = "auto",
           _image: np.ndarray) -> PanelView:
    """``vizcore.conv2d`` as a panel with every filter's map. ``kernel``: nested tuples (hashable)."""
    result = _layers().conv2d(_image, activation=activation, seed=seed, filters=filters,
                              kernel_size=None if kernel is not None else kernel_size, strides=strides,
                              padding=padding, kernel=_to_kernel(kernel), space=space, display=display)
    return view_of(result, max_maps=64, map_names=_map_names(result, filters))


@st.cache_resource(max_entries=32, ttl=IMAGE_TTL, show_spinner=False)
def conv2d_stack(key: str, *, layers: tuple[tuple[int, int, int, str], ...], seed: int, padding: str,
                 space: str, display: str = "auto", _image: np.ndarray) -> PanelView:
    """``vizcore.conv2d_stack``; ``layers``: (filters, kernel_size, strides, activation) per layer."""
    specs = [dict(filters=f, kernel_size=k, strides=s, activation=a) for f, k, s, a in layers]
    result = _layers().conv2d_stack(_image, layers=specs, seed=seed, padding=padding, space=space,
                                    display=display)
    return view_of(result, max_maps=64, map_names=_map_names(result, layers[-1][0]))


@st.cache_resource(max_entries=32, ttl=IMAGE_TTL, show_spinner=False)
def conv2d_transpose(key: str, *, kernel_size: int, strides: int, activation: str, seed: int,
                     filters: int, padding: str, space: str, display: str = "auto",
                     _image: np.ndarray) -> PanelView:
    """``vizcore.conv2d_transpose`` as a panel."""
    result = _layers().conv2d_transpose(_image, kernel_size=kernel_size, strides=strides,
                                        activation=activation, seed=seed, filters=filters,
                                        padding=padding, space=space, display=display)
    return view_of(result, max_maps=64, map_names=_map_names(result, filters))


#: Font size (points) of the activation curves. The Activations page draws a curve in half of its
#: content width, 250 CSS px at 1024×768 with the sidebar open (measured in Chromium); the figure is
#: PLOT_WIDTH_IN inches wide, so its text shows at PLOT_FONT_PT / 72 × 250 / PLOT_WIDTH_IN ≈ 15.6 px (≥ 14).
PLOT_FONT_PT = 13.5
PLOT_WIDTH_IN = 3.0


@st.cache_resource(max_entries=64, show_spinner=False)
def activation_plot(name: str) -> bytes:
    """PNG of an activation's curve y = f(x) on [-5, 5] (matplotlib Figure, no pyplot state).

    Text is sized for a projector (see PLOT_FONT_PT); the curve's name is the page's heading above it."""
    import io

    from matplotlib.figure import Figure

    x, y = _layers().activation_curve(name)
    fig = Figure(figsize=(PLOT_WIDTH_IN, PLOT_WIDTH_IN * 0.78), dpi=150, layout="constrained")
    ax = fig.subplots()
    ax.axhline(0, color="#999", lw=0.8)
    ax.axvline(0, color="#999", lw=0.8)
    ax.plot(x, x, color="#bbb", lw=1.2, ls="--", label="y = x")
    ax.plot(x, y, color="#3b6fd1", lw=2.4, label=name)
    lo, hi = float(np.min(y)), float(np.max(y))
    pad = 0.08 * max(hi - lo, 1.0)
    ax.set_ylim(max(lo, -5.5) - pad, min(hi, 6.5) + pad)
    ax.set_xlim(-5, 5)
    ax.set_xticks([-4, -2, 0, 2, 4])
    ax.tick_params(labelsize=PLOT_FONT_PT)
    ax.set_xlabel("x (input)", fontsize=PLOT_FONT_PT)
    ax.set_ylabel("f(x)", fontsize=PLOT_FONT_PT)
    ax.grid(alpha=0.25)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@st.cache_resource(max_entries=16, ttl=IMAGE_TTL, show_spinner=False)
def shrink(key: str, side: int, _image: np.ndarray) -> np.ndarray:
    """The image with its longer side brought down to ``side`` (aspect kept; never enlarged)."""
    from vizcore import images

    h, w = _image.shape[:2]
    scale = min(1.0, side / max(h, w))
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    out = _image.copy() if size == (h, w) else images.match_size(_image, size)
    out.setflags(write=False)  # shared through the cache
    return out


@st.cache_resource(max_entries=3, ttl=IMAGE_TTL, show_spinner=False)
def sheet(key: str, other_key: str, spaces: tuple[str, ...], seed: int, _a: np.ndarray,
          _b: np.ndarray) -> list[tuple[str, PanelView]]:
    """``vizcore.cheat_sheet`` as (group, panel) pairs, in the sheet's order."""
    from vizcore import sheet as sheet_module

    with jobs.heavy():  # at most LAYERLAB_COMPUTE_SLOTS new sheets at once (memory; ui/jobs.py)
        views = [(p.group, view_of(p, cell=True))
                 for p in sheet_module.cheat_sheet(_a, _b, spaces=spaces, seed=seed)]
        # Earlier runs' sheets (evicted from this cache, kept only by their finished page
        # scripts' reference cycles) freed before the next sheet is computed (ui/sessions.py).
        sessions.collect_cycles()
        return views


@st.cache_resource(max_entries=3, ttl=IMAGE_TTL, show_spinner=False)
def sheet_png(key: str, other_key: str, spaces: tuple[str, ...], seed: int, _a: np.ndarray,
              _b: np.ndarray) -> bytes:
    """The whole sheet drawn as one PNG (``vizcore.render_sheet_png``)."""
    from vizcore import sheet as sheet_module

    with jobs.heavy():
        return sheet_module.render_sheet_png(sheet_module.cheat_sheet(_a, _b, spaces=spaces, seed=seed))


def warm_up(delay: float) -> None:
    import time

    time.sleep(delay)  # let the page that started us finish painting first
    try:
        from vizcore import layers, sheet

        tiny = np.linspace(0, 1, 16 * 16 * 3, dtype=np.float32).reshape(16, 16, 3)
        sheet.cheat_sheet(tiny, tiny[::-1].copy())
        for space in ("luminance", "rgb"):
            layers.merge("Add", tiny, tiny, space=space)
            layers.pool(tiny, kind="max", space=space, size=2)
            layers.conv2d(tiny, activation="relu", filters=4, space=space)
            layers.conv2d(tiny, kernel=layers.KERNEL_PRESETS["sobel_x"], space=space)
            layers.dense(tiny, activation="relu", space=space)
            layers.conv2d_transpose(tiny, kernel_size=4, strides=2, space=space)
        for name in layers.ACTIVATIONS:  # curves depend only on the name: draw them once, now
            activation_plot(name)
    except Exception:  # noqa: BLE001 - best effort: a real page call will report any problem
        pass


@st.cache_resource(max_entries=1, show_spinner=False)
def start_warm_up(delay: float = 1.5):
    """Once per server: import TensorFlow and trace the layer graphs in a background thread.

    Home calls this after drawing, so the first visit to a layer page does not pay
    TensorFlow's import and graph tracing (tens of seconds on a busy 2-core machine).
    Set LAYER_LAB_NO_WARMUP=1 to skip it (the AppTest suites do, to keep CPU for tests).
    Returns the thread (or None when skipped).
    """
    import os
    import threading

    if os.environ.get("LAYER_LAB_NO_WARMUP") == "1":
        return None
    thread = threading.Thread(target=warm_up, args=(delay,), name="layer-lab-warm-up", daemon=True)
    thread.start()
    return thread


#: The caches keyed by a picture, cleared by ui.sessions when the server's last tab is gone.
IMAGE_CACHES = (channels, merge, pool, dense, dense_fully_connected, conv2d, conv2d_stack, conv2d_transpose,
                shrink, sheet, sheet_png)
