"""Trained models: what real, trained networks see in the chosen picture.

Storyboard: choose a model -> it loads once (cached) -> the picture is fitted to it -> one
forward pass gives every layer's output -> the chosen view (summary, feature maps, overview,
filters, patterns, predictions, and the model's own view: HED's edges, the autoencoder's tiles).
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from ui import model_views, state
from ui.panels import make_view, page_header, show_panel
from ui.sidebar import image_choice
from vizcore.errors import ImageError, ModelError

DEFAULT_MODEL = "hed"
HED_PATTERN_SIZE = 96  # HED is fully convolutional: patterns are found on a smaller twin
DIGIT_SOURCES = ("Draw", "Held-out digit", "Upload", "Sidebar image")


# ---------------------------------------------------------------------------- models

@st.cache_resource(show_spinner=False)
def all_specs() -> dict:
    """Every model the app offers, by key (available or not)."""
    from vizcore.models.registry import available_models

    specs = available_models()
    return {spec.key: spec for spec in specs}


@st.cache_resource(max_entries=4, show_spinner=False)
def load_model(key: str):
    """The trained model of ``key``, loaded once per server process."""
    return all_specs()[key].load()


@st.cache_resource(show_spinner=False)
def hed_pattern_model():
    from vizcore.models import hed

    return hed.hed_model(size=HED_PATTERN_SIZE)


def model_controls(specs: dict) -> str:
    keys = list(specs)
    status = {key: specs[key].available() for key in keys}

    def label(key: str) -> str:
        ok, _ = status[key]
        return specs[key].title + ("" if ok else " — not on this machine")

    default = DEFAULT_MODEL if DEFAULT_MODEL in keys else keys[0]
    return st.selectbox(
        "Model", keys, format_func=label,
        help="Trained networks shipped with Layer Lab (they work offline), the seeds' own "
             "architectures, and ImageNet classifiers when their weights are on this machine.",
        **state.bind("model", default, choices=keys))


def offer_download(key: str, message: str) -> None:
    """Say how to get a model's weights; try a download only when the user asks."""
    st.warning(message, icon=":material/cloud_off:")
    if st.button("Try to download the weights now", key=f"fetch-{key}",
                 help="Downloads the file into the Keras cache (gives up after 20 s without an answer). "
                      "Needs internet on the machine that runs Layer Lab."):
        from vizcore.models import imagenet

        try:
            with st.spinner("Downloading…"):
                imagenet.fetch_weights(key, timeout=20)
        except ModelError as err:
            st.error(str(err))
        else:
            st.success("Downloaded. Loading the model…")
            st.rerun()


# ---------------------------------------------------------------------------- inputs

@st.cache_data(show_spinner=False)
def held_out_digits() -> tuple[np.ndarray, np.ndarray]:
    from vizcore.models import digits

    _, _, x_test, y_test = digits.load_split()
    return x_test, y_test


def _grey_to_rgb(grey: np.ndarray, zoom: int = 1) -> np.ndarray:
    rgb = np.repeat(np.clip(grey, 0, 1), 3, axis=-1) if grey.shape[-1] == 1 else np.clip(grey, 0, 1)
    return np.repeat(np.repeat(rgb, zoom, axis=0), zoom, axis=1).astype(np.float32)


def digit_input(choice) -> tuple[np.ndarray, str] | None:
    """(batch (1, 32, 32, 1), description) of the digit the user drew, picked or uploaded."""
    from vizcore import images
    from vizcore.models import digits

    source = st.segmented_control(
        "Digit from", DIGIT_SOURCES, required=True,
        help="Draw a digit with the mouse or a finger, pick one of the 360 digits the model never "
             "saw in training, upload a photo of a digit, or use the sidebar's picture.",
        **state.bind("digit_src", "Draw", choices=DIGIT_SOURCES)) or "Draw"
    x_test, y_test = held_out_digits()
    fallback = None
    if source == "Draw":
        from streamlit_drawable_canvas import st_canvas

        st.markdown("Draw **one digit, 0–9**, large, in the black square. The model then gets the "
                    "same kind of input it learned from: your strokes are cropped, scaled to fill "
                    "the square and counted in an 8×8 grid, as in scikit-learn's digits data. Use "
                    "the bin icon above the square to start again. Write 7 with a bar across "
                    "its middle, as most writers in the data set did: a plain 7 is often read "
                    "as a 3 or a 2.")
        # The canvas's toolbar floats about 40 px above it: keep that band free so the toolbar
        # never covers the text or the "Digit from" buttons.
        st.space("medium")
        drawn = st_canvas(stroke_width=16, stroke_color="#ffffff", background_color="#000000",
                          height=224, width=224, drawing_mode="freedraw", return_image_data=True,
                          key="digit_canvas")
        pixels = drawn.image_data if drawn is not None else None
        if pixels is not None and np.asarray(pixels)[..., :3].max() > 10:
            rgb = np.asarray(pixels)[..., :3].astype(np.float32) / 255.0
            try:
                return digits.preprocess(rgb), "your drawing"
            except ImageError as err:
                st.error(str(err))
        fallback = "Nothing drawn yet: showing held-out digit 0 meanwhile."
    elif source == "Upload":
        upload = st.file_uploader("A picture of one digit", type=None, key="digit_upload",
                                  help="A photo or scan of one handwritten digit, dark on light or "
                                       "light on dark. It stays in this browser session.")
        if upload is not None:
            try:
                loaded = images.read_image(upload.getvalue(), max_side=512, name=upload.name)
                return digits.preprocess(loaded.image), f"“{upload.name}”"
            except ImageError as err:
                st.error(str(err))
        fallback = "No usable upload: showing held-out digit 0 meanwhile."
    elif source == "Sidebar image":
        try:
            return digits.preprocess(choice.image), f"the sidebar picture “{choice.name}”"
        except ImageError as err:
            st.error(f"{err} (the sidebar picture “{choice.name}” is not a digit)")
        fallback = "Showing held-out digit 0 instead."
    index = 0
    if source == "Held-out digit":
        index = st.slider("Held-out digit", 0, len(x_test) - 1,
                          help="Digits kept out of training (20 % of the data set, fixed split): "
                               "the model has never seen them.",
                          **state.bind("digit", 0, choices=range(len(x_test)), cast=int))
    if fallback:
        st.caption(fallback)
    return x_test[index][None], f"held-out digit #{index} (a {int(y_test[index])})"


# what the batch shows, as RGB in [0, 1] (undoing each model's input convention)
def _seen(key: str, batch: np.ndarray) -> np.ndarray:
    x = np.asarray(batch[0], dtype=np.float32)
    if key == "hed":
        from vizcore.models.hed import BGR_MEAN

        return np.clip((x + np.asarray(BGR_MEAN, np.float32))[..., ::-1] / 255.0, 0, 1)
    if key == "vgg16":
        return np.clip((x + np.asarray((103.939, 116.779, 123.68), np.float32))[..., ::-1] / 255.0, 0, 1)
    if key == "mobilenet_v2":
        return np.clip((x + 1.0) / 2.0, 0, 1)
    if key == "digits":
        return _grey_to_rgb(x, zoom=4)
    return _grey_to_rgb(x)


_PATTERN_RANGE = {"hed": ((-116.67, 138.33), True), "vgg16": ((-116.78, 138.22), True),
                  "mobilenet_v2": ((-1.0, 1.0), False)}


# ---------------------------------------------------------------------------- model-only views

def hed_edges_view(extractor, get_acts) -> None:
    acts = get_acts()
    names = ["side1", "side2", "side3", "side4", "side5", "fused_edges"]
    titles = {"fused_edges": "Fused edges (the output)"}
    st.caption("HED's answer, drawn as the paper does: dark = edge. Each side output reads the end "
               "of one VGG block, so it sees edges at a different scale (side 1: fine detail, "
               "side 5: only the big outlines); the last 1×1 convolution mixes the five into the "
               "fused edge map.")
    for start in (0, 3):
        cols = st.columns(3)
        for col, name in zip(cols, names[start:start + 3]):
            with col:
                edge = np.asarray(acts[name])[..., 0]
                show_panel(make_view(1.0 - edge, title=titles.get(name, name.replace("side", "Side output "))),
                           title=titles.get(name, name.replace("side", "Side output ")),
                           caption=f"edge probability, max {edge.max():.2f}", key=f"hed-{name}")


@st.cache_data(max_entries=8, show_spinner=False)
def _tiled(model_key: str, image_key: str, _model, _image) -> np.ndarray:
    from vizcore.models import seeds

    return np.clip(seeds.apply_tiled(_model, _image), 0.0, 1.0)


def tiles_view(model, choice):
    def draw(extractor, get_acts) -> None:
        with st.spinner("Running the autoencoder over every tile…"):
            out = _tiled("autoencoder", choice.key, model, choice.image)
        h, w = choice.image.shape[:2]
        st.caption(f"The picture is cut into 32×32 tiles that overlap: each predicts only its central "
                   f"16×16 (the cropping trick), so every output pixel had 8 pixels of context on each "
                   f"side and the {-(-h // 16) * -(-w // 16):,} tiles fit together without seams.")
        left, right = st.columns(2)
        with left:
            show_panel(choice.image, title="Input", caption=f"{w}×{h}", key="ae-in")
        with right:
            show_panel(out, title="Autoencoder output, tile by tile", caption="colour edges it learned to draw",
                       key="ae-out")
    return draw


# ---------------------------------------------------------------------------- page

choice = image_choice(second=False)
page_header(
    "Trained models",
    "Feature maps of **trained** networks: every layer's output for your picture, the kernels "
    "the network learned, pictures that excite one filter and, for classifiers, what it "
    "predicts and where it looked. Everything runs offline on this machine.",
    choice,
)
specs = all_specs()
key = model_controls(specs)
spec = specs[key]
st.caption(spec.description)
ok, how_to = spec.available()
if not ok:
    if key in _PATTERN_RANGE and key != "hed":
        offer_download(key, how_to)
    else:
        st.warning(how_to, icon=":material/cloud_off:")
    st.stop()

try:
    with st.spinner(f"Loading {spec.title} (once per server start)…"):
        model = load_model(key)
except ModelError as err:
    st.error(str(err))
    st.stop()

description = f"the sidebar picture “{choice.name}”"
try:
    if key == "digits":
        batch, description = digit_input(choice)
    else:
        batch = np.asarray(spec.preprocess(choice.image), dtype=np.float32)
except (ImageError, ModelError) as err:
    st.error(str(err))
    st.stop()

seen = _seen(key, batch)
value_range, bgr = _PATTERN_RANGE.get(key, ((0.0, 1.0), False))
extra_views: tuple[str, ...] = ()
extra: dict = {}
if key == "hed":
    extra_views, extra = ("Edges",), {"Edges": hed_edges_view}
elif key == "autoencoder":
    extra_views, extra = ("Tiles",), {"Tiles": tiles_view(model, choice)}

with st.expander(f"What the model sees: {description}, {batch.shape[2]}×{batch.shape[1]}×{batch.shape[3]}",
                 expanded=False):
    cols = st.columns([1, 3])
    cols[0].image(seen, width="stretch", clamp=True)
    cols[1].caption(
        f"The model takes {batch.shape[2]}×{batch.shape[1]} pixels with {batch.shape[3]} channel"
        f"{'s' if batch.shape[3] != 1 else ''}; the picture was resized (and for this model "
        "converted) to fit. Overlays below are drawn on this picture.")

subject = model_views.Subject(
    key=key, model=model, batch=batch, seen=seen, labels=spec.labels, decode=spec.decode,
    value_range=value_range, pattern_bgr=bgr, extra_views=extra_views,
    pattern_model=hed_pattern_model if key == "hed" else None,
)
model_views.show_views(subject, extra=extra)
