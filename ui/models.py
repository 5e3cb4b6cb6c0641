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

import weakref
from pathlib import Path
from typing import NamedTuple

import numpy as np
import streamlit as st

from vizcore.errors import ModelError
from vizcore.models.preprocessing import CONVENTIONS
from vizcore.models.spec import ModelSpec, Prepared

__all__ = ["DEFAULT_MODEL", "UPLOAD_MODES", "MODE_LABELS", "all_specs", "load_model", "pattern_model",
           "examples", "fetch", "KeptModel", "LoadedUpload", "upload_limits", "server_upload_mb", "keep_upload",
           "load_uploaded", "takes_fixed_size", "suggest_mode", "class_names_from_text", "label_source", "upload_spec",
           "extra_pictures", "ModelSpec", "Prepared"]

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


def upload_limits():
    """The operator's limits (LAYERLAB_MAX_MODEL_MB, LAYERLAB_MODEL_MEMORY_MB). Raises ModelError."""
    from vizcore.models.upload import UploadLimits

    return UploadLimits.from_env()


def server_upload_mb() -> int:
    """Streamlit's own upload limit (server.maxUploadSize, MB): no upload can be larger."""
    return int(st.get_option("server.maxUploadSize"))


class KeptModel:
    """An uploaded model file kept on disk for this session: name, path, sha1, size (bytes).

    The private copy is deleted when the object is forgotten (session ends, another upload,
    "Forget"), so a session holds a path, never the file's bytes.
    """

    def __init__(self, name: str, path: Path, sha1: str, size: int):
        self.name, self.path, self.sha1, self.size = name, Path(path), sha1, size
        self._remove = weakref.finalize(self, Path(path).unlink, missing_ok=True)


def keep_upload(uploaded, *, limits) -> KeptModel:
    """Copy an UploadedFile (or any binary stream with ``.name``) to disk in 1 MB pieces.

    Raises ModelError when it passes ``limits.max_file_bytes`` (nothing is kept then).
    """
    from vizcore.models.upload import save_upload

    saved = save_upload(uploaded, filename=uploaded.name, limits=limits)
    return KeptModel(uploaded.name, saved.path, saved.sha1, saved.size)


class LoadedUpload(NamedTuple):
    """A checked upload: the model, the class names its file holds (names, where) or None,
    and the memory it needs here (bytes: weights + every layer's output for one picture)."""

    model: object
    file_labels: tuple | None
    memory: int


def load_uploaded(digest: str, path: str, filename: str, limits) -> LoadedUpload:
    """The checked, loaded model of the file at ``path`` (cached by its SHA-1 and the limits),
    refused when it would need more memory than the server's budget (estimated from its summary
    at the input size it will get). Raises ModelError."""
    return _load_uploaded(digest, path, filename, limits.max_file_bytes, limits.max_memory_bytes)


@st.cache_resource(max_entries=3, show_spinner=False)
def _load_uploaded(digest: str, _path: str, filename: str, max_file: int, max_memory: int) -> LoadedUpload:
    from vizcore.features import model_summary
    from vizcore.models.upload import (
        ANY_SIZE_SIDE,
        UploadLimits,
        check_memory,
        describe_input,
        open_upload,
        weight_bytes,
    )

    _limits = UploadLimits(max_file, max_memory)

    opened = open_upload(_path, filename=filename, limits=_limits)
    size, channels = describe_input(opened.model)
    shape = (*(size or (ANY_SIZE_SIDE, ANY_SIZE_SIDE)), channels)
    try:
        activations = model_summary(opened.model, input_shape=shape).activation_bytes
    except ModelError:  # a model the summary cannot unfold: its weights alone are checked
        activations = 0
    memory = check_memory(weights=weight_bytes(opened.model), activations=activations,
                          input_shape=shape, limits=_limits, filename=filename)
    return LoadedUpload(opened.model, opened.file_labels, memory)


def takes_fixed_size(model) -> bool:
    """True when an uploaded model needs one input size (so the page offers crop or stretch)."""
    from vizcore.models.upload import describe_input

    return describe_input(model)[0] is not None


def suggest_mode(model) -> tuple[str, str]:
    """(input convention name, the reason in one sentence) read from the model itself."""
    from vizcore.models.upload import suggest_convention

    return tuple(suggest_convention(model))


def class_names_from_text(text, *, source: str) -> tuple[str, ...]:
    """Names from a pasted or uploaded labels text (one per line or a JSON list). Raises ModelError."""
    from vizcore.models.labels import parse_labels

    return parse_labels(text, source=source)


def label_source(classes: int, file_labels=None) -> str:
    """Where an uploaded classifier's default class names come from, in words."""
    from vizcore.models.labels import choose_labels

    return choose_labels(classes, in_file=file_labels)[1]


def upload_spec(model, *, digest: str, filename: str, mode: str, fit: str, labels=None,
                file_labels=None) -> ModelSpec:
    """The spec of an uploaded model with the user's input convention, fit and class names."""
    import hashlib
    import json

    from vizcore.models.upload import spec_for_upload

    key = f"upload:{digest}"
    if labels is not None:  # other names, other cached predictions
        key += ":names-" + hashlib.sha1(json.dumps(list(labels)).encode()).hexdigest()[:10]
    return spec_for_upload(model, key=key, filename=filename, mode=mode, fit=fit,
                           labels=labels, file_labels=file_labels)


@st.cache_resource(max_entries=8, show_spinner=False)
def extra_pictures(model_key: str, view: str, image_key: str, _spec: ModelSpec, _model, _image):
    """(caption, pictures) of an extra view computed from the model and the whole picture."""
    return _spec.extra_view(view).pictures(_model, _image)
