"""ImageNet networks: published architectures, honest offline availability, no hanging, no crash."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

from vizcore import ModelError
from vizcore.models import imagenet


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """A Keras home with no weights in it, and no network (any download attempt fails)."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))

    def no_network(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(imagenet.urllib.request, "urlopen", no_network)
    return tmp_path / "keras_home"


# Published parameter counts (Keras Applications table / the papers' Keras ports).
@pytest.mark.parametrize("key, params", [("mobilenet_v2", 3_538_984), ("vgg16", 138_357_544)])
def test_architecture_has_the_published_parameter_count(key, params):
    model = imagenet.build(key, weights=None)
    assert model.count_params() == params
    assert tuple(model.inputs[0].shape) == (None, 224, 224, 3)
    assert tuple(model.outputs[0].shape) == (None, 1000)


@pytest.mark.parametrize("key", sorted(imagenet.NETS))
def test_unavailable_when_cache_is_empty_with_a_how_to(key, empty_cache):
    start = time.perf_counter()
    ok, message = imagenet.availability(key)
    assert time.perf_counter() - start < 1.0  # only a file check: never waits on a network
    assert ok is False
    net = imagenet.NETS[key]
    assert net.weights_file in message
    assert str(empty_cache / "models") in message
    assert f"keras.applications.{net.application}(weights='imagenet')" in message


@pytest.mark.parametrize("key", sorted(imagenet.NETS))
def test_load_without_weights_raises_model_error(key, empty_cache):
    with pytest.raises(ModelError, match=imagenet.NETS[key].weights_file):
        imagenet.load(key)


def test_damaged_weights_file_raises_model_error(empty_cache):
    path = imagenet.weights_path("mobilenet_v2")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an hdf5 file at all")
    assert imagenet.availability("mobilenet_v2")[0] is True
    with pytest.raises(ModelError, match="could not be read into MobileNetV2"):
        imagenet.load("mobilenet_v2")


def test_fetch_without_network_raises_model_error_and_leaves_no_file(empty_cache):
    with pytest.raises(ModelError, match="could not download vgg16_weights"):
        imagenet.fetch_weights("vgg16", timeout=1)
    assert not imagenet.weights_path("vgg16").exists()
    assert list((empty_cache / "models").glob("*.part")) == []


def test_weights_saved_in_the_cache_are_used(empty_cache):
    """A weights file placed in the cache is what load() reads (here: seeded random weights)."""
    import keras

    keras.utils.set_random_seed(3)
    source = imagenet.build("mobilenet_v2")
    path = imagenet.weights_path("mobilenet_v2")
    path.parent.mkdir(parents=True)
    source.save(path)  # legacy HDF5, the layer-by-name layout of the published files
    loaded = imagenet.load("mobilenet_v2")
    x = np.random.default_rng(0).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(source(x)), atol=1e-6)


def test_preprocess_matches_each_networks_convention():
    image = np.zeros((4, 6, 3), np.float32)
    image[..., 0] = 1.0  # pure red
    mobile = imagenet.preprocess("mobilenet_v2", image)
    assert mobile.shape == (1, 224, 224, 3)
    np.testing.assert_allclose(mobile[0, 100, 100], [1.0, -1.0, -1.0])  # x / 127.5 - 1
    vgg = imagenet.preprocess("vgg16", image)
    # caffe style: BGR order, minus the ImageNet mean (B 103.939, G 116.779, R 123.68)
    np.testing.assert_allclose(vgg[0, 100, 100], [-103.939, -116.779, 255 - 123.68], atol=1e-3)


def test_decode_without_class_index_uses_class_numbers(empty_cache):
    probs = np.zeros((1, 1000))
    probs[0, [7, 409, 2]] = [0.2, 0.7, 0.1]
    assert imagenet.decode(probs, top=3) == [("ImageNet class 409", 0.7),
                                             ("ImageNet class 7", 0.2),
                                             ("ImageNet class 2", 0.1)]


def test_decode_with_class_index_uses_names(empty_cache):
    index = {str(i): [f"n{i:08d}", f"thing_{i}"] for i in range(1000)}
    index["409"] = ["n02708093", "analog_clock"]
    path = imagenet.class_index_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(index))
    probs = np.zeros(1000)
    probs[409], probs[5] = 0.9, 0.1
    assert imagenet.decode(probs, top=2) == [("analog clock", 0.9), ("thing 5", 0.1)]


def test_decode_rejects_a_wrong_shape():
    with pytest.raises(ModelError, match=r"got shape \(1, 10\)"):
        imagenet.decode(np.zeros((1, 10)))


def test_specs_report_unavailable_and_raise_on_load(empty_cache):
    specs = {spec.key: spec for spec in imagenet.specs()}
    assert set(specs) == {"mobilenet_v2", "vgg16"}
    for spec in specs.values():
        ok, message = spec.available()
        assert not ok and "weights" in message
        with pytest.raises(ModelError):
            spec.load()
        with pytest.raises(ModelError, match="could not download"):  # the spec's download, no network
            spec.fetch(1)


@pytest.mark.parametrize("key, keras_module", [("vgg16", "vgg16"), ("mobilenet_v2", "mobilenet_v2")])
def test_spec_batch_equals_keras_preprocess_input_and_seen_undoes_it(key, keras_module):
    import keras

    picture = np.random.default_rng(2).random((224, 224, 3)).astype(np.float32)
    spec = {s.key: s for s in imagenet.specs()}[key]
    prepared = spec.prepare(picture)
    pixels = np.round(picture * 255)[None]  # the 8-bit pixels Keras's own loader would give
    expected = getattr(keras.applications, keras_module).preprocess_input(pixels.copy())
    np.testing.assert_allclose(prepared.batch, expected, atol=1e-3)
    np.testing.assert_allclose(prepared.seen, pixels[0] / 255, atol=1e-5)
