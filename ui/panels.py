"""Showing panels: an image with its caption, explanation, Keras code and a PNG download.

The shared look of every page. The main entry points (stable; trained-model pages build on them):

``to_png(image) -> bytes``
    Lossless PNG of an image: ``(H, W, 3)`` / ``(H, W)`` / ``(H, W, 1)`` float in [0, 1]
    (values outside are clipped) or uint8; PNG bytes pass through unchanged.
``show_panel(image, *, title, caption="", explanation="", code=None, filename=None, key=None, compact=False)``
    Draws one panel in the current container (use inside ``st.columns`` for grids).
    ``compact=True`` (for grids) keeps the explanation, code and download in an expander
    under the image; otherwise they are shown directly with the code in an expander.
``download_png(image, *, filename, key, label=..., tooltip=None)``
    A download button for the image as PNG; clicking it does not rerun the app.
``PanelView`` / ``view_of(result)``
    A picklable, display-ready panel (PNG bytes, texts) built from a vizcore ``LayerResult``
    or ``Panel``; what ``ui.compute`` caches. ``show_view(view, key=..., compact=...)`` draws it.
``grid(views, *, columns, key)``
    Panels in rows of ``columns``.
``page_header(title, intro, choice)``
    Title, one-paragraph introduction and a line saying which image is shown.
"""
from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

__all__ = [
    "PanelView", "to_png", "view_of", "show_panel", "show_view", "download_png", "grid",
    "page_header", "slug", "explain", "source_label", "describe_choice",
]


def to_png(image: Any) -> bytes:
    """PNG bytes of ``image`` (see module docstring for accepted arrays); bytes pass through.

    Raises ValueError for an array that is not (H, W), (H, W, 1) or (H, W, 3).
    """
    if isinstance(image, (bytes, bytearray)):
        return bytes(image)
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] == 3)):
        raise ValueError(f"to_png: expected (H, W), (H, W, 1) or (H, W, 3), got {arr.shape}")
    if arr.dtype != np.uint8:
        arr = np.clip(np.nan_to_num(arr.astype(np.float32), nan=0.0), 0.0, 1.0)
        arr = np.round(arr * 255.0).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def slug(text: str) -> str:
    """A file-name-safe lower-case version of ``text`` ("Conv2D 3×3, relu" -> "conv2d-3x3-relu")."""
    text = text.replace("×", "x").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "panel"


@dataclass(frozen=True)
class PanelView:
    """A display-ready panel. ``png`` is the image; ``maps`` extra PNGs (e.g. every filter)."""

    title: str
    png: bytes
    caption: str = ""
    explanation: str = ""
    code: str | None = None
    maps: tuple[bytes, ...] = ()
    map_names: tuple[str, ...] = ()
    shape: tuple[int, ...] | None = None
    params: int | None = None
    size: tuple[int, int] = (0, 0)  # (width, height) of the PNG
    extra: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return slug(self.title) + ".png"


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    value = getattr(obj, name, default)
    return default if value is None else value


def explain(result: Any) -> str:
    """One or two sentences for a result: its own explanation plus shape, parameters and display."""
    parts = [str(_attr(result, "explanation", "")).strip()]
    shape = _attr(result, "output_shape")
    if shape is None and getattr(result, "output", None) is not None:
        shape = tuple(np.shape(result.output))
    facts = []
    if shape is not None and "shape" not in parts[0].lower():
        facts.append(f"output shape {tuple(shape)}")
    params = _attr(result, "params")
    if params is not None and "param" not in parts[0].lower():
        facts.append(f"{int(params):,} trainable parameter{'s' if params != 1 else ''}")
    if facts:
        parts.append(("Gives " if parts[0] else "") + " · ".join(facts) + ".")
    note = str(_attr(result, "display_note", "")).strip()
    if note:
        parts.append(note)
    return " ".join(p for p in parts if p)


def view_of(result: Any, *, title: str | None = None, caption: str | None = None,
            max_maps: int = 64) -> PanelView:
    """Turn a vizcore ``LayerResult``/``Panel`` (anything with ``.image``) into a :class:`PanelView`."""
    image = np.asarray(result.image)
    maps = _attr(result, "maps", None)
    map_pngs: tuple[bytes, ...] = ()
    map_names: tuple[str, ...] = ()
    if maps is not None and len(maps) > 1:
        items = list(maps)[:max_maps]
        pngs, names = [], []
        for i, item in enumerate(items):
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                names.append(item[0])
                item = item[1]
            else:
                names.append(f"map {i + 1}")
            pngs.append(to_png(item))
        map_pngs, map_names = tuple(pngs), tuple(names)
    shape = _attr(result, "output_shape")
    if shape is None and getattr(result, "output", None) is not None:
        shape = tuple(np.shape(result.output))
    return PanelView(
        title=title or str(_attr(result, "title", "")),
        png=to_png(image),
        caption=caption if caption is not None else str(_attr(result, "caption", "")),
        explanation=explain(result),
        code=_attr(result, "code"),
        maps=map_pngs,
        map_names=map_names,
        shape=tuple(int(s) for s in shape) if shape is not None else None,
        params=_attr(result, "params"),
        size=(int(image.shape[1]), int(image.shape[0])),
    )


def download_png(image: Any, *, filename: str, key: str, label: str = "Download PNG",
                 tooltip: str | None = None) -> None:
    """A button that downloads ``image`` (array or PNG bytes) as ``filename``; no rerun on click."""
    st.download_button(
        label,
        data=to_png(image),
        file_name=filename if filename.endswith(".png") else filename + ".png",
        mime="image/png",
        key=key,
        icon=":material/download:",
        on_click="ignore",
        help=tooltip or "Save this panel's image as a lossless PNG file.",
    )


def show_panel(image: Any, *, title: str, caption: str = "", explanation: str = "",
               code: str | None = None, filename: str | None = None, key: str | None = None,
               compact: bool = False) -> None:
    """Draw one panel: image, bold title with caption, explanation, code expander, PNG download.

    ``image``: array (see :func:`to_png`) or PNG bytes. ``key`` must be unique on the page
    (defaults to a slug of the title). ``compact=True`` puts explanation, code and download
    inside a "Details" expander, for grids.
    """
    key = key or slug(title)
    filename = filename or slug(title) + ".png"
    png = to_png(image)
    st.image(png, width="stretch")
    st.markdown(f"**{title}**" + (f" — {caption}" if caption else ""))
    if compact:
        with st.expander("Explain · code · PNG"):
            if explanation:
                st.caption(explanation)
            if code:
                st.code(code, language="python")
            download_png(png, filename=filename, key=f"dl-{key}")
    else:
        if explanation:
            st.caption(explanation)
        if code:
            with st.expander("Keras code for this panel"):
                st.code(code, language="python")
        download_png(png, filename=filename, key=f"dl-{key}")


def show_view(view: PanelView, *, key: str, compact: bool = False) -> None:
    """Draw a :class:`PanelView` with :func:`show_panel`."""
    show_panel(view.png, title=view.title, caption=view.caption, explanation=view.explanation,
               code=view.code, filename=view.filename, key=key, compact=compact)


def grid(views: Sequence[PanelView], *, columns: int, key: str, compact: bool = True) -> None:
    """Panels in rows of ``columns`` (the last row is left-aligned)."""
    for start in range(0, len(views), columns):
        cols = st.columns(columns, gap="small")
        for col, (i, view) in zip(cols, enumerate(views[start:start + columns], start)):
            with col:
                show_view(view, key=f"{key}-{i}", compact=compact)


def page_header(title: str, intro: str, choice: Any | None = None) -> None:
    """Page title, introduction, and which image(s) the page shows (with any intake notes)."""
    st.title(title)
    st.markdown(intro)
    if choice is not None:
        st.caption(describe_choice(choice))


def source_label(choice: Any) -> str:
    """"sample, 512×384 px" / "your upload, 512×384 px" for a Choice."""
    h, w = np.shape(choice.image)[:2]
    where = {"sample": "sample", "upload": "your upload", "camera": "camera photo"}.get(choice.source, choice.source)
    return f"{where}, {w}×{h} px"


def describe_choice(choice: Any) -> str:
    """"Image: **Astronaut** (sample, 512×512 px) · second image: **Coffee**"."""
    text = f"Image: **{choice.name}** ({source_label(choice)})"
    other_name = getattr(choice, "other_name", None)
    if other_name:
        text += f" · second image: **{other_name}**"
    return text
