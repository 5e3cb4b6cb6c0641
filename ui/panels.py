"""Showing panels: an image with its caption, explanation, Keras code and a PNG download.

The shared look of every page. Entry points (stable; the trained-model pages build on them):

``show_panel(image, *, title, caption="", explanation="", code=None, filename=None, key=None, compact=False)``
    Draws one panel in the current container (use inside ``st.columns`` for grids):
    image, **title** · caption, explanation, an expander with the Keras code, and a PNG
    download button. ``image`` is an array ((H, W, 3) / (H, W) / (H, W, 1), float in
    [0, 1] - clipped - or uint8), PNG bytes, or a ``PanelView``. ``compact=True`` (grids)
    tucks explanation, code and download into a "Details" expander.
``download_png(image, *, filename, key, label="Download PNG", tooltip=None, shown=None)``
    A download button for the image as PNG, encoded only on click; clicking does not rerun.
    The button holds the pixels weakly; ``ui.held`` keeps them for the tab (``LAYERLAB_CACHE_MB``).
``to_png(image) -> bytes`` / ``to_uint8(image)`` / ``to_display(image) -> (bytes, format)``
    Encoding helpers. Big images are shown as quality-93 JPEG (fast, small), small ones as
    PNG; downloads are always lossless PNG. ``to_cell(image)``: the same for a grid cell
    (longer side <= ``CELL_SIDE``, JPEG quality ``CELL_QUALITY``): output maps and the cheat
    sheet are sent at the size they are drawn (~2.6 MB per sheet view instead of ~9 MB).
``PanelView``, ``make_view(image, *, title, ...)``, ``view_of(result)``
    A picklable, display-ready panel (what ``ui.compute`` caches with ``st.cache_resource``),
    from an array or from a vizcore ``LayerResult``/``Panel``. ``show_view(view, key=...)``
    draws it; ``show_maps(view, key=...)`` draws all its output maps; ``grid(views, ...)``
    draws many in rows.
``show_cells(views, *, columns)`` / ``details(views, *, label)`` / ``cell_caption(view)``
    The cheat sheet's light grid: per panel one captioned picture (its title, and for a
    picture that looks flat or dark the measured reason), and per group ONE expander with
    every panel's text and Keras code. A few elements per panel instead of ~8 (30 tabs
    opening the sheet at once wait for Streamlit's per-element work).
``page_header(title, intro, choice)``
    Title, introduction and a line naming the image(s) shown.
"""
from __future__ import annotations

import io
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image
from streamlit.runtime.scriptrunner import get_script_run_ctx

from vizcore.render import to_display, to_png, to_uint8

from .held import held

__all__ = [
    "PanelView", "to_uint8", "to_png", "to_display", "make_view", "view_of", "show_panel",
    "show_view", "show_maps", "download_png", "grid", "page_header", "slug", "explain",
    "source_label", "describe_choice", "to_cell", "CELL_SIDE", "CELL_QUALITY", "show_cells", "details",
    "cell_caption", "detail_text", "looks_flat",
]

#: Longer side of a picture drawn in a grid cell (cheat sheet, output maps). On a 1080p
#: screen in the wide layout a cell is ~460 CSS px at 3 per row and ~280 px at the sheet's
#: default 5, so 512 px is never enlarged by the browser; a 2048² Conv2DTranspose output is
#: sent block-averaged by 4 (downloads keep every pixel).
CELL_SIDE = 512
#: JPEG quality of grid cells (4:4:4 chroma). The browser shows them shrunk, where quality 75
#: and the old 93 cannot be told apart: 62 sheet panels resampled to a 460 px cell differ from
#: the old 1024 px quality-93 bytes by a median PSNR of 39 dB (worst 32 dB, an HSV merge of fine
#: colour noise); 4:2:0 chroma would save a little more but took such panels to 28 dB. The
#: sheet's cells take ~2.5 MB instead of ~10 MB.
CELL_QUALITY = 75


def to_cell(image: Any) -> tuple[bytes, str]:
    """``to_display`` for a picture drawn in a grid cell: bytes and "PNG"/"JPEG", longer side
    at most :data:`CELL_SIDE` (integer block average), JPEG quality :data:`CELL_QUALITY`."""
    return to_display(image, max_side=CELL_SIDE, quality=CELL_QUALITY, subsampling=0)


def slug(text: str) -> str:
    """A file-name-safe lower-case version of ``text`` ("Conv2D 3×3, relu" -> "conv2d-3x3-relu")."""
    text = text.replace("×", "x").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "panel"


def _is_view(obj) -> bool:
    """A PanelView, judged by its fields: cached views made before Streamlit reloaded this
    module (after a code update on a running server) are of the old class object."""
    return isinstance(obj, PanelView) or (hasattr(obj, "pixels") and hasattr(obj, "display_format"))


@dataclass(frozen=True)
class PanelView:
    """A display-ready panel (picklable, what ``ui.compute`` caches).

    ``pixels``: uint8 (H, W, 3), or (H, W) for a grey map: the panel's image (downloaded as PNG).
    ``display``/``display_format``: encoded bytes shown in the page (see :func:`to_display`).
    ``maps``: extra (name, display bytes, format) per output map, e.g. every Conv2D filter.
    ``note``: for a grid cell whose picture looks flat or dark (:func:`looks_flat`), why, in
    the layer's own measured words (the last sentence of its display note); else "".
    """

    title: str
    pixels: np.ndarray
    display: bytes
    display_format: str
    caption: str = ""
    explanation: str = ""
    code: str | None = None
    maps: tuple[tuple[str, bytes, str], ...] = ()
    shape: tuple[int, ...] | None = None
    params: int | None = None
    note: str = ""

    @property
    def filename(self) -> str:
        return slug(self.title) + ".png"

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the image."""
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    value = getattr(obj, name, default)
    return default if value is None else value


def explain(result: Any) -> str:
    """One or two sentences for a result: its explanation (what it computes, output shape,
    parameter count; filled in from ``output_shape``/``params`` when it lacks them) and what
    the viewer sees (``display_note``)."""
    text = str(_attr(result, "explanation", "")).strip()
    if not text:
        facts = []
        shape = _attr(result, "output_shape")
        if shape is not None:
            facts.append(f"output shape {tuple(int(s) for s in shape)}")
        params = _attr(result, "params")
        if params is not None:
            facts.append(f"{int(params):,} parameters")
        text = ("Gives " + ", ".join(facts) + ".") if facts else ""
    note = str(_attr(result, "display_note", "")).strip()
    return " ".join(p for p in (text, note) if p)


def make_view(image: Any, *, title: str, caption: str = "", explanation: str = "",
              code: str | None = None, maps: Sequence[tuple[str, Any]] = (),
              shape: tuple[int, ...] | None = None, params: int | None = None,
              cell: bool = False) -> PanelView:
    """A :class:`PanelView` from an image array and its texts (``maps``: (name, array) pairs).

    ``cell=True``: the panel is only ever drawn in a grid cell, so its display bytes are
    made by :func:`to_cell` (maps always are)."""
    pixels = to_uint8(image)
    if isinstance(image, np.ndarray) and np.shares_memory(pixels, image):
        pixels = pixels.copy()
    # C order once here: a channel-first layout (diverging colour maps) would otherwise be copied
    # by every session's download button (to_uint8 makes it contiguous), ~27 MB per sheet view.
    pixels = np.ascontiguousarray(pixels)
    pixels.setflags(write=False)  # shared by every session through the cache
    display, fmt = to_cell(pixels) if cell else to_display(pixels)
    encoded = tuple((name, *to_cell(m)) for name, m in maps)
    return PanelView(title=title, pixels=pixels, display=display, display_format=fmt,
                     caption=caption, explanation=explanation, code=code, maps=encoded,
                     shape=tuple(int(v) for v in shape) if shape is not None else None,
                     params=None if params is None else int(params))


def _caption_with_observation(result: Any) -> str:
    """The result's caption with its measured ``observation`` (vizcore.observe) as a paragraph under it."""
    caption = str(_attr(result, "caption", ""))
    observation = str(_attr(result, "observation", "")).strip()
    return f"{caption}\n\n{observation}" if observation else caption


def view_of(result: Any, *, title: str | None = None, caption: str | None = None,
            max_maps: int = 0, map_names: Sequence[str] | None = None, cell: bool = False) -> PanelView:
    """Turn a vizcore ``LayerResult``/``Panel`` (anything with ``.image``) into a :class:`PanelView`.

    ``max_maps > 0``: multi-map results (``.maps`` with more than one map) also keep up to
    that many maps, encoded for :func:`show_maps` (default 0: only the panel's image).
    ``cell=True``: encoded for a grid cell (see :func:`make_view`).
    """
    maps = _attr(result, "maps", None) if max_maps > 0 else None
    named: list[tuple[str, Any]] = []
    if maps is not None and len(maps) > 1:
        for i, item in enumerate(list(maps)[:max_maps]):
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                named.append(item)
            else:
                name = map_names[i] if map_names and i < len(map_names) else f"map {i + 1}"
                named.append((name, item))
    shape = _attr(result, "output_shape")
    if shape is None and getattr(result, "output", None) is not None:
        shape = tuple(np.shape(result.output))
    view = make_view(
        result.image,
        title=title or str(_attr(result, "title", "")),
        caption=caption if caption is not None else _caption_with_observation(result),
        explanation=explain(result), code=_attr(result, "code"), maps=named,
        shape=shape, params=_attr(result, "params"), cell=cell,
    )
    if cell and looks_flat(view.pixels):
        view = replace(view, note=_last_sentence(str(_attr(result, "display_note", ""))))
    return view


#: A picture "looks flat" below this grey-level standard deviation (of 255) ...
FLAT_STD = 3.0
#: ... or "looks dark" when more than this share of its pixels is darker than 10 of 255.
DARK_SHARE = 0.75


def looks_flat(pixels: np.ndarray) -> bool:
    """True when a uint8 picture ((H, W) or (H, W, 3)) would read as one flat tone or as mostly
    black on a projector: grey standard deviation < :data:`FLAT_STD` levels, or more than
    :data:`DARK_SHARE` of its pixels below 10."""
    step = max(1, max(np.shape(pixels)[:2]) // 256)  # judged on every step-th pixel: a 2048² panel costs
    grey = np.asarray(pixels[::step, ::step], dtype=np.float32)  # what a 256² one does
    if grey.ndim == 3:
        grey = grey.mean(axis=-1)
    return bool(grey.std() < FLAT_STD or np.mean(grey < 10) > DARK_SHARE)


def _last_sentence(text: str) -> str:
    """The last sentence of ``text`` (a display note ends with why the panel looks as it does)."""
    parts = re.split(r"(?<=[.)])\s+(?=[A-Z0-9−+])", text.strip())
    return parts[-1] if parts else ""


def download_png(image: Any, *, filename: str, key: str, label: str = "Download PNG",
                 tooltip: str | None = None, shown: bytes | None = None) -> None:
    """A button that downloads ``image`` (array or PNG bytes) as ``filename``; no rerun on click.

    The PNG is encoded only when the button is clicked, from the full-size pixels, which the
    button references weakly: they stay alive through the view cache, or ``ui.held`` keeps them
    for this tab until it is closed (all tabs within ``LAYERLAB_CACHE_MB``). If they were
    dropped before the click, the PNG is made from ``shown`` (the displayed bytes) when given.
    """
    if isinstance(image, (bytes, bytearray)):
        data: Any = bytes(image)
    else:
        pixels = to_uint8(image)  # a PanelView's read-only C-order pixels: no copy
        ctx = get_script_run_ctx()
        if ctx is not None:
            held().keep(ctx.session_id, key, pixels)
        ref = weakref.ref(pixels)
        del pixels

        def data() -> bytes:
            kept = ref()
            if kept is not None:
                return to_png(kept)
            if shown is not None:
                return to_png(np.asarray(Image.open(io.BytesIO(shown)).convert("RGB")))
            return to_png(np.zeros((1, 1, 3), np.uint8))

    st.download_button(
        label, data=data,
        file_name=filename if filename.endswith(".png") else filename + ".png",
        mime="image/png", key=key, icon=":material/download:", on_click="ignore",
        help=tooltip or "Download this panel's image as a lossless PNG file.",
    )


def show_panel(image: Any, *, title: str, caption: str = "", explanation: str = "",
               code: str | None = None, filename: str | None = None, key: str | None = None,
               compact: bool = False) -> None:
    """Draw one panel: image, bold title with caption, explanation, code expander, PNG download.

    ``image``: an array (see :func:`to_uint8`), PNG bytes, or a :class:`PanelView` (whose
    texts are used where the arguments are empty). ``key`` must be unique on the page
    (defaults to a slug of the title). ``compact=True`` puts explanation, code and
    download inside a "Details" expander, for grids.
    """
    if _is_view(image):
        view = image
    elif isinstance(image, (bytes, bytearray)):
        view = PanelView(title=title, pixels=np.zeros((1, 1, 3), np.uint8), display=bytes(image),
                         display_format="PNG")
    else:
        view = make_view(image, title=title)
    title = title or view.title
    caption = caption or view.caption
    explanation = explanation or view.explanation
    code = code or view.code
    key = key or slug(title)
    filename = filename or slug(title) + ".png"
    payload: Any = view.display if isinstance(image, (bytes, bytearray)) else view.pixels

    st.image(view.display, output_format=view.display_format, width="stretch")
    if compact:
        st.markdown(f"**{title}**")
        with st.expander("Details"):
            if caption:
                st.markdown(caption)
            if explanation:
                st.caption(explanation)
            if code:
                st.code(code, language="python")
            download_png(payload, filename=filename, key=f"dl-{key}", shown=view.display)
    else:
        st.markdown(f"**{title}**" + (f" · {caption}" if caption else ""))
        if explanation:
            st.caption(explanation)
        if code:
            with st.expander("Keras code for this panel"):
                st.code(code, language="python")
        download_png(payload, filename=filename, key=f"dl-{key}", shown=view.display)


def show_view(view: PanelView, *, key: str, compact: bool = False) -> None:
    """Draw a :class:`PanelView` with :func:`show_panel`."""
    show_panel(view, title=view.title, filename=view.filename, key=key, compact=compact)


def show_maps(view: PanelView, *, columns: int = 4, key: str) -> None:
    """Every output map of a multi-map panel in a grid, each captioned with its name."""
    for start in range(0, len(view.maps), columns):
        cols = st.columns(columns, gap="small")
        for col, (name, data, fmt) in zip(cols, view.maps[start:start + columns]):
            col.image(data, output_format=fmt, caption=name, width="stretch")


def grid(views: Sequence[PanelView], *, columns: int, key: str, compact: bool = True) -> None:
    """Panels in rows of ``columns`` (the last row is left-aligned)."""
    for start in range(0, len(views), columns):
        cols = st.columns(columns, gap="small")
        for col, (i, view) in zip(cols, enumerate(views[start:start + columns], start)):
            with col:
                show_view(view, key=f"{key}-{i}", compact=compact)


def cell_caption(view: PanelView) -> str:
    """What a grid cell shows under its picture: the **title**, and the view's ``note`` (why it
    looks flat or dark, with its number) on a line of its own when it has one."""
    note = getattr(view, "note", "")  # views cached before the field existed have none
    return f"**{view.title}**" + (f"  \n{note}" if note else "")


def show_cells(views: Sequence[PanelView], *, columns: int) -> None:
    """Pictures in rows of ``columns`` (the last row left-aligned), each captioned by
    :func:`cell_caption`: one column and one image element per panel."""
    for start in range(0, len(views), columns):
        cols = st.columns(columns, gap="small")
        for col, view in zip(cols, views[start:start + columns]):
            col.image(view.display, output_format=view.display_format, caption=cell_caption(view),
                      width="stretch")


def detail_text(view: PanelView) -> str:
    """One panel's texts as one Markdown block: **title** on the first line, then its caption
    (with the measured observation), explanation and a fenced Keras code block."""
    parts = [f"**{view.title}**" + (f"  \n{view.caption}" if view.caption else "")]
    if view.explanation:
        parts.append(view.explanation)
    if view.code:
        parts.append(f"```python\n{view.code}\n```")
    return "\n\n".join(parts)


def details(views: Sequence[PanelView], *, label: str) -> None:
    """ONE expander holding every panel's :func:`detail_text` (one Markdown element each)."""
    with st.expander(label):
        for view in views:
            st.markdown(detail_text(view))


def page_header(title: str, intro: str, choice: Any | None = None, *, show_other: bool = False) -> None:
    """Page title, introduction, and which image the page shows (and the second, if it merges)."""
    st.title(title)
    st.markdown(intro)
    if choice is not None:
        text = describe_choice(choice, show_other=show_other)
        if getattr(choice, "errors", None):
            text += " · :red[a file you gave could not be used (see the sidebar)]"
        st.caption(text)


def source_label(choice: Any) -> str:
    """"sample, 512×384 px" / "your upload, 512×384 px" for a Choice."""
    h, w = np.shape(choice.image)[:2]
    places = {"sample": "sample", "upload": "your upload", "camera": "from your camera"}
    where = places.get(choice.source, choice.source)
    return f"{where}, {w}×{h} px"


def describe_choice(choice: Any, *, show_other: bool = True) -> str:
    """"Image: **Astronaut** (sample, 512×512 px) · second image: **Coffee**"."""
    text = f"Image: **{choice.name}** ({source_label(choice)})"
    other_name = getattr(choice, "other_name", None)
    if other_name and show_other:
        text += f" · second image: **{other_name}**"
    return text
