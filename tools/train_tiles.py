"""Train seed 001's tile autoencoder on the edges task, deterministically, and score it.

    python -m tools.train autoencoder        # ~2-3 min on 2 cores (calls this module)
    python -m tools.train_tiles --epochs 2   # a quick look

Writes ``weights/tile_autoencoder.weights.h5`` (weights only, no optimizer state) and
``weights/tile_autoencoder.json`` (data, settings, held-out scores against trivial baselines).
Same code, data and machine type give the same weights: Keras, NumPy and Python are seeded
and TensorFlow's deterministic ops are switched on.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from vizcore.models import tile_autoencoder as tae

__all__ = ["TRAIN_IMAGES", "HELD_OUT", "training_tiles", "held_out_scores", "train_tile_autoencoder", "main"]

#: Bundled samples the network learns from, and the one it never sees (scores and tests use it).
TRAIN_IMAGES = ("Astronaut", "Coffee", "Rocket", "Hubble deep field", "Camera man", "Brick wall",
                "Text", "Test chart")
HELD_OUT = "Cat"


def training_tiles(names, *, max_side: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) 32x32 tiles of bundled samples and of their :func:`edge_target`.

    names: sample names (see ``vizcore.images.sample_names``); each is loaded at ``max_side``
    and cut every ``stride`` pixels. The target is computed on the whole picture before
    cutting, so edges at a tile's border are the picture's true edges.
    Returns x (N, 32, 32, 3) and y (N, 32, 32, 3), float32 in [0, 1].
    """
    from vizcore.images import load_sample

    xs, ys = [], []
    t = tae.TILE
    for name in names:
        img = load_sample(name, max_side=max_side).image.astype(np.float32)
        target = tae.edge_target(img)
        h, w = img.shape[:2]
        for top in range(0, h - t + 1, stride):
            for left in range(0, w - t + 1, stride):
                xs.append(img[top:top + t, left:left + t])
                ys.append(target[top:top + t, left:left + t])
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.float32)


def held_out_scores(model, *, mean_target: float, max_side: int = 256) -> dict:
    """Mean squared errors on the held-out picture, the model beside two trivial answers.

    Tiles (stride 16) are scored on their centres (``MARGIN`` in from each side), the part
    :func:`apply_tiled` keeps;
    the whole picture is scored after tiled application. Baselines: "black" (no edges anywhere)
    and "flat" (``mean_target``, the training targets' mean, everywhere: what a network that
    learned nothing converges to). Returns a dict of floats.
    """
    from vizcore.images import load_sample

    m, t = tae.MARGIN, tae.TILE
    x, y = training_tiles([HELD_OUT], max_side=max_side, stride=16)
    pred = np.asarray(model(x, training=False))
    yc, pc = y[:, m:t - m, m:t - m], pred[:, m:t - m, m:t - m]
    img = load_sample(HELD_OUT, max_side=max_side).image.astype(np.float32)
    whole_target = tae.edge_target(img)
    whole = np.clip(tae.apply_tiled(model, img), 0.0, 1.0)
    return {
        "held_out_tiles": int(len(x)),
        "tile_centre_mse": float(np.mean((pc - yc) ** 2)),
        "tile_centre_black_mse": float(np.mean(yc ** 2)),
        "tile_centre_flat_mse": float(np.mean((mean_target - yc) ** 2)),
        "picture_mse": float(np.mean((whole - whole_target) ** 2)),
        "picture_black_mse": float(np.mean(whole_target ** 2)),
        "picture_flat_mse": float(np.mean((mean_target - whole_target) ** 2)),
    }


def _deterministic(seed: int) -> None:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    try:
        tf.config.experimental.enable_op_determinism()
    except Exception:  # already on, or not offered by this build: nothing to switch
        pass


def train_tile_autoencoder(*, epochs: int = 8, seed: int = 0, verbose: int = 2, save: bool = True) -> dict:
    """Train on tiles of TRAIN_IMAGES (256 px stride 16 and 512 px stride 32, plus mirrored
    copies), Adam with cosine decay, MSE; score on HELD_OUT; save weights and record when
    ``save``. Returns the record (also written as JSON)."""
    import keras

    _deterministic(seed)
    xa, ya = training_tiles(TRAIN_IMAGES, max_side=256, stride=16)
    xb, yb = training_tiles(TRAIN_IMAGES, max_side=512, stride=32)
    x, y = np.concatenate([xa, xb]), np.concatenate([ya, yb])
    x, y = np.concatenate([x, x[:, :, ::-1]]), np.concatenate([y, y[:, :, ::-1]])  # mirror: edges stay edges
    model = tae.tile_autoencoder(seed=seed)
    batch = 64
    steps = epochs * int(np.ceil(len(x) / batch))
    model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
                  loss="mse")
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=True, verbose=verbose)
    seconds = time.perf_counter() - start
    mean_target = float(y.mean())
    record = {
        "task": "edges",
        "target": "vizcore.models.tile_autoencoder.edge_target (per-channel Sobel magnitude / 4 x 2, clipped)",
        "train_images": list(TRAIN_IMAGES),
        "held_out": HELD_OUT,
        "train_tiles": int(len(x)),
        "epochs": epochs,
        "seed": seed,
        "final_train_loss": float(history.history["loss"][-1]),
        "mean_target": mean_target,
        "margin": tae.MARGIN,
        **held_out_scores(model, mean_target=mean_target),
        "seconds": round(seconds, 1),
    }
    if save:
        tae.TILE_AUTOENCODER_WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
        fresh = tae.tile_autoencoder(seed=seed)  # uncompiled twin: no Adam moments in the file
        fresh.set_weights(model.get_weights())
        fresh.save_weights(tae.TILE_AUTOENCODER_WEIGHTS)
        tae.TILE_AUTOENCODER_RECORD.write_text(json.dumps(record, indent=2) + "\n")
    return record


def main(argv=None) -> int:
    """Command line: ``python -m tools.train_tiles [--epochs N] [--seed S]``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = argparse.ArgumentParser(prog="python -m tools.train_tiles",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(json.dumps(train_tile_autoencoder(epochs=args.epochs, seed=args.seed), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
