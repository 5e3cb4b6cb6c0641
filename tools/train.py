"""Train Layer Lab's own models, deterministically, and write their weights.

    python -m tools.train digits        # ~1 min on 2 cores -> vizcore/models/weights/digits.weights.h5
    python -m tools.train autoencoder   # ~3 min on 2 cores -> weights/tile_autoencoder.weights.h5 + .json

Same code, same data, same machine type -> same weights: seeds are fixed with
``keras.utils.set_random_seed`` and TensorFlow's deterministic ops are switched on.
The weights are small and committed, so the app never trains anything.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

__all__ = ["train_digits", "train_autoencoder"]


def _deterministic(seed: int = 0) -> None:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    try:
        tf.config.experimental.enable_op_determinism()
    except Exception:  # already enabled / not supported: nothing to do
        pass


def _save_weights_only(trained, fresh, path) -> None:
    """Save the trained weights without optimizer state (a compiled model's save_weights stores
    Adam's moments too, tripling the file): copy them into an uncompiled twin and save that."""
    fresh.set_weights(trained.get_weights())
    fresh.save_weights(path)


def _shifted_copies(x: np.ndarray, y: np.ndarray, *, shift: int):
    """x plus four copies moved by `shift` pixels up/down/left/right (zero fill): a drawn digit is
    never centred exactly as the data's were, so the model learns not to care about small moves."""
    out_x, out_y = [x], [y]
    for dy, dx in ((shift, 0), (-shift, 0), (0, shift), (0, -shift)):
        moved = np.roll(x, (dy, dx), axis=(1, 2))
        if dy > 0:
            moved[:, :dy] = 0
        elif dy < 0:
            moved[:, dy:] = 0
        if dx > 0:
            moved[:, :, :dx] = 0
        elif dx < 0:
            moved[:, :, dx:] = 0
        out_x.append(moved)
        out_y.append(y)
    return np.concatenate(out_x), np.concatenate(out_y)


def train_digits(*, epochs: int = 12, seed: int = 0, verbose: int = 2) -> dict:
    """Train the digits CNN on the fixed split, save weights, return {"accuracy", "seconds", ...}."""
    import keras

    from vizcore.models import digits

    _deterministic(seed)
    x_tr, y_tr, x_te, y_te = digits.load_split()
    x_tr, y_tr = _shifted_copies(x_tr, y_tr, shift=2)
    model = digits.build_digits_model(seed=seed)
    steps = epochs * int(np.ceil(len(x_tr) / 32))
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(x_tr, y_tr, batch_size=32, epochs=epochs, shuffle=True, verbose=verbose)
    seconds = time.perf_counter() - start
    acc = float(np.mean(np.argmax(model.predict(x_te, verbose=0), axis=1) == y_te))
    digits.DIGITS_WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    _save_weights_only(model, digits.build_digits_model(seed=seed), digits.DIGITS_WEIGHTS)
    return {"accuracy": acc, "seconds": seconds, "train": len(x_tr), "held_out": len(x_te),
            "weights": str(digits.DIGITS_WEIGHTS)}


def train_autoencoder(*, epochs: int = 8, seed: int = 0, verbose: int = 2) -> dict:
    """Seed 001's tile autoencoder on the edges task: see :mod:`tools.train_tiles`."""
    from .train_tiles import train_tile_autoencoder

    return train_tile_autoencoder(epochs=epochs, seed=seed, verbose=verbose)


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = argparse.ArgumentParser(prog="python -m tools.train", description=__doc__.split("\n")[0])
    parser.add_argument("model", choices=["digits", "autoencoder"])
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args(argv)
    kwargs = {} if args.epochs is None else {"epochs": args.epochs}
    result = train_digits(**kwargs) if args.model == "digits" else train_autoencoder(**kwargs)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
