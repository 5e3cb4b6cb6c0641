"""How a picture's values become a model's input values, and back.

Every model reads pixels in its own convention. :class:`InputConvention` names one and holds
its arithmetic, so a page never needs to know a mean or a channel order:

    model value = (pixel * pixel_scale - mean[c]) / std[c]    (after reordering RGB -> BGR)

with ``pixel`` the RGB value in [0, 1]. The named ones follow ``keras.applications``'
``preprocess_input`` modes and the plain ranges a user's model may expect:

=========  ============================================================  =================
name       what the model reads                                          range
=========  ============================================================  =================
unit       pixels / 255 (what most hand-trained models use)               0 … 1
raw        pixels as they are                                             0 … 255
tf         pixels / 127.5 - 1 (MobileNet, Inception, EfficientNetV2...)   -1 … 1
torch      pixels / 255, minus ImageNet mean, over its std (DenseNet)     about -2.1 … 2.6
caffe      BGR pixels minus the ImageNet BGR mean (VGG16, ResNet50)       about -124 … 151
=========  ============================================================  =================

:data:`APPLICATION_MODES` says which one each ``keras.applications`` architecture expects, so an
uploaded model built on one of them gets the right default (:func:`application_mode`).

A convention's :meth:`~InputConvention.to_picture` undoes :meth:`~InputConvention.to_model`,
so "what the model sees" is drawn from the very batch the model was given.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import ModelError

__all__ = ["InputConvention", "CONVENTIONS", "IMAGENET_BGR_MEAN", "APPLICATION_MODES", "convention", "caffe",
           "application_mode"]

#: The ImageNet mean (B, G, R) ``keras.applications`` subtracts in "caffe" mode, in 0-255 units.
IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class InputConvention:
    """One model input convention (see the module docstring for the formula).

    name:        short id ("unit", "raw", "tf", "torch", "caffe" or a model's own).
    label:       what a page shows for it ("0…1", "caffe: BGR − ImageNet mean", ...).
    pixel_scale: 1.0 (pixels in [0, 1]) or 255.0 (pixels in 0-255) before the mean.
    mean, std:   per channel, in the model's channel order and pixel_scale's units; one value
                 applies to every channel.
    bgr:         the model reads blue, green, red (Caffe-trained networks).
    """

    name: str
    label: str
    pixel_scale: float = 1.0
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)
    bgr: bool = False

    @property
    def channel_order(self) -> str:
        """"BGR" or "RGB"."""
        return "BGR" if self.bgr else "RGB"

    def _stats(self, channels: int) -> tuple[np.ndarray, np.ndarray]:
        mean = np.asarray(self.mean, dtype=np.float32)
        std = np.asarray(self.std, dtype=np.float32)
        for arr, what in ((mean, "mean"), (std, "std")):
            if arr.size not in (1, channels):
                raise ModelError(f"the {self.name!r} convention has a {what} for {arr.size} channels; "
                                 f"the input has {channels}")
        return mean, std

    def to_model(self, pixels: np.ndarray) -> np.ndarray:
        """(..., C) float RGB (or grey, C = 1) in [0, 1] -> the same shape float32 in model units.

        Raises ModelError when the convention's per-channel mean/std do not fit C.
        """
        x = np.asarray(pixels, dtype=np.float32)
        mean, std = self._stats(x.shape[-1])
        if self.bgr and x.shape[-1] == 3:
            x = x[..., ::-1]
        return ((x * np.float32(self.pixel_scale) - mean) / std).astype(np.float32)

    def to_picture(self, values: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`to_model`: (..., C) model values -> RGB (or grey) float32, clipped to [0, 1]."""
        x = np.asarray(values, dtype=np.float32)
        mean, std = self._stats(x.shape[-1])
        pixels = (x * std + mean) / np.float32(self.pixel_scale)
        if self.bgr and x.shape[-1] == 3:
            pixels = pixels[..., ::-1]
        return np.clip(pixels, 0.0, 1.0).astype(np.float32)

    def describe(self, channels: int = 3) -> str:
        """What the convention does to a picture, as one sentence ("" for plain 0…1 pixels)."""
        if self.name == "unit":
            return ""
        lo, hi = self.value_range(channels)
        uniform = len(set(self.mean)) == 1 and len(set(self.std)) == 1
        if uniform and not (self.bgr and channels == 3):
            return f"values scaled from 0…1 to {lo:g}…{hi:g}, the range the model was trained on"
        order = "channels put in B, G, R order, " if self.bgr and channels == 3 else ""
        return (f"values converted as the model was trained ({self.label}): {order}each channel's mean "
                f"taken away, {lo:.3g}…{hi:.3g} in all")

    def channel_ranges(self, channels: int = 3) -> np.ndarray:
        """(channels, 2): model values of a black (0) and a white (1) pixel, per model channel."""
        black = self.to_model(np.zeros((1, channels), np.float32))[0]
        white = self.to_model(np.ones((1, channels), np.float32))[0]
        return np.stack([black, white], axis=1)

    def value_range(self, channels: int = 3) -> tuple[float, float]:
        """(lowest, highest) value any channel can take for pixels in [0, 1]."""
        ranges = self.channel_ranges(channels)
        return float(ranges.min()), float(ranges.max())

    def pattern_range(self, channels: int = 3) -> tuple[float, float]:
        """One (low, high) range a picture in [0, 1] is mapped onto for gradient ascent.

        The channels' black and white values averaged: the plain range for unit/raw/tf, about
        the middle channel's for caffe (its means differ by ~20 of 255).
        """
        lo, hi = self.channel_ranges(channels).mean(axis=0)
        return float(lo), float(hi)


CONVENTIONS: dict[str, InputConvention] = {
    c.name: c for c in (
        InputConvention("unit", "0…1"),
        InputConvention("raw", "0…255", pixel_scale=255.0),
        InputConvention("tf", "−1…1", pixel_scale=255.0, mean=(127.5,), std=(127.5,)),
        InputConvention("torch", "torch: ImageNet mean/std", mean=_TORCH_MEAN, std=_TORCH_STD),
        InputConvention("caffe", "caffe: BGR − ImageNet mean", pixel_scale=255.0,
                        mean=IMAGENET_BGR_MEAN, bgr=True),
    )
}


def convention(name: str) -> InputConvention:
    """The named convention ("unit", "raw", "tf", "torch", "caffe"). Raises ModelError naming the known ones."""
    try:
        return CONVENTIONS[name]
    except (KeyError, TypeError):
        raise ModelError(f"unknown input convention {name!r}; choose one of {', '.join(CONVENTIONS)}") from None


def caffe(name: str, label: str, bgr_mean: tuple[float, float, float]) -> InputConvention:
    """A Caffe-style convention with its own BGR mean (0-255 units), e.g. HED's BSDS mean."""
    return InputConvention(name, label, pixel_scale=255.0, mean=tuple(float(m) for m in bgr_mean), bgr=True)


#: keras.applications architectures by the name Keras gives the model (``model.name``, as a
#: regular expression matched whole, case-insensitive): (architecture, convention, why). From
#: each family's ``preprocess_input`` (its ``mode``); "raw" where the model holds its own
#: Rescaling/Normalization layers and ``preprocess_input`` passes values through.
APPLICATION_MODES: tuple[tuple[str, str, str, str], ...] = (
    (r"vgg1[69]", "VGG", "caffe", "its preprocess_input uses 'caffe' mode"),
    (r"resnet(50|101|152)", "ResNet", "caffe", "its preprocess_input uses 'caffe' mode"),
    (r"resnet(50|101|152)v2", "ResNetV2", "tf", "its preprocess_input uses 'tf' mode"),
    (r"densenet(121|169|201)", "DenseNet", "torch", "its preprocess_input uses 'torch' mode"),
    (r"inception_v3", "InceptionV3", "tf", "its preprocess_input uses 'tf' mode"),
    (r"inception_resnet_v2", "InceptionResNetV2", "tf", "its preprocess_input uses 'tf' mode"),
    (r"xception", "Xception", "tf", "its preprocess_input uses 'tf' mode"),
    (r"mobilenet_[0-9.]+_[0-9]+", "MobileNet", "tf", "its preprocess_input uses 'tf' mode"),
    (r"mobilenetv2_[0-9.]+_[0-9]+", "MobileNetV2", "tf", "its preprocess_input uses 'tf' mode"),
    (r"mobilenetv3(small|large)", "MobileNetV3", "raw", "it rescales 0…255 inputs itself"),
    (r"nasnet_?(mobile|large)?", "NASNet", "tf", "its preprocess_input uses 'tf' mode"),
    (r"efficientnetb[0-7]", "EfficientNet", "raw", "it rescales and normalises 0…255 inputs itself"),
    (r"efficientnetv2-(b[0-3]|s|m|l)", "EfficientNetV2", "raw", "it rescales 0…255 inputs itself"),
    (r"convnext_(tiny|small|base|large|xlarge)", "ConvNeXt", "raw", "it normalises 0…255 inputs itself"),
)


def application_mode(model_name: str) -> tuple[str, str, str] | None:
    """(architecture, convention name, why) for a keras.applications model name, else None.

    model_name: ``model.name`` as Keras sets it ("resnet50", "mobilenetv2_1.00_224",
    "efficientnetb0", "convnext_tiny", ...). A name that matches no row gives None.
    """
    if not isinstance(model_name, str):
        return None
    for pattern, arch, mode, why in APPLICATION_MODES:
        if re.fullmatch(pattern, model_name, flags=re.IGNORECASE):
            return arch, mode, why
    return None
