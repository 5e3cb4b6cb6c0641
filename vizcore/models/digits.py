"""The digits classifier: a small CNN trained by Layer Lab on scikit-learn's bundled digits.

Data: ``sklearn.datasets.load_digits`` (1,797 handwritten digits from the UCI "optdigits" set,
offline). Each was a 32x32 black-and-white bitmap, cut into 4x4 blocks whose "on" pixels were
counted: an 8x8 grid of values 0..16, bright strokes on a dark ground, every digit scaled so its
height fills the grid.

Input decision: the model takes **32x32x1 in [0, 1]**: the 8x8 counts divided by 16 and upsampled
4x with bilinear interpolation (:func:`upsample_8_to_32`). 32x32 undoes the data's 4x4 block
counting in size, so the feature maps (32x32 after the first conv, 16x16 after the second) are big
enough to see, while the model still only sees the information the data set has. Every input,
drawn or uploaded, goes through the same path (:func:`preprocess`): grey, ink made bright, cropped
to the ink, height scaled to fill a 32x32 bitmap, counted in 4x4 blocks to 8x8, then upsampled.

Architecture (seed style, with names that say what each layer is)::

    digit (32, 32, 1) -> conv_1 Conv2D 16 3x3 relu -> pool_1 MaxPooling2D 2
      -> conv_2 Conv2D 32 3x3 relu -> pool_2 MaxPooling2D 2 -> flatten -> dense Dense 64 relu
      -> dropout -> probabilities Dense 10 softmax

Training: ``python -m vizcore.train digits`` (deterministic; fixed stratified 80/20 split,
``random_state=0``) writes ``weights/digits.weights.h5``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import color
from ..errors import ImageError, ModelError
from .spec import ModelSpec

__all__ = [
    "LABELS",
    "INPUT_SIZE",
    "DIGITS_WEIGHTS",
    "build_digits_model",
    "load_digits_model",
    "load_split",
    "upsample_8_to_32",
    "to_counts_8x8",
    "fit",
    "preprocess",
    "held_out",
    "decode",
    "spec",
]

LABELS = tuple(str(i) for i in range(10))
INPUT_SIZE = (32, 32)
DIGITS_WEIGHTS = Path(__file__).with_name("weights") / "digits.weights.h5"
SPLIT_SEED = 0
HELD_OUT_FRACTION = 0.2


def _bilinear_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) matrix of half-pixel-centred linear interpolation with edge clamping."""
    pos = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    pos = np.clip(pos, 0, n_in - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = pos - lo
    m = np.zeros((n_out, n_in), dtype=np.float64)
    m[np.arange(n_out), lo] += 1 - frac
    m[np.arange(n_out), hi] += frac
    return m


_UP = _bilinear_matrix(8, 32)


def upsample_8_to_32(grid: np.ndarray) -> np.ndarray:
    """(N, 8, 8) or (8, 8) values -> (N, 32, 32) or (32, 32) float32, bilinear (half-pixel centres)."""
    g = np.asarray(grid, dtype=np.float64)
    if g.shape[-2:] != (8, 8):
        raise ImageError(f"expected (..., 8, 8), got {g.shape}")
    return (_UP @ g @ _UP.T).astype(np.float32)


def load_split():
    """The fixed stratified split: (x_train, y_train, x_test, y_test).

    x: (N, 32, 32, 1) float32 in [0, 1] (counts / 16, upsampled); y: (N,) int labels 0..9.
    80 % train (1,437) / 20 % held out (360), stratified by label, random_state 0.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x = upsample_8_to_32(data.images / 16.0)[..., None]
    y = data.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=HELD_OUT_FRACTION, stratify=y, random_state=SPLIT_SEED
    )
    return x_tr, y_tr, x_te, y_te


def build_digits_model(*, seed: int = 0):
    """The untrained digits CNN (see module docstring). Seeded initialisers; ~137k parameters."""
    import keras

    def k(i):
        return keras.initializers.GlorotUniform(seed=seed + i)

    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((*INPUT_SIZE, 1), name="digit"),
            layers.Conv2D(16, 3, padding="same", activation="relu", kernel_initializer=k(1), name="conv_1"),
            layers.MaxPooling2D(2, name="pool_1"),
            layers.Conv2D(32, 3, padding="same", activation="relu", kernel_initializer=k(2), name="conv_2"),
            layers.MaxPooling2D(2, name="pool_2"),
            layers.Flatten(name="flatten"),
            layers.Dense(64, activation="relu", kernel_initializer=k(3), name="dense"),
            layers.Dropout(0.3, seed=seed, name="dropout"),
            layers.Dense(10, activation="softmax", kernel_initializer=k(4), name="probabilities"),
        ],
        name="digits_cnn",
    )


def load_digits_model():
    """The trained digits CNN. Raises ModelError if the committed weights are missing."""
    if not DIGITS_WEIGHTS.exists():
        raise ModelError(f"digits weights not found at {DIGITS_WEIGHTS}; run `python -m vizcore.train digits`")
    model = build_digits_model()
    model.load_weights(DIGITS_WEIGHTS)
    return model


def _area_resize(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Antialiased (area-like) resize of a 2-D float array, via PIL's float mode."""
    from PIL import Image

    pil = Image.fromarray(np.ascontiguousarray(img, dtype=np.float32), mode="F")
    return np.asarray(pil.resize((out_w, out_h), Image.Resampling.BOX), dtype=np.float32)


def to_counts_8x8(image: np.ndarray) -> np.ndarray:
    """Turn a picture of one digit into the data set's 8x8 grid of ink counts / 16.

    image: (H, W, 3) or (H, W) float in [0, 1], any size >= 1x1; dark-on-light or light-on-dark.
    Steps: grey (ITU-R 601 luma) -> make ink bright (if the border is lighter than the middle
    grey, invert) -> stretch to [0, 1] -> ink mask by Otsu's threshold -> crop to the mask's
    bounding box -> scale so the longer side fills 32 pixels (height for most digits, as in the
    data), centred in a 32x32 bitmap -> count ink in 4x4 blocks. Returns (8, 8) float32 in [0, 1].
    Raises ImageError for a wrong shape or a picture with no ink (blank or flat).
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 3 and img.shape[2] in (3, 4):
        rgb = np.clip(img[..., :3], 0.0, 1.0)
        grey = color.to_space(rgb, "luminance")[..., 0] if rgb.size else rgb[..., 0]
    elif img.ndim == 2:
        grey = img
    else:
        raise ImageError(f"expected an (H, W, 3) or (H, W) image, got {img.shape}")
    if grey.size == 0:
        raise ImageError(f"expected a non-empty image, got {img.shape}")
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if float(np.median(border)) > 0.5:
        grey = 1.0 - grey
    lo, hi = float(grey.min()), float(grey.max())
    if hi - lo < 0.05:
        raise ImageError("no digit found: the picture is blank (one flat colour). Draw or upload a digit.")
    grey = (grey - lo) / (hi - lo)
    from skimage.filters import threshold_otsu

    mask = grey > max(float(threshold_otsu(grey)), 0.2)
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        raise ImageError("no digit found: no strokes stand out from the background.")
    ink = np.where(mask, grey, 0.0)[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = ink.shape
    scale = 32.0 / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    # binarise after resizing, as the data set's bitmaps were black-and-white at 32x32
    bitmap_part = (_area_resize(ink, new_h, new_w) > 0.35).astype(np.float32)
    bitmap = np.zeros((32, 32), dtype=np.float32)
    top, left = (32 - new_h) // 2, (32 - new_w) // 2
    bitmap[top:top + new_h, left:left + new_w] = bitmap_part
    return bitmap.reshape(8, 4, 8, 4).mean(axis=(1, 3)).astype(np.float32)


def preprocess(image: np.ndarray) -> np.ndarray:
    """RGB (H, W, 3) float in [0, 1] -> (1, 32, 32, 1) float32 in [0, 1], as the model was trained.

    See :func:`to_counts_8x8` (raises ImageError when no digit is found) and
    :func:`upsample_8_to_32`.
    """
    return upsample_8_to_32(to_counts_8x8(image))[None, :, :, None]


def fit(image: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """:func:`preprocess` with what was done, in words (the spec's ``fit``)."""
    return preprocess(image), ("turned into the data set's 8×8 grid of ink counts, then upsampled to 32×32",)


def held_out() -> tuple[np.ndarray, np.ndarray]:
    """The 360 held-out digits: x (360, 32, 32, 1) float32 in [0, 1], y (360,) labels."""
    _, _, x_test, y_test = load_split()
    return x_test, y_test


def decode(probabilities: np.ndarray, *, k: int = 10) -> list[tuple[str, float]]:
    """(1, 10) or (10,) softmax output -> [(digit, probability), ...] highest first, k of them."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    if p.shape != (10,):
        raise ModelError(f"expected 10 probabilities, got shape {np.shape(probabilities)}")
    order = np.argsort(-p, kind="stable")[:k]
    return [(LABELS[i], float(p[i])) for i in order]


def spec() -> ModelSpec:
    """The digits classifier as a ModelSpec (key "digits")."""
    def available():
        if DIGITS_WEIGHTS.exists():
            return True, ""
        return False, "Weights missing: run `python -m vizcore.train digits`."

    return ModelSpec(
        key="digits",
        title="Digits classifier (small CNN)",
        description=("A small CNN (conv -> pool -> conv -> pool -> dense) trained by Layer Lab on "
                     "scikit-learn's 1,797 handwritten digits; 98.9 % right on the 360 it never saw. Your drawing "
                     "is turned into the data set's 8x8 grid of ink counts first, so the model sees what it "
                     "learned from."),
        load=load_digits_model,
        fit=fit,
        available=available,
        labels=LABELS,
        decode=decode,
        input_size=INPUT_SIZE,
        channels=1,
        input_kind="drawing",
        examples=held_out,
        input_hint=("Draw **one digit, 0–9**, large, in the black square. The model then gets the "
                    "same kind of input it learned from: your strokes are cropped, scaled to fill "
                    "the square and counted in an 8×8 grid, as in scikit-learn's digits data. Use "
                    "the bin icon above the square to start again. Write 7 with a bar across "
                    "its middle, as most writers in the data set did: a plain 7 is often read "
                    "as a 3 or a 2."),
        tags=("classifier", "trained"),
    )
