"""Trained models: what real, trained networks see in the chosen picture.

Storyboard: choose a model -> it loads once (cached) -> the picture is prepared as its spec
says -> one forward pass gives every layer's output -> the chosen view (the model's own views
such as HED's edges or the autoencoder's tiles, summary, feature maps, overview, filters,
patterns, predictions).
"""
from __future__ import annotations

import streamlit as st

from ui import model_views, models, state
from ui.model_inputs import drawn_input
from ui.panels import page_header
from ui.sidebar import image_choice
from vizcore.errors import ImageError, ModelError


def model_controls(specs: dict) -> str:
    keys = list(specs)
    status = {key: specs[key].available() for key in keys}

    def label(key: str) -> str:
        return specs[key].title + ("" if status[key][0] else " — not on this machine")

    default = models.DEFAULT_MODEL if models.DEFAULT_MODEL in keys else keys[0]
    return st.selectbox(
        "Model", keys, format_func=label,
        help="Trained networks shipped with Layer Lab (they work offline), the seeds' own "
             "architectures, and ImageNet classifiers when their weights are on this machine.",
        **state.bind("model", default, choices=keys))


def unavailable(spec, message: str) -> None:
    """Say how to get what the model misses; offer a download only when the spec has one."""
    st.warning(message, icon=":material/cloud_off:")
    if spec.fetch is None:
        return
    if st.button("Try to download the weights now", key=f"fetch-{spec.key}",
                 help="Downloads the file into the Keras cache (gives up after 20 s without an answer). "
                      "Needs internet on the machine that runs Layer Lab."):
        try:
            with st.spinner("Downloading…"):
                models.fetch(spec, timeout=20)
        except ModelError as err:
            st.error(str(err))
        else:
            st.success("Downloaded. Loading the model…")
            st.rerun()


choice = image_choice(second=False)
page_header(
    "Trained models",
    "Feature maps of **trained** networks: every layer's output for your picture, the kernels "
    "the network learned, pictures that excite one filter and, for classifiers, what it "
    "predicts and where it looked. Everything runs offline on this machine.",
    choice,
)
specs = models.all_specs()
spec = specs[model_controls(specs)]
st.caption(spec.description)
ok, how_to = spec.available()
if not ok:
    unavailable(spec, how_to)
    st.stop()

try:
    with st.spinner(f"Loading {spec.title} (once per server start)…"):
        model = models.load_model(spec.key)
    if spec.input_kind == "drawing":
        prepared, description = drawn_input(spec, choice)
    else:
        prepared, description = spec.prepare(choice.image), f"the sidebar picture “{choice.name}”"
except (ImageError, ModelError) as err:
    st.error(str(err))
    st.stop()

model_views.show_seen(spec, prepared, description)
model_views.show_model(
    spec, model, prepared, picture=choice.image, picture_key=choice.key,
    pattern_model=(lambda: models.pattern_model(spec.key)) if spec.pattern_model is not None else None)
