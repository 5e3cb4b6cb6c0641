"""Checks an uploaded model file passes BEFORE Keras opens it: its kind, its architecture JSON.

A model file can carry Python code: a ``Lambda`` layer stores its function as bytecode, a
custom layer names a Python module to import, and some Keras layers load or run code on their
own (``TFSMLayer`` loads a TensorFlow SavedModel from a path, ``TorchModuleWrapper`` unpickles
a Torch module, ``JaxLayer`` / ``FlaxLayer`` call a function). :func:`check_config` walks the
architecture as plain JSON and refuses all of them; nothing from the file is imported or run.

The allow-list (:func:`keras_classes`) is derived from Keras itself, once, after ``import
keras``: every class that Keras's own packages define and that Keras can rebuild from a config
(layers, operations, initializers, regularizers, constraints, losses, metrics, optimizers,
schedules, dtype policies, quantizers), keyed by ``(module, class name)`` as Keras writes them
in a ``.keras`` file: the public path (``"keras.layers"``, ``"Conv2D"``) or, for a class Keras
does not export, its defining module (``"keras.src.applications.convnext"``, ``"LayerScale"``).
Classes that load or run code (:data:`CODE_CLASSES`) are taken out of it. Legacy ``.h5`` files
name classes without a module; those must be public Keras names.

The file itself is read from disk in pieces: only the zip's directory and its ``config.json``
member, or the HDF5 file's ``model_config`` attribute, ever reach memory.
"""
from __future__ import annotations

import io
import json
import os
import sys
import threading
import zipfile
from pathlib import Path

from ..errors import ModelError

__all__ = ["CODE_CLASSES", "PUBLIC_NAMESPACES", "keras_classes", "check_config", "read_config", "file_kind",
           "file_size", "human_size", "MAX_CONFIG_BYTES"]

#: Public Keras namespaces whose classes a config may name (``module`` as Keras writes it).
PUBLIC_NAMESPACES = ("keras", "keras.layers", "keras.initializers", "keras.regularizers", "keras.constraints",
                     "keras.optimizers", "keras.optimizers.schedules", "keras.losses", "keras.metrics",
                     "keras.models", "keras.dtype_policies", "keras.quantizers")
#: Namespaces a serialized *function* may come from ("builtins" is how Keras writes its own
#: activations/losses/metrics, looked up in the first three).
FUNCTION_NAMESPACES = ("keras.activations", "keras.losses", "keras.metrics", "keras.ops")
#: Keras classes that hold, load or run code, with the reason given to the user. Refused whatever
#: module the file names them under (and so are their subclasses, in the allow-list).
CODE_CLASSES = {
    "Lambda": "stores Python code",
    "TFSMLayer": "loads and runs a TensorFlow SavedModel from a path on the server",
    "TorchModuleWrapper": "unpickles a Torch module, which can run any Python code",
    "JaxLayer": "calls a Python function",
    "FlaxLayer": "calls a Python function (a Flax module)",
    "StringLookup": "may read a vocabulary file from a path on the server",
    "IntegerLookup": "may read a vocabulary file from a path on the server",
    "TextVectorization": "may read a vocabulary file and call Python functions",
    # names older Keras / tf.keras used for code-carrying layers
    "__lambda__": "stores Python code",
    "TFOpLambda": "stores a reference to Python code",
    "SlicingOpLambda": "stores a reference to Python code",
    "TensorFlowOpLayer": "stores a TensorFlow graph",
}
#: Serialized values Keras writes inside configs that are data, not code.
_DATA_CLASSES = {"__keras_tensor__", "__numpy__", "__tensor__", "__bytes__", "__typespec__",
                 "__ellipsis__", "__slice__", "__tuple__", "__dtype__", "__shape__"}
#: Model containers (legacy files name them without a module).
_MODEL_CLASSES = {"Functional", "Sequential", "Model"}
#: Largest architecture description read from a file (bytes of JSON).
MAX_CONFIG_BYTES = 32 * 1024 * 1024

#: Other members of a .keras zip read as data (class names, see vizcore.models.labels), and
#: the keys of metadata.json / .h5 root attributes kept from them.
_EXTRA_MEMBERS = ("metadata.json", "labels.json", "labels.txt")
_METADATA_KEYS = ("class_names", "labels")
_MAX_EXTRA_BYTES = 4 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_lock = threading.Lock()
_allowed: tuple[frozenset, frozenset] | None = None


def human_size(n: int) -> str:
    """Bytes for people: "1.5 MB" from 1 MiB up, else "1,234 bytes"."""
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _saveable_bases():
    import keras

    return (keras.Operation, keras.initializers.Initializer, keras.regularizers.Regularizer,
            keras.constraints.Constraint, keras.losses.Loss, keras.metrics.Metric, keras.optimizers.Optimizer,
            keras.optimizers.schedules.LearningRateSchedule, keras.DTypePolicy, keras.quantizers.Quantizer)


def _code_bases():
    import keras

    return tuple(getattr(keras.layers, name) for name in CODE_CLASSES if hasattr(keras.layers, name))


def _namespace(path: str):
    import keras

    obj = keras
    for part in path.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def keras_classes() -> tuple[frozenset, frozenset]:
    """(allowed (module, class name) pairs, allowed public class names), computed once.

    Pairs: for every public namespace its exported classes, and for every ``keras.src`` module
    Keras has imported (``import keras`` imports all its layers and applications) the classes it
    defines; only subclasses of Keras's saveable bases (Operation, Initializer, ..., DTypePolicy),
    never a subclass of a :data:`CODE_CLASSES` class. Names: the public classes alone (for legacy
    files without modules). Reads ``sys.modules`` only under ``keras``: nothing else is imported.
    """
    global _allowed
    with _lock:
        if _allowed is not None:
            return _allowed
        import keras  # noqa: F401 - imports Keras's own packages, which defines what exists

        bases, code = _saveable_bases(), _code_bases()

        def fine(obj) -> bool:
            return isinstance(obj, type) and issubclass(obj, bases) and not issubclass(obj, code)

        pairs, names = set(), set(_MODEL_CLASSES)
        for path in PUBLIC_NAMESPACES:
            space = _namespace(path)
            for name in dir(space):
                if name[:1].isupper() and fine(getattr(space, name, None)):
                    pairs.add((path, name))
                    names.add(name)
        for module_name, module in list(sys.modules.items()):
            if not module_name.startswith("keras.src.") or module is None:
                continue
            for name, obj in list(vars(module).items()):
                if fine(obj) and obj.__module__ == module_name and obj.__name__ == name:
                    pairs.add((module_name, name))
        _allowed = (frozenset(pairs), frozenset(names - set(CODE_CLASSES)))
        return _allowed


def _function_ok(module: object, name: object) -> bool:
    if not (isinstance(module, str) and isinstance(name, str) and name.isidentifier()):
        return False
    spaces = FUNCTION_NAMESPACES[:3] if module == "builtins" else (module,) if module in FUNCTION_NAMESPACES else ()
    return any(callable(getattr(_namespace(space), name, None)) for space in spaces)


def _where(node: dict) -> str:
    inner = node.get("config")
    if isinstance(inner, dict) and isinstance(inner.get("name"), str):
        return f" (layer {inner['name']!r})"
    return ""


def check_config(config: object, *, filename: str = "the file") -> None:
    """Refuse a model architecture (parsed JSON) that would run, load or import code on load.

    Walks every nested ``{"class_name": ..., "module": ..., "config": ...}`` object. Raises
    ModelError naming the first offending layer or object for: a class that holds, loads or runs
    code (:data:`CODE_CLASSES`: Lambda, TFSMLayer, ...) under any module; a serialized function
    that is not a Keras activation / loss / metric / op; a ``module`` outside Keras; a custom
    (user-registered) object; a Keras module + class that Keras itself does not define. Keras's
    own classes are accepted, including unexported ones (ConvNeXt's ``LayerScale``). Returns None.
    """
    pairs, names = keras_classes()
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
        where, module, registered = _where(node), node.get("module"), node.get("registered_name")
        if class_name in CODE_CLASSES:
            raise ModelError(
                f"{filename} contains a {class_name} layer{where}, which {CODE_CLASSES[class_name]}. "
                "Layer Lab never runs code from an uploaded file, so it cannot load this model. "
                "Replace it with standard Keras layers and save the model again.")
        if class_name in _DATA_CLASSES:
            continue
        if module is not None and not (isinstance(module, str) and (module in ("keras", "builtins")
                                                                    or module.startswith("keras."))):
            raise ModelError(
                f"{filename} asks to import the Python module {module!r} for {class_name}{where}. "
                "Only objects from Keras itself are allowed; code from the file is never run.")
        if class_name == "function":
            if not _function_ok(module, node.get("config")):
                raise ModelError(f"{filename} refers to a function {node.get('config')!r} outside Keras's "
                                 "activations, losses, metrics and ops; only those are allowed.")
            continue
        if registered not in (None, class_name) or ">" in class_name:
            label = registered if registered not in (None, class_name) else class_name
            raise ModelError(
                f"{filename} uses the custom object {label!r}{where}, defined by Python code that "
                "is not in the file. Layer Lab only loads models built from Keras's own layers.")
        if module is None:
            if class_name in names:
                continue
        elif (module, class_name) in pairs:
            continue
        source = f" from {module!r}" if module is not None else ""
        raise ModelError(
            f"{filename} uses {class_name!r}{source}{where}, which is not a class Keras itself defines "
            "(it may be a custom layer or from an older, incompatible Keras). Layer Lab only loads "
            "models built from Keras's own layers.")


# ---- reading a file without loading it -----------------------------------------------------------


def file_kind(head: bytes) -> str | None:
    """"keras" for a zip, "h5" for HDF5, None for anything else (from the file's first 8 bytes)."""
    if head.startswith(_ZIP_MAGIC):
        return "keras"
    if head.startswith(_HDF5_MAGIC):
        return "h5"
    return None


def _not_a_model(head: bytes, filename: str) -> str:
    if head and all(32 <= b < 127 or b in b"\t\r\n" for b in head):
        what = "a text file"
    elif head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8"):
        what = "an image"
    else:
        what = "neither a zip (.keras) nor an HDF5 (.h5) file"
    return f"{filename} is not a Keras model: it looks like {what}. Upload a model saved with " \
           "model.save('name.keras') (or a legacy .h5 file)."


def _open(source):
    """A binary file object for a path (opened) or bytes (wrapped); the caller closes it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    return open(os.fspath(source), "rb")  # noqa: SIM115 - closed by the caller


def _zip_config(handle, size: int, filename: str) -> tuple[bytes, dict]:
    try:
        archive = zipfile.ZipFile(handle)
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
    if total > 4 * max(size, 1) + MAX_CONFIG_BYTES:
        raise ModelError(f"{filename} unpacks to {human_size(total)}, far more than its size; refused.")
    info = archive.getinfo("config.json")
    if info.file_size > MAX_CONFIG_BYTES:
        raise ModelError(f"{filename}: the model description is {human_size(info.file_size)}, too large.")
    metadata = {}
    try:
        text = archive.read("config.json")
        for member in _EXTRA_MEMBERS:
            if member in names and archive.getinfo(member).file_size <= _MAX_EXTRA_BYTES:
                metadata[member] = archive.read(member)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise ModelError(f"{filename} is a damaged .keras file ({err}).") from err
    try:
        keras_meta = json.loads(metadata.pop("metadata.json", b"{}").decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        keras_meta = {}
    if isinstance(keras_meta, dict):
        metadata.update({key: keras_meta[key] for key in _METADATA_KEYS if key in keras_meta})
    return text, metadata


def _h5_config(handle, filename: str) -> tuple[bytes, dict]:
    import h5py

    try:
        with h5py.File(handle, "r") as h5:
            text = h5.attrs.get("model_config")
            metadata = {key: h5.attrs[key] for key in h5.attrs if key in _METADATA_KEYS}
    except Exception as err:  # noqa: BLE001 - h5py raises OSError/KeyError/... on bad files
        raise ModelError(f"{filename} is a damaged or incomplete HDF5 (.h5) file: {err}") from err
    if text is None:
        raise ModelError(f"{filename} holds only weights, not a model: it has no model "
                         "architecture. Save the whole model with model.save('name.keras').")
    if len(text) > MAX_CONFIG_BYTES:
        raise ModelError(f"{filename}: the model description is too large.")
    return text, metadata


def read_config(source, *, filename: str = "the file", metadata: dict | None = None) -> tuple[str, dict]:
    """The format ("keras" or "h5") and architecture JSON of a model file, without loading it.

    source: a path (read in pieces: the zip directory and its ``config.json``, or the HDF5
    ``model_config`` attribute) or the file's bytes. metadata: if a dict is given, it receives
    the file's metadata (``metadata.json`` of a .keras file; the ``class_names`` / ``labels``
    attributes of an .h5 file), untrusted. Nothing in the file is executed. Raises ModelError
    for anything that is not a readable Keras model file (text, random bytes, a zip without a
    model, a truncated file, weights without an architecture).
    """
    with _open(source) as handle:
        head = handle.read(512)
        kind = file_kind(head)
        if kind is None:
            raise ModelError(_not_a_model(head, filename))
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(0)
        text, found = _zip_config(handle, size, filename) if kind == "keras" else _h5_config(handle, filename)
    if metadata is not None:
        metadata.update(found)
    try:
        config = json.loads(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelError(f"{filename}: the model description is not valid JSON ({err}).") from err
    if not isinstance(config, dict) or "class_name" not in config:
        raise ModelError(f"{filename}: the model description has no model in it.")
    return kind, config


def file_size(source) -> int:
    """Bytes of a path (from the file system, nothing read) or of bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    return Path(source).stat().st_size
