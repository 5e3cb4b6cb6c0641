"""Which input values an uploaded model expects, decided from the model itself.

:func:`suggest_convention` looks, in order, at:

1. the model's first layers (nested models entered, augmentation layers that do nothing at
   inference skipped): a ``Rescaling`` / ``Normalization`` chain says what it does to its input;
   its scale and offset (mean and variance read from the loaded layer, so adapted statistics
   count) are composed, and 0…255 is chosen when 0…255 pixels come out of the chain spanning
   at most ~16 (e.g. Rescaling(1/255) -> 0…1; ConvNeXt's mean/std -> about -2…2.6);
2. operations applied to the input before a nested model (as ``preprocess_input`` called
   inside a model does): the model converts 0…255 pixels itself;
3. the name Keras gives a keras.applications model, the model's or a nested base's
   (:data:`vizcore.models.preprocessing.APPLICATION_MODES`);
4. otherwise 0…1, what most hand-trained models use.

Each answer comes with a sentence the page shows ("Input values 0…255: the model starts with
Rescaling(1/255).").
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .preprocessing import CONVENTIONS, application_mode

__all__ = ["InputSuggestion", "suggest_convention", "RAW_SPAN_LIMIT"]

#: Largest spread 0…255 pixels may have after the model's first affine layers for "raw" (0…255)
#: to be chosen; 255 / 16 ≈ 1/16 sits between 1/255 (pixels expected 0…255) and 1 (0…1).
RAW_SPAN_LIMIT = 16.0
#: Layers that pass values unchanged at inference (data augmentation, shape-only layers).
_PASS_THROUGH = ("InputLayer", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                 "RandomContrast", "RandomBrightness", "RandomCrop", "RandomHeight", "RandomWidth",
                 "RandomGrayscale", "RandomHue", "RandomSaturation", "RandomSharpness", "RandomShear",
                 "RandomColorJitter", "RandomPosterization", "RandomErasing", "RandomGaussianBlur",
                 "RandomElasticTransform", "RandomPerspective", "RandomInvert", "RandAugment", "AugMix",
                 "Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout2D",
                 "Resizing", "CenterCrop", "Activation:linear")


class InputSuggestion(NamedTuple):
    """mode: a convention name ("unit", "raw", "tf", "torch", "caffe"); reason: one sentence."""

    mode: str
    reason: str


def _fmt(values: np.ndarray) -> str:
    vals = np.unique(np.round(values.reshape(-1), 4))
    return f"{vals[0]:g}" if vals.size == 1 else ", ".join(f"{v:.4g}" for v in values.reshape(-1))


def _scale_text(scale: np.ndarray, offset: np.ndarray) -> str:
    s = np.unique(np.round(scale.reshape(-1), 8))
    if s.size == 1 and s[0] != 0 and abs(1 / s[0] - round(1 / s[0], 1)) < 1e-3 and abs(1 / s[0]) > 1:
        text = f"1/{1 / s[0]:g}"
    else:
        text = _fmt(scale)
    if np.any(offset != 0):
        text += f", offset {_fmt(offset)}"
    return f"Rescaling({text})"


def _kind(layer) -> str:
    name = type(layer).__name__
    if name == "Activation" and getattr(layer, "get_config", None):
        try:
            if layer.get_config().get("activation") == "linear":
                return "Activation:linear"
        except Exception:  # noqa: BLE001 - an odd layer simply ends the walk
            return name
    return name


def _is_model(layer) -> bool:
    import keras

    return isinstance(layer, keras.Model)


def _leading(model, steps: list, found: dict, depth: int = 0) -> bool:
    """Walk the model's first operations; fill ``steps`` with (text, scale, offset) and ``found``
    with nested model names and whether plain ops came first. Returns True to keep walking."""
    import keras

    operations = list(getattr(model, "operations", None) or getattr(model, "layers", []))
    for op in operations:
        kind = _kind(op)
        if kind in _PASS_THROUGH:
            continue
        if _is_model(op):
            found.setdefault("models", []).append(op.name)
            if depth < 4 and _leading(op, steps, found, depth + 1):
                continue
            return False
        if kind == "Rescaling":
            cfg = op.get_config()
            scale = np.asarray(cfg.get("scale", 1.0), np.float64).reshape(-1)
            offset = np.asarray(cfg.get("offset", 0.0), np.float64).reshape(-1)
            steps.append((_scale_text(scale, offset), scale, offset))
            continue
        if kind == "Normalization" and not op.get_config().get("invert", False):
            try:
                mean = np.asarray(op.mean, np.float64).reshape(-1)
                std = np.sqrt(np.maximum(np.asarray(op.variance, np.float64).reshape(-1), 1e-12))
            except Exception:  # noqa: BLE001 - not built / no statistics: stop here
                return False
            steps.append((f"Normalization(mean {_fmt(mean)}; std {_fmt(std)})", 1 / std, -mean / std))
            continue
        if not isinstance(op, keras.layers.Layer):  # ops such as preprocess_input's arithmetic
            found["ops_first"] = True
            found.setdefault("models", []).extend(o.name for o in operations if _is_model(o))
        return False
    return True


def suggest_convention(model) -> InputSuggestion:
    """The input convention a loaded Keras model most likely expects, and why (see module doc).

    Never raises for an odd model: anything it cannot read gives the 0…1 default.
    """
    steps: list = []
    found: dict = {}
    try:
        _leading(model, steps, found)
    except Exception:  # noqa: BLE001 - a model we cannot walk gets the plain default
        steps, found = [], {}
    if steps:
        scale, offset = np.ones(1), np.zeros(1)
        for _, s, o in steps:
            scale, offset = scale * s, offset * s + o
        mode = "raw" if float(np.max(np.abs(scale))) * 255.0 <= RAW_SPAN_LIMIT else "unit"
        lo = np.minimum(offset, offset + scale * (255.0 if mode == "raw" else 1.0))
        hi = np.maximum(offset, offset + scale * (255.0 if mode == "raw" else 1.0))
        chain = " then ".join(text for text, _, _ in steps)
        return InputSuggestion(mode, f"Input values “{CONVENTIONS[mode].label}”: the model starts with {chain}, "
                                     f"which turns them into about {lo.min():.3g}…{hi.max():.3g}.")
    names = [getattr(model, "name", "")] + found.get("models", [])
    bases = [name for name in found.get("models", []) if application_mode(name) is not None]
    if found.get("ops_first") and bases:
        return InputSuggestion("raw", "Input values 0…255: the model converts its input with operations "
                                      f"(as keras.applications' preprocess_input does) before its base {bases[0]!r}.")
    for name in names:
        known = application_mode(name)
        if known is not None:
            arch, mode, why = known
            whose = "the model" if name == names[0] else f"its base {name!r}"
            return InputSuggestion(mode, f"Input values “{CONVENTIONS[mode].label}”: {whose} is keras.applications "
                                         f"{arch} (named {name!r}); {why}.")
    return InputSuggestion("unit", "Input values 0…1 (pixels / 255), what most hand-trained models use: the "
                                   "model has no Rescaling or Normalization layer at its start and no "
                                   "keras.applications name. Change it if your model was trained otherwise.")
