"""Trained models for Layer Lab's feature-map pages, each described by a ModelSpec.

What lives here: ``spec.py`` (:class:`ModelSpec`: how a picture becomes the model's input and
back, what kind of input it takes, which views apply, the model's own extra views),
``preprocessing.py`` (input conventions: 0…1, 0…255, and keras.applications' tf / torch /
caffe modes, with their inverses), ``registry.py`` (every shipped model's spec), one module
per shipped model (``hed``, ``digits``, ``seeds``, ``imagenet``) and ``upload.py`` (a user's
model file checked and loaded without running its code, and its spec).

May import: ``vizcore.fitting``, ``vizcore.color``, ``vizcore.render``, ``vizcore.images``,
``vizcore.cache``, ``vizcore.errors`` (and Keras). Never ``vizcore.features``, ``vizcore.sheet``
or streamlit; pages reach models only through ``ui/models.py``.
"""
from .preprocessing import CONVENTIONS, InputConvention, convention
from .spec import ExtraView, ModelSpec, Prepared, ViewPicture

__all__ = ["ModelSpec", "ExtraView", "ViewPicture", "Prepared", "InputConvention", "CONVENTIONS", "convention"]
