"""The Predictions view: a classifier's top classes and a Grad-CAM heat map for one of them.

The scores become probabilities in ``vizcore.features.as_probabilities`` (softmax only when
the last layer gives raw scores), the classes are named and ranked by the model's spec
(``ModelSpec.top_classes``), the heat map is ``vizcore.features.grad_cam`` laid over what
the model sees with ``vizcore.render.overlay``. This module only draws.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from vizcore import render
from vizcore.errors import ModelError

from . import state
from .model_subject import DETAIL_SIDE, Subject, layer_label
from .panels import PanelView, make_view, show_panel

__all__ = ["show_predictions", "TOP_K"]

TOP_K = 5


@st.cache_data(max_entries=8, show_spinner=False)
def _ranked(model_key: str, input_key: str, k: int, _output, _spec) -> tuple[list[tuple[str, float, int]], bool]:
    from vizcore import features

    probabilities, converted = features.as_probabilities(np.asarray(_output).reshape(-1))
    return _spec.top_classes(probabilities, k=k), converted


@st.cache_data(max_entries=32, show_spinner=False)
def _cam_view(model_key: str, input_key: str, class_index: int, class_name: str, layer: str,
              _model, _extractor, _batch, _seen) -> PanelView:
    from vizcore import features

    cam = features.grad_cam(_model, _batch, class_index=class_index, layer_name=layer, extractor=_extractor)
    over = render.overlay(render.enlarge(_seen, DETAIL_SIDE), cam, alpha=0.5, cmap="jet")
    return make_view(over, title=f"Grad-CAM for “{class_name}”",
                     caption=f"gradients of the class score weight the maps of {layer}",
                     explanation="Red marks where the evidence for this class is; blue where there is "
                                 "none. Computed from the maps of the chosen layer, weighted by how much "
                                 "each one raises the class score.")


def _class_choice(subject: Subject, top: list[tuple[str, float, int]], *, prefix: str, column) -> int:
    """The class to explain. It follows the top prediction whenever the input changes: a class
    the user picked belongs to the input it was picked for (else the map would explain a class
    the model no longer answers). The first run keeps a class restored from the URL."""
    options = [i for _, _, i in top]
    names = {i: label for label, _, i in top}
    seen_for = state.recall(f"{prefix}cls_input")
    if seen_for != subject.input_key:
        if seen_for is not None:
            state.remember(f"{prefix}cls", options[0], default=options[0])
        state.remember(f"{prefix}cls_input", subject.input_key, url=False)
    return column.selectbox(
        "Class for Grad-CAM", options, format_func=lambda i: names[i],
        help="Grad-CAM shows where in the picture the evidence for this class is.",
        **state.bind(f"{prefix}cls", options[0], choices=options, cast=int))


def show_predictions(subject: Subject, extractor, acts: dict, *, prefix: str) -> None:
    output = acts[extractor.layer_names[-1]]
    if output.ndim != 1:
        st.info("This model's output is not a list of class scores, so there is nothing to rank.")
        return
    n = output.shape[0]
    k = min(TOP_K, n)
    try:
        top, converted = _ranked(subject.key, subject.input_key, k, output, subject.spec)
    except ModelError as err:
        st.error(str(err))
        return
    st.markdown(f"**Top {k} of {n} classes**")
    if subject.spec.doubt is not None:
        from vizcore import features

        note = subject.spec.doubt(subject.batch, features.as_probabilities(np.asarray(output).reshape(-1))[0])
        if note:
            st.warning(note, icon=":material/help:")
    if converted:
        st.caption("The model's last layer gives raw scores (logits), not probabilities; they are shown "
                   "after a softmax.")
    st.dataframe(
        [{"class": label, "probability": p} for label, p, _ in top],
        hide_index=True, width="stretch",
        column_config={"probability": st.column_config.ProgressColumn(
            "probability", min_value=0.0, max_value=1.0, format="percent",
            help="The model's output for this class (softmax: all classes add up to 100 %).")})
    spatial = [name for name in extractor.layer_names if acts.get(name) is not None and acts[name].ndim == 3]
    if not spatial or not subject.spec.grad_cam:
        return
    cols = st.columns([2, 3])
    chosen = _class_choice(subject, top, prefix=prefix, column=cols[0])
    cam_layer = cols[1].selectbox(
        "Grad-CAM layer", spatial, format_func=lambda n: layer_label(extractor, n),
        help="The layer whose maps are weighted. The last convolution (default) balances detail "
             "and meaning; earlier layers give sharper but less class-specific maps.",
        **state.bind(f"{prefix}camlayer", extractor.default_cam_layer(), choices=spatial))
    name = next(label for label, _, i in top if i == chosen)
    try:
        view = _cam_view(subject.key, subject.input_key, int(chosen), name, cam_layer,
                         subject.model, extractor, subject.batch, subject.seen)
    except ModelError as err:
        st.error(str(err))
        return
    left, right = st.columns(2)
    with left:
        show_panel(make_view(render.enlarge(subject.seen, DETAIL_SIDE), title="What the model sees"),
                   title="What the model sees", key=f"{prefix}cam-input")
    with right:
        show_panel(view, title=view.title, key=f"{prefix}cam")
