"""The model pages' one way to the models: specs, cached loading, uploads, input preparation.

``pages/trained_models.py`` and ``pages/your_model.py`` never import ``vizcore.models``; they
call these functions and draw what comes back. Every model, shipped or uploaded, is described
by a :class:`vizcore.models.spec.ModelSpec`, so the pages ask the spec what applies.

Caching: specs and loaded models are ``st.cache_resource`` (one per server process; models
are large and only read); held-out examples are ``st.cache_data`` (small arrays); an extra
view computed from the whole picture (the autoencoder's tiles) is ``st.cache_resource`` keyed
by the model key + the picture's key. A cached function reads only its arguments.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from vizcore.errors import ModelError
from vizcore.models.preprocessing import CONVENTIONS
from vizcore.models.spec import ModelSpec, Prepared

__all__ = ["DEFAULT_MODEL", "UPLOAD_MODES", "MODE_LABELS", "all_specs", "load_model", "pattern_model",
           "examples", "fetch", "load_uploaded", "takes_fixed_size", "upload_spec", "extra_pictures",
           "ModelSpec", "Prepared"]

#: The model the trained-models page opens on.
DEFAULT_MODEL = "hed"
#: Input conventions a user can pick for an uploaded model, and how they read.
UPLOAD_MODES = tuple(CONVENTIONS)
MODE_LABELS = {name: c.label for name, c in CONVENTIONS.items()}


@st.cache_resource(show_spinner=False)
def all_specs() -> dict[str, ModelSpec]:
    """Every shipped model by key, in display order (available on this machine or not)."""
    from vizcore.models.registry import available_models

    return {spec.key: spec for spec in available_models()}


@st.cache_resource(max_entries=4, show_spinner=False)
def load_model(key: str):
    """The model of a shipped spec, loaded once per server process. Raises ModelError."""
    return all_specs()[key].load()


@st.cache_resource(max_entries=2, show_spinner=False)
def pattern_model(key: str):
    """The smaller twin a spec offers for patterns (e.g. HED at 96×96), loaded once."""
    make = all_specs()[key].pattern_model
    if make is None:
        raise ModelError(f"model {key!r} has no separate pattern model")
    return make()


@st.cache_data(max_entries=4, show_spinner=False)
def examples(key: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) held-out examples of a spec that takes drawings."""
    make = all_specs()[key].examples
    if make is None:
        raise ModelError(f"model {key!r} has no held-out examples")
    return make()


def fetch(spec: ModelSpec, *, timeout: float = 20.0) -> None:
    """Download what the spec is missing (only when the user asked). Raises ModelError."""
    if spec.fetch is None:
        raise ModelError(f"{spec.title} has nothing to download")
    spec.fetch(timeout)


@st.cache_resource(max_entries=3, show_spinner=False)
def load_uploaded(digest: str, _data: bytes, filename: str, max_bytes: int):
    """The checked, loaded model for these bytes (cached by their SHA-1). Raises ModelError."""
    from vizcore.models.upload import load_user_model

    return load_user_model(_data, filename=filename, max_bytes=max_bytes)


def takes_fixed_size(model) -> bool:
    """True when an uploaded model needs one input size (so the page offers crop or stretch)."""
    from vizcore.models.upload import describe_input

    return describe_input(model)[0] is not None


def upload_spec(model, *, digest: str, filename: str, mode: str, fit: str) -> ModelSpec:
    """The spec of an uploaded model with the user's input convention and fit."""
    from vizcore.models.upload import spec_for_upload

    return spec_for_upload(model, key=f"upload:{digest}", filename=filename, mode=mode, fit=fit)


@st.cache_resource(max_entries=8, show_spinner=False)
def extra_pictures(model_key: str, view: str, image_key: str, _spec: ModelSpec, _model, _image):
    """(caption, pictures) of an extra view computed from the model and the whole picture."""
    return _spec.extra_view(view).pictures(_model, _image)
