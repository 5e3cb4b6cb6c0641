"""Seed 001's 32x32 tile autoencoder, layer for layer, and how to run it over a whole picture.

The seed publishes only a Keras summary table (layer type, output shape, parameter count).
Every hyper-parameter below follows from that table for a (32, 32, 3) input:

=====================  ===========================================  ============  =======
layer                  settings (derived)                           output        params
=====================  ===========================================  ============  =======
conv2d                 Conv2D 16, 4x4, stride 1, same, relu         32x32x16      784
conv2d_1               Conv2D 16, 2x2, stride 1, same, relu         32x32x16      1,040
max_pooling2d          MaxPooling2D 2x2, stride 1, same             32x32x16      0
conv2d_2               Conv2D 16, 3x3, stride 1, same, relu         32x32x16      2,320
conv2d_3               Conv2D 16, 2x2, stride 1, same, relu         32x32x16      1,040
dropout                Dropout                                      32x32x16      0
batch_normalization    BatchNormalization                           32x32x16      64
conv2d_transpose       Conv2DTranspose 32, 4x4, stride 1, valid     35x35x32      8,224
cropping2d             Cropping2D 1 px per side                     33x33x32      0
batch_normalization_1  BatchNormalization                           33x33x32      128
conv2d_transpose_1     Conv2DTranspose 32, 4x4, stride 1, valid     36x36x32      16,416
cropping2d_1           Cropping2D 2 px per side                     32x32x32      0
batch_normalization_2  BatchNormalization                           32x32x32      128
dense                  Dense 512, relu (on every pixel)             32x32x512     16,896
dense_1                Dense 3, linear                              32x32x3       1,539
=====================  ===========================================  ============  =======

Total 48,579; trainable 48,419; non-trainable 160 (the moving mean and variance of
16 + 32 + 32 BatchNormalization channels). The derivations: a Conv2D with ``f`` filters of
``k x k`` over ``c`` channels has ``f (c k^2 + 1)`` parameters, so 784 = 16 (3 k^2 + 1) gives
k = 4, 1,040 = 16 (16 k^2 + 1) gives k = 2, 2,320 gives k = 3; a stride-1 'valid'
Conv2DTranspose grows a side by k - 1, so 32 -> 35 with 8,224 = 32 (16 k^2 + 1) is k = 4 and
33 -> 36 with 16,416 = 32 (32 k^2 + 1) is k = 4 again; a pooling layer that keeps 32x32 must use
stride 1 with 'same' padding. The table does not give activations, pool size or dropout rate:
relu for the convolutions (as the seed's larger sketch), relu then linear for the two Dense
layers (as the seed says), a 2x2 pool and a 0.1 dropout are Layer Lab's choices.

The network maps a 32x32 tile to a 32x32 output, but pixels near a tile's border are drawn
from zero padding. :func:`apply_tiled` therefore runs overlapping tiles, ``32 - 2 * margin``
pixels apart, and keeps only each output's centre: the seed's cropping-and-step idea. The seed
suggests a 24x24 centre (margin 4); but an output pixel here depends on a 15x15 window (the
receptive field above: 4 + 1 + 1 + 2 + 1 + 3 + 3 = 15 pixels), so it needs 7 real pixels on
each side, and with margin 4 the tile borders still show: on a smooth test picture the jump
across them was 3.9 times the jump between other neighbours (margin 6: 2.0, margin 8: 1.0).
Layer Lab keeps 16x16 centres (margin 8).

The shipped weights (``weights/tile_autoencoder.weights.h5``) were trained by
``python -m tools.train autoencoder`` on the seeds' *edges* task, see :func:`edge_target`.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ImageError, ModelError

__all__ = [
    "TILE",
    "MARGIN",
    "EDGE_GAIN",
    "TILE_AUTOENCODER_WEIGHTS",
    "TILE_AUTOENCODER_RECORD",
    "tile_autoencoder",
    "edge_target",
    "tile_positions",
    "apply_tiled",
    "load_tile_autoencoder",
    "tile_autoencoder_record",
]

TILE = 32  # input and output side of the network
MARGIN = 8  # pixels dropped on every side of each output when tiling: 16x16 centres kept
EDGE_GAIN = 2.0  # edge_target scale: a step of 0.5 between neighbours -> 1.0 (white)

_WEIGHTS_DIR = Path(__file__).with_name("weights")
TILE_AUTOENCODER_WEIGHTS = _WEIGHTS_DIR / "tile_autoencoder.weights.h5"
TILE_AUTOENCODER_RECORD = _WEIGHTS_DIR / "tile_autoencoder.json"


def tile_autoencoder(*, dropout: float = 0.1, seed: int = 0):
    """Seed 001's network as a ``keras.Sequential`` named ``tile_autoencoder``.

    Input (N, 32, 32, 3) float32 (images in [0, 1]); output (N, 32, 32, 3) float32, unbounded
    (the last Dense is linear). Layer names are the ones in the seed's table (``conv2d``,
    ``conv2d_1``, ..., ``dense_1``) whatever Keras session it is built in. Weights come from
    initialisers seeded with ``seed`` (same seed, same weights). Raises ModelError if
    ``dropout`` is not in [0, 1).
    """
    import keras

    if not 0.0 <= dropout < 1.0:
        raise ModelError(f"dropout must be in [0, 1), got {dropout}")
    L = keras.layers

    def glorot(i: int):
        return keras.initializers.GlorotUniform(seed=seed + i)

    def conv(name, k, i):
        return L.Conv2D(16, k, padding="same", activation="relu", kernel_initializer=glorot(i), name=name)

    def deconv(name, i):
        return L.Conv2DTranspose(32, 4, strides=1, padding="valid", activation="relu",
                                 kernel_initializer=glorot(i), name=name)

    return keras.Sequential(
        [
            keras.Input((TILE, TILE, 3), name="tile"),
            conv("conv2d", 4, 1),
            conv("conv2d_1", 2, 2),
            L.MaxPooling2D(2, strides=1, padding="same", name="max_pooling2d"),
            conv("conv2d_2", 3, 3),
            conv("conv2d_3", 2, 4),
            L.Dropout(dropout, seed=seed, name="dropout"),
            L.BatchNormalization(name="batch_normalization"),
            deconv("conv2d_transpose", 5),
            L.Cropping2D(1, name="cropping2d"),
            L.BatchNormalization(name="batch_normalization_1"),
            deconv("conv2d_transpose_1", 6),
            L.Cropping2D(2, name="cropping2d_1"),
            L.BatchNormalization(name="batch_normalization_2"),
            L.Dense(512, activation="relu", kernel_initializer=glorot(7), name="dense"),
            L.Dense(3, activation="linear", kernel_initializer=glorot(8), name="dense_1"),
        ],
        name="tile_autoencoder",
    )


def edge_target(image: np.ndarray) -> np.ndarray:
    """The task the shipped weights learned: colour edges, one of the effects seed 000 trained.

    image: (H, W, 3) float in [0, 1]. Returns (H, W, 3) float32 in [0, 1]: per channel the
    Sobel gradient magnitude sqrt(gx^2 + gy^2) / 4 (border pixels repeated outwards), times
    EDGE_GAIN, clipped. A flat area gives 0; a step of 0.5 between neighbours gives 1.
    Raises ImageError for any other shape.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ImageError(f"expected an (H, W, 3) image, got shape {img.shape}")
    p = np.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge")
    left, right = p[:, :-2], p[:, 2:]
    gx = (right[:-2] + 2 * right[1:-1] + right[2:]) - (left[:-2] + 2 * left[1:-1] + left[2:])
    top, bottom = p[:-2], p[2:]
    gy = (bottom[:, :-2] + 2 * bottom[:, 1:-1] + bottom[:, 2:]) - (top[:, :-2] + 2 * top[:, 1:-1] + top[:, 2:])
    return np.clip(np.hypot(gx, gy) / 4.0 * EDGE_GAIN, 0.0, 1.0).astype(np.float32)


def tile_positions(length: int, *, margin: int = MARGIN) -> list[int]:
    """Top (or left) corners, in padded coordinates, of the tiles that cover ``length`` pixels.

    The image is padded by ``margin`` before tiling, so tile ``i`` starts at ``i * step`` with
    ``step = TILE - 2 * margin`` and its kept centre covers image pixels ``[i * step, (i + 1) * step)``.
    Raises ModelError for length < 1 or a margin outside [0, TILE / 2).
    """
    if length < 1:
        raise ModelError(f"length must be >= 1, got {length}")
    if not 0 <= margin < TILE // 2:
        raise ModelError(f"margin must be in [0, {TILE // 2}), got {margin}")
    step = TILE - 2 * margin
    return [i * step for i in range(-(-length // step))]


def apply_tiled(model, image: np.ndarray, *, margin: int = MARGIN, batch_size: int = 128) -> np.ndarray:
    """Run a 32x32 -> 32x32 model over a whole picture and stitch the centres of its outputs.

    model: callable on (N, 32, 32, 3) float32 returning (N, 32, 32, C).
    image: (H, W, 3) float in [0, 1], any size >= 1x1. It is reflect-padded (edge-padded when
    too small to reflect) by ``margin`` on every side, cut into 32x32 tiles every
    ``32 - 2 * margin`` pixels, and of each output only the centre (``margin`` pixels in from
    every side) is kept, so every kept pixel had at least ``margin`` pixels of real context
    and neighbouring centres abut exactly (no gaps, no overlaps). Returns (H, W, C) float32.
    Raises ImageError for a non-(H, W, 3) image, ModelError for a bad margin or a model whose
    output is not 32x32.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 3 or img.shape[2] != 3 or img.shape[0] < 1 or img.shape[1] < 1:
        raise ImageError(f"expected an (H, W, 3) image, got shape {img.shape}")
    h, w = img.shape[:2]
    tops, lefts = tile_positions(h, margin=margin), tile_positions(w, margin=margin)
    step = TILE - 2 * margin
    pad_b = tops[-1] + TILE - h - margin
    pad_r = lefts[-1] + TILE - w - margin
    mode = "reflect" if min(h, w) > max(margin, pad_b, pad_r) else "edge"
    padded = np.pad(img, ((margin, pad_b), (margin, pad_r), (0, 0)), mode=mode)
    tiles = np.stack([padded[t:t + TILE, c:c + TILE] for t in tops for c in lefts])
    outs = [np.asarray(model(tiles[s:s + batch_size], training=False)) for s in range(0, len(tiles), batch_size)]
    pred = np.concatenate(outs, axis=0)
    if pred.shape[1:3] != (TILE, TILE):
        raise ModelError(f"expected the model to return 32x32 tiles, got {pred.shape[1:]}")
    centres = pred[:, margin:TILE - margin, margin:TILE - margin]
    ny, nx, c = len(tops), len(lefts), pred.shape[3]
    out = centres.reshape(ny, nx, step, step, c).transpose(0, 2, 1, 3, 4).reshape(ny * step, nx * step, c)
    return np.ascontiguousarray(out[:h, :w], dtype=np.float32)


def load_tile_autoencoder():
    """The trained tile autoencoder (edges task). Raises ModelError if its weights are missing."""
    if not TILE_AUTOENCODER_WEIGHTS.exists():
        raise ModelError(f"tile autoencoder weights not found at {TILE_AUTOENCODER_WEIGHTS}; "
                         "run `python -m tools.train autoencoder`")
    model = tile_autoencoder()
    model.load_weights(TILE_AUTOENCODER_WEIGHTS)
    return model


def tile_autoencoder_record() -> dict:
    """How the shipped weights were trained and how well they do: the committed JSON record
    ({"task", "train_images", "held_out", "held_out_mse", baselines, ...}).
    Raises ModelError if the record is missing."""
    try:
        return json.loads(TILE_AUTOENCODER_RECORD.read_text())
    except FileNotFoundError as err:
        raise ModelError(f"training record not found at {TILE_AUTOENCODER_RECORD}; "
                         "run `python -m tools.train autoencoder`") from err
