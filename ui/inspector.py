"""Inspect a pixel: how one output pixel of a layer panel was computed, number by number.

CNN Explainer's signature view on the user's own image, in the page's colour space: pick an
output pixel (row / column boxes and arrow buttons that step one pixel), see the input cells it
reads (an enlarged crop with the window outlined), the numbers per channel, the Keras layer's
real weights, the products, sum + bias, the activation and the output -- with the value the
Keras layer itself gave at that pixel beside it.

Why boxes and arrows and not a click on the picture: ``st.image`` has no click events in the
pinned Streamlit, and the click components (``streamlit-image-coordinates``, Plotly selection)
would be new dependencies; stepping with arrows also walks the window across the image the
way CNN Explainer's animation does.

Entry points (each draws in the current container; pages put them in an expander):

``section(image, settings, *, image_key, name="inspect")``
    Any inspectable layer call (``vizcore.inspect_pixel.INSPECTABLE``) given by its settings.
``pool_section(image, *, image_key, size, strides, padding)``
    Pooling: pick max / average and the colour space, then :func:`section`.
``dense_section(image, *, image_key, activations, seed, units, space)``
    Per-pixel Dense: pick which activation's panel, then :func:`section`.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np
import streamlit as st

from vizcore import color
from vizcore.inspect_pixel import PixelExplanation, explain_pixel, output_shape_of, window_picture

from . import state
from .compute import IMAGE_TTL
from .controls import SPACE_LABELS

__all__ = ["opened", "section", "pool_section", "dense_section", "value_text"]

#: Output-channel word per layer kind (pooling names the colour channel instead).
CHANNEL_WORDS = {"conv2d": "Filter", "dense": "Unit", "conv2d_transpose": "Filter"}
#: Pooling kinds the inspector offers, as the page names them.
POOL_LABELS = {"max": "MaxPooling2D", "average": "AveragePooling2D"}


def value_text(value: float) -> str:
    """How the inspector prints its output value (6 decimals; what the AppTest reads back)."""
    return f"{value:.6f}"


@st.cache_resource(max_entries=4, ttl=IMAGE_TTL, show_spinner=False)
def _keras_output(image_key: str, settings_json: str, _image: np.ndarray) -> np.ndarray:
    """The raw output of the layer call ``settings`` (JSON) on the image, read-only."""
    from vizcore import layers

    settings = json.loads(settings_json)
    function = settings.pop("function")
    out = np.asarray(getattr(layers, function)(_image, **settings).output)
    out.setflags(write=False)
    return out


def _step(key: str, delta: int, limit: int, default: int) -> None:
    value = int(state.recall(key, default)) + delta
    state.remember(key, min(max(value, 0), limit), default=default)


STEPS = (("col", -1, "← left"), ("row", -1, "↑ up"), ("row", 1, "↓ down"), ("col", 1, "→ right"))


def _pixel_controls(shape: tuple[int, int, int], kind: str, names: tuple[str, ...], name: str,
                    start: tuple[int, int]) -> tuple[int, ...]:
    """Channel, row and column widgets; ``start`` is the (row, col) shown first (the strongest pixel)."""
    ho, wo, depth = shape
    cols = st.columns([1.2, 1, 1], gap="small")
    if kind in ("max", "average"):
        label, fmt = "Channel", (lambda i: names[i])
    else:
        label, fmt = CHANNEL_WORDS[kind], (lambda i: f"{CHANNEL_WORDS[kind].lower()} {i + 1}")
    channel = cols[0].selectbox(label, range(depth), format_func=fmt, disabled=depth == 1,
                                help="Which output map the pixel belongs to.",
                                **state.page_bind(f"{name}_ch", 0, choices=range(depth), cast=int))
    keys = {}
    picked = []
    for col, axis, size, default in ((cols[1], "row", ho, start[0]), (cols[2], "col", wo, start[1])):
        keys[axis] = (state.page_key(f"{name}_{axis}"), size - 1, default)
        picked.append(col.number_input(
            "Row" if axis == "row" else "Column", min_value=0, max_value=size - 1, step=1,
            help=f"{'From the top' if axis == 'row' else 'From the left'}: 0 to {size - 1} in the {ho}×{wo} output.",
            **state.page_bind(f"{name}_{axis}", default, choices=range(size), cast=int)))
    for slot, (axis, delta, text) in zip(st.columns(4, gap="small"), STEPS):
        key, limit, default = keys[axis]
        slot.button(text, key=f"{name}-step-{text.split()[1]}", help="Move the pixel one step; the window follows.",
                    on_click=_step, args=(key, delta, limit, default), width="stretch")
    return int(picked[0]), int(picked[1]), int(channel)


def _num(v: float) -> str:
    return f"{v:.3f}"


#: Inline styles of the number grids (HTML, so wide grids wrap or scroll instead of overlapping).
_BOX = "display:flex;flex-wrap:wrap;gap:14px 22px;align-items:flex-start;margin:4px 0 10px 0"
_TABLE = "border-collapse:collapse;font-size:15px;line-height:1.3;font-variant-numeric:tabular-nums"
_TD = "border:1px solid rgba(128,128,128,.45);padding:3px 7px;text-align:right;white-space:nowrap"
_TH = "padding:2px 6px;font-weight:600;opacity:.75;text-align:center"
_PAD = "background:rgba(128,128,128,.22);opacity:.75"
_WIN = "outline:3px solid #e23b2e;outline-offset:-3px"


def _grid_html(title: str, cells: list[list[str]], *, rows: list[str], cols: list[str], styles=None) -> str:
    """One titled table of preformatted cell texts (``styles``: extra CSS per cell or None)."""
    head = "<tr><th></th>" + "".join(f'<th style="{_TH}">{c}</th>' for c in cols) + "</tr>"
    body = "".join(
        f'<tr><th style="{_TH}">{label}</th>'
        + "".join(f'<td style="{_TD};{(styles[r][c] if styles else "")}">{text}</td>' for c, text in enumerate(row))
        + "</tr>" for r, (label, row) in enumerate(zip(rows, cells)))
    return (f'<div><div style="font-size:16px;margin-bottom:3px">{title}</div>'
            f'<table style="{_TABLE}">{head}{body}</table></div>')


def _show(blocks: list[str]) -> None:
    st.markdown(f'<div style="{_BOX}">' + "".join(blocks) + "</div>", unsafe_allow_html=True)


def _window_tables(e: PixelExplanation) -> None:
    """Conv2D: per input channel, each cell as input × weight = product (padding greyed)."""
    kh, kw, _ = e.window.shape
    top, left = e.origin
    rows, cols = [f"r{top + i}" for i in range(kh)], [f"c{left + j}" for j in range(kw)]
    styles = [[_PAD if e.padded[i, j] else "" for j in range(kw)] for i in range(kh)]
    blocks = []
    for ch, cname in enumerate(e.channel_names):
        cells = [[f"<b>{_num(e.window[i, j, ch])}</b><br>× {_num(e.weights[i, j, ch])}<br>"
                  f"= {_num(e.products[i, j, ch])}" for j in range(kw)] for i in range(kh)]
        title = f"<b>{cname}</b>: Σ = <b>{float(e.products[..., ch].sum()):.4f}</b>"
        blocks.append(_grid_html(title, cells, rows=rows, cols=cols, styles=styles))
    st.markdown(f"Each cell: **input** (in the colour space, after padding), × weight ({e.weights_source}), "
                "= product. Grey cells are padding (zeros).")
    _show(blocks)


def _dense_table(e: PixelExplanation) -> None:
    cells = [[_num(e.window[ch]), _num(e.weights[ch]), _num(e.products[ch])] for ch in range(len(e.channel_names))]
    st.markdown(f"The pixel's own channels × the unit's weights ({e.weights_source}); no neighbour is read.")
    _show([_grid_html("One pixel", cells, rows=[f"<b>{c}</b>" for c in e.channel_names],
                      cols=["input", "× weight", "= product"])])


def _stamp_table(e: PixelExplanation) -> None:
    if not len(e.stamps):
        st.markdown("No input pixel stamps onto this output pixel (a gap between stamps): only the bias is left.")
        return
    st.markdown(f"**{len(e.stamps)} stamp(s)** reach this pixel: each stamping input pixel's values times one "
                f"kernel entry ({e.weights_source}); the stamps add up.")
    blocks = []
    for n, (i, j, t, u) in enumerate(e.stamps):
        cells = [[_num(e.window[n, ch]), _num(e.weights[n, ch]), _num(e.products[n, ch])]
                 for ch in range(len(e.channel_names))]
        title = f"input (r{i}, c{j}) × kernel ({t}, {u}): <b>{float(e.products[n].sum()):.4f}</b>"
        blocks.append(_grid_html(title, cells, rows=[f"<b>{c}</b>" for c in e.channel_names],
                                 cols=["input", "× weight", "= product"]))
    _show(blocks)


def _pool_table(e: PixelExplanation) -> None:
    k = e.window.shape[0]
    top, left = e.origin
    cells = [["pad" if e.padded[i, j] else _num(e.window[i, j]) for j in range(k)] for i in range(k)]
    styles = [[_PAD if e.padded[i, j] else (_WIN if e.chosen == (i, j) else "") for j in range(k)] for i in range(k)]
    real = int((~e.padded).sum())
    if e.kind == "max":
        how = f"the largest of the {real} real cells (red frame); padding is ignored"
    else:
        how = f"the mean of the {real} real cells" + (" (padding is not counted)" if real < e.padded.size else "")
    st.markdown(f"{k}×{k} window of the **{e.channel_names[e.channel]}** channel: output = {how}.")
    _show([_grid_html(e.channel_names[e.channel], cells, rows=[f"r{top + i}" for i in range(k)],
                      cols=[f"c{left + j}" for j in range(k)], styles=styles)])


def _formula(e: PixelExplanation) -> str:
    if e.kind in ("max", "average"):
        return f"- {'max' if e.kind == 'max' else 'mean'} of the window = **{e.value:.4f}**"
    parts = ""
    if e.kind == "conv2d" and len(e.channel_names) > 1:
        sums = e.products.reshape(-1, len(e.channel_names)).sum(axis=0)
        parts = " (" + " + ".join(f"{n} {v:.3f}" for n, v in zip(e.channel_names, sums)) + ")"
    return (f"- Σ of {e.products.size} products{parts} = **{e.total:.4f}**\n"
            f"- plus bias {e.bias:.4f} = **{e.pre_activation:.4f}**\n"
            f"- → {e.activation} → **{e.value:.4f}**")


def opened(label: str = "Inspect a pixel: the numbers behind one output value") -> bool:
    """A toggle (remembered per page, ``<page>.inspect``) that opens the inspector below it.

    A toggle and not an expander: an expander's body runs on every rerun even when closed,
    and the inspector reruns the layer to show Keras' own value.
    """
    return st.toggle(label, help="Pick one output pixel and see every number that produced it.",
                     **state.page_bind("inspect", False, cast=bool))


def section(image: np.ndarray, settings: dict[str, Any], *, image_key: str, name: str = "inspect") -> None:
    """Draw the pixel inspector for the layer call ``settings`` (``LayerResult.settings`` form) on ``image``.

    ``image``: the RGB (H, W, 3) float image the page gave the layer; ``image_key``: its cache
    key (``Choice.key``, plus anything the page did to it). ``name`` prefixes the page-namespaced
    keys (``<page>.<name>_row``), so a page can hold more than one inspector.
    """
    h, w = image.shape[:2]
    try:
        shape = output_shape_of(settings, h, w)
    except ValueError as err:
        st.info(str(err))
        return
    kind = settings["function"] if settings["function"] != "pool" else settings["kind"]
    space = settings.get("space", "rgb")
    output = _keras_output(image_key, json.dumps(settings, sort_keys=True), image)
    # Start at the first map's strongest pixel: the centre of a ReLU map is often exactly 0.
    start = np.unravel_index(int(np.argmax(np.abs(output[..., 0]))), output.shape[:2])
    row, col, channel = _pixel_controls(shape, kind, tuple(color.channel_names(space)), name,
                                        (int(start[0]), int(start[1])))
    e = explain_pixel(image, settings, row=row, col=col, channel=channel)
    panel = float(output[row, col, channel])
    where = (f"{e.channel_names[channel]} channel" if kind in ("max", "average")
             else f"{CHANNEL_WORDS[kind].lower()} {channel + 1}")
    st.markdown(f"#### Output pixel (row {row}, column {col}) of {where}, {SPACE_LABELS[space]} input")
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.image(window_picture(image, e), width="stretch",
                 caption="The input around the cells this pixel reads (yellow frame; grey = padding).")
    with right:
        st.markdown(_formula(e))
        st.metric("Output value", value_text(e.value), help="Computed here from the numbers below (NumPy, float32).")
        st.metric("Keras panel value", value_text(panel),
                  help="output[row, col, channel] of the Keras layer itself; the difference is float32 rounding "
                       f"({abs(e.value - panel):.1e}).")
    {"conv2d": _window_tables, "dense": _dense_table, "conv2d_transpose": _stamp_table,
     "max": _pool_table, "average": _pool_table}[kind](e)


def pool_section(image: np.ndarray, *, image_key: str, size: int, strides: int, padding: str) -> None:
    """The inspector for one of the page's max / average pooling panels (kind and space picked here)."""
    cols = st.columns(2, gap="medium")
    kind = cols[0].segmented_control("Panel", tuple(POOL_LABELS), required=True, format_func=POOL_LABELS.get, wrap=True,
                                     help="Which row of panels to inspect.",
                                     **state.page_bind("inspect_kind", "max", choices=tuple(POOL_LABELS)))
    space = cols[1].segmented_control("Colour space", color.SPACES, required=True, format_func=SPACE_LABELS.get,
                                      wrap=True, help="Which column of panels to inspect.",
                                      **state.page_bind("inspect_space", "rgb", choices=color.SPACES))
    section(image, {"function": "pool", "kind": kind, "space": space, "size": size, "strides": strides,
                    "padding": padding}, image_key=image_key)


def dense_section(image: np.ndarray, *, image_key: str, activations, seed: int, units: int, space: str) -> None:
    """The inspector for one of the page's per-pixel Dense panels (activation picked here)."""
    names = tuple(activations)
    if not names:
        st.info("Pick at least one activation above.")
        return
    activation = st.segmented_control("Panel", names, required=True, wrap=True,
                                      help="Which activation's panel to inspect.",
                                      **state.page_bind("inspect_act", names[0], choices=names))
    section(image, {"function": "dense", "activation": activation, "seed": seed, "units": units, "space": space},
            image_key=image_key)
