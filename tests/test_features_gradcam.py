"""vizcore.features.gradcam on a tiny model whose right answer is known: class 0's logit is
the mean of input channel 0, class 1's the mean of channel 1, so each class's heat map must
sit where its channel has evidence."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from vizcore import ModelError
from vizcore import features as F

L = keras.layers


def _cam_model(activation="softmax"):
    # two 1x1 identity-conv channels -> global average -> identity Dense
    inp = keras.Input((8, 8, 2))
    x = L.Conv2D(2, 1, name="conv", use_bias=False)(inp)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(2, activation=activation, name="probs", kernel_initializer="identity")(x)
    model = keras.Model(inp, out)
    model.get_layer("conv").set_weights([np.eye(2, dtype=np.float32).reshape(1, 1, 2, 2)])
    return model


def _two_corners():
    batch = np.zeros((1, 8, 8, 2), np.float32)
    batch[0, :3, :3, 0] = 1.0  # class 0 evidence top-left
    batch[0, 5:, 5:, 1] = 1.0  # class 1 evidence bottom-right
    return batch


@pytest.mark.parametrize("activation", ["softmax", "linear"])
@pytest.mark.parametrize("cls, hot", [pytest.param(0, (1, 1), id="class0-top-left"),
                                      pytest.param(1, (6, 6), id="class1-bottom-right")])
def test_grad_cam_highlights_the_region_that_matters(activation, cls, hot):
    model = _cam_model(activation)
    cam = F.grad_cam(model, _two_corners(), class_index=cls)
    assert cam.shape == (8, 8) and cam.dtype == np.float32
    assert cam.min() >= 0.0 and cam.max() == pytest.approx(1.0)
    r, c = hot
    assert cam[r, c] == pytest.approx(1.0)
    assert cam[7 - r, 7 - c] == pytest.approx(0.0)


def test_grad_cam_of_a_class_without_evidence_is_all_zero():
    batch = np.zeros((1, 8, 8, 2), np.float32)
    batch[0, :3, :3, 0] = 1.0  # only class 0 has evidence; the softmax's logit for class 1 is 0 everywhere
    cam = F.grad_cam(_cam_model(), batch, class_index=1)
    np.testing.assert_array_equal(cam, np.zeros((8, 8), np.float32))


@pytest.mark.parametrize("kwargs, batch_size, message", [
    pytest.param({"class_index": 5}, 1, r"2 outputs \(0..1\), got class 5", id="class-out-of-range"),
    pytest.param({"class_index": 0, "layer_name": "gap"}, 1, r"'gap' has output \(2,\)", id="layer-without-maps"),
    pytest.param({"class_index": 0, "layer_name": "nope"}, 1, "no layer called 'nope'", id="unknown-layer"),
    pytest.param({"class_index": 0}, 2, "batch of one image, got 2", id="two-images"),
])
def test_grad_cam_refuses(kwargs, batch_size, message):
    with pytest.raises(ModelError, match=message):
        F.grad_cam(_cam_model(), np.zeros((batch_size, 8, 8, 2), np.float32), **kwargs)


# ---- the traced step against independent references ----------------------------------------

# 1x1 convolution 3 -> 2 channels with ReLU, global average, Dense 2 -> 3 with softmax: class c's
# logit is sum_k D[k, c] * mean(A_k) + b_c, so its gradient over every position of map k is
# D[k, c] / 64 and Grad-CAM is relu(sum_k D[k, c] / 64 * A_k), divided by its maximum.
CONV_W = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, -1.0]], np.float32)   # (in 3, out 2)
CONV_B = np.array([0.0, 0.1], np.float32)
DENSE_W = np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -1.0]], np.float32)  # (maps 2, classes 3)
DENSE_B = np.array([0.1, 0.2, 0.3], np.float32)


def _hand_model(conv_w=CONV_W, dense_w=DENSE_W):
    inp = keras.Input((8, 8, 3))
    x = L.Conv2D(2, 1, activation="relu", name="conv")(inp)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(3, activation="softmax", name="probs")(x)
    model = keras.Model(inp, out)
    model.get_layer("conv").set_weights([conv_w.reshape(1, 1, 3, 2), CONV_B])
    model.get_layer("probs").set_weights([dense_w, DENSE_B])
    return model


def _hand_batch():
    x = np.arange(8 * 8 * 3, dtype=np.float32).reshape(1, 8, 8, 3) / 192.0
    x[0, :, :4, 2] = 1.0  # a lot of channel 2 on the left: map 1 (green minus blue) is silent there
    return x


def _numpy_cam(x, cls, conv_w=CONV_W, dense_w=DENSE_W):
    maps = np.maximum(x[0] @ conv_w + CONV_B, 0.0)        # (8, 8, 2)
    cam = np.maximum(maps @ (dense_w[:, cls] / 64.0), 0.0)  # the mean gradient per map is D[k, c] / 64
    return cam / cam.max() if cam.max() > 0 else cam


@pytest.mark.parametrize("cls", [pytest.param(0, id="class0-both-maps-count"),
                                 pytest.param(1, id="class1-negative-weight-all-zero"),
                                 pytest.param(2, id="class2-mixed-signs")])
def test_grad_cam_equals_the_numpy_computation_on_hand_checkable_weights(cls):
    x = _hand_batch()
    cam = F.grad_cam(_hand_model(), x, class_index=cls, layer_name="conv")
    want = _numpy_cam(x, cls)
    np.testing.assert_allclose(cam, want, atol=1e-6)
    assert (want.max() == 0) == (cls == 1)  # the table covers the all-zero case too


def _eager_tape_cam(model, x, cls, layer):
    """Reference: a two-output model run eagerly under a tape that records everything; the
    softmax's logits from its input, the map resized by Pillow's bilinear filter."""
    import tensorflow as tf
    from PIL import Image

    dense = model.get_layer("probs")
    both = keras.Model(model.inputs[0], [model.get_layer(layer).output, dense.input])
    with tf.GradientTape() as tape:
        maps, feat = both(tf.constant(x))
        score = (tf.matmul(feat, dense.kernel) + dense.bias)[0, cls]
    grads = tape.gradient(score, maps).numpy()[0]
    maps = maps.numpy()[0]
    cam = np.maximum((maps * grads.mean(axis=(0, 1))).sum(axis=-1), 0.0)
    cam = np.asarray(Image.fromarray(cam.astype(np.float32), mode="F").resize((8, 8), Image.Resampling.BILINEAR))
    cam = np.maximum(cam, 0.0)
    return cam / cam.max() if cam.max() > 0 else cam


@pytest.fixture(scope="module")
def deeper():
    init = keras.initializers.GlorotUniform
    inp = keras.Input((8, 8, 3))
    x = L.Conv2D(6, 3, padding="same", activation="relu", name="c1", kernel_initializer=init(seed=1))(inp)
    x = L.MaxPooling2D(name="pool")(x)
    x = L.Conv2D(5, 3, padding="same", activation="relu", name="c2", kernel_initializer=init(seed=2))(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(4, activation="softmax", name="probs", kernel_initializer=init(seed=3))(x)
    return keras.Model(inp, out)


@pytest.mark.parametrize("layer", [pytest.param("c1", id="8x8-maps"), pytest.param("pool", id="4x4-maps-resized"),
                                   pytest.param("c2", id="last-conv-4x4")])
def test_grad_cam_equals_an_eager_tape_reference(deeper, layer):
    x = np.random.default_rng(5).uniform(0, 1, (1, 8, 8, 3)).astype(np.float32)
    for cls in range(4):
        want = _eager_tape_cam(deeper, x, cls, layer)
        got = F.grad_cam(deeper, x, class_index=cls, layer_name=layer)
        np.testing.assert_allclose(got, want, atol=1e-6, err_msg=f"class {cls}")


def test_grad_cam_follows_new_weights_and_never_reuses_another_models_step():
    x = _hand_batch()
    model = _hand_model()
    np.testing.assert_allclose(F.grad_cam(model, x, class_index=2, layer_name="conv"), _numpy_cam(x, 2), atol=1e-6)
    # weights changed in place: the (cached) step reads the layer's variables at every call
    swapped = DENSE_W[::-1].copy()
    model.get_layer("probs").set_weights([swapped, DENSE_B])
    np.testing.assert_allclose(F.grad_cam(model, x, class_index=2, layer_name="conv"),
                               _numpy_cam(x, 2, dense_w=swapped), atol=1e-6)
    # a new model with the same layer names and other weights gets its own map
    other_conv = CONV_W[:, ::-1].copy()
    np.testing.assert_allclose(F.grad_cam(_hand_model(conv_w=other_conv), x, class_index=0, layer_name="conv"),
                               _numpy_cam(x, 0, conv_w=other_conv), atol=1e-6)
