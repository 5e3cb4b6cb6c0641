"""The cheat sheet drawn as one printable PNG: a page title, a heading and a one-line note per
group, and under each panel its title, picture and a few lines of text (observation or caption).

Pillow draws it with the DejaVu fonts that matplotlib ships. Imports ``render`` for thumbnails;
takes any objects with ``group``, ``title``, ``image``, ``observation`` and ``caption``
(``vizcore.sheet.Panel``); it never imports the sheet itself.
"""
from __future__ import annotations

import functools
import io
import os

import numpy as np

from . import render
from .layers.checks import check_int

__all__ = ["GROUP_NOTES", "SHEET_TEXT_POINTS", "render_sheet_png"]

#: One line under each group heading of the PNG: what the group is about.
GROUP_NOTES: dict[str, str] = {
    "Merging": "Two images combined value by value in each colour space, clipped there, shown in RGB.",
    "Pooling": "2×2 blocks reduced to one value each, drawn back at full size so the blocks show.",
    "Dense": "One untrained Dense unit on each pixel's luminance; the last panel flattens the image first.",
    "Conv2D 3×3": "One untrained 3×3 filter on the luminance, then the activation.",
    "Conv2D 7×7": "One untrained 7×7 filter on the luminance: a wider window, smoother responses.",
    "Two Conv2D layers": "A 3×3 filter's activated output through a second 3×3 filter.",
    "Conv2DTranspose": "Each pixel stamps a k×k kernel every s output pixels: the picture grows s times.",
}
#: Text sizes of the PNG in points (1/72 inch at the PNG's dpi).
SHEET_TEXT_POINTS = {"page": 20, "heading": 15, "note": 9.5, "title": 11, "text": 9}
_FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


@functools.lru_cache(maxsize=32)
def _font(px: int, bold: bool):
    import matplotlib
    from PIL import ImageFont

    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", _FONT_FILES[bold])
    return ImageFont.truetype(path, px)


def _wrap(text: str, font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; the last kept line ends with "…" when text is cut."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + " …") > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    return lines


def _fit(image: np.ndarray, box: int) -> np.ndarray:
    """uint8 picture fitted into box×box: area-averaged when larger, whole-pixel blocks when much smaller."""
    thumb = render.thumbnail(image, box)
    factor = box // max(thumb.shape[:2])
    if factor >= 2:  # a tiny image is drawn as pixels, not smoothed
        thumb = np.repeat(np.repeat(thumb, factor, axis=0), factor, axis=1)
    return thumb


def render_sheet_png(panels, *, columns: int = 4, cell_inches: float = 1.8, dpi: int = 200,
                     title: str = "Layer Lab cheat sheet") -> bytes:
    """Draw panels as one printable PNG: a page title, each group under a heading and a one-line
    note, and every panel as its title, its picture and one line of explanation.

    ``panels``: LayerResults / Panels (``group`` optional). The explanation line is the
    panel's measured ``observation`` when it has one, else its ``caption`` (wrapped to at
    most 4 lines). The PNG is ``columns × cell_inches + 0.3`` inches wide at ``dpi``; text
    sizes are :data:`SHEET_TEXT_POINTS` at that dpi. The defaults (4 columns of 1.8 in at
    200 dpi: 1,500 px wide) print fit-to-width on A4 or letter at about 7.5 in, with
    explanations at 9 pt (25 px letters, capitals 18 px tall) and panel titles at 11 pt;
    merging and pooling then have one colour space per column. Pictures are fitted into
    their cells (area-averaged when larger, whole-pixel blocks when much smaller).

    Raises ValueError for no panels or bad sizes.
    """
    from PIL import Image, ImageDraw

    panels = list(panels)
    if not panels:
        raise ValueError("no panels to draw")
    columns = check_int(columns, "columns", 1, 20)
    dpi = check_int(dpi, "dpi", 20, 600)
    if not 0.5 <= cell_inches <= 6:
        raise ValueError(f"cell_inches must be from 0.5 to 6, got {cell_inches!r}")
    px = {k: max(6, round(v * dpi / 72)) for k, v in SHEET_TEXT_POINTS.items()}
    fonts = {"page": _font(px["page"], True), "heading": _font(px["heading"], True),
             "note": _font(px["note"], False), "title": _font(px["title"], True), "text": _font(px["text"], False)}
    line = {k: round(v * 1.25) for k, v in px.items()}
    cell = round(cell_inches * dpi)
    margin = round(0.15 * dpi)
    pad = max(2, round(0.04 * cell))
    box = max(4, cell - 2 * pad)
    width = columns * cell + 2 * margin

    # Rows: (group heading or None, panels in the row).
    rows: list[tuple[str | None, list]] = []
    current = object()
    for panel in panels:
        group = getattr(panel, "group", "")
        if group != current or len(rows[-1][1]) == columns:
            rows.append((group if group != current and group else None, []))
            current = group
        rows[-1][1].append(panel)
    text_width = cell - 2 * pad
    title_lines, text_lines = 2, 4
    row_h = title_lines * line["title"] + box + pad + text_lines * line["text"] + 2 * pad
    head_h = line["heading"] + line["note"] + pad * 2
    height = margin + line["page"] + pad + sum(row_h + (head_h if head else 0) for head, _ in rows) + margin

    canvas = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(canvas)
    draw.text((margin, margin), title, font=fonts["page"], fill=(0, 0, 0))
    top = margin + line["page"] + pad
    for head, row in rows:
        if head:
            top += pad
            draw.text((margin, top), head, font=fonts["heading"], fill=(0, 0, 0))
            top += line["heading"]
            note = GROUP_NOTES.get(head, "")
            if note:
                note = _wrap(note, fonts["note"], width - 2 * margin, 1)[0]
                draw.text((margin, top), note, font=fonts["note"], fill=(60, 60, 60))
            top += line["note"] + pad
        for j, panel in enumerate(row):
            x = margin + j * cell + pad
            y = top
            for text in _wrap(panel.title, fonts["title"], text_width, title_lines):
                draw.text((x, y), text, font=fonts["title"], fill=(0, 0, 0))
                y += line["title"]
            y = top + title_lines * line["title"]
            thumb = _fit(panel.image, box)
            th, tw = thumb.shape[:2]
            canvas.paste(Image.fromarray(thumb), (x + (box - tw) // 2, y + (box - th) // 2))
            y += box + pad
            words = getattr(panel, "observation", "") or panel.caption
            for text in _wrap(words, fonts["text"], text_width, text_lines):
                draw.text((x, y), text, font=fonts["text"], fill=(30, 30, 30))
                y += line["text"]
        top += row_h
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", compress_level=3, dpi=(dpi, dpi))
    return buffer.getvalue()
