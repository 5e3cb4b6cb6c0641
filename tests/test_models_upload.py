"""Uploaded model files: refused with a message when hostile, loaded when valid, no code run."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tests import hostile_models as hm
from vizcore import ModelError
from vizcore.models import upload


@pytest.mark.parametrize("case", hm.HOSTILE, ids=[case.id for case in hm.HOSTILE])
def test_hostile_file_is_refused_with_a_message(case, tmp_path):
    filename, data = case.build(tmp_path)
    with pytest.raises(ModelError) as caught:
        upload.load_user_model(data, filename=filename)
    assert case.message in str(caught.value)
    assert filename in str(caught.value)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_lambda_code_never_runs_but_would_with_an_unsafe_loader(suffix, tmp_path):
    filename, data = hm.lambda_keras(tmp_path, suffix=suffix)
    marker = tmp_path / hm.MARKER_NAME
    assert not marker.exists()
    with pytest.raises(ModelError, match="Lambda"):
        upload.load_user_model(data, filename=filename)
    assert not marker.exists(), "code from the uploaded file was executed"
    # Control: the same bytes really carry code that runs when a loader trusts the file,
    # so the check above is meaningful.
    path = tmp_path / f"control{suffix}"
    path.write_bytes(data)
    keras.models.load_model(path, safe_mode=False, compile=False)(np.zeros((1, 8, 8, 3)))
    assert marker.exists()


def test_size_limit_names_the_size(tmp_path):
    filename, data = hm.valid_keras(tmp_path)
    with pytest.raises(ModelError, match="accepts model files up to 1,000 bytes"):
        upload.load_user_model(data, filename=filename, max_bytes=1000)


def test_valid_keras_loads_and_matches_the_saved_model(tmp_path):
    filename, data = hm.valid_keras(tmp_path)
    model = upload.load_user_model(data, filename=filename)
    reference = hm.small_conv_model()  # same seeded initialisers -> same weights
    x = np.random.default_rng(1).uniform(0, 1, (1, 8, 8, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(reference(x)), rtol=1e-5)
    assert [layer.name for layer in model.layers] == ["image", "conv_a", "pool_a", "conv_b",
                                                       "flat", "probs"]
    assert upload.describe_input(model) == ((8, 8), 3)
    assert upload.classifier_classes(model) == 3


def test_legacy_h5_loads(tmp_path):
    filename, data = hm.valid_h5(tmp_path)
    assert data[:8] == b"\x89HDF\r\n\x1a\n"
    model = upload.load_user_model(data, filename=filename)
    assert model.count_params() == hm.small_conv_model().count_params()
    # conv_a: 3*3*3*4 + 4 = 112; conv_b: 3*3*4*6 + 6 = 222; probs: 4*4*6*3 + 3 = 291
    assert model.count_params() == 112 + 222 + 291


def test_any_size_input_is_described_as_none(tmp_path):
    inputs = keras.Input((None, None, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    path = tmp_path / "any.keras"
    model.save(path)
    loaded = upload.load_user_model(path.read_bytes(), filename="any.keras")
    assert upload.describe_input(loaded) == (None, 1)
    assert upload.classifier_classes(loaded) is None


def test_nested_model_loads_with_its_inner_model(tmp_path):
    filename, data = hm.nested_keras(tmp_path)
    model = upload.load_user_model(data, filename=filename)
    inner = model.get_layer("pretrained_base")
    assert isinstance(inner, keras.Model)
    assert [layer.name for layer in inner.layers] == ["base_input", "base_conv1", "base_conv2"]
    assert upload.describe_input(model) == ((8, 8), 3)


@pytest.mark.parametrize("config, message", [
    ({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Lambda", "config": {"name": "l"}}]}}, "Lambda layer"),
    ({"class_name": "Functional", "module": "keras.src.models.functional",
      "registered_name": "Functional",
      "config": {"layers": [{"class_name": "Conv2D", "module": "evil.layers",
                              "config": {"name": "c"}}]}}, "module 'evil.layers'"),
    ({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Custom>Thing", "config": {"name": "t"}}]}}, "custom object"),
    ({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "__lambda__", "config": {"code": "AAAA"}}]}}, "stores Python code"),
])
def test_check_config_refuses_code_and_foreign_objects(config, message):
    with pytest.raises(ModelError, match=message):
        upload.check_config(config)


def test_check_config_accepts_a_legacy_style_config():
    legacy = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8, 8, 3]}},
        {"class_name": "Conv2D", "config": {"name": "c", "activation": "relu",
                                            "kernel_initializer": {"class_name": "GlorotUniform",
                                                                   "config": {"seed": None}}}}]}}
    assert upload.check_config(legacy) is None


def test_upload_spec_fits_any_size_models_to_the_picture_and_converts_values(tmp_path):
    from vizcore.fitting import adapt_image

    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    spec = upload.spec_for_upload(model, key="upload:x", filename="any.keras", mode="tf")
    picture = np.random.default_rng(0).random((300, 600, 3)).astype(np.float32)
    prepared = spec.prepare(picture)
    assert prepared.batch.shape == (1, 128, 256, 3)  # longer side brought down to 256
    pixels, _ = adapt_image(picture, size=(128, 256), channels=3)
    np.testing.assert_allclose(prepared.batch, pixels * 2 - 1, atol=1e-6)  # 0…1 -> -1…1
    assert "0…1 to -1…1" in prepared.notes[-1]
    assert spec.labels is None


def test_upload_spec_names_classes_and_refuses_an_unknown_fit(tmp_path):
    filename, data = hm.valid_keras(tmp_path)
    model = upload.load_user_model(data, filename=filename)
    spec = upload.spec_for_upload(model, key="upload:y", filename=filename)
    assert spec.labels == ("class 0", "class 1", "class 2") and spec.input_size == (8, 8)
    with pytest.raises(ModelError, match="fit must be one of"):
        upload.spec_for_upload(model, key="upload:y", filename=filename, fit="zoom")
