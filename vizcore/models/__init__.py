"""Trained models for Layer Lab's feature-map pages.

``vizcore.models.registry.available_models()`` lists every model the app can offer;
each is described by a :class:`vizcore.models.spec.ModelSpec`.
"""
from .spec import ModelSpec

__all__ = ["ModelSpec"]
