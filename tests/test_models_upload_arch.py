"""Uploads of real architectures: Keras's own classes accepted, operator limits, input defaults, class names."""
from __future__ import annotations

import io
import json
import zipfile

import keras
import numpy as np
import pytest

from tests import hostile_models as hm
from vizcore import ModelError
from vizcore.models import labels, upload, upload_check
from vizcore.models.preprocessing import convention

APPS = keras.applications


def _save(model, folder, name):
    path = folder / name
    model.save(path)
    return path


# ---------------------------------------------------------------------------- allow-list, both ways

def test_convnext_layerscale_is_accepted_and_loads(tmp_path):
    model = APPS.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classes=5)
    path = _save(model, tmp_path, "convnext.keras")
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    named = {(n.get("module"), n["class_name"]) for n in _objects(config)}
    assert ("keras.src.applications.convnext", "LayerScale") in named  # what the file really says
    loaded = upload.load_user_model(path, filename="convnext.keras")
    assert loaded.count_params() == model.count_params()
    x = np.random.default_rng(0).uniform(0, 255, (1, 32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-4, atol=1e-6)


def _objects(node):
    if isinstance(node, list):
        for item in node:
            yield from _objects(item)
    elif isinstance(node, dict):
        if isinstance(node.get("class_name"), str):
            yield node
        for value in node.values():
            yield from _objects(value)


def test_allow_list_holds_keras_internal_layers_but_no_code_runners():
    pairs, names = upload_check.keras_classes()
    for pair in [("keras.src.applications.convnext", "LayerScale"), ("keras.src.ops.numpy", "Add"),
                 ("keras.src.applications.inception_resnet_v2", "CustomScaleLayer"), ("keras.layers", "Conv2D"),
                 ("keras.src.models.functional", "Functional")]:
        assert pair in pairs
    for pair in [("keras.layers", "Lambda"), ("keras.src.layers.core.lambda_layer", "Lambda"),
                 ("keras.layers", "TFSMLayer"), ("keras.src.export.tfsm_layer", "TFSMLayer"),
                 ("keras.layers", "TorchModuleWrapper"), ("keras.layers", "JaxLayer")]:
        assert pair not in pairs
    assert "Conv2D" in names and "Lambda" not in names and "LayerScale" not in names  # legacy: public only


def test_user_registered_layer_is_refused_even_with_a_keras_module(tmp_path):
    @keras.saving.register_keras_serializable(package="mine")
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return 2 * x

    inputs = keras.Input((8, 8, 3))
    path = _save(keras.Model(inputs, Doubler(name="double")(inputs)), tmp_path, "doubler.keras")
    with pytest.raises(ModelError, match="import the Python module 'tests.test_models_upload_arch'"):
        upload.load_user_model(path, filename="doubler.keras")
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    layer = next(n for n in _objects(config) if n["class_name"] == "Doubler")
    layer["module"] = "keras.layers"  # claimed to be Keras's, still registered as the user's
    with pytest.raises(ModelError, match="custom object 'mine>Doubler'"):
        upload.check_config(config)
    layer["module"], layer["registered_name"] = "keras.src.layers.core.dense", "Doubler"  # fully disguised
    with pytest.raises(ModelError, match="'Doubler' from 'keras.src.layers.core.dense'"):
        upload.check_config(config)


# ---------------------------------------------------------------------------- limits

def test_size_limit_from_the_environment_refuses_before_reading(tmp_path, monkeypatch):
    _, data = hm.valid_keras(tmp_path)  # ~28 KB
    path = tmp_path / "small.keras"
    path.write_bytes(data)
    monkeypatch.setenv(upload.ENV_MAX_MODEL_MB, "0.01")  # 10,485 bytes
    real_open = open

    def no_open(*args, **kwargs):
        raise AssertionError(f"the file was opened: {args[0]}")

    monkeypatch.setattr("builtins.open", no_open)
    with pytest.raises(ModelError, match=r"accepts model files up to 10,485 bytes .*LAYERLAB_MAX_MODEL_MB"):
        upload.load_user_model(path, filename="small.keras")
    monkeypatch.setattr("builtins.open", real_open)


@pytest.mark.parametrize("raw, message", [("abc", "must be a number"), ("-5", "must be more than 0")],
                         ids=["not_a_number", "negative"])
def test_bad_limit_setting_names_the_variable(raw, message, monkeypatch):
    monkeypatch.setenv(upload.ENV_MODEL_MEMORY_MB, raw)
    with pytest.raises(ModelError, match=f"LAYERLAB_MODEL_MEMORY_MB {message}"):
        upload.UploadLimits.from_env()


class _Stream:
    """A file-like upload that records the reads and has no getvalue()."""

    def __init__(self, data: bytes):
        self._buffer, self.reads = io.BytesIO(data), []

    def seek(self, pos):
        self._buffer.seek(pos)

    def read(self, n=-1):
        self.reads.append(n)
        return self._buffer.read(n)


def test_save_upload_copies_in_pieces_and_stops_at_the_limit(tmp_path):
    data = np.random.default_rng(0).integers(0, 256, 5 * upload.CHUNK_BYTES + 7, dtype=np.uint8).tobytes()
    stream = _Stream(data)
    saved = upload.save_upload(stream, filename="big.keras", folder=tmp_path)
    assert saved.path.read_bytes() == data and saved.size == len(data)
    assert all(0 < n <= upload.CHUNK_BYTES for n in stream.reads)
    import hashlib

    assert saved.sha1 == hashlib.sha1(data).hexdigest()
    small = upload.UploadLimits(max_file_bytes=2 * upload.CHUNK_BYTES)
    stream = _Stream(data)
    with pytest.raises(ModelError, match="accepts model files up to 2.0 MB"):
        upload.save_upload(stream, filename="big.keras", limits=small, folder=tmp_path)
    assert len(stream.reads) == 3  # stopped as soon as the third piece passed the limit
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.path.name]  # partial copy removed


def test_load_reads_only_the_config_member_of_the_zip(tmp_path, monkeypatch):
    _, data = hm.valid_keras(tmp_path)
    path = tmp_path / "small.keras"
    path.write_bytes(data)
    read = []
    original = zipfile.ZipFile.read

    def spy(self, name, *args, **kwargs):
        read.append(name if isinstance(name, str) else name.filename)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "read", spy)
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail("file read whole"))
    upload_check.read_config(path, filename="small.keras")
    assert set(read) <= {"config.json", "metadata.json", "labels.json", "labels.txt"}


def test_memory_estimate_is_weights_plus_every_layer_output(tmp_path):
    from vizcore.features import model_summary

    model = hm.small_conv_model()
    weights = upload.weight_bytes(model)
    assert weights == 4 * (112 + 222 + 291)  # float32 parameters, counted in test_models_upload
    activations = model_summary(model).activation_bytes
    # conv_a 8x8x4, pool 4x4x4, conv_b 4x4x6, flatten 96, probs 3 -> float32
    assert activations == 4 * (256 + 64 + 96 + 96 + 3)
    total = weights + activations
    assert upload.check_memory(weights=weights, activations=activations, input_shape=(8, 8, 3),
                               limits=upload.UploadLimits(max_memory_bytes=total)) == total
    with pytest.raises(ModelError, match=r"needs about 4,560 bytes of memory to run on a 8×8×3 picture "
                                         r"\(weights 2,500 bytes \+ every layer's output 2,060 bytes\)"):
        upload.check_memory(weights=weights, activations=activations, input_shape=(8, 8, 3),
                            limits=upload.UploadLimits(max_memory_bytes=total - 1))


# ---------------------------------------------------------------------------- input values

@pytest.mark.parametrize("mode", ["tf", "torch", "caffe"])
def test_conventions_match_keras_applications_preprocess_input(mode):
    pixels = np.random.default_rng(1).uniform(0, 1, (2, 5, 5, 3)).astype(np.float32)
    expected = APPS.imagenet_utils.preprocess_input(pixels * 255.0, mode=mode)
    np.testing.assert_allclose(convention(mode).to_model(pixels), expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(convention(mode).to_picture(expected), pixels, atol=1e-5)


# keras.applications' documented preprocess_input modes; "raw" = the model rescales 0…255 itself
ARCHITECTURES = [
    ("ResNet50", lambda: APPS.ResNet50(weights=None, input_shape=(32, 32, 3), classes=3), "caffe"),
    ("VGG16", lambda: APPS.VGG16(weights=None, input_shape=(32, 32, 3), classes=3), "caffe"),
    ("ResNet50V2", lambda: APPS.ResNet50V2(weights=None, input_shape=(32, 32, 3), classes=3), "tf"),
    ("DenseNet121", lambda: APPS.DenseNet121(weights=None, input_shape=(32, 32, 3), classes=3), "torch"),
    ("MobileNetV2", lambda: APPS.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=3), "tf"),
    ("InceptionV3", lambda: APPS.InceptionV3(weights=None, input_shape=(75, 75, 3), classes=3), "tf"),
    ("Xception", lambda: APPS.Xception(weights=None, input_shape=(71, 71, 3), classes=3), "tf"),
    ("EfficientNetB0", lambda: APPS.EfficientNetB0(weights=None, input_shape=(32, 32, 3), classes=3), "raw"),
    ("MobileNetV3Small", lambda: APPS.MobileNetV3Small(weights=None, input_shape=(32, 32, 3), classes=3), "raw"),
    ("ConvNeXtTiny", lambda: APPS.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classes=3), "raw"),
]


@pytest.mark.parametrize("build, expected", [(b, e) for _, b, e in ARCHITECTURES], ids=[a for a, _, _ in ARCHITECTURES])
def test_default_input_values_per_architecture(build, expected):
    suggestion = upload.suggest_convention(build())
    assert suggestion.mode == expected, suggestion.reason


def test_transfer_model_takes_its_base_architecture_default():
    base = APPS.DenseNet121(weights=None, include_top=False, input_shape=(32, 32, 3))
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.RandomFlip(), base,
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    suggestion = upload.suggest_convention(model)
    assert suggestion.mode == "torch" and "its base 'densenet121'" in suggestion.reason


def _leading(*layers):
    inputs = keras.Input((4, 4, 3))
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, keras.layers.Conv2D(1, 1)(x))


@pytest.mark.parametrize("layers, mode, phrase", [
    (lambda: [keras.layers.RandomFlip(), keras.layers.Rescaling(1 / 255)], "raw", "Rescaling(1/255)"),
    (lambda: [keras.layers.Rescaling(1 / 127.5, offset=-1)], "raw", "Rescaling(1/127.5, offset -1)"),
    (lambda: [keras.layers.Normalization(mean=0.5, variance=0.25)], "unit", "Normalization(mean 0.5; std 0.5)"),
    (lambda: [keras.layers.Rescaling(2.0, offset=-1)], "unit", "Rescaling(2, offset -1)"),
    (lambda: [keras.layers.Conv2D(2, 1)], "unit", "no Rescaling or Normalization"),
], ids=["rescale_255", "rescale_tf", "normalization_unit", "rescale_unit_to_pm1", "plain"])
def test_default_input_values_from_leading_layers(layers, mode, phrase):
    suggestion = upload.suggest_convention(_leading(*layers()))
    assert suggestion.mode == mode and phrase in suggestion.reason, suggestion.reason


def test_adapted_normalization_statistics_are_read_from_the_weights():
    data = np.random.default_rng(0).uniform(0, 255, (16, 4, 4, 3)).astype(np.float32)
    norm = keras.layers.Normalization()
    norm.adapt(data)  # mean and variance exist only in the weights, not in the config
    assert norm.get_config()["mean"] is None
    suggestion = upload.suggest_convention(_leading(norm))
    means = ", ".join(f"{m:.4g}" for m in data.reshape(-1, 3).mean(axis=0))
    assert suggestion.mode == "raw" and f"Normalization(mean {means};" in suggestion.reason, suggestion.reason


# ---------------------------------------------------------------------------- class names

@pytest.mark.parametrize("text, expected", [
    ("cat\ndog\n\n bird \n", ("cat", "dog", "bird")),
    ('["cat", "dog", "bird"]', ("cat", "dog", "bird")),
    ('{"1": "dog", "0": "cat", "2": "bird"}', ("cat", "dog", "bird")),
    (b"\xef\xbb\xbfcat\r\ndog\r\nbird", ("cat", "dog", "bird")),
], ids=["lines", "json_list", "json_object", "utf8_bom_crlf"])
def test_parse_labels(text, expected):
    assert labels.parse_labels(text) == expected


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_class_names_saved_in_the_file_are_read_back(suffix, tmp_path):
    path = _save(hm.small_conv_model(), tmp_path, f"small{suffix}")
    labels.save_class_names(path, ["cat", "dog", "bird"])
    opened = upload.open_upload(path, filename=path.name)
    assert opened.file_labels[0] == ("cat", "dog", "bird")
    spec = upload.spec_for_upload(opened.model, key="upload:x", filename=path.name, file_labels=opened.file_labels)
    assert spec.labels == ("cat", "dog", "bird")
    top = spec.top_classes(np.array([0.1, 0.7, 0.2]), k=2)
    assert [name for name, _, _ in top] == ["dog", "bird"]


def test_given_names_must_match_the_class_count(tmp_path):
    model = hm.small_conv_model()
    spec = upload.spec_for_upload(model, key="upload:x", filename="m", labels=("a", "b", "c"))
    assert spec.labels == ("a", "b", "c")
    with pytest.raises(ModelError, match="you gave 2 class names but the model gives 3"):
        upload.spec_for_upload(model, key="upload:x", filename="m", labels=("a", "b"))


def test_imagenet_names_for_1000_classes_offline():
    names = labels.imagenet_names()
    assert len(names) == 1000
    # indices every keras.applications user knows: 0 tench, 1 goldfish, 281 tabby, 999 toilet paper
    assert (names[0], names[1], names[281], names[999]) == ("tench", "goldfish", "tabby cat", "toilet paper")
    chosen, source = labels.choose_labels(1000)
    assert chosen == names and "ImageNet" in source
    assert labels.choose_labels(10) == (None, "none: classes are numbered")


# ---------------------------------------------------------------------------- through the page

def _page_upload(name: str, data: bytes):
    from tests.apptest_helpers import open_app

    at = open_app("your_model")
    uploader = next(f for f in at.get("file_uploader") if f.key == "model_file")
    uploader.set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_convnext_starts_at_0_255_and_says_why(tmp_path):
    path = _save(APPS.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classes=3), tmp_path, "cnx.keras")
    at = _page_upload("cnx.keras", path.read_bytes())
    assert not at.error, [e.value for e in at.error]
    assert at.segmented_control(key="range").value == "raw"
    assert any("Input values “0…255”: the model starts with Normalization(mean 123.7" in c.value for c in at.caption)


def test_page_refuses_a_file_over_the_operator_limit_without_reading_it_whole(tmp_path, monkeypatch):
    from streamlit.runtime.uploaded_file_manager import UploadedFile

    monkeypatch.setattr(UploadedFile, "getvalue", lambda self: pytest.fail("upload read whole with getvalue"))
    name, data = hm.valid_keras(tmp_path)  # ~28 KB
    monkeypatch.setenv(upload.ENV_MAX_MODEL_MB, "0.01")
    at = _page_upload(name, data)
    assert "LAYERLAB_MAX_MODEL_MB" in at.error[0].value and "small.keras" in at.error[0].value
    monkeypatch.delenv(upload.ENV_MAX_MODEL_MB)
    at = _page_upload(name, data)  # the same file under the default limit loads, still in pieces
    assert not at.error and "small.keras" in at.success[0].value


def test_page_refuses_a_model_over_the_memory_budget(tmp_path, monkeypatch):
    name, data = hm.valid_keras(tmp_path)
    monkeypatch.setenv(upload.ENV_MODEL_MEMORY_MB, "0.001")
    at = _page_upload(name, data)
    assert "LAYERLAB_MODEL_MEMORY_MB" in at.error[0].value


def _prediction_names(at) -> set[str]:
    at.segmented_control(key="u_view").set_value("Predictions").run()
    assert not at.exception
    return set(at.dataframe[0].value["class"])


def test_page_class_names_from_the_file_then_pasted(tmp_path):
    path = _save(hm.small_conv_model(), tmp_path, "named.keras")
    labels.save_class_names(path, ["cat", "dog", "bird"])
    at = _page_upload("named.keras", path.read_bytes())
    assert _prediction_names(at) <= {"cat", "dog", "bird"} and _prediction_names(at)
    at.text_area(key="u_labels_text").set_value("apple\npear\nplum").run()
    assert not at.exception
    assert _prediction_names(at) <= {"apple", "pear", "plum"} and _prediction_names(at)
    at.text_area(key="u_labels_text").set_value("only\ntwo").run()
    assert any("You gave 2 class names but the model gives 3" in w.value for w in at.warning)
    assert _prediction_names(at) <= {"cat", "dog", "bird"}
