"""ImageNet classifiers from ``keras.applications``, offered only when their weights are here.

Keras downloads ImageNet weights on first use into its cache (``$KERAS_HOME/models`` or
``~/.keras/models``). Layer Lab must work offline, so this module never downloads anything
on its own: :func:`availability` only looks at the cache (instant, no network) and says in
plain words which file is missing, where it goes and the one command that fetches it on a
machine with internet. :func:`fetch_weights` tries a download only when the user asks, with a
short timeout, turning every failure into :class:`vizcore.ModelError`.

Predictions are decoded with the ImageNet class index Keras uses
(``imagenet_class_index.json``), read from the same cache; without it, classes are shown
by number ("ImageNet class 409").
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ImageError, ModelError
from .preprocessing import convention
from .spec import ModelSpec

__all__ = ["NETS", "keras_cache_dir", "weights_path", "class_index_path", "availability",
           "fetch_weights", "build", "load", "fit", "preprocess", "decode", "specs"]

_STORAGE = "https://storage.googleapis.com/tensorflow/keras-applications/"
CLASS_INDEX_URL = ("https://storage.googleapis.com/download.tensorflow.org/data/"
                   "imagenet_class_index.json")
CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"


@dataclass(frozen=True)
class _Net:
    key: str
    title: str
    application: str      # name in keras.applications
    mode: str             # its preprocess_input mode: a vizcore.models.preprocessing convention
    weights_file: str
    url: str
    md5: str | None
    description: str
    size: int = 224


NETS: dict[str, _Net] = {
    "mobilenet_v2": _Net(
        key="mobilenet_v2", title="MobileNetV2 (ImageNet)", application="MobileNetV2",
        mode="tf",
        weights_file="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
        url=_STORAGE + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
        md5=None,
        description=("A small, fast classifier (3.5 M parameters) trained on 1.28 M ImageNet "
                     "photos of 1,000 classes; depthwise-separable convolutions in inverted "
                     "residual blocks.")),
    "vgg16": _Net(
        key="vgg16", title="VGG16 (ImageNet)", application="VGG16", mode="caffe",
        weights_file="vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        url=_STORAGE + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        md5="64373286793e3c8b2b4e3219cbf3544b",
        description=("The classic deep classifier (138 M parameters): 13 3x3 conv layers in 5 "
                     "blocks and 3 dense layers, trained on ImageNet photos of 1,000 classes.")),
}


def _net(key: str) -> _Net:
    if key not in NETS:
        raise ModelError(f"unknown ImageNet model {key!r}; choose one of {sorted(NETS)}")
    return NETS[key]


def keras_cache_dir() -> Path:
    """Keras's cache folder, resolved now: ``$KERAS_HOME`` if set, else ``~/.keras``.

    Like Keras, falls back to ``/tmp/.keras`` when the home folder is not writable.
    """
    if "KERAS_HOME" in os.environ:
        return Path(os.environ["KERAS_HOME"]).expanduser()
    home = Path("~").expanduser()
    if not os.access(home, os.W_OK):
        return Path(tempfile.gettempdir()) / ".keras"
    return home / ".keras"


def weights_path(key: str) -> Path:
    """Where Keras keeps (and Layer Lab looks for) the ImageNet weights file of ``key``."""
    return keras_cache_dir() / "models" / _net(key).weights_file


def class_index_path() -> Path:
    """Where Keras keeps the ImageNet class-name file ``imagenet_class_index.json``."""
    return keras_cache_dir() / "models" / CLASS_INDEX_FILE


def _fetch_command(net: _Net) -> str:
    return f"python -c \"import keras; keras.applications.{net.application}(weights='imagenet')\""


def availability(key: str) -> tuple[bool, str]:
    """(True, "") when the weights file of ``key`` is in the Keras cache, else (False, how-to).

    Only checks the file (no network, returns at once). The message (Markdown) names the
    file, the folder it goes in and the command that downloads it on a machine with internet.
    """
    net = _net(key)
    path = weights_path(key)
    if path.is_file() and path.stat().st_size > 0:
        return True, ""
    return False, (
        f"{net.title} needs its ImageNet weights, which are not on this machine.\n\n"
        f"- **File**: `{net.weights_file}` in the folder `{path.parent}` (the Keras cache).\n"
        f"- **To get it**, run on a computer with internet: `{_fetch_command(net)}`. It saves the "
        f"file in that computer's `~/.keras/models`; copy it into `{path.parent}` here and reload "
        f"the page. For class names, copy `{CLASS_INDEX_FILE}` too (Keras fetches it the first "
        f"time it decodes a prediction); without it, classes are shown by number.\n"
        f"- If this machine has internet, the download button below fetches it directly.")


def _download(url: str, target: Path, *, timeout: float, md5: str | None) -> Path:
    """Download ``url`` to ``target`` through a temporary file; ModelError on any failure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed https URLs
            with tempfile.NamedTemporaryFile(dir=target.parent, delete=False,
                                             suffix=".part") as handle:
                tmp = Path(handle.name)
                digest = hashlib.md5()  # noqa: S324 - integrity check against Keras's published hash
                while chunk := response.read(1 << 20):
                    handle.write(chunk)
                    digest.update(chunk)
        if md5 is not None and digest.hexdigest() != md5:
            raise ModelError(f"the file downloaded from {url} is damaged "
                             f"(md5 {digest.hexdigest()}, expected {md5}); try again")
        os.replace(tmp, target)
        tmp = None
        return target
    except ModelError:
        raise
    except Exception as err:  # noqa: BLE001 - no network, DNS, HTTP, disk: all become one message
        raise ModelError(f"could not download {url.rsplit('/', 1)[-1]}: {err}. "
                         "This machine may have no internet; see the how-to above.") from err
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def fetch_weights(key: str, *, timeout: float = 20.0) -> Path:
    """Download the ImageNet weights of ``key`` (and the class names) into the Keras cache.

    Only call this when the user asked for it. Returns the weights path. Each connection
    gives up after ``timeout`` seconds of silence. Raises ModelError on any failure (no
    internet, HTTP error, damaged file, read-only folder); a partial file is never left.
    """
    net = _net(key)
    path = weights_path(key)
    if not path.is_file():
        _download(net.url, path, timeout=timeout, md5=net.md5)
    index = class_index_path()
    if not index.is_file():
        try:
            _download(CLASS_INDEX_URL, index, timeout=timeout, md5=CLASS_INDEX_MD5)
        except ModelError:
            pass  # class names are optional: predictions then show class numbers
    return path


def build(key: str, *, weights: str | os.PathLike | None = None):
    """The ``keras.applications`` architecture of ``key`` (224x224x3 input, 1000 classes).

    weights: None for random weights (no file needed), or a path to a weights file.
    Raises ModelError if the weights file cannot be read into the architecture.
    """
    import keras

    net = _net(key)
    constructor = getattr(keras.applications, net.application)
    model = constructor(weights=None, input_shape=(net.size, net.size, 3))
    if weights is not None:
        try:
            model.load_weights(str(weights))
        except Exception as err:  # noqa: BLE001 - truncated/corrupt/incompatible file
            raise ModelError(f"the weights file {Path(weights).name} could not be read "
                             f"into {net.title} ({type(err).__name__}: {err}). Delete it and "
                             "fetch it again.") from err
    return model


def load(key: str):
    """The ImageNet-trained model of ``key`` from the local Keras cache; never downloads.

    Raises ModelError with the how-to message when the weights are not here, or when the
    file there is damaged.
    """
    ok, message = availability(key)
    if not ok:
        raise ModelError(message)
    return build(key, weights=weights_path(key))


def fit(key: str, image: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """RGB float (H, W, 3) in [0, 1] -> ((1, 224, 224, 3) float32 pixels in [0, 1], notes).

    Resized bilinearly on 8-bit pixels (aspect ratio not kept), as Keras's image loader does.
    Raises ImageError for anything but (H, W, 3).
    """
    from PIL import Image

    size = _net(key).size
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ImageError(f"expected an RGB image (H, W, 3), got shape {array.shape}")
    pixels = np.round(np.clip(array.astype(np.float32), 0.0, 1.0) * 255).astype(np.uint8)
    notes: tuple[str, ...] = ()
    if pixels.shape[:2] != (size, size):
        pixels = np.asarray(Image.fromarray(pixels).resize((size, size), Image.BILINEAR))
        notes = (f"resized from {array.shape[1]}×{array.shape[0]} to {size}×{size}",)
    return (pixels.astype(np.float32) / 255.0)[np.newaxis], notes


def preprocess(key: str, image: np.ndarray) -> np.ndarray:
    """RGB float32 (H, W, 3) in [0, 1] -> (1, 224, 224, 3) float32 batch for model ``key``.

    :func:`fit` (224x224 8-bit pixels), then the network's ``keras.applications``
    preprocessing mode as a :mod:`vizcore.models.preprocessing` convention (MobileNetV2 "tf":
    to [-1, 1]; VGG16 "caffe": BGR minus the ImageNet mean). Raises ImageError for anything
    but (H, W, 3).
    """
    return convention(_net(key).mode).to_model(fit(key, image)[0])


def _class_names() -> list[str] | None:
    """The 1,000 ImageNet class names from the cached class index, or None if absent/bad."""
    path = class_index_path()
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        names = [str(index[str(i)][1]).replace("_", " ") for i in range(1000)]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    return names


def decode(predictions: np.ndarray, *, top: int = 5) -> list[tuple[str, float]]:
    """The ``top`` classes of one ImageNet prediction, most likely first.

    predictions: (1, 1000) or (1000,) probabilities. Returns [(class name, probability)].
    Names come from the cached ``imagenet_class_index.json``; without it they read
    "ImageNet class <n>". Raises ModelError for any other shape.
    """
    probs = np.asarray(predictions, dtype=np.float64)
    if probs.ndim == 2 and probs.shape[0] == 1:
        probs = probs[0]
    if probs.shape != (1000,):
        raise ModelError(f"expected 1000 ImageNet class scores, got shape {np.shape(predictions)}")
    names = _class_names()
    order = np.argsort(-probs, kind="stable")[:top]
    return [((names[i] if names else f"ImageNet class {i}"), float(probs[i])) for i in order]


def _spec(net: _Net) -> ModelSpec:
    return ModelSpec(
        key=net.key,
        title=net.title,
        description=net.description,
        load=lambda: load(net.key),
        fit=lambda image: fit(net.key, image),
        convention=convention(net.mode),
        available=lambda: availability(net.key),
        fetch=lambda timeout: fetch_weights(net.key, timeout=timeout),
        labels=None,
        decode=lambda predictions: decode(predictions, top=5),
        input_size=(net.size, net.size),
        channels=3,
        tags=("photo", "classifier", "imagenet"),
    )


def specs() -> list[ModelSpec]:
    """One :class:`ModelSpec` per ImageNet network (MobileNetV2, VGG16), available or not."""
    return [_spec(net) for net in NETS.values()]
