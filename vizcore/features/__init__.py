"""What a trained model sees: activations of every layer, filters, patterns, predictions.

Everything a model page needs, for any Keras model (shipped or uploaded). What lives where:

* ``trace.py``: :func:`~.trace.trace_model` unfolds a model into its leaf layers (nested models
  included, "mobilenetv2_1.00_224/block_1_expand"), one :class:`~.trace.Node` per call.
* ``extract.py``: :func:`build_extractor` -> :class:`FeatureExtractor`: ONE multi-output
  ``keras.Model`` over every leaf layer, built once (cache it); ``extractor.activations(batch)``
  returns every layer's output from ONE forward pass.
* ``summary.py``: :func:`model_summary` -> :class:`Summary` of :class:`SummaryRow`: name, type,
  output shape, parameters, activation memory per image, receptive field; totals.
* ``filters.py``: :func:`layer_filters`, :func:`filters_grid` (what the kernels look like),
  :func:`strongest_maps`.
* ``patterns.py``: :func:`filter_pattern`, an input that excites one filter (gradient ascent,
  seeded, jittered; traced steps kept in a :class:`vizcore.cache.BoundedCache`).
* ``gradcam.py``: :func:`grad_cam`, where a classifier found the evidence for a class.
* ``predict.py``: :func:`softmax`, :func:`as_probabilities`, :func:`top_k`.

Re-exported from elsewhere so callers keep one import: :func:`feature_grid`, :func:`overlay`
(pictures of activations, from :mod:`vizcore.render`) and :func:`adapt_image` (fit a picture to
a model's input, from :mod:`vizcore.fitting`, which models import without this package).

May import: ``vizcore.errors``, ``render``, ``color``, ``fitting``, ``cache``, Keras and
TensorFlow (on first use). Never ``vizcore.layers``, ``sheet``, ``models``, ``ui`` or streamlit.
Inside the package: trace <- summary <- extract <- patterns, gradcam; filters and predict stand
alone. Images are (H, W, 3) float32 in [0, 1] as everywhere in vizcore. Errors a user can cause
are :class:`vizcore.ModelError` / :class:`vizcore.ImageError` naming what was received.
"""
from __future__ import annotations

from ..fitting import adapt_image
from ..render import feature_grid, overlay
from .extract import FeatureExtractor, build_extractor
from .filters import filters_grid, layer_filters, strongest_maps
from .gradcam import grad_cam
from .patterns import filter_pattern
from .predict import as_probabilities, softmax, top_k
from .summary import Summary, SummaryRow, model_summary

__all__ = [
    "SummaryRow",
    "Summary",
    "model_summary",
    "FeatureExtractor",
    "build_extractor",
    "feature_grid",
    "overlay",
    "strongest_maps",
    "layer_filters",
    "filters_grid",
    "filter_pattern",
    "top_k",
    "softmax",
    "as_probabilities",
    "grad_cam",
    "adapt_image",
]
