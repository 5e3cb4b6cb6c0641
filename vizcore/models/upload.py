"""The user's own trained model: read an uploaded .keras or legacy .h5 file safely.

A model file can carry Python code: a ``Lambda`` layer stores its function as bytecode, a
custom layer names a Python module to import, and Keras's loader would run either. Layer Lab
never executes code from an uploaded file, so :func:`load_user_model` checks in layers:

1. size limit, then the file's first bytes: a ``.keras`` file is a zip, an ``.h5`` is HDF5;
2. the model's architecture (``config.json`` inside the zip, the ``model_config`` attribute of
   the HDF5 file) is read as plain JSON and walked BEFORE Keras sees the file. Refused:
   ``Lambda`` layers and serialized functions (code), objects from any Python module outside
   Keras, custom / registered objects, and class names that are not standard Keras objects;
3. only then ``keras.models.load_model(..., safe_mode=True, compile=False)`` on a private
   temporary copy, with every failure turned into :class:`vizcore.ModelError`;
4. the loaded model must take one image-like input ``(batch, height, width, 1 or 3)``.

:func:`spec_for_upload` then describes the loaded model as a :class:`ModelSpec`, so the page
shows it exactly as it shows a shipped model.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .preprocessing import convention
from .spec import ModelSpec

__all__ = ["MAX_MODEL_BYTES", "ANY_SIZE_SIDE", "FITS", "check_config", "read_config", "load_user_model",
           "describe_input", "classifier_classes", "spec_for_upload"]

#: Default largest upload accepted (bytes): fits MobileNet/ResNet-sized transfer models.
MAX_MODEL_BYTES = 200 * 1024 * 1024
#: Longer side a picture is brought down to for a model that takes any input size.
ANY_SIZE_SIDE = 256
#: How a picture is fitted to a fixed input size: cut to its aspect ratio first, or distorted.
FITS = ("crop", "stretch")
#: Largest architecture description read from a file (bytes of JSON).
_MAX_CONFIG_BYTES = 32 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
#: Serialized values Keras writes inside configs that are data, not code.
_DATA_CLASSES = {"__keras_tensor__", "__numpy__", "__tensor__", "__bytes__", "__typespec__",
                 "__ellipsis__", "__slice__", "__tuple__", "__dtype__", "__shape__"}
#: Class names that hold or look up Python code.
_CODE_CLASSES = {"Lambda", "__lambda__", "TFOpLambda", "SlicingOpLambda", "TensorFlowOpLayer"}
#: Model containers Keras itself writes.
_MODEL_CLASSES = {"Functional", "Sequential", "Model"}


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _public_keras_names() -> set[str]:
    import keras

    names: set[str] = set(_MODEL_CLASSES)
    for namespace in (keras, keras.layers, keras.initializers, keras.regularizers,
                      keras.constraints, keras.optimizers, keras.optimizers.schedules,
                      keras.losses, keras.metrics, keras.models, keras.dtype_policies,
                      keras.quantizers):
        names.update(n for n in dir(namespace) if n[:1].isupper())
    return names


def check_config(config: object, *, filename: str = "the file") -> None:
    """Refuse a model architecture (parsed JSON) that would run or import code on load.

    Walks every nested ``{"class_name": ..., "config": ...}`` object. Raises ModelError
    naming the first offending layer or object for: a ``Lambda`` layer or serialized Python
    function, a ``module`` outside Keras, a custom (registered) object, or a class name that
    is not a standard public Keras object. Returns None when the description is clean.
    """
    known = _public_keras_names()
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        class_name = node.get("class_name")
        if not isinstance(class_name, str):
            continue
        inner = node.get("config")
        where = ""
        if isinstance(inner, dict) and isinstance(inner.get("name"), str):
            where = f" (layer {inner['name']!r})"
        module = node.get("module")
        registered = node.get("registered_name")
        if class_name in _CODE_CLASSES:
            raise ModelError(
                f"{filename} contains a {class_name} layer{where}, which stores Python code. "
                "Layer Lab never runs code from an uploaded file, so it cannot load this model. "
                "Replace the Lambda with standard Keras layers and save it again.")
        if class_name in _DATA_CLASSES:
            continue
        if module is not None and not (isinstance(module, str)
                                       and (module == "keras" or module.startswith("keras."))):
            raise ModelError(
                f"{filename} asks to import the Python module {module!r} for {class_name}{where}. "
                "Only objects from Keras itself are allowed; code from the file is never run.")
        if class_name == "function":
            if not (isinstance(module, str) and module.startswith("keras.")
                    and isinstance(inner, str) and inner.isidentifier()):
                raise ModelError(f"{filename} refers to a function {inner!r} outside Keras; "
                                 "only standard Keras functions are allowed.")
            continue
        if registered not in (None, class_name) or ">" in class_name:
            label = registered if registered not in (None, class_name) else class_name
            raise ModelError(
                f"{filename} uses the custom object {label!r}{where}, defined by Python code that "
                "is not in the file. Layer Lab only loads models built from standard Keras layers.")
        if class_name.startswith("__") or class_name not in known:
            raise ModelError(
                f"{filename} uses {class_name!r}{where}, which is not a standard Keras layer "
                "(it may be a custom layer or from an older, incompatible Keras). Layer Lab "
                "only loads models built from standard Keras layers.")


def _kind(data: bytes) -> str | None:
    """"keras" for a zip, "h5" for HDF5, None for anything else (by the first bytes)."""
    if data.startswith(_ZIP_MAGIC):
        return "keras"
    if data.startswith(_HDF5_MAGIC):
        return "h5"
    return None


def _not_a_model(data: bytes, filename: str) -> str:
    head = data[:512]
    if head and all(32 <= b < 127 or b in b"\t\r\n" for b in head):
        what = "a text file"
    elif head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8"):
        what = "an image"
    else:
        what = "neither a zip (.keras) nor an HDF5 (.h5) file"
    return f"{filename} is not a Keras model: it looks like {what}. Upload a model saved with " \
           "model.save('name.keras') (or a legacy .h5 file)."


def read_config(data: bytes, *, filename: str = "the file") -> tuple[str, dict]:
    """The format ("keras" or "h5") and architecture JSON of a model file, without loading it.

    Reads ``config.json`` from a .keras zip or the ``model_config`` attribute of an HDF5
    file; nothing in the file is executed. Raises ModelError for anything that is not a
    readable Keras model file (text, random bytes, a zip without a model, a truncated file,
    weights without an architecture).
    """
    kind = _kind(data)
    if kind is None:
        raise ModelError(_not_a_model(data, filename))
    if kind == "keras":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as err:
            raise ModelError(f"{filename} is a damaged or incomplete .keras (zip) file "
                             f"({err}); was the download or upload cut short?") from err
        names = [info.filename for info in infos]
        if len(names) != len(set(names)):
            raise ModelError(f"{filename} is a zip with repeated entries; not a Keras model file.")
        if "config.json" not in names:
            shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
            raise ModelError(f"{filename} is a zip archive but not a Keras model: it has no "
                             f"config.json (it holds: {shown or 'nothing'}).")
        if "model.weights.h5" not in names:
            raise ModelError(f"{filename} has a model description but no weights "
                             "(model.weights.h5 is missing from the archive).")
        total = sum(info.file_size for info in infos)
        if total > 4 * max(len(data), 1) + _MAX_CONFIG_BYTES:
            raise ModelError(f"{filename} unpacks to {_human(total)}, far more than its size; "
                             "refused.")
        info = archive.getinfo("config.json")
        if info.file_size > _MAX_CONFIG_BYTES:
            raise ModelError(f"{filename}: the model description is {_human(info.file_size)}, "
                             "too large.")
        try:
            text = archive.read("config.json")
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
            raise ModelError(f"{filename} is a damaged .keras file ({err}).") from err
    else:
        import h5py

        try:
            with h5py.File(io.BytesIO(data), "r") as handle:
                text = handle.attrs.get("model_config")
        except Exception as err:  # noqa: BLE001 - h5py raises OSError/KeyError/... on bad files
            raise ModelError(f"{filename} is a damaged or incomplete HDF5 (.h5) file: {err}") from err
        if text is None:
            raise ModelError(f"{filename} holds only weights, not a model: it has no model "
                             "architecture. Save the whole model with model.save('name.keras').")
        if len(text) > _MAX_CONFIG_BYTES:
            raise ModelError(f"{filename}: the model description is too large.")
    try:
        config = json.loads(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelError(f"{filename}: the model description is not valid JSON ({err}).") from err
    if not isinstance(config, dict) or "class_name" not in config:
        raise ModelError(f"{filename}: the model description has no model in it.")
    return kind, config


def load_user_model(data: bytes, *, filename: str, max_bytes: int = MAX_MODEL_BYTES):
    """Load an uploaded model file safely and check it can take an image.

    data: the file's bytes; filename: its name (for messages); max_bytes: size limit.
    Returns a ``keras.Model`` with exactly one input of shape (batch, H, W, 1 or 3) (H and W
    may be None). No code from the file is ever run: see the module docstring.
    Raises ModelError, with a message naming what was received, for: an empty or too large
    file, a file that is not a model, a damaged or truncated file, Lambda layers / custom or
    unknown objects / non-Keras modules, a model with several inputs or a non-image input.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ModelError(f"expected the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    name = f"“{filename}”"
    if not data:
        raise ModelError(f"{name} is empty (0 bytes).")
    if len(data) > max_bytes:
        raise ModelError(f"{name} is {_human(len(data))}; the limit is {_human(max_bytes)}.")
    kind, config = read_config(data, filename=name)
    check_config(config, filename=name)
    model = _load_checked(data, kind=kind, name=name)
    _check_input(model, name)
    return model


def _load_checked(data: bytes, *, kind: str, name: str):
    import keras

    suffix = ".keras" if kind == "keras" else ".h5"
    folder = tempfile.mkdtemp(prefix="layerlab_model_")
    path = Path(folder) / f"uploaded{suffix}"
    try:
        path.write_bytes(data)
        try:
            model = keras.models.load_model(path, safe_mode=True, compile=False)
        except Exception as err:  # noqa: BLE001 - Keras raises many types; all become one message
            detail = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
            raise ModelError(f"Keras could not load {name}: {type(err).__name__}"
                             f"{': ' + detail if detail else ''}") from err
    finally:
        path.unlink(missing_ok=True)
        os.rmdir(folder)
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



def _any_size_target(shape: tuple[int, ...], side: int) -> tuple[int, int]:
    h, w = shape[:2]
    scale = min(1.0, side / max(h, w))
    return max(1, round(h * scale)), max(1, round(w * scale))


def spec_for_upload(model, *, key: str, filename: str, mode: str = "unit", fit: str = "crop",
                    any_size_side: int = ANY_SIZE_SIDE) -> ModelSpec:
    """A :class:`ModelSpec` for a model loaded by :func:`load_user_model`.

    key: the cache key (e.g. "upload:<sha1 of the file>"); filename: shown as the title.
    mode: the input convention the user chose ("unit", "raw", "tf", "torch", "caffe"; see
    :mod:`vizcore.models.preprocessing`). fit: "crop" or "stretch" for a fixed input size;
    a model taking any size gets the picture's own shape, its longer side at most
    ``any_size_side``. Classifiers (one (batch, K) output) get labels "class 0" ... "class K-1".
    Raises ModelError for an unknown mode or fit, or a model without one image input.
    """
    if fit not in FITS:
        raise ModelError(f"fit must be one of {FITS}, got {fit!r}")
    size, channels = describe_input(model)
    classes = classifier_classes(model)

    def fit_picture(image: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
        from ..fitting import adapt_image

        target = size if size is not None else _any_size_target(np.shape(image), any_size_side)
        batch, notes = adapt_image(image, size=target, channels=channels, fit=fit)
        return batch, tuple(notes)

    return ModelSpec(
        key=key,
        title=filename,
        description=f"Your model {getattr(model, 'name', '?')!r}, uploaded as {filename}.",
        load=lambda: model,
        fit=fit_picture,
        convention=convention(mode),
        labels=tuple(f"class {i}" for i in range(classes)) if classes else None,
        input_size=size,
        channels=channels,
        tags=("upload",) + (("classifier",) if classes else ()),
    )
