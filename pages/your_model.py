"""Your model: upload a trained Keras model and see what each of its layers does to a picture.

Storyboard: upload a .keras / .h5 file -> it is checked and loaded safely (no code from the
file runs) -> the sidebar picture is fitted to the model's input, and the page says how ->
the same views as the trained-models page.
"""
from __future__ import annotations

import streamlit as st

from ui import model_inputs, model_views, models, state
from ui.panels import page_header
from ui.sidebar import image_choice
from vizcore.errors import ImageError, ModelError
from vizcore.features.summary import human_bytes

FITS = ("crop", "stretch")
FIT_LABELS = {"crop": "Crop to shape", "stretch": "Stretch"}
_KEPT = "_ll_model_upload"  # session_state: the ui.models.KeptModel of the uploaded model (a file on disk)
_REFUSED = "_ll_model_refused"  # session_state: why the last upload was refused before loading
_MODE_FOR = "_ll_range_for"  # session_state: the file whose suggested input values "range" holds


def _store_model() -> None:
    st.session_state.pop(_REFUSED, None)
    uploaded = st.session_state.get("model_file")
    if uploaded is None:  # the user removed the file (a page switch does not call this)
        st.session_state.pop(_KEPT, None)
        return
    try:  # copied to disk in 1 MB pieces, never read whole: the session keeps only a path
        st.session_state[_KEPT] = models.keep_upload(uploaded, limits=models.upload_limits())
    except ModelError as err:
        st.session_state.pop(_KEPT, None)
        st.session_state[_REFUSED] = str(err)


def _forget_model() -> None:
    st.session_state.pop(_KEPT, None)


def upload_controls(limits):
    server_mb = models.server_upload_mb()
    limit_mb = min(limits.max_file_mb, server_mb)
    st.file_uploader(
        "Your Keras model (.keras or .h5)", type=["keras", "h5"], key="model_file",
        max_upload_size=limit_mb, on_change=_store_model,
        help="A whole model saved with model.save('my_model.keras') (or a legacy .h5 file), up to "
             f"{limit_mb} MB on this server, taking one picture (height × width × 1 or 3). It is checked "
             "before loading: Lambda layers and custom code are refused, because Layer Lab never runs code "
             "from a file. Keras's own layers (also those of keras.applications models) are fine. It stays "
             "in this browser session only.")
    if limits.max_file_mb > server_mb:
        st.caption(f"This server's Streamlit setting server.maxUploadSize ({server_mb} MB) is below "
                   f"LAYERLAB_MAX_MODEL_MB ({limits.max_file_mb} MB): files above {server_mb} MB cannot arrive.")
    kept = st.session_state.get(_KEPT)
    if kept is not None and st.session_state.get("model_file") is None:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].caption(f"Using **{kept.name}** ({kept.size / 1024:,.0f} KB), uploaded earlier in this session.")
        cols[1].button("Forget", key="model-forget", on_click=_forget_model,
                       help="Forget this model and upload another one.")
    return kept


def input_controls(fixed_size: bool, suggested: str, reason: str, digest: str) -> tuple[str, str]:
    """(input convention name, fit) the user chose; the convention starts at the model's own."""
    if st.session_state.get(_MODE_FOR) != digest:  # a new model: start from what it says it expects
        st.session_state[_MODE_FOR] = digest
        state.remember("range", suggested, default=suggested)
    cols = st.columns(2)
    mode = cols[0].segmented_control(
        "Input values", models.UPLOAD_MODES, format_func=models.MODE_LABELS.get, required=True, wrap=True,
        help="The pixel values your model was trained on: 0…1 (pixels / 255), 0…255 (raw pixels), "
             "−1…1 (keras.applications 'tf' mode: MobileNet, Inception), 'torch' (ImageNet mean and "
             "std: DenseNet) or 'caffe' (BGR minus the ImageNet mean: VGG16, ResNet50). A wrong choice "
             "still runs but gives washed-out or saturated maps.",
        **state.bind("range", suggested, choices=models.UPLOAD_MODES)) or suggested
    chosen = models.MODE_LABELS[mode]
    cols[0].caption(reason if mode == suggested else
                    f"You chose {chosen}; the model suggests {models.MODE_LABELS[suggested]}. {reason}")
    fit = "stretch"
    if fixed_size:
        fit = cols[1].segmented_control(
            "Fit", FITS, format_func=FIT_LABELS.get, required=True, wrap=True,
            help="Crop to shape: cut the centre to the model's aspect ratio, then resize (nothing is "
                 "distorted). Stretch: resize the whole picture, distorting it if the shapes differ.",
            **state.bind("fit", "crop", choices=FITS)) or "crop"
    return mode, fit


choice = image_choice(second=False)
page_header(
    "Your model",
    "Upload **your own trained Keras model** and see what each of its layers does to the picture "
    "chosen in the sidebar: feature maps, the kernels it learned, patterns that excite a filter "
    "and, if it is a classifier, its top classes and a Grad-CAM heat map. Nested models (a "
    "pretrained base inside a Sequential, as in transfer learning) are unfolded layer by layer.",
    choice,
)
try:
    limits = models.upload_limits()
except ModelError as err:  # the operator's setting is not a number
    st.error(str(err), icon=":material/settings:")
    st.stop()
kept = upload_controls(limits)
if st.session_state.get(_REFUSED):
    st.error(st.session_state[_REFUSED], icon=":material/block:")
    st.stop()
if kept is None:
    st.info("No model yet. In your notebook, save the whole model with "
            "`model.save('my_model.keras')` and upload the file here.", icon=":material/upload_file:")
    st.stop()

name, digest = kept.name, kept.sha1
try:
    with st.spinner(f"Checking and loading {name}…"):
        loaded = models.load_uploaded(digest, str(kept.path), name, limits)
    model = loaded.model
    mode, fit = input_controls(models.takes_fixed_size(model), *models.suggest_mode(model), digest)
    spec = models.upload_spec(model, digest=digest, filename=name, mode=mode, fit=fit, file_labels=loaded.file_labels)
    if spec.labels is not None:
        given = model_inputs.class_name_controls(spec, file_labels=loaded.file_labels)
        if given is not None:
            spec = models.upload_spec(model, digest=digest, filename=name, mode=mode, fit=fit, labels=given)
    prepared = spec.prepare(choice.image)
except (ImageError, ModelError) as err:
    st.error(str(err), icon=":material/block:")
    st.stop()

size, channels = spec.input_size, spec.channels
wanted = (f"{size[1]}×{size[0]}" if size else "any size") + f" × {channels} channel{'s' if channels > 1 else ''}"
done = "; ".join(prepared.notes) if prepared.notes else "nothing: the picture already fits"
classes = len(spec.labels) if spec.labels else 0
st.success(f"**{name}** loaded: {model.name!r}, {model.count_params():,} parameters, takes {wanted}"
           + (f", outputs {classes} class scores." if classes else ".")
           + f" About {human_bytes(int(loaded.memory))} of memory here.", icon=":material/check_circle:")
st.info(f"What was done to your picture: {done}.", icon=":material/transform:")
model_views.show_model(spec, model, prepared, picture=choice.image, picture_key=choice.key, prefix="u_")
