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
