"""vizcore.features.summary against hand arithmetic: parameter counts, float32 memory,
receptive fields, Keras' own totals, and byte sizes written for people."""
from __future__ import annotations

import keras
import pytest

from vizcore import features as F
from vizcore.features.summary import human_bytes, receptive_fields
from vizcore.features.trace import trace_model

L = keras.layers


def test_summary_rows_equal_hand_arithmetic():
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        L.Conv2D(4, 3, name="conv"),            # 6x6x4, 3*3*3*4+4 = 112, RF 3
        L.BatchNormalization(name="bn"),        # 16 params, 8 trainable, RF 3
        L.MaxPooling2D(2, name="pool"),         # 3x3x4, RF 3 + 1*1 = 4, jump 2
        L.Conv2D(2, 3, name="conv2"),           # 1x1x2, 3*3*4*2+2 = 74, RF 4 + 2*2 = 8
        L.Flatten(name="flat"),                 # 2, RF undefined
        L.Dense(5, name="dense"),               # 2*5+5 = 15
    ])
    summary = F.model_summary(model)
    rows = {r.name: r for r in summary.rows}
    expected = {
        "conv": ((6, 6, 4), 112, 112, 6 * 6 * 4 * 4, (3, 3)),
        "bn": ((6, 6, 4), 16, 8, 6 * 6 * 4 * 4, (3, 3)),
        "pool": ((3, 3, 4), 0, 0, 3 * 3 * 4 * 4, (4, 4)),
        "conv2": ((1, 1, 2), 74, 74, 2 * 4, (8, 8)),
        "flat": ((2,), 0, 0, 8, None),
        "dense": ((5,), 15, 15, 20, None),
    }
    for name, (shape, params, trainable, nbytes, rf) in expected.items():
        row = rows[name]
        assert (row.output_shape, row.params, row.trainable_params, row.activation_bytes,
                row.receptive_field) == (shape, params, trainable, nbytes, rf), name
    assert (summary.total_params, summary.trainable_params, summary.non_trainable_params) == (217, 209, 8)
    assert summary.activation_bytes == 2 * 576 + 144 + 8 + 8 + 20
    assert [r.type for r in summary.rows] == ["Conv2D", "BatchNormalization", "MaxPooling2D", "Conv2D",
                                              "Flatten", "Dense"]


def test_summary_table_and_totals_are_display_strings():
    model = keras.Sequential([keras.Input((40, 40, 3)), L.Conv2D(300, 3, name="conv"), L.Flatten(name="flat")])
    summary = F.model_summary(model)
    conv, flat = summary.table()
    # 3*3*3*300 + 300 = 8,400 parameters; 38*38*300 floats * 4 bytes = 1,732,800 B = 1.65 MiB
    assert conv == {"layer": "conv", "type": "Conv2D", "output shape": "38 × 38 × 300", "parameters": "8,400",
                    "trainable": "8,400", "activation memory": "1.7 MiB", "receptive field": "3×3"}
    assert flat["receptive field"] == "—"
    assert summary.totals_text() == "Total params: 8,400 · trainable: 8,400 · non-trainable: 0"


def test_receptive_field_with_strides_dilation_and_transpose():
    model = keras.Sequential([
        keras.Input((32, 32, 1)),
        L.Conv2D(1, 5, strides=2, padding="same", name="a"),                 # 5, jump 2
        L.Conv2D(1, 3, dilation_rate=2, padding="same", name="b"),           # 5 + 2*2*2 = 13
        L.Conv2DTranspose(1, 3, strides=2, padding="same", name="t"),        # 13 + (ceil(3/2)-1)*2 = 15
    ])
    rf = {r.name: r.receptive_field for r in F.model_summary(model).rows}
    assert rf == {"a": (5, 5), "b": (13, 13), "t": (15, 15)}


def test_receptive_fields_keep_jumps_and_take_the_larger_branch():
    inp = keras.Input((16, 16, 1))
    small = L.Conv2D(1, 3, padding="same", name="small")(inp)     # RF 3, jump 1
    big = L.Conv2D(1, 5, padding="same", name="big")(inp)         # RF 5, jump 1
    both = L.Add(name="add")([small, big])                        # larger branch: 5
    pooled = L.MaxPooling2D(2, name="pool")(both)                 # 5 + 1 = 6, jump 2
    up = L.UpSampling2D(2, name="up")(pooled)                     # 6, jump 1
    traced_inp, _, nodes = trace_model(keras.Model(inp, up))
    assert receptive_fields(traced_inp, nodes) == {
        "small": (3, 3, 1, 1), "big": (5, 5, 1, 1), "add": (5, 5, 1, 1),
        "pool": (6, 6, 2, 2), "up": (6, 6, 1, 1)}


def test_shared_layer_parameters_counted_once():
    shared = L.Dense(4, name="shared")
    inp = keras.Input((3,))
    out = L.Add(name="add")([shared(inp), shared(inp)])
    summary = F.model_summary(keras.Model(inp, out))
    assert [r.params for r in summary.rows] == [16, 0, 0]
    assert summary.total_params == 16


def test_any_size_model_has_unknown_memory_but_a_receptive_field():
    model = keras.Sequential([keras.Input((None, None, 3)), L.Conv2D(2, 3, padding="same", name="c")])
    summary = F.model_summary(model)
    row = summary.rows[0]
    assert row.output_shape == (None, None, 2)
    assert row.activation_bytes is None and row.receptive_field == (3, 3)
    assert summary.table()[0]["activation memory"] == "—" and summary.table()[0]["output shape"] == "? × ? × 2"


@pytest.mark.parametrize("n, text", [
    pytest.param(0, "0 B", id="zero"),
    pytest.param(1023, "1023 B", id="below-a-kibibyte"),
    pytest.param(1024, "1.0 KiB", id="one-kibibyte"),
    pytest.param(1536, "1.5 KiB", id="one-and-a-half-kibibytes"),
    pytest.param(3 * 1024 ** 2, "3.0 MiB", id="three-mebibytes"),
])
def test_human_bytes(n, text):
    assert human_bytes(n) == text
