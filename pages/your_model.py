"""Your model: upload a trained Keras model and see what each of its layers does to a picture.

Storyboard: upload a .keras / .h5 file -> it is checked and loaded safely (no code from the
file runs) -> the sidebar picture is fitted to the model's input, and the page says how ->
the same views as the trained-models page.
"""
from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from ui import model_views, state
from ui.panels import page_header
from ui.sidebar import image_choice
from vizcore.errors import ImageError, ModelError

MAX_MODEL_MB = 100
RANGES = ("0…1", "0…255", "−1…1")
RANGE_VALUES = {"0…1": (0.0, 1.0), "0…255": (0.0, 255.0), "−1…1": (-1.0, 1.0)}
FITS = ("crop", "stretch")
FIT_LABELS = {"crop": "Crop to shape", "stretch": "Stretch"}
ANY_SIZE_SIDE = 256  # longer side used for models that take any input size
_KEPT = "_ll_model_upload"  # session_state: (file name, bytes, sha1) of the uploaded model


def _store_model() -> None:
    uploaded = st.session_state.get("model_file")
    if uploaded is None:  # the user removed the file (a page switch does not call this)
        st.session_state.pop(_KEPT, None)
        return
    data = uploaded.getvalue()
    st.session_state[_KEPT] = (uploaded.name, data, hashlib.sha1(data).hexdigest())


def _forget_model() -> None:
    st.session_state.pop(_KEPT, None)


@st.cache_resource(max_entries=3, show_spinner=False)
def load_uploaded(digest: str, _data: bytes, filename: str):
    """The checked, loaded model for these bytes (cached by their SHA-1). Raises ModelError."""
    from vizcore.models.upload import load_user_model

    return load_user_model(_data, filename=filename, max_bytes=MAX_MODEL_MB * 1024 * 1024)


def upload_controls():
    st.file_uploader(
        "Your Keras model (.keras or .h5)", type=["keras", "h5"], key="model_file",
        max_upload_size=MAX_MODEL_MB, on_change=_store_model,
        help="A whole model saved with model.save('my_model.keras') (or a legacy .h5 file), up to "
             f"{MAX_MODEL_MB} MB, taking one picture (height × width × 1 or 3). It is checked before "
             "loading: Lambda layers and custom code are refused, because Layer Lab never runs code "
             "from a file. It stays in this browser session only.")
    kept = st.session_state.get(_KEPT)
    if kept is not None and st.session_state.get("model_file") is None:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].caption(f"Using **{kept[0]}** ({len(kept[1]) / 1024:,.0f} KB), uploaded earlier in this session.")
        cols[1].button("Forget", key="model-forget", on_click=_forget_model,
                       help="Forget this model and upload another one.")
    return kept


def input_controls(size, channels):
    cols = st.columns(2)
    value_range = cols[0].segmented_control(
        "Input values", RANGES, required=True,
        help="The pixel range your model was trained on: 0…1 (pixels / 255), 0…255 (raw pixels) "
             "or −1…1 (e.g. MobileNet's preprocessing). A wrong range still runs but gives "
             "washed-out or saturated maps.",
        **state.bind("range", "0…1", choices=RANGES)) or "0…1"
    fit = "stretch"
    if size is not None:
        fit = cols[1].segmented_control(
            "Fit", FITS, format_func=FIT_LABELS.get, required=True,
            help="Crop to shape: cut the centre to the model's aspect ratio, then resize (nothing is "
                 "distorted). Stretch: resize the whole picture, distorting it if the shapes differ.",
            **state.bind("fit", "crop", choices=FITS)) or "crop"
    return RANGE_VALUES[value_range], fit


choice = image_choice(second=False)
page_header(
    "Your model",
    "Upload **your own trained Keras model** and see what each of its layers does to the picture "
    "chosen in the sidebar: feature maps, the kernels it learned, patterns that excite a filter "
    "and, if it is a classifier, its top classes and a Grad-CAM heat map. Nested models (a "
    "pretrained base inside a Sequential, as in transfer learning) are unfolded layer by layer.",
    choice,
)
kept = upload_controls()
if kept is None:
    st.info("No model yet. In your notebook, save the whole model with "
            "`model.save('my_model.keras')` and upload the file here.", icon=":material/upload_file:")
    st.stop()

name, data, digest = kept
try:
    with st.spinner(f"Checking and loading {name}…"):
        model = load_uploaded(digest, data, name)
except ModelError as err:
    st.error(str(err), icon=":material/block:")
    st.stop()

from vizcore.features import adapt_image  # noqa: E402 - TensorFlow only once a model is here
from vizcore.models.upload import classifier_classes, describe_input  # noqa: E402

size, channels = describe_input(model)
value_range, fit = input_controls(size, channels)
target = size
if target is None:  # the model takes any size: keep the picture's shape, at most 256 px
    h, w = choice.image.shape[:2]
    scale = min(1.0, ANY_SIZE_SIDE / max(h, w))
    target = (max(1, round(h * scale)), max(1, round(w * scale)))
try:
    batch, notes = adapt_image(choice.image, size=target, channels=channels,
                               value_range=value_range, fit=fit)
except (ImageError, ModelError) as err:
    st.error(str(err))
    st.stop()

lo, hi = value_range
seen = np.clip((batch[0] - lo) / (hi - lo), 0.0, 1.0)
if seen.shape[-1] == 1:
    seen = np.repeat(seen, 3, axis=-1)
classes = classifier_classes(model)
wanted = (f"{size[1]}×{size[0]}" if size else "any size") + f" × {channels} channel{'s' if channels > 1 else ''}"
done = "; ".join(notes) if notes else "nothing: the picture already fits"
st.success(f"**{name}** loaded: {model.name!r}, {model.count_params():,} parameters, takes {wanted}"
           + (f", outputs {classes} class scores." if classes else "."), icon=":material/check_circle:")
st.info(f"What was done to your picture: {done}.", icon=":material/transform:")

subject = model_views.Subject(key=f"upload:{digest}", model=model, batch=batch, seen=seen,
                              value_range=value_range)
model_views.show_views(subject, prefix="u_")
