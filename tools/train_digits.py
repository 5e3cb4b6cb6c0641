"""Train the 28x28 digits CNN on the bundled MNIST subset (+ scikit-learn's digits), deterministically.

    python -m tools.train digits              # ~1.5-2 min on 2 cores (calls this module)
    python -m tools.train_digits --epochs 2   # a quick look

Writes ``vizcore/models/weights/digits_mnist.weights.h5`` (weights only, no optimizer state).
Same code, data and machine type give the same weights: Keras, NumPy and Python are seeded with
``keras.utils.set_random_seed``, TensorFlow's deterministic ops are switched on, and each epoch's
augmented copies come from a NumPy generator seeded by (seed, epoch).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from vizcore.models import digits, digits_data

__all__ = ["train_digits_mnist", "main"]


def _deterministic(seed: int) -> None:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    try:
        tf.config.experimental.enable_op_determinism()
    except Exception:  # already enabled / not supported: nothing to do
        pass


def train_digits_mnist(*, epochs: int = 24, seed: int = 0, batch_size: int = 64, lr: float = 2e-3,
                       sklearn_digits: bool = True, verbose: int = 2, path: Path | None = None) -> dict:
    """Train :func:`digits.build_digits_model` on the fixed split, save weights, return a report.

    Training data: the 4,000 training MNIST digits of :func:`digits_data.load_split`, plus (with
    ``sklearn_digits``) the 1,437 training digits of :func:`digits_data.load_sklearn_split`.
    Each epoch sees them as they are plus one augmented copy of each (:func:`digits_data.augment`,
    seeded by ``seed`` and the epoch); Adam with a cosine-decayed learning rate from ``lr``.
    Weights only go to ``path`` (default ``digits.DIGITS_WEIGHTS``).
    Returns {"accuracy" on the 1,000 held-out MNIST digits, "sklearn_accuracy" on scikit-learn's
    360 held-out digits (None without them), "seconds" of training, "train", "held_out",
    "weights", "bytes"}.
    """
    import keras

    target = Path(path) if path is not None else digits.DIGITS_WEIGHTS
    _deterministic(seed)
    x_tr, y_tr, x_te, y_te = digits_data.load_split()
    if sklearn_digits:
        sk_tr, sk_ytr, sk_te, sk_yte = digits_data.load_sklearn_split()
        x_tr, y_tr = np.concatenate([x_tr, sk_tr]), np.concatenate([y_tr, sk_ytr])
    model = digits.build_digits_model(seed=seed)
    steps = epochs * int(np.ceil(2 * len(x_tr) / batch_size))
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(lr, steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    order_rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for epoch in range(epochs):
        x_ep = np.concatenate([x_tr, digits_data.augment(x_tr, seed=seed * 1000 + epoch)])
        y_ep = np.concatenate([y_tr, y_tr])
        order = order_rng.permutation(len(x_ep))
        model.fit(x_ep[order], y_ep[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=verbose)
    seconds = time.perf_counter() - start

    def accuracy(x, y) -> float:
        return float(np.mean(np.argmax(model.predict(x, verbose=0), axis=1) == y))

    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = digits.build_digits_model(seed=seed)
    fresh.set_weights(model.get_weights())  # weights only: Adam's moments would triple the file
    fresh.save_weights(target)
    return {"accuracy": accuracy(x_te, y_te), "sklearn_accuracy": accuracy(sk_te, sk_yte) if sklearn_digits else None,
            "seconds": round(seconds, 1), "train": len(x_tr), "held_out": len(x_te), "weights": str(target),
            "bytes": target.stat().st_size}


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = argparse.ArgumentParser(prog="python -m tools.train_digits", description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    kwargs = {"seed": args.seed} if args.epochs is None else {"seed": args.seed, "epochs": args.epochs}
    print(json.dumps(train_digits_mnist(**kwargs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
