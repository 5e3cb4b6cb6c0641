"""vizcore.features.extract: one forward pass gives what per-layer keras.Models (the slow,
obvious way) and hand-chained layer calls give, for plain, branching and nested models."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from vizcore import ModelError
from vizcore import features as F
from vizcore.models import seeds

L = keras.layers


def _reference(model, name, batch):
    """Output of one layer from its own per-layer keras.Model."""
    return np.asarray(keras.Model(model.input, model.get_layer(name).output)(batch, training=False))


def _base():
    return keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3, name="c1",
                             kernel_initializer=keras.initializers.GlorotUniform(seed=1)),
                             L.MaxPooling2D(name="p1")], name="base")


def test_one_pass_equals_per_layer_models_on_branching_model():
    model = seeds.conv_pool_block((8, 8, 3), kernels=4, seed=1)
    batch = np.random.default_rng(0).random((2, 8, 8, 3)).astype(np.float32)
    ex = F.build_extractor(model)
    acts = ex.activations(batch)
    names = [layer.name for layer in model.layers if not isinstance(layer, L.InputLayer)]
    assert list(ex.layer_names) == names
    for name in names:
        np.testing.assert_allclose(acts[name], _reference(model, name, batch), rtol=1e-5, atol=1e-6)


def test_nested_sequential_activations_equal_the_layers_called_one_by_one():
    base = _base()
    outer = keras.Sequential([base, L.GlobalAveragePooling2D(name="gap"),
                              L.Dense(2, activation="softmax", name="head")], name="outer")
    outer.build((None, 8, 8, 3))
    batch = np.random.default_rng(1).random((1, 8, 8, 3)).astype(np.float32)
    acts = F.build_extractor(outer).activations(batch)
    c1 = np.asarray(base.get_layer("c1")(batch))
    p1 = np.asarray(base.get_layer("p1")(c1))
    np.testing.assert_allclose(acts["base/c1"], c1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["base/p1"], p1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["gap"], p1.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["head"], np.asarray(outer(batch)), rtol=1e-5, atol=1e-6)


def test_nested_model_in_functional_model_gives_the_inner_layers_outputs():
    base = _base()
    inp = keras.Input((8, 8, 3))
    x = L.Rescaling(0.5, name="pre")(inp)
    x = base(x, training=False)
    out = L.Dense(3, name="out")(L.Flatten(name="flat")(x))
    model = keras.Model(inp, out, name="transfer")
    batch = np.random.default_rng(2).random((2, 8, 8, 3)).astype(np.float32)
    acts = F.build_extractor(model).activations(batch)
    inner = keras.Model(base.inputs[0], base.get_layer("c1").output)
    np.testing.assert_allclose(acts["base/c1"], np.asarray(inner(batch * 0.5)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["out"], np.asarray(model(batch)), rtol=1e-5, atol=1e-6)


def test_pretrained_base_inside_sequential_is_unfolded_mobilenet():
    # the transfer-learning shape keract and tf-keras-vis cannot look inside
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.35)
    base.trainable = False
    model = keras.Sequential([keras.Input((32, 32, 3)), base, L.GlobalAveragePooling2D(name="gap"),
                              L.Dense(3, activation="softmax", name="head")])
    batch = np.random.default_rng(3).random((1, 32, 32, 3)).astype(np.float32)
    ex = F.build_extractor(model)
    assert ex.layer_names[-2:] == ("gap", "head") and len(ex.layer_names) == len(base.layers) - 1 + 2
    acts = ex.activations(batch)
    for name in ("block_1_expand", "block_4_add", "out_relu"):
        ref = keras.Model(base.inputs[0], base.get_layer(name).output)(batch)
        np.testing.assert_allclose(acts[f"{base.name}/{name}"], np.asarray(ref), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(acts["head"], np.asarray(model(batch)), rtol=1e-4, atol=1e-6)
    assert ex.summary.total_params == model.count_params()
    assert ex.summary.trainable_params == 1280 * 3 + 3  # only the head: the base is frozen
    assert ex.default_cam_layer() == f"{base.name}/Conv_1"


def test_asked_layers_only_and_shapes_per_layer():
    ex = F.build_extractor(_base())
    acts = ex.activations(np.zeros((3, 8, 8, 3)), layers=["p1"])
    assert list(acts) == ["p1"] and acts["p1"].shape == (3, 3, 3, 4)
    assert ex.output_shape("c1") == (6, 6, 4) and ex.input_shape == (8, 8, 3)
    assert ex.layer("p1") is ex.source.get_layer("p1")


def test_submodel_ends_at_the_asked_layer():
    model = _base()
    batch = np.random.default_rng(4).random((1, 8, 8, 3)).astype(np.float32)
    sub = F.build_extractor(model).submodel("c1")
    expected = np.asarray(model.get_layer("c1")(batch))
    np.testing.assert_allclose(np.asarray(sub(batch)), expected, rtol=1e-5, atol=1e-6)


def test_default_cam_layer_is_the_last_convolution_not_a_transpose():
    model = keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(2, 3, name="conv"), L.MaxPooling2D(name="pool"),
                              L.Conv2DTranspose(2, 2, strides=2, name="up"), L.Flatten(name="flat")])
    ex = F.build_extractor(model)
    assert ex.default_cam_layer() == "conv"
    assert ex.final_node().path == "flat"
    with pytest.raises(ModelError, match="no layer with"):
        F.build_extractor(keras.Sequential([keras.Input((4,)), L.Dense(2)])).default_cam_layer()


def test_sequential_without_input_needs_a_shape():
    model = keras.Sequential([L.Conv2D(2, 3, name="c"), L.Flatten(name="f")])
    with pytest.raises(ModelError, match="input_shape"):
        F.build_extractor(model)
    assert F.build_extractor(model, input_shape=(6, 6, 1)).output_shape("c") == (4, 4, 2)


@pytest.mark.parametrize("batch, message", [
    pytest.param(np.zeros((1, 8, 8, 1)), r"\(N, 8, 8, 3\).*got \(1, 8, 8, 1\)", id="one-channel-for-three"),
    pytest.param(np.zeros((8, 8, 3)), r"got \(8, 8, 3\)", id="no-batch-axis"),
])
def test_wrong_batch_is_refused_naming_the_shape(batch, message):
    ex = F.build_extractor(_base())
    with pytest.raises(ModelError, match=message):
        ex.activations(batch)


def test_unknown_layer_is_refused_naming_the_layers():
    ex = F.build_extractor(_base())
    with pytest.raises(ModelError, match="no layer called 'nope'.*layers are: c1, p1"):
        ex.activations(np.zeros((1, 8, 8, 3)), layers=["nope"])


def test_any_size_model_runs_on_two_sizes():
    model = keras.Sequential([keras.Input((None, None, 3)), L.Conv2D(2, 3, padding="same", name="c")])
    ex = F.build_extractor(model)
    assert ex.activations(np.zeros((1, 8, 6, 3)))["c"].shape == (1, 8, 6, 2)
    assert ex.activations(np.zeros((1, 5, 5, 3)))["c"].shape == (1, 5, 5, 2)
