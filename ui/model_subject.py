"""One model looking at one input (:class:`Subject`), and the caches every model view shares.

Caching (so changing a control recomputes only what changed):

* the one-pass feature extractor: ``st.cache_resource`` keyed by the model key;
* every layer's activations for one input: ``st.cache_resource`` keyed by model key + a
  SHA-1 of the batch's bytes. These arrays are large (VGG16 at 224x224: about 64 MB) and
  only read, so they are kept once rather than pickled and copied on every rerun as
  ``st.cache_data`` would; they are made read-only.

The views themselves live in ``ui.model_maps`` (maps, overview, filters, patterns) and
``ui.model_predictions`` (top classes, Grad-CAM); ``ui.model_views`` switches between them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import streamlit as st

from vizcore.models.spec import ModelSpec

__all__ = ["Subject", "batch_key", "extractor_for", "activations_for", "shape_text", "layer_label",
           "file_stem", "CMAPS", "DETAIL_SIDE", "GRID_WIDTH"]

CMAPS = ("viridis", "magma", "gray", "coolwarm", "jet")
#: Grids are drawn about this wide: maps are averaged down or enlarged by integer factors
#: (crisp, not blurred by the browser) so that their columns fill it.
GRID_WIDTH = 960
#: Single maps and overlays are drawn at least this large (integer enlargement).
DETAIL_SIDE = 320


@dataclass(frozen=True)
class Subject:
    """One model looking at one input.

    spec:    the model's ModelSpec (what applies, labels, value range, extra views).
    model:   the loaded keras.Model.
    batch:   (1, H, W, C) float32 exactly as the model takes it.
    seen:    RGB float32 (H, W, 3) in [0, 1]: what the batch shows, for overlays.
    picture: the whole RGB picture (H', W', 3) in [0, 1] before fitting, and its cache key
             (for extra views that run over the whole picture, e.g. tiles).
    pattern_model: optional () -> a smaller twin of the model for patterns (cached by the caller).
    """

    spec: ModelSpec
    model: object
    batch: np.ndarray
    seen: np.ndarray
    picture: np.ndarray | None = None
    picture_key: str = ""
    pattern_model: Callable[[], object] | None = None

    @property
    def key(self) -> str:
        """The model's stable id ("hed", "upload:<sha1>"): the cache key of the model."""
        return self.spec.key

    @property
    def input_key(self) -> str:
        return batch_key(self.batch)


def batch_key(batch: np.ndarray) -> str:
    """SHA-1 of a batch's shape and bytes: the cache key of one input."""
    arr = np.ascontiguousarray(batch, dtype=np.float32)
    digest = hashlib.sha1(str(arr.shape).encode())
    digest.update(arr.tobytes())
    return digest.hexdigest()


@st.cache_resource(max_entries=8, show_spinner=False)
def extractor_for(model_key: str, _model):
    """The one-pass extractor of a model (every layer's output from one forward pass)."""
    from vizcore import features

    return features.build_extractor(_model)


@st.cache_resource(max_entries=4, show_spinner=False)
def activations_for(model_key: str, input_key: str, _extractor, _batch) -> dict[str, np.ndarray]:
    """Every layer's output for one input (batch axis removed), read-only."""
    acts = _extractor.activations(_batch)
    out = {}
    for name, value in acts.items():
        arr = np.asarray(value)[0]
        arr.setflags(write=False)
        out[name] = arr
    return out


def shape_text(shape) -> str:
    """(32, 32, 16) -> "32 × 32 × 16" (None as "?")."""
    return " × ".join("?" if d is None else str(d) for d in shape)


def layer_label(extractor, name: str) -> str:
    """"name — Type, H × W × C" for a layer picker."""
    layer = extractor.layer(name)
    return f"{name} — {type(layer).__name__}, {shape_text(extractor.output_shape(name))}"


def file_stem(subject: Subject, *parts: str) -> str:
    """A download file name stem: model key (without the upload hash) and parts, '/' made '_'."""
    return "-".join([subject.key.split(":")[0], *(p.replace("/", "_") for p in parts)])
