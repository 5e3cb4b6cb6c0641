"""Train Layer Lab's own models, deterministically, and write their weights.

    python -m tools.train digits        # ~1.5-2 min on 2 cores -> weights/digits_mnist.weights.h5
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

__all__ = ["train_digits", "train_autoencoder"]


def train_digits(*, epochs: int = 24, seed: int = 0, verbose: int = 2) -> dict:
    """The 28x28 digits CNN on the MNIST subset (+ scikit-learn's digits): see :mod:`tools.train_digits`."""
    from .train_digits import train_digits_mnist

    return train_digits_mnist(epochs=epochs, seed=seed, verbose=verbose)


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
