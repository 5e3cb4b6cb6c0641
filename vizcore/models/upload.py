"""The user's own trained model: read an uploaded .keras or legacy .h5 file safely.

A model file can carry Python code, and Keras's loader would run it. Layer Lab never executes
code from an uploaded file, so :func:`open_upload` (and :func:`load_user_model`) work in steps:

1. the operator's limits (:class:`UploadLimits`, from ``LAYERLAB_MAX_MODEL_MB`` and
   ``LAYERLAB_MODEL_MEMORY_MB``): the file's size, taken from the file system before a byte is
   read; an upload arriving as a stream is copied to a temporary file in 1 MB pieces
   (:func:`save_upload`) and refused as soon as it passes the limit;
2. the file's kind and its architecture JSON, read without loading and checked against what
   Keras itself defines (:mod:`vizcore.models.upload_check`): Lambda and other code-running
   layers, custom objects and modules outside Keras are refused;
3. only then ``keras.models.load_model(path, safe_mode=True, compile=False)``, every failure
   turned into :class:`vizcore.ModelError`;
4. the loaded model must take one image-like input ``(batch, height, width, 1 or 3)``.

:func:`check_memory` refuses a model whose weights plus every layer's output (the views keep
them all) pass the memory budget; :func:`suggest_convention` picks the input values the model
expects from its own first layers or its keras.applications name; :func:`spec_for_upload`
describes the loaded model as a :class:`ModelSpec`.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import ModelError
from .labels import choose_labels, labels_from_metadata
from .preprocessing import application_mode, convention
from .spec import ModelSpec
from .upload_check import check_config, file_size, human_size, read_config
from .upload_inputs import InputSuggestion, suggest_convention

__all__ = ["UploadLimits", "SavedUpload", "UserModel", "MAX_MODEL_BYTES", "ANY_SIZE_SIDE", "FITS", "CHUNK_BYTES",
           "ENV_MAX_MODEL_MB", "ENV_MODEL_MEMORY_MB", "check_config", "read_config", "save_upload", "open_upload",
           "load_user_model", "describe_input", "classifier_classes", "weight_bytes", "check_memory",
           "InputSuggestion", "suggest_convention", "application_mode", "spec_for_upload"]

#: Environment variables the operator sets (megabytes).
ENV_MAX_MODEL_MB = "LAYERLAB_MAX_MODEL_MB"
ENV_MODEL_MEMORY_MB = "LAYERLAB_MODEL_MEMORY_MB"
#: Defaults for a class server: ResNet50 / InceptionV3 / ConvNeXtTiny files (90-110 MB) pass,
#: VGG16 with its top (528 MB) needs LAYERLAB_MAX_MODEL_MB=600.
DEFAULT_MAX_MODEL_MB = 200
DEFAULT_MODEL_MEMORY_MB = 1024
MAX_MODEL_BYTES = DEFAULT_MAX_MODEL_MB * 1024 * 1024
#: Piece size used to copy an upload to disk.
CHUNK_BYTES = 1024 * 1024
#: Longer side a picture is brought down to for a model that takes any input size.
ANY_SIZE_SIDE = 256
#: How a picture is fitted to a fixed input size: cut to its aspect ratio first, or distorted.
FITS = ("crop", "stretch")


def _megabytes(environ, name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or not str(raw).strip():
        return default * 1024 * 1024
    try:
        value = float(raw)
    except ValueError:
        raise ModelError(f"{name} must be a number of megabytes, got {raw!r}") from None
    if not value > 0:
        raise ModelError(f"{name} must be more than 0 megabytes, got {raw!r}")
    return int(value * 1024 * 1024)


@dataclass(frozen=True)
class UploadLimits:
    """What the server accepts: largest model file and memory one model may need (bytes)."""

    max_file_bytes: int = DEFAULT_MAX_MODEL_MB * 1024 * 1024
    max_memory_bytes: int = DEFAULT_MODEL_MEMORY_MB * 1024 * 1024

    @classmethod
    def from_env(cls, environ=None) -> UploadLimits:
        """Limits from LAYERLAB_MAX_MODEL_MB and LAYERLAB_MODEL_MEMORY_MB (defaults 200 and 1024).

        Raises ModelError naming the variable when one is not a positive number.
        """
        environ = os.environ if environ is None else environ
        return cls(_megabytes(environ, ENV_MAX_MODEL_MB, DEFAULT_MAX_MODEL_MB),
                   _megabytes(environ, ENV_MODEL_MEMORY_MB, DEFAULT_MODEL_MEMORY_MB))

    @property
    def max_file_mb(self) -> int:
        """The file limit in whole megabytes, rounded up (for Streamlit's uploader)."""
        return -(-self.max_file_bytes // (1024 * 1024))


class SavedUpload(NamedTuple):
    """An upload copied to disk: path of the private copy, SHA-1 hex of its bytes, size in bytes."""

    path: Path
    sha1: str
    size: int


class UserModel(NamedTuple):
    """A checked, loaded model: the keras.Model, its file's class names (names, where) or None,
    the file's kind ("keras" or "h5") and size in bytes."""

    model: object
    file_labels: tuple[tuple[str, ...], str] | None
    kind: str
    size: int


def _too_large(name: str, size: int, limit: int) -> ModelError:
    return ModelError(f"{name} is {human_size(size)}; this server accepts model files up to "
                      f"{human_size(limit)} (the operator can raise it with {ENV_MAX_MODEL_MB}).")


def save_upload(stream, *, filename: str, limits: UploadLimits | None = None, folder=None) -> SavedUpload:
    """Copy a binary stream (e.g. Streamlit's UploadedFile) to a private temporary file.

    Reads ``CHUNK_BYTES`` at a time (never the whole file at once), hashing as it goes, and
    stops with ModelError as soon as the copy passes ``limits.max_file_bytes``; the partial
    file is removed. The caller owns (and deletes) the returned path.
    """
    limits = limits or UploadLimits.from_env()
    suffix = Path(filename).suffix.lower() if Path(filename).suffix.lower() in (".keras", ".h5") else ".bin"
    handle = tempfile.NamedTemporaryFile(prefix="layerlab_model_", suffix=suffix, dir=folder, delete=False)
    digest, size = hashlib.sha1(), 0
    try:
        with handle:
            if hasattr(stream, "seek"):
                stream.seek(0)
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limits.max_file_bytes:
                    raise _too_large(f"“{filename}”", size, limits.max_file_bytes)
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return SavedUpload(Path(handle.name), digest.hexdigest(), size)


def open_upload(source, *, filename: str, limits: UploadLimits | None = None,
                max_bytes: int | None = None) -> UserModel:
    """Check and load a model file safely; see the module docstring for the steps.

    source: a path to the file (read in pieces) or its bytes (written to a private temporary
    file first). limits: the server's limits (default: from the environment); max_bytes
    overrides the file limit. Returns a :class:`UserModel`. Raises ModelError, naming what was
    received, for: an empty or too large file, a file that is not a model, a damaged or
    truncated file, code-running / custom / non-Keras objects, weights larger than the memory
    budget, a model with several inputs or a non-image input.
    """
    limits = limits or UploadLimits.from_env()
    if max_bytes is not None:
        limits = UploadLimits(max_bytes, limits.max_memory_bytes)
    if not isinstance(source, (bytes, bytearray, memoryview, str, os.PathLike)):
        raise ModelError(f"expected a path or the file's bytes, got {type(source).__name__}")
    name = f"“{filename}”"
    size = file_size(source)
    if size == 0:
        raise ModelError(f"{name} is empty (0 bytes).")
    if size > limits.max_file_bytes:
        raise _too_large(name, size, limits.max_file_bytes)
    metadata: dict = {}
    kind, config = read_config(source, filename=name, metadata=metadata)
    check_config(config, filename=name)
    if size > limits.max_memory_bytes:  # the weights alone are about the file's size
        raise ModelError(f"{name} holds about {human_size(size)} of weights; this server lets one model use "
                         f"{human_size(limits.max_memory_bytes)} ({ENV_MODEL_MEMORY_MB}).")
    if isinstance(source, (bytes, bytearray, memoryview)):
        folder = tempfile.mkdtemp(prefix="layerlab_model_")
        path = Path(folder) / f"uploaded.{kind}"
        try:
            path.write_bytes(bytes(source))
            model = _load_checked(path, name=name)
        finally:
            path.unlink(missing_ok=True)
            os.rmdir(folder)
    else:
        model = _load_checked(Path(source), name=name)
    _check_input(model, name)
    return UserModel(model, labels_from_metadata(metadata), kind, size)


def load_user_model(source, *, filename: str, max_bytes: int | None = None, limits: UploadLimits | None = None):
    """The ``keras.Model`` of :func:`open_upload` (one image input (batch, H, W, 1 or 3))."""
    return open_upload(source, filename=filename, limits=limits, max_bytes=max_bytes).model


def _load_checked(path: Path, *, name: str):
    import keras

    suffix = path.suffix.lower()
    try:
        if suffix not in (".keras", ".h5"):  # Keras picks the format by the name: give it one
            with open(path, "rb") as handle:
                kind = "keras" if handle.read(2) == b"PK" else "h5"
            link = Path(tempfile.mkdtemp(prefix="layerlab_model_")) / f"uploaded.{kind}"
            os.symlink(path, link)
            try:
                model = keras.models.load_model(link, safe_mode=True, compile=False)
            finally:
                link.unlink()
                link.parent.rmdir()
        else:
            model = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # noqa: BLE001 - Keras raises many types; all become one message
        detail = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
        raise ModelError(f"Keras could not load {name}: {type(err).__name__}"
                         f"{': ' + detail if detail else ''}") from err
    if not isinstance(model, keras.Model):
        raise ModelError(f"{name} did not contain a Keras model (got {type(model).__name__}).")
    return model


def _check_input(model, name: str) -> None:
    inputs = list(getattr(model, "inputs", None) or [])
    if len(inputs) != 1:
        shapes = ", ".join(str(tuple(t.shape)) for t in inputs) or "none"
        raise ModelError(f"{name} has {len(inputs)} inputs ({shapes}); Layer Lab feeds one "
                         "image, so the model needs exactly one image input.")
    shape = tuple(inputs[0].shape)
    if len(shape) != 4:
        raise ModelError(f"{name} expects input of shape {shape}, which is not an image. "
                         "Layer Lab needs an input shaped (batch, height, width, channels).")
    if shape[-1] not in (1, 3):
        raise ModelError(f"{name} expects {shape[-1]} input channels (shape {shape}); "
                         "Layer Lab can feed 1 (grey) or 3 (RGB) channels.")


def describe_input(model) -> tuple[tuple[int, int] | None, int]:
    """((height, width) or None if any size works, channels) of the model's image input.

    Raises ModelError if the model does not have one (batch, H, W, 1|3) input.
    """
    _check_input(model, f"model {getattr(model, 'name', '?')!r}")
    _, height, width, channels = tuple(model.inputs[0].shape)
    size = (int(height), int(width)) if height is not None and width is not None else None
    return size, int(channels)


def classifier_classes(model) -> int | None:
    """Number of classes if the model's single output is (batch, K) with K >= 2, else None.

    Such an output is treated as class scores; the page shows top-K and Grad-CAM for it.
    """
    outputs = list(getattr(model, "outputs", None) or [])
    if len(outputs) != 1:
        return None
    shape = tuple(outputs[0].shape)
    if len(shape) == 2 and shape[1] is not None and shape[1] >= 2:
        return int(shape[1])
    return None


def weight_bytes(model) -> int:
    """Bytes of all the model's weights, each at its own dtype's size."""
    return int(sum(int(np.prod(w.shape)) * np.dtype(str(getattr(w.dtype, "name", w.dtype))).itemsize
                   for w in model.weights))


def check_memory(*, weights: int, activations: int, input_shape: tuple, limits: UploadLimits | None = None,
                 filename: str = "the model") -> int:
    """Memory (bytes) one model needs here: its weights plus every layer's output for one picture.

    weights: bytes of the weights (:func:`weight_bytes`); activations: bytes of all layers'
    outputs at ``input_shape`` (H, W, C) (a summary's ``activation_bytes``; the views keep every
    layer's maps). Raises ModelError saying both parts and the budget when the total passes
    ``limits.max_memory_bytes``; returns the total otherwise.
    """
    limits = limits or UploadLimits.from_env()
    total = int(weights) + int(activations)
    if total > limits.max_memory_bytes:
        size = "×".join(str(d) for d in input_shape)
        raise ModelError(
            f"“{filename}” needs about {human_size(total)} of memory to run on a {size} picture "
            f"(weights {human_size(int(weights))} + every layer's output {human_size(int(activations))}); "
            f"this server lets one model use {human_size(limits.max_memory_bytes)} "
            f"(the operator can raise it with {ENV_MODEL_MEMORY_MB}).")
    return total


def _any_size_target(shape: tuple[int, ...], side: int) -> tuple[int, int]:
    h, w = shape[:2]
    scale = min(1.0, side / max(h, w))
    return max(1, round(h * scale)), max(1, round(w * scale))


def spec_for_upload(model, *, key: str, filename: str, mode: str | None = None, fit: str = "crop",
                    any_size_side: int = ANY_SIZE_SIDE, labels: tuple[str, ...] | None = None,
                    file_labels: tuple[tuple[str, ...], str] | None = None) -> ModelSpec:
    """A :class:`ModelSpec` for a model loaded by :func:`load_user_model`.

    key: the cache key (e.g. "upload:<sha1 of the file>"); filename: shown as the title.
    mode: the input convention ("unit", "raw", "tf", "torch", "caffe"; see
    :mod:`vizcore.models.preprocessing`); None picks :func:`suggest_convention`'s. fit: "crop"
    or "stretch" for a fixed input size; a model taking any size gets the picture's own shape,
    its longer side at most ``any_size_side``. Classifiers (one (batch, K) output) are named by
    :func:`vizcore.models.labels.choose_labels` (labels the user gave, then the file's, then
    ImageNet's for 1000 classes, else "class 0" ... "class K-1").
    Raises ModelError for an unknown mode or fit, wrongly counted labels, or a model without
    one image input.
    """
    if fit not in FITS:
        raise ModelError(f"fit must be one of {FITS}, got {fit!r}")
    size, channels = describe_input(model)
    classes = classifier_classes(model)
    names, source = choose_labels(classes, given=labels, in_file=file_labels)
    chosen = convention(mode if mode is not None else suggest_convention(model).mode)

    def fit_picture(image: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
        from ..fitting import adapt_image

        target = size if size is not None else _any_size_target(np.shape(image), any_size_side)
        batch, notes = adapt_image(image, size=target, channels=channels, fit=fit)
        return batch, tuple(notes)

    if classes and names is None:
        names = tuple(f"class {i}" for i in range(classes))
    return ModelSpec(
        key=key,
        title=filename,
        description=f"Your model {getattr(model, 'name', '?')!r}, uploaded as {filename}."
                    + (f" Class names: {source}." if classes else ""),
        load=lambda: model,
        fit=fit_picture,
        convention=chosen,
        labels=names,
        input_size=size,
        channels=channels,
        tags=("upload",) + (("classifier",) if classes else ()),
    )
