"""Held-out style: the architectures users actually train, built with random weights, saved to a
temporary folder as a user would (.keras, and .h5 for two), then loaded back the way the app
loads an upload (``vizcore.models.upload.load_user_model``) and looked at as the pages do.

For each row: the loaded model's summary total equals Keras's ``count_params()`` (and the
built model's count equals the published keras.applications count, adjusted for the small
head); every layer's maps are finite; for classifiers, Grad-CAM is finite and in [0, 1] and
not all zero. Inputs are small (64x64 to 96x96) where the architecture allows it, to keep the
table quick; VGG16 is kept at its full 138 M parameters (a 528 MB file) and marked slow (CI runs
it). The time from the file on disk to the first maps is printed for each row.

A few rows are also uploaded through the page (AppTest), as a person would.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np
import pytest

from vizcore import features as F
from vizcore.models.upload import UploadLimits, load_user_model

L = keras.layers
APPS = keras.applications
CLASSES = 10


@dataclass(frozen=True)
class Row:
    id: str
    build: Callable[[], keras.Model]
    side: int
    classes: int | None  # output units of a classifier; None: not a classifier
    published: int | None = None  # count_params from keras.applications' published full-size count
    formats: tuple[str, ...] = (".keras",)


def _head_swap(full: int, features: int) -> int:
    """Published ImageNet count with its Dense(1000) head replaced by Dense(CLASSES)."""
    return full - (features + 1) * 1000 + (features + 1) * CLASSES


def _app(fn, side: int, **kwargs) -> Callable[[], keras.Model]:
    return lambda: fn(weights=None, input_shape=(side, side, 3), classes=CLASSES, **kwargs)


def _transfer() -> keras.Model:
    """Transfer learning as the Keras guide does it: a MobileNetV2 base inside a Sequential."""
    base = APPS.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3))
    return keras.Sequential([keras.Input((96, 96, 3)), base, L.GlobalAveragePooling2D(name="pool"),
                             L.Dense(5, activation="softmax", name="head")], name="transfer")


def _keras_io() -> keras.Model:
    """keras.io's "image classification from scratch" shape, small: augmentation as a nested
    Sequential, Rescaling(1/255), separable convolutions with residual 1x1 shortcuts, logits."""
    augmentation = keras.Sequential([L.RandomFlip("horizontal"), L.RandomRotation(0.1)], name="data_augmentation")
    inputs = keras.Input((64, 64, 3))
    x = L.Rescaling(1.0 / 255)(augmentation(inputs))
    x = L.Activation("relu")(L.BatchNormalization()(L.Conv2D(16, 3, strides=2, padding="same")(x)))
    previous = x
    for size in (32, 64):
        x = L.Activation("relu")(x)
        x = L.BatchNormalization()(L.SeparableConv2D(size, 3, padding="same")(x))
        x = L.Activation("relu")(x)
        x = L.BatchNormalization()(L.SeparableConv2D(size, 3, padding="same")(x))
        x = L.MaxPooling2D(3, strides=2, padding="same")(x)
        x = L.add([x, L.Conv2D(size, 1, strides=2, padding="same")(previous)])
        previous = x
    x = L.Dropout(0.25)(L.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, L.Dense(3, activation=None)(x), name="keras_io_small")


# published counts (keras.applications docs / model.summary() of the ImageNet models)
ROWS = [
    Row("ResNet50", _app(APPS.ResNet50, 64), 64, CLASSES, _head_swap(25_636_712, 2048), (".keras", ".h5")),
    Row("MobileNetV2", _app(APPS.MobileNetV2, 96), 96, CLASSES, _head_swap(3_538_984, 1280)),
    Row("EfficientNetB0", _app(APPS.EfficientNetB0, 64), 64, CLASSES, _head_swap(5_330_571, 1280)),
    Row("DenseNet121", _app(APPS.DenseNet121, 64), 64, CLASSES, _head_swap(8_062_504, 1024)),
    Row("InceptionV3", _app(APPS.InceptionV3, 75), 75, CLASSES, _head_swap(23_851_784, 2048)),
    Row("ConvNeXtTiny", _app(APPS.ConvNeXtTiny, 64), 64, CLASSES, _head_swap(28_589_128, 768)),
    Row("transfer-MobileNetV2-in-Sequential", _transfer, 96, 5, 2_257_984 + 1280 * 5 + 5, (".keras", ".h5")),
    Row("keras-io-augmentation-rescaling", _keras_io, 64, 3),
    pytest.param(Row("VGG16-full-528MB", lambda: APPS.VGG16(weights=None), 224, 1000, 138_357_544),
                 marks=pytest.mark.slow, id="VGG16-full-528MB"),
]
IDS = [r.id if isinstance(r, Row) else None for r in ROWS]
# big enough for the 528 MB VGG16 file and its 1.1 GB of weights + maps
LIMITS = UploadLimits(max_file_bytes=600 * 1024 * 1024, max_memory_bytes=2048 * 1024 * 1024)


def _picture(side: int) -> np.ndarray:
    """A seeded (1, side, side, 3) picture in 0..255 (what these models read)."""
    return np.random.default_rng(side).uniform(0.0, 255.0, (1, side, side, 3)).astype(np.float32)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_saved_architecture_loads_with_every_layer_and_grad_cam(row, tmp_path, capsys):
    keras.utils.set_random_seed(0)
    built = row.build()
    count = built.count_params()
    if row.published is not None:
        assert count == row.published
    paths = []
    for suffix in row.formats:
        paths.append(tmp_path / f"{row.id}{suffix}")
        built.save(paths[-1])
    del built
    batch = _picture(row.side)
    for path in paths:
        start = time.perf_counter()
        model = load_user_model(str(path), filename=path.name, limits=LIMITS)
        extractor = F.build_extractor(model)
        acts = extractor.activations(batch)
        first_maps = time.perf_counter() - start

        assert model.count_params() == count
        assert extractor.summary.total_params == count
        assert set(acts) == set(extractor.layer_names)
        bad = [name for name, a in acts.items() if not np.all(np.isfinite(a))]
        assert not bad, f"non-finite maps in {bad[:5]}"
        line = f"{row.id} {path.suffix}: {len(acts)} layers, {count:,} params, {path.stat().st_size / 2**20:.1f} MB"
        if row.classes is not None:
            assert acts[extractor.layer_names[-1]].shape == (1, row.classes)
            top = int(np.argmax(acts[extractor.layer_names[-1]][0]))
            start = time.perf_counter()
            cam = F.grad_cam(model, batch, class_index=top, extractor=extractor)
            line += f", Grad-CAM {time.perf_counter() - start:.2f} s"
            assert cam.shape == (row.side, row.side)
            assert np.all(np.isfinite(cam)) and cam.min() >= 0.0 and cam.max() == pytest.approx(1.0)
        with capsys.disabled():
            print(f"\n  time to first maps {first_maps:5.2f} s  {line}")
        del model, extractor, acts


# ---- through the page, as a person uploads them ---------------------------------------------

APP_ROWS = [
    # (row id, format, the input values the page should suggest for it)
    pytest.param("keras-io-augmentation-rescaling", ".keras", "raw", id="keras-io-keras-starts-with-rescaling"),
    pytest.param("transfer-MobileNetV2-in-Sequential", ".h5", "tf", id="transfer-h5-nested-mobilenetv2"),
    pytest.param("EfficientNetB0", ".keras", "raw", id="efficientnetb0-keras"),
]


@pytest.mark.parametrize("row_id, suffix, mode", APP_ROWS)
def test_architecture_uploaded_through_the_page(row_id, suffix, mode, tmp_path):
    from tests.apptest_helpers import image_urls, open_app

    row = next(r for r in ROWS if isinstance(r, Row) and r.id == row_id)
    keras.utils.set_random_seed(0)
    built = row.build()
    count = built.count_params()
    path = tmp_path / f"{row.id}{suffix}"
    built.save(path)
    del built

    at = open_app("your_model")
    uploader = next(f for f in at.get("file_uploader") if f.key == "model_file")
    uploader.set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert f"{count:,} parameters" in at.success[0].value
    assert at.segmented_control(key="range").value == mode
    assert image_urls(at)  # the first maps are shown

    at.segmented_control(key="u_view").set_value("Summary").run()
    assert any(f"Total params: {count:,}" in m.value for m in at.markdown)
    at.segmented_control(key="u_view").set_value("Predictions").run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert 0 < len(table) <= row.classes
    assert any(m.value.startswith("**Grad-CAM for") for m in at.markdown)  # the heat map's panel
