"""The shared image choice drawn in the sidebar of every page.

``image_choice(*, second=True) -> Choice`` is the first call of every page script
(including the trained-model pages). It draws, in the sidebar:

* **Image**: a bundled sample (select box), an upload (file uploader) or a camera photo
  (``st.camera_input``, only drawn when "Camera" is picked, so the browser does not ask
  for the camera by default);
* **Second image** (for merge layers): a sample or an upload, brought to the first
  image's size with ``vizcore.match_size``;
* **Working size**: the longer side every image is brought down to (speed vs detail).

The choice persists across pages for the session. An upload is kept as its key (SHA-1)
in ``st.session_state``, its bytes once per content on the server's disk (``ui.uploads``),
never in the URL; the sample names are in the URL (``sample``, ``other``). A file that
cannot be read shows ``st.error`` with vizcore's reason in the sidebar, and the page falls
back to the sample, so the app keeps working. Downscaling and other intake notes are
shown with ``st.info``.

``Choice`` fields (stable):
    image        RGB float32 (H, W, 3) in [0, 1], longer side <= working size
    other        second image, RGB float32, same (H, W) as ``image``
    name         human name of the image ("Astronaut", "photo.jpg", "Camera photo")
    other_name   human name of the second image
    source       "sample" | "upload" | "camera"
    notes        list of sentences about what intake did (downscaled, transparency...)
    key          stable content key of ``image`` (sample name or SHA-1 of the bytes, plus
                 the working size): use it as the hashable cache key, and pass the array
                 itself as an ``_underscored`` argument of ``st.cache_*`` functions
    other_key    the same for ``other`` (includes ``key``, as ``other`` is matched to it)
    sample       the selected sample name (also when an upload is shown)
    errors       list of messages shown for files that could not be used
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

import vizcore.images as images
from vizcore.errors import ImageError

from . import jobs, state, uploads

__all__ = ["Choice", "image_choice", "decode_upload", "WORK_SIDES", "DEFAULT_WORK_SIDE"]

#: Longer-side sizes a user can choose for the images every page works on.
WORK_SIDES = (256, 384, 512, 768, 1024)
DEFAULT_WORK_SIDE = 512
SOURCES = ("Sample", "Upload", "Camera")
_SOURCE_NAMES = {"Sample": "sample", "Upload": "upload", "Camera": "camera"}

#: Largest picture an uploader takes, in MB: vizcore's own limit (images.MAX_BYTES), so the
#: browser refuses a bigger file at once instead of after sending it.
MAX_UPLOAD_MB = images.MAX_BYTES // (1024 * 1024)

# session_state keys holding an upload: (file name, sha1 hex of the bytes in ui.uploads) or absent.
_MAIN_UPLOAD = "_ll_upload_main"
_CAMERA_SHOT = "_ll_upload_camera"
_OTHER_UPLOAD = "_ll_upload_other"


@dataclass(frozen=True)
class Choice:
    """The images a page works on; see the module docstring for every field."""

    image: np.ndarray
    other: np.ndarray
    name: str
    other_name: str
    source: str
    notes: list[str] = field(default_factory=list)
    key: str = ""
    other_key: str = ""
    sample: str = images.DEFAULT_SAMPLE
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Decoded:
    image: np.ndarray | None
    notes: tuple[str, ...]
    error: str | None


#: Shown when an upload's bytes were dropped from the disk store to make room.
GONE = "The uploaded file is no longer kept on the server (room was needed for newer ones); upload it again."


@st.cache_data(max_entries=24, ttl="1h", show_spinner=False)
def _decode_cached(digest: str, max_side: int, label: str) -> _Decoded:
    with jobs.intake():  # a few decodes at once, not one per tab (peak memory; ui/jobs.py)
        data = uploads.store().read(digest)
        if data is None:
            return _Decoded(None, (), GONE)
        try:
            loaded = images.read_image(data, max_side=max_side)
        except ImageError as err:
            return _Decoded(None, (), str(err))
        del data
    return _Decoded(loaded.image, tuple(loaded.notes), None)


def decode_upload(data: bytes, *, max_side: int = DEFAULT_WORK_SIDE, name: str = "upload") -> _Decoded:
    """Decode uploaded bytes through vizcore (cached by content): ``.image``, ``.notes``, ``.error``.

    ``.error`` is vizcore's ImageError message (``.image`` is then None); nothing raises.
    """
    return _decode_cached(uploads.store().put(data), max_side, name)


@st.cache_data(max_entries=32, show_spinner=False)
def _sample_cached(name: str, max_side: int) -> _Decoded:
    loaded = images.load_sample(name, max_side=max_side)
    return _Decoded(loaded.image, tuple(loaded.notes), None)


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def _matched(other_key: str, _other: np.ndarray, height: int, width: int) -> np.ndarray:
    return images.match_size(_other, (height, width))


def _store_upload(widget_key: str, store_key: str) -> None:
    """on_change of an uploader / camera: keep the upload's key in session_state (its bytes in
    ui.uploads), or forget it."""
    uploaded = st.session_state.get(widget_key)
    if uploaded is None:
        st.session_state.pop(store_key, None)
        return
    with jobs.intake():
        st.session_state[store_key] = (uploaded.name, uploads.store().put(uploaded.getvalue()))


def _forget(store_key: str) -> None:
    st.session_state.pop(store_key, None)


def _upload_box(label: str, widget_key: str, store_key: str, help_text: str) -> None:
    container = st.sidebar
    container.file_uploader(
        label, key=widget_key, help=help_text, max_upload_size=MAX_UPLOAD_MB,
        on_change=_store_upload, args=(widget_key, store_key),
    )
    kept = st.session_state.get(store_key)
    if kept is not None and st.session_state.get(widget_key) is None:
        # Came back from another page: the uploader is empty again but the bytes are kept.
        cols = container.columns([3, 2], vertical_alignment="center")
        cols[0].caption(f"Using **{kept[0]}**")
        cols[1].button("Forget", key=f"{widget_key}-forget", on_click=_forget, args=(store_key,),
                       help="Forget this upload and go back to the sample.")


def _use_upload(store_key: str, max_side: int, errors: list[str], fallback: str) -> tuple[_Decoded, str, str] | None:
    kept = st.session_state.get(store_key)
    if kept is None:
        return None
    name, digest = kept
    decoded = _decode_cached(digest, max_side, name)
    if decoded.error is not None:
        message = f"Couldn't use “{name}”: {decoded.error} Showing the sample “{fallback}” instead."
        errors.append(message)
        st.sidebar.error(message, icon=":material/error:")
        return None
    return decoded, name, f"upload:{digest}"


def image_choice(*, second: bool = True) -> Choice:
    """Draw the shared sidebar (see module docstring) and return the chosen images.

    ``second=False`` folds the second-image controls away (pages that do not merge);
    ``Choice.other`` is still provided. Never raises for bad user files.
    """
    state.begin_run()
    sb = st.sidebar
    names = images.sample_names()
    errors: list[str] = []

    sb.subheader("Image")
    source_label = sb.segmented_control(
        "Source", SOURCES, required=True, wrap=True,
        help="Use a bundled sample, upload your own picture, or take a photo with your camera "
             "(the browser asks for the camera only when you pick Camera).",
        **state.bind("source", "Sample", choices=SOURCES, url=False),
    ) or "Sample"
    sample = sb.selectbox(
        "Sample image", names,
        help="Bundled pictures of different kinds: faces, animals, text, a synthetic test chart. "
             "Its name is kept in the page's URL, so a shared link shows the same picture.",
        **state.bind("sample", images.DEFAULT_SAMPLE, choices=names),
    )
    max_side = sb.select_slider(
        "Working size (longer side, px)", WORK_SIDES,
        help="Every image is brought down to this size before the layers run. Smaller is faster; "
             "larger shows more detail.",
        **state.bind("side", DEFAULT_WORK_SIDE, choices=WORK_SIDES, cast=int),
    )

    picked = None
    if source_label == "Upload":
        _upload_box("Upload an image", "upload_main", _MAIN_UPLOAD,
                    f"PNG, JPEG, GIF, WebP, TIFF, BMP… up to {MAX_UPLOAD_MB} MB. Big pictures are "
                    f"shrunk to {max_side} px. The picture stays in this browser session and "
                    f"is never put in a link.")
        picked = _use_upload(_MAIN_UPLOAD, max_side, errors, sample)
        if picked is None and not errors:
            sb.caption("No upload yet: showing the sample.")
    elif source_label == "Camera":
        sb.camera_input("Take a photo", key="camera_main", on_change=_store_upload,
                        args=("camera_main", _CAMERA_SHOT),
                        help="Take a picture with your webcam; it stays in this browser session.")
        picked = _use_upload(_CAMERA_SHOT, max_side, errors, sample)
    if picked is not None:
        decoded, name, key = picked
        source = "camera" if source_label == "Camera" else "upload"
        if source == "camera":
            name = "Camera photo"
    else:
        decoded, name, key, source = _sample_cached(sample, max_side), sample, f"sample:{sample}", "sample"
    key = f"{key}@{max_side}"
    notes = list(decoded.notes)
    for note in notes:  # the user's own picture: say plainly what was done to it
        if source == "sample":
            sb.caption(note)
        else:
            sb.info(note, icon=":material/info:")

    # ---- second image
    others = list(names)
    with sb.expander("Second image (for merges)", expanded=second):
        other_source = st.segmented_control(
            "Second source", ("Sample", "Upload"), required=True, wrap=True,
            help="The merge layers (Add, Multiply, Concatenate…) combine two images; pick the second one.",
            **state.bind("other_source", "Sample", choices=("Sample", "Upload"), url=False),
        ) or "Sample"
        other_sample = st.selectbox(
            "Second sample", others,
            help="Brought to the first image's size (scaled to cover it, centre cropped).",
            **state.bind("other", images.DEFAULT_OTHER_SAMPLE, choices=others),
        )
        other_picked = None
        if other_source == "Upload":
            st.file_uploader(
                "Upload a second image", key="upload_other", max_upload_size=MAX_UPLOAD_MB,
                help=f"Up to {MAX_UPLOAD_MB} MB. Stays in this browser session; never put in a link.",
                on_change=_store_upload, args=("upload_other", _OTHER_UPLOAD),
            )
            kept = st.session_state.get(_OTHER_UPLOAD)
            if kept is not None:
                _, digest = kept
                dec = _decode_cached(digest, max_side, kept[0])
                if dec.error is not None:
                    message = (f"Couldn't use “{kept[0]}”: {dec.error} "
                               f"Using the sample “{other_sample}” as the second image.")
                    errors.append(message)
                    st.error(message, icon=":material/error:")
                else:
                    other_picked = (dec, kept[0], f"upload:{digest}")
                    if st.session_state.get("upload_other") is None:
                        st.caption(f"Using **{kept[0]}**")
    if other_picked is not None:
        other_decoded, other_name, other_key = other_picked
    else:
        other_decoded, other_name = _sample_cached(other_sample, max_side), other_sample
        other_key = f"sample:{other_sample}"
    image = decoded.image
    other_key = f"{other_key}@{max_side}->{key}"
    other = _matched(other_key, other_decoded.image, int(image.shape[0]), int(image.shape[1]))

    return Choice(image=image, other=other, name=name, other_name=other_name, source=source,
                  notes=notes, key=key, other_key=other_key, sample=sample, errors=errors)


#: The caches keyed by an uploaded picture, cleared by ui.sessions when the server's last tab is gone
#: (the bundled samples' decodes stay).
IMAGE_CACHES = (_decode_cached, _matched)
