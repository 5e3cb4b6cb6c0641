"""Cached calls into vizcore, returning display-ready panels.

Every function here is a thin ``st.cache_data`` wrapper: the hashable arguments are the
image keys from :class:`ui.sidebar.Choice` plus the page's settings; the arrays travel as
``_underscored`` (unhashed) arguments. A function reads only its arguments, so one
changed control recomputes only the panels that depend on it. Results are
:class:`ui.panels.PanelView` objects (PNG bytes + texts), cheap to keep and to redraw.

vizcore.layers / vizcore.sheet (TensorFlow) are imported inside the functions, so a page
that only shows images (Home) never pays TensorFlow's import time.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from vizcore import color

from .panels import PanelView, to_png

__all__ = ["channels"]


@st.cache_data(max_entries=16, show_spinner=False)
def channels(key: str, _image: np.ndarray) -> list[tuple[str, list[tuple[str, bytes]]]]:
    """Every colour space's channels of the image as grey PNGs: [(space, [(channel, png)])]."""
    return [(space, [(name, to_png(plane)) for name, plane in color.split_channels(_image, space)])
            for space in color.SPACES]
