"""vizcore.features.trace: models unfolded into leaf layers, checked against the layers each
model was built from (names, order, nesting, shared calls) and the errors a user can cause."""
from __future__ import annotations

import keras
import pytest

from vizcore import ModelError
from vizcore.features.trace import is_model, tensor_shape, trace_model

L = keras.layers


def _base():
    return keras.Sequential([keras.Input((8, 8, 3)), L.Conv2D(4, 3, name="c1"), L.MaxPooling2D(name="p1")],
                            name="base")


def test_nested_sequential_layers_get_paths_in_call_order():
    base = _base()
    outer = keras.Sequential([base, L.GlobalAveragePooling2D(name="gap"), L.Dense(2, name="head")], name="outer")
    outer.build((None, 8, 8, 3))
    inp, _, nodes = trace_model(outer)
    assert [n.path for n in nodes] == ["base/c1", "base/p1", "gap", "head"]
    assert [n.layer for n in nodes] == [base.get_layer("c1"), base.get_layer("p1"),
                                        outer.get_layer("gap"), outer.get_layer("head")]
    assert tensor_shape(inp) == (8, 8, 3)
    # 8x8 -> 3x3 conv "valid" -> 6x6x4 -> 2x2 pool -> 3x3x4 -> global -> 4 -> Dense 2
    assert [tensor_shape(n.tensor) for n in nodes] == [(6, 6, 4), (3, 3, 4), (4,), (2,)]


def test_nested_model_inside_functional_model_is_unfolded():
    inp = keras.Input((8, 8, 3))
    x = L.Rescaling(0.5, name="pre")(inp)
    x = _base()(x)
    out = L.Dense(3, name="out")(L.Flatten(name="flat")(x))
    _, _, nodes = trace_model(keras.Model(inp, out, name="transfer"))
    assert [n.path for n in nodes] == ["pre", "base/c1", "base/p1", "flat", "out"]


def test_each_node_records_the_tensor_it_was_called_on():
    inp = keras.Input((4, 4, 1))
    a = L.Conv2D(1, 1, name="a")(inp)
    b = L.Conv2D(1, 1, name="b")(inp)
    out = L.Add(name="add")([a, b])
    traced_inp, _, nodes = trace_model(keras.Model(inp, out))
    by_path = {n.path: n for n in nodes}
    assert by_path["a"].inputs == [traced_inp] and by_path["b"].inputs == [traced_inp]
    assert by_path["add"].inputs == [by_path["a"].tensor, by_path["b"].tensor]


def test_a_shared_layer_is_one_first_call_and_a_second_named_call():
    shared = L.Dense(4, name="shared")
    inp = keras.Input((3,))
    out = L.Add(name="add")([shared(inp), shared(inp)])
    _, _, nodes = trace_model(keras.Model(inp, out))
    assert [(n.path, n.first_call) for n in nodes] == [("shared", True), ("shared#1", False), ("add", True)]


def test_sequential_without_input_is_traced_with_a_given_shape():
    model = keras.Sequential([L.Conv2D(2, 3, name="c"), L.Flatten(name="f")])
    with pytest.raises(ModelError, match=r"input_shape=\(H, W, C\)"):
        trace_model(model)
    _, _, nodes = trace_model(model, (6, 6, 1))
    assert [tensor_shape(n.tensor) for n in nodes] == [(4, 4, 2), (32,)]


def test_two_input_model_is_refused():
    a, b = keras.Input((4, 4, 3)), keras.Input((4, 4, 3))
    with pytest.raises(ModelError, match="one image input, got 2"):
        trace_model(keras.Model([a, b], L.Add()([a, b])))


@pytest.mark.parametrize("thing, name", [
    pytest.param(L.Dense(3), "Dense", id="a-layer"),
    pytest.param("model.keras", "str", id="a-file-name"),
])
def test_not_a_model_is_refused_naming_its_type(thing, name):
    assert not is_model(thing)
    with pytest.raises(ModelError, match=f"expected a keras.Model, got {name}"):
        trace_model(thing)


def test_a_layer_refusing_the_given_shape_names_model_and_shape():
    model = keras.Sequential([L.Conv2D(2, 5, name="c")], name="small")
    with pytest.raises(ModelError, match=r"'small' with input shape \(3, 3, 1\)"):
        trace_model(model, (3, 3, 1))
