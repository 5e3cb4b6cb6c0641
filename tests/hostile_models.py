"""Model files built at test time: tiny valid ones and a table of hostile ones.

Every builder takes a folder (pytest's tmp_path) and returns (filename, bytes) of a file as a
user might upload it. Nothing here is committed as a binary; the models are a few KB.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["HOSTILE", "Hostile", "small_conv_model", "valid_keras", "valid_h5", "nested_keras", "logits_keras",
           "lambda_keras", "MARKER_NAME"]

#: File the Lambda layer of :func:`lambda_keras` creates when its code runs.
MARKER_NAME = "lambda_code_ran.txt"


def _init(seed: int):
    import keras

    return keras.initializers.GlorotUniform(seed=seed)


def small_conv_model(*, size: int = 8, channels: int = 3, classes: int | None = 3,
                     softmax: bool = True):
    """Conv2D(4) -> MaxPool -> Conv2D(6) [-> Flatten -> Dense(classes, softmax)], seeded.

    softmax=False ends in raw scores (logits) instead of probabilities."""
    import keras
    from keras import layers

    inputs = keras.Input((size, size, channels), name="image")
    x = layers.Conv2D(4, 3, padding="same", activation="relu", kernel_initializer=_init(1),
                      name="conv_a")(inputs)
    x = layers.MaxPooling2D(2, name="pool_a")(x)
    x = layers.Conv2D(6, 3, padding="same", activation="relu", kernel_initializer=_init(2),
                      name="conv_b")(x)
    if classes:
        x = layers.Flatten(name="flat")(x)
        x = layers.Dense(classes, activation="softmax" if softmax else None,
                         kernel_initializer=_init(3), name="probs")(x)
    return keras.Model(inputs, x, name="small_conv")


def _save(model, folder: Path, name: str) -> tuple[str, bytes]:
    path = Path(folder) / name
    model.save(path)
    return name, path.read_bytes()


def valid_keras(folder: Path) -> tuple[str, bytes]:
    """A small valid .keras classifier: (8, 8, 3) input, 3 classes."""
    return _save(small_conv_model(), folder, "small.keras")


def logits_keras(folder: Path) -> tuple[str, bytes]:
    """The small classifier ending in raw scores (no softmax)."""
    return _save(small_conv_model(softmax=False), folder, "logits.keras")


def valid_h5(folder: Path) -> tuple[str, bytes]:
    """The same small model saved in the legacy HDF5 format."""
    return _save(small_conv_model(), folder, "small_legacy.h5")


def nested_keras(folder: Path) -> tuple[str, bytes]:
    """Transfer-learning shape: a functional 'base' model inside a Sequential, as .keras."""
    import keras
    from keras import layers

    base_in = keras.Input((8, 8, 3), name="base_input")
    b = layers.Conv2D(4, 3, padding="same", activation="relu", kernel_initializer=_init(4),
                      name="base_conv1")(base_in)
    b = layers.Conv2D(5, 3, padding="same", activation="relu", kernel_initializer=_init(5),
                      name="base_conv2")(b)
    base = keras.Model(base_in, b, name="pretrained_base")
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        base,
        layers.GlobalAveragePooling2D(name="gap"),
        layers.Dense(2, activation="softmax", kernel_initializer=_init(6), name="head"),
    ], name="transfer")
    return _save(model, folder, "nested.keras")


def lambda_keras(folder: Path, *, suffix: str = ".keras") -> tuple[str, bytes]:
    """A model whose Lambda layer, when its code runs, creates ``folder / MARKER_NAME``.

    The code runs once while the model is built here; the marker is removed before returning,
    so a marker found later means code from the file was executed by a loader.
    """
    import keras
    from keras import layers

    marker = str(Path(folder) / MARKER_NAME)

    inputs = keras.Input((8, 8, 3))
    x = layers.Conv2D(2, 3, padding="same", kernel_initializer=_init(7))(inputs)
    # the side effect under test: any run of this code leaves the marker file behind
    x = layers.Lambda(lambda t: (open(marker, "w").close(), t)[1], name="sneaky")(x)  # noqa: SIM115
    model = keras.Model(inputs, x)
    name, data = _save(model, folder, f"lambda{suffix}")
    Path(marker).unlink(missing_ok=True)
    return name, data


def _two_inputs(folder: Path) -> tuple[str, bytes]:
    import keras
    from keras import layers

    a = keras.Input((8, 8, 3), name="left")
    b = keras.Input((8, 8, 3), name="right")
    x = layers.Add()([a, b])
    x = layers.Conv2D(2, 3, kernel_initializer=_init(8))(x)
    return _save(keras.Model([a, b], x), folder, "two_inputs.keras")


def _vector_input(folder: Path) -> tuple[str, bytes]:
    import keras
    from keras import layers

    inputs = keras.Input((10,))
    x = layers.Dense(3, activation="softmax", kernel_initializer=_init(9))(inputs)
    return _save(keras.Model(inputs, x), folder, "tabular.keras")


def _four_channels(folder: Path) -> tuple[str, bytes]:
    return _save(small_conv_model(channels=4), folder, "rgba.keras")


def _truncated_keras(folder: Path) -> tuple[str, bytes]:
    name, data = valid_keras(folder)
    return name, data[: len(data) // 2]


def _truncated_h5(folder: Path) -> tuple[str, bytes]:
    name, data = valid_h5(folder)
    return name, data[: len(data) // 3]


def _zip_not_model(folder: Path) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "holiday photos")
        archive.writestr("cat.jpg", b"\xff\xd8\xff\xe0 not really")
    return "photos.keras", buffer.getvalue()


def _text_file(folder: Path) -> tuple[str, bytes]:
    return "model.keras", b"This is not a model, just some text.\nSecond line.\n"


def _random_bytes(folder: Path) -> tuple[str, bytes]:
    return "model.h5", np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes()


def _empty(folder: Path) -> tuple[str, bytes]:
    return "empty.keras", b""


def _weights_only_h5(folder: Path) -> tuple[str, bytes]:
    path = Path(folder) / "only.weights.h5"
    small_conv_model().save_weights(path)
    return path.name, path.read_bytes()


def _edit_config(folder: Path, name: str, edit: Callable[[dict], None]) -> tuple[str, bytes]:
    """A valid .keras file whose config.json was rewritten by ``edit`` (weights untouched)."""
    _, data = valid_keras(folder)
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "config.json":
                config = json.loads(content)
                edit(config)
                content = json.dumps(config).encode()
            archive.writestr(info.filename, content)
    return name, buffer.getvalue()


def _layer(config: dict, layer_name: str) -> dict:
    return next(layer for layer in config["config"]["layers"] if layer["name"] == layer_name)


def _foreign_module(folder: Path) -> tuple[str, bytes]:
    def edit(config):
        layer = _layer(config, "conv_b")
        layer["module"], layer["class_name"] = "os", "system"
    return _edit_config(folder, "foreign_module.keras", edit)


def _foreign_function(folder: Path) -> tuple[str, bytes]:
    def edit(config):
        _layer(config, "conv_b")["config"]["activation"] = {
            "module": "keras.activations", "class_name": "function", "config": "os.system",
            "registered_name": "function"}
    return _edit_config(folder, "foreign_function.keras", edit)


def _custom_object(folder: Path) -> tuple[str, bytes]:
    def edit(config):
        _layer(config, "conv_b")["registered_name"] = "my_package>FancyConv"
    return _edit_config(folder, "custom_object.keras", edit)


def _unknown_layer(folder: Path) -> tuple[str, bytes]:
    def edit(config):
        _layer(config, "conv_b")["class_name"] = "MagicConv2D"
    return _edit_config(folder, "unknown_layer.keras", edit)


def _keras_class(module: str, class_name: str, extra: dict | None = None):
    """An edit naming conv_b as Keras class ``class_name`` from ``module`` (registered as Keras does)."""
    def edit(config):
        layer = _layer(config, "conv_b")
        layer["module"], layer["class_name"], layer["registered_name"] = module, class_name, class_name
        layer["config"].update(extra or {})
    return edit


def _tfsm_layer(folder: Path) -> tuple[str, bytes]:
    """TFSMLayer would load (and run) a SavedModel from a path on the server."""
    return _edit_config(folder, "tfsm.keras", _keras_class("keras.layers", "TFSMLayer", {"filepath": "/tmp/x"}))


def _lambda_internal_path(folder: Path) -> tuple[str, bytes]:
    """Lambda named under its defining module instead of keras.layers."""
    return _edit_config(folder, "lambda_internal.keras",
                        _keras_class("keras.src.layers.core.lambda_layer", "Lambda", {"function": "AAAA"}))


def _torch_wrapper(folder: Path) -> tuple[str, bytes]:
    return _edit_config(folder, "torch_wrapper.keras",
                        _keras_class("keras.src.utils.torch_utils", "TorchModuleWrapper", {"module": "AAAA"}))


def _invented_internal(folder: Path) -> tuple[str, bytes]:
    """A class Keras does not define, claimed to live in a real Keras module."""
    return _edit_config(folder, "invented.keras", _keras_class("keras.src.applications.convnext", "EvilScale"))


def _non_modeling_function(folder: Path) -> tuple[str, bytes]:
    def edit(config):
        _layer(config, "conv_b")["config"]["activation"] = {
            "module": "keras.utils", "class_name": "function", "config": "get_file", "registered_name": "function"}
    return _edit_config(folder, "get_file.keras", edit)


@dataclass(frozen=True)
class Hostile:
    """One hostile upload: how to build it and a phrase the refusal message must contain."""

    id: str
    build: Callable[[Path], tuple[str, bytes]]
    message: str


HOSTILE = [
    Hostile("lambda_keras", lambda folder: lambda_keras(folder), "Lambda layer"),
    Hostile("lambda_h5", lambda folder: lambda_keras(folder, suffix=".h5"), "Lambda layer"),
    Hostile("truncated_keras", _truncated_keras, "damaged or incomplete .keras"),
    Hostile("truncated_h5", _truncated_h5, "damaged or incomplete HDF5"),
    Hostile("zip_not_model", _zip_not_model, "zip archive but not a Keras model"),
    Hostile("text_file", _text_file, "looks like a text file"),
    Hostile("random_bytes", _random_bytes, "neither a zip (.keras) nor an HDF5"),
    Hostile("empty", _empty, "is empty"),
    Hostile("weights_only_h5", _weights_only_h5, "holds only weights"),
    Hostile("two_inputs", _two_inputs, "has 2 inputs"),
    Hostile("vector_input", _vector_input, "(None, 10), which is not an image"),
    Hostile("four_channels", _four_channels, "4 input channels"),
    Hostile("foreign_module", _foreign_module, "import the Python module 'os'"),
    Hostile("foreign_function", _foreign_function, "function 'os.system' outside Keras"),
    Hostile("custom_object", _custom_object, "custom object 'my_package>FancyConv'"),
    Hostile("unknown_layer", _unknown_layer, "'MagicConv2D'"),
    Hostile("tfsm_layer", _tfsm_layer,
            "TFSMLayer layer (layer 'conv_b'), which loads and runs a TensorFlow SavedModel"),
    Hostile("lambda_internal_path", _lambda_internal_path, "Lambda layer (layer 'conv_b'), which stores Python code"),
    Hostile("torch_wrapper", _torch_wrapper, "TorchModuleWrapper layer (layer 'conv_b'), which unpickles"),
    Hostile("invented_internal_class", _invented_internal, "'EvilScale' from 'keras.src.applications.convnext'"),
    Hostile("non_modeling_function", _non_modeling_function, "function 'get_file' outside Keras's activations"),
]
