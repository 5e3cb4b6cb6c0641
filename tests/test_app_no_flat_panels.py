"""AppTest: no panel a page shows at its defaults is flat or black without a stated reason.

Issue 10 ("Done when"): every layer page and the cheat sheet are opened at their defaults, from a
fresh start; every picture the page shows is read back from Streamlit's media storage (the bytes
the browser gets). A picture is *flat* when its grey levels barely vary (standard deviation under
2 of 255 levels) and *mostly black* when over 90 % of its pixels are darker than 10. Such a
picture teaches nothing on a projector unless the text drawn with it says why, with a measured
number ("97 % of pixels are 0: ReLU after ReLU"): the panel's title, caption, observation and
display note (what ``ui.panels`` draws under the image, the "Details" expander included) must
then hold a percentage.

The measures are computed here with NumPy on the decoded pixels, independently of
``vizcore.layers.display``'s own "why flat" rule.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1.element_tree import Block, Column, Image

from tests.apptest_helpers import capture_media, open_app

PAGES = ["merging", "pooling", "dense", "conv2d", "conv2d_transpose", "activations", "cheat_sheet", "home",
         "trained_models"]
FLAT_STD = 2.0        # grey levels (of 255)
BLACK_LEVEL = 10      # a pixel darker than this counts as black
BLACK_SHARE = 0.90    # of the picture's pixels
REASON = re.compile(r"\d+(?:[.,]\d+)?\s*%")
TEXT_TYPES = ("markdown", "caption", "text", "alert", "info", "warning")


@pytest.fixture()
def media(monkeypatch):
    return capture_media(monkeypatch)


def how_flat(pixels: np.ndarray) -> str:
    """'' for a picture that shows something, else why it does not ("flat: std 0.4", "black: 97 %")."""
    grey = pixels.astype(np.float64).mean(axis=-1) if pixels.ndim == 3 else pixels.astype(np.float64)
    if grey.std() < FLAT_STD:
        return f"flat: std {grey.std():.2f} levels"
    black = float(np.mean(grey < BLACK_LEVEL))
    if black > BLACK_SHARE:
        return f"mostly black: {100 * black:.1f} % of pixels < {BLACK_LEVEL}"
    return ""


def _texts(node) -> list[str]:
    """Every text drawn in ``node`` (a block or one element), blocks searched through."""
    if isinstance(node, Block):
        return [t for child in node.children.values() for t in _texts(child)]
    if getattr(node, "type", "") in TEXT_TYPES:
        return [str(node.value)]
    if isinstance(node, Image):
        return [c for c in node.captions if c]
    return []


def shown_pictures(block) -> list[tuple[str, str]]:
    """(image URL, the text drawn with it) for every picture under ``block``, in page order.

    The text of a picture is its own caption (in an element of several pictures, the caption of
    that picture only) and what follows it in its container up to the next picture, expanders
    included (ui.panels draws image, **title** · caption, explanation, "Details"; the cheat
    sheet's cells carry the reason in their caption); columns are containers of their own."""
    found: list[tuple[str, str]] = []
    children = list(block.children.values())
    for i, child in enumerate(children):
        if isinstance(child, Image):
            after_text: list[str] = []
            for after in children[i + 1:]:
                if isinstance(after, (Image, Column)) or (isinstance(after, Block) and any(
                        isinstance(n, Image) for n in _walk(after))):
                    break
                after_text += _texts(after)
            found += [(url, "\n".join(([caption] if caption else []) + after_text))
                      for url, caption in zip(child.value, child.captions, strict=True)]
        elif isinstance(child, Block):
            found += shown_pictures(child)
    return found


def _walk(block):
    for child in block.children.values():
        yield child
        if isinstance(child, Block):
            yield from _walk(child)


@pytest.mark.parametrize("page", PAGES)
def test_every_default_panel_shows_something_or_says_why(page, media):
    at = open_app(page)
    assert not at.error, [e.value for e in at.error]
    pictures = shown_pictures(at.main)
    assert len(pictures) >= 2, f"{page}: only {len(pictures)} pictures found"
    unexplained = []
    for url, text in pictures:
        why = how_flat(media.png(url))
        if why and not REASON.search(text):
            unexplained.append(f"{why} | text: {text[:160]!r}")
    assert not unexplained, f"{page}: {len(unexplained)} of {len(pictures)} pictures:\n" + "\n".join(unexplained)


@pytest.mark.parametrize("pixels, flat", [
    (np.full((8, 8, 3), 128, np.uint8), "flat"),
    (np.pad(np.full((4, 4), 255, np.uint8), 2), ""),                      # 16 of 64 white: visible
    (np.pad(np.full((1, 2), 255, np.uint8), ((0, 19), (0, 18))), "mostly black"),  # 2 of 400 white
    (np.tile(np.arange(0, 256, 16, dtype=np.uint8), (16, 1)), ""),
], ids=["mid-grey", "small-white-square", "two-white-pixels", "ramp"])
def test_how_flat_measures_hand_made_pictures(pixels, flat):
    assert how_flat(pixels).startswith(flat) and bool(how_flat(pixels)) == bool(flat)
