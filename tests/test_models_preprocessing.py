"""Input conventions against keras.applications' own preprocess_input, and their inverses."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore import ModelError
from vizcore.models import preprocessing as pp

# 2x2 RGB pixels in 0..255 with distinct values per channel, so a channel swap shows
PIXELS = np.array([[[0, 10, 255], [40, 80, 120]], [[255, 255, 255], [200, 30, 7]]], np.float32)


@pytest.mark.parametrize("name, keras_module", [
    ("caffe", "vgg16"),          # BGR minus the ImageNet mean
    ("caffe", "resnet50"),
    ("tf", "mobilenet_v2"),      # x / 127.5 - 1
    ("torch", "densenet"),       # x / 255 minus mean, over std
])
def test_named_convention_equals_keras_preprocess_input(name, keras_module):
    import keras

    module = getattr(keras.applications, keras_module)
    expected = module.preprocess_input(PIXELS[None].copy())
    ours = pp.convention(name).to_model(PIXELS[None] / 255.0)
    np.testing.assert_allclose(ours, expected, atol=2e-5)


@pytest.mark.parametrize("name", sorted(pp.CONVENTIONS))
def test_to_picture_undoes_to_model(name):
    pixels = np.random.default_rng(3).random((1, 5, 4, 3)).astype(np.float32)
    back = pp.convention(name).to_picture(pp.convention(name).to_model(pixels))
    np.testing.assert_allclose(back, pixels, atol=1e-5)


def test_grey_input_uses_the_single_channel_arithmetic():
    grey = np.array([[[0.0], [0.5], [1.0]]], np.float32)
    np.testing.assert_allclose(pp.convention("tf").to_model(grey)[..., 0], [[-1.0, 0.0, 1.0]])
    with pytest.raises(ModelError, match="mean for 3 channels; the input has 1"):
        pp.convention("caffe").to_model(grey)


def test_caffe_value_range_by_hand():
    # black: 0 - 123.68 (red mean) is the lowest; white: 255 - 103.939 (blue mean) the highest
    lo, hi = pp.convention("caffe").value_range()
    assert lo == pytest.approx(-123.68, abs=1e-4) and hi == pytest.approx(255 - 103.939, abs=1e-4)
    # patterns use the channels' average: 0 - mean of the means ... 255 - mean of the means
    mean = (103.939 + 116.779 + 123.68) / 3
    np.testing.assert_allclose(pp.convention("caffe").pattern_range(), (-mean, 255 - mean), atol=1e-4)


def test_describe_says_what_changes():
    assert pp.convention("unit").describe() == ""
    assert "0…1 to -1…1" in pp.convention("tf").describe()
    assert "B, G, R" in pp.convention("caffe").describe()


def test_unknown_convention_names_the_known_ones():
    with pytest.raises(ModelError, match="unit, raw, tf, torch, caffe"):
        pp.convention("bgr")
