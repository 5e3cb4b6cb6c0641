"""Errors a user can cause. Both are ValueErrors whose message a person understands."""

__all__ = ["ImageError", "ModelError"]


class ImageError(ValueError):
    """An image could not be read or used; the message says why and what was received."""


class ModelError(ValueError):
    """A model could not be loaded or used; the message says why and what was received."""
