"""Inputs for models whose spec takes drawings (``input_kind == "drawing"``): draw, pick a
held-out example, upload a photo of one, or use the sidebar picture. Also the class names a
user can give an uploaded classifier (:func:`class_name_controls`).

Whatever the source, the spec prepares it (``ModelSpec.prepare`` for pictures,
``ModelSpec.prepare_batch`` for held-out examples, which are already fitted), so the model
always gets what it was trained on.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from vizcore.errors import ImageError, ModelError
from vizcore.models.spec import ModelSpec, Prepared

from . import models, state

__all__ = ["drawn_input", "class_name_controls", "SOURCES"]

SOURCES = ("Draw", "Held-out digit", "Upload", "Sidebar image")
#: Canvas side in screen pixels, and the pen width drawn on it.
CANVAS_SIDE = 224
PEN_WIDTH = 16


def _from_canvas(spec: ModelSpec) -> tuple[Prepared, str] | None:
    from streamlit_drawable_canvas import st_canvas

    if spec.input_hint:
        st.markdown(spec.input_hint)
    # The canvas's toolbar floats about 40 px above it: keep that band free so the toolbar
    # never covers the text or the source buttons.
    st.space("medium")
    drawn = st_canvas(stroke_width=PEN_WIDTH, stroke_color="#ffffff", background_color="#000000",
                      height=CANVAS_SIDE, width=CANVAS_SIDE, drawing_mode="freedraw", return_image_data=True,
                      key="digit_canvas")
    pixels = drawn.image_data if drawn is not None else None
    if pixels is None or np.asarray(pixels)[..., :3].max() <= 10:  # nothing drawn yet
        return None
    try:
        return spec.prepare(np.asarray(pixels)[..., :3].astype(np.float32) / 255.0), "your drawing"
    except ImageError as err:
        st.error(str(err))
        return None


def _from_upload(spec: ModelSpec) -> tuple[Prepared, str] | None:
    from vizcore import images

    upload = st.file_uploader("A picture of one digit", type=None, key="digit_upload",
                              help="A photo or scan of one handwritten digit, dark on light or "
                                   "light on dark. It stays in this browser session.")
    if upload is None:
        return None
    try:
        loaded = images.read_image(upload.getvalue(), max_side=512, name=upload.name)
        return spec.prepare(loaded.image), f"“{upload.name}”"
    except ImageError as err:
        st.error(str(err))
        return None


def drawn_input(spec: ModelSpec, choice) -> tuple[Prepared, str]:
    """(prepared input, description) of the digit the user drew, picked or uploaded.

    Falls back to held-out example 0 (saying so) while nothing usable is there.
    """
    x_test, y_test = models.examples(spec.key)
    source = st.segmented_control(
        "Digit from", SOURCES, required=True, wrap=True,
        help=f"Draw a digit with the mouse or a finger, pick one of the {len(x_test)} digits the model never "
             "saw in training, upload a photo of a digit, or use the sidebar's picture.",
        **state.bind("digit_src", "Draw", choices=SOURCES)) or "Draw"
    got, fallback = None, None
    if source == "Draw":
        got = _from_canvas(spec)
        fallback = "Nothing drawn yet: showing held-out digit 0 meanwhile."
    elif source == "Upload":
        got = _from_upload(spec)
        fallback = "No usable upload: showing held-out digit 0 meanwhile."
    elif source == "Sidebar image":
        try:
            got = spec.prepare(choice.image), f"the sidebar picture “{choice.name}”"
        except ImageError as err:
            st.error(f"{err} (the sidebar picture “{choice.name}” is not a digit)")
        fallback = "Showing held-out digit 0 instead."
    if got is not None:
        return got
    index = 0
    if source == "Held-out digit":
        index = st.slider("Held-out digit", 0, len(x_test) - 1,
                          help="Digits kept out of training (a fixed split): the model has never seen them.",
                          **state.bind("digit", 0, choices=range(len(x_test)), cast=int))
    if fallback:
        st.caption(fallback)
    return spec.prepare_batch(x_test[index][None]), f"held-out digit #{index} (a {int(y_test[index])})"


def class_name_controls(spec: ModelSpec, *, file_labels=None) -> tuple[str, ...] | None:
    """Class names the user pasted or uploaded for an uploaded classifier, else None.

    Says where the current names come from (the model file, ImageNet, numbers). Names that do
    not number the model's classes are refused with a warning (None is returned).
    """
    classes = len(spec.labels or ())
    source = models.label_source(classes, file_labels)
    with st.expander(f"Class names: {source}"):
        st.caption(f"The model gives {classes} class scores; now named " + ", ".join(spec.labels[:4])
                   + (", …" if classes > 4 else "") + ". Give your own names: one per line, or a JSON list, "
                   "in class-index order (as `train_ds.class_names`).")
        text = st.text_area("Paste class names", key="u_labels_text", height=100)
        upload = st.file_uploader("…or upload a labels file (.txt or .json)", type=["txt", "json"],
                                  key="u_labels_file", max_upload_size=5)
    try:
        if upload is not None:
            return _checked(models.class_names_from_text(upload.getvalue(), source=f"“{upload.name}”"), classes)
        if text.strip():
            return _checked(models.class_names_from_text(text, source="the pasted names"), classes)
    except ModelError as err:
        st.warning(f"{err} The names above are used instead.")
    return None


def _checked(names: tuple[str, ...], classes: int) -> tuple[str, ...]:
    if len(names) != classes:
        raise ModelError(f"You gave {len(names)} class names but the model gives {classes} class scores.")
    return names
