"""Every trained model Layer Lab can offer, as :class:`~vizcore.models.spec.ModelSpec` s.

    from vizcore.models.registry import available_models, get_model_spec
    for spec in available_models():
        ok, how = spec.available()

The list holds every model whether or not it can run on this machine (ImageNet weights may be
missing); each spec's ``available()`` says so, with a plain how-to. A model module that cannot
be imported (e.g. a missing optional package) is left out rather than breaking the app.
"""
from __future__ import annotations

import importlib

from ..errors import ModelError
from .spec import ModelSpec

__all__ = ["available_models", "get_model_spec", "model_keys"]

# (module, function returning one ModelSpec or a list of them), in display order
_SOURCES = (
    ("hed", "spec"),
    ("digits", "spec"),
    ("seeds", "specs"),
    ("imagenet", "specs"),
)


def available_models(*, only_ready: bool = False) -> list[ModelSpec]:
    """All offered models in display order: HED, digits, the seeds' models, ImageNet nets.

    only_ready: keep only those whose ``available()`` is True right now.
    Modules that fail to import (ImportError) are skipped.
    """
    specs: list[ModelSpec] = []
    for module_name, func_name in _SOURCES:
        try:
            module = importlib.import_module(f"{__package__}.{module_name}")
        except ImportError:
            continue
        made = getattr(module, func_name)()
        specs.extend(made if isinstance(made, (list, tuple)) else [made])
    if only_ready:
        specs = [s for s in specs if s.available()[0]]
    return specs


def model_keys() -> list[str]:
    """Keys of all offered models, in display order."""
    return [s.key for s in available_models()]


def get_model_spec(key: str) -> ModelSpec:
    """The spec with this key. Raises ModelError naming the known keys."""
    specs = available_models()
    for spec in specs:
        if spec.key == key:
            return spec
    raise ModelError(f"there is no model called {key!r}; choose one of: {', '.join(s.key for s in specs)}")
