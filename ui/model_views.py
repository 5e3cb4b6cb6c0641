"""What a trained model does to an image: the view switch both model pages end with.

``pages/trained_models.py`` (shipped models) and ``pages/your_model.py`` (an uploaded model)
both call :func:`show_model` with a model's spec, the loaded model and the prepared input:
it draws what the model sees, then a view switch over the model's own extra views (from its
spec: HED's edges, the autoencoder's tiles), the summary, feature maps, overview, filters,
patterns and, for classifiers, predictions. The views live in ``ui.model_maps`` and
``ui.model_predictions``; the shared :class:`~ui.model_subject.Subject` and its caches in
``ui.model_subject``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import streamlit as st

from vizcore import render
from vizcore.errors import ImageError, ModelError
from vizcore.models.spec import ModelSpec, Prepared

from . import models, state
from .model_maps import show_feature_maps, show_filters, show_overview, show_patterns
from .model_predictions import show_predictions
from .model_subject import CMAPS, Subject, activations_for, batch_key, extractor_for, shape_text
from .panels import make_view, show_panel

__all__ = ["Subject", "batch_key", "show_model", "show_views", "show_seen", "available_views",
           "summary_for_input", "VIEWS", "CMAPS"]

VIEWS = ("Summary", "Feature maps", "Overview", "Filters", "Patterns", "Predictions")
#: "What the model sees" is drawn at least this large (integer enlargement: pixels stay crisp).
SEEN_SIDE = 128


def summary_for_input(summary, acts: dict, input_shape: tuple):
    """A model that takes any size (HED) has "?" shapes in its summary: fill in this input's
    shapes (H, W, C) and float32 memory from its activations; other summaries are returned as they are."""
    if all(d is not None for d in summary.input_shape):
        return summary
    rows = tuple(replace(r, output_shape=tuple(acts[r.name].shape), activation_bytes=4 * int(acts[r.name].size))
                 if r.name in acts else r for r in summary.rows)
    return replace(summary, input_shape=tuple(input_shape), rows=rows)


def show_summary(subject: Subject, extractor, get_acts: Callable[[], dict]) -> None:
    summary = extractor.summary
    if not all(d is not None for d in summary.input_shape):
        summary = summary_for_input(summary, get_acts(), subject.batch.shape[1:])
        st.caption("This model takes pictures of any size (fully convolutional): the shapes below are "
                   "for this picture.")
    st.markdown(f"**{summary.model_name}** · input {shape_text(summary.input_shape)} · "
                f"{len(summary.rows)} layers · {summary.totals_text()} · activations "
                f"{summary.activation_bytes / 1024 / 1024:.1f} MiB per image")
    # Every row visible at once (no scroll inside the table): the rows are what the lesson
    # reads, e.g. the conv-pool block's 128 × 128 × 35 Concatenate near the end.
    # Short headers and set widths, so the columns fit a 1024×768 projector beside the sidebar
    # (per-layer trainable counts are left to the totals line above).
    text = st.column_config.TextColumn
    st.dataframe(summary.table(), hide_index=True, width="stretch", height="content",
                 column_order=("layer", "type", "output shape", "parameters", "activation memory", "receptive field"),
                 column_config={
                     "layer": text("layer", width=150),
                     "type": text("type", width=110),
                     "output shape": text("output", width=100),
                     "parameters": text("params", width=70),
                     "activation memory": text("memory", help="activation memory per image", width=65),
                     "receptive field": text("RF", help="receptive field: input pixels one position sees", width=55),
                 })
    st.caption("**Output shape**: height × width × maps after the layer (no batch axis). "
               "**Activation memory**: what the layer's output takes for one image (float32). "
               "**RF** (receptive field): how many input pixels one output position can see; it grows "
               "with every convolution and pooling, and is undefined (—) once the picture is flattened.")


def show_extra(subject: Subject, name: str, get_acts: Callable[[], dict], *, prefix: str) -> None:
    """One of the spec's extra views: its pictures in rows of ``columns``."""
    view = subject.spec.extra_view(name)
    if view.source == "activations":
        caption, pictures = view.pictures(get_acts())
    else:
        with st.spinner(view.busy or "Working…"):
            caption, pictures = models.extra_pictures(subject.key, name, subject.picture_key, subject.spec,
                                                      subject.model, subject.picture)
    st.caption(caption)
    for start in range(0, len(pictures), view.columns):
        cols = st.columns(view.columns)
        for col, (number, picture) in zip(cols, enumerate(pictures[start:start + view.columns], start=start)):
            with col:
                show_panel(make_view(picture.image, title=picture.title), title=picture.title,
                           caption=picture.caption, key=f"{prefix}{name.lower()}-{number}")


def available_views(subject: Subject, extractor) -> tuple[str, ...]:
    """The spec's extra views, then the views that apply to this model."""
    views = ["Summary", "Feature maps", "Overview", "Filters"]
    if subject.spec.patterns:
        views.append("Patterns")
    last = extractor.output_shape(extractor.layer_names[-1])
    if len(last) == 1 and (last[0] or 0) >= 2:
        views.append("Predictions")
    return subject.spec.extra_view_names + tuple(views)


def show_views(subject: Subject, *, prefix: str = "") -> None:
    """The view switch and the chosen view for ``subject``. Errors become st.error."""
    try:
        with st.spinner("Preparing the model's layers…"):
            extractor = extractor_for(subject.key, subject.model)
        views = available_views(subject, extractor)
        default = views[0] if subject.spec.extra_views else "Feature maps"
        view = st.segmented_control(
            "View", views, required=True, wrap=True,
            help="Summary: the layer table. Feature maps: every map of one layer. Overview: the "
                 "strongest maps of every layer. Filters: the learned kernels. Patterns: pictures "
                 "that excite one filter. Predictions: top classes and Grad-CAM.",
            **state.bind(f"{prefix}view", default, choices=views)) or default

        def get_acts() -> dict:
            return activations_for(subject.key, subject.input_key, extractor, subject.batch)

        if view in subject.spec.extra_view_names:
            show_extra(subject, view, get_acts, prefix=prefix)
        elif view == "Summary":
            show_summary(subject, extractor, get_acts)
        elif view == "Filters":
            show_filters(subject, extractor, prefix=prefix)
        elif view == "Patterns":
            show_patterns(subject, extractor, prefix=prefix)
        else:
            with st.spinner("Running the model (one pass through every layer)…"):
                acts = get_acts()
            if view == "Overview":
                show_overview(subject, extractor, acts, prefix=prefix)
            elif view == "Predictions":
                show_predictions(subject, extractor, acts, prefix=prefix)
            else:
                show_feature_maps(subject, extractor, acts, prefix=prefix)
    except (ModelError, ImageError) as err:
        st.error(str(err))


def show_seen(spec: ModelSpec, prepared: Prepared, description: str) -> None:
    """An expander with what the model sees (the batch drawn back as a picture) and how it got there."""
    _, h, w, c = prepared.batch.shape
    with st.expander(f"What the model sees: {description}, {w}×{h}×{c}", expanded=False):
        cols = st.columns([1, 3])
        cols[0].image(render.enlarge(prepared.seen, SEEN_SIDE), width="stretch", clamp=True)
        done = "; ".join(prepared.notes) if prepared.notes else "nothing: the picture already fits"
        cols[1].caption(
            f"The model takes {w}×{h} pixels with {c} channel{'s' if c != 1 else ''} "
            f"({spec.convention.channel_order if c == 3 else 'grey'}, values "
            f"{spec.value_range[0]:.4g}…{spec.value_range[1]:.4g}). What was done to the picture: {done}. "
            "Overlays below are drawn on this picture.")


def show_model(spec: ModelSpec, model, prepared: Prepared, *, picture=None, picture_key: str = "",
               pattern_model: Callable[[], object] | None = None, prefix: str = "") -> None:
    """Every view of ``model`` for one prepared input (the end of both model pages)."""
    subject = Subject(spec=spec, model=model, batch=prepared.batch, seen=prepared.seen, picture=picture,
                      picture_key=picture_key, pattern_model=pattern_model)
    show_views(subject, prefix=prefix)
