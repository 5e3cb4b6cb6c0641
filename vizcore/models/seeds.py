"""The seeds' own architectures, rebuilt with real Keras layers.

Two small models that Layer Lab's original notebooks ("the seeds") built by hand:

* :func:`conv_pool_block` — two branches of ``[Conv2D -> BatchNormalization -> Dropout] x depth``,
  one ending in MaxPooling2D and one in AveragePooling2D, beside a ``Dense(3) -> AveragePooling2D``
  colour branch; the three are concatenated. The seed's "32 kernels" are split evenly between the
  two conv branches (16 + 16), which is the only reading under which all of its published numbers
  hold for a 256x256x3 input: conv layers 448 and 2,320 parameters, BatchNormalization 64,
  Dense 12, output 128x128x35 (16 + 16 + 3 channels).
* :func:`tile_autoencoder` — a 32x32 tile encoder-decoder (Conv2D / MaxPooling2D / Dropout /
  BatchNormalization / Conv2DTranspose / Cropping2D / Dense) with exactly 48,579 parameters,
  48,419 trainable and 160 not (the BatchNormalization moving mean and variance over
  16 + 32 + 32 channels). It uses the *cropping trick*: it sees a 32x32 tile but predicts only its
  central 16x16, so every predicted pixel has 8 pixels of context on each side and a picture
  processed tile by tile (:func:`apply_tiled`) shows no seams.

The shipped autoencoder is trained (``python -m vizcore.train autoencoder``) to draw the colour
edges of a photo tile: per channel Sobel gradient magnitude, see :func:`edge_target`. Its weights
are ``weights/autoencoder.weights.h5`` and the images it was trained on and held out are listed
in ``weights/autoencoder.json``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ImageError, ModelError
from .spec import ExtraView, ModelSpec, ViewPicture

__all__ = [
    "conv_pool_block",
    "tile_autoencoder",
    "edge_target",
    "apply_tiled",
    "load_autoencoder",
    "tile_autoencoder_info",
    "tiled_pictures",
    "TILE",
    "CROP",
    "EDGE_GAIN",
    "AUTOENCODER_WEIGHTS",
    "specs",
]

WEIGHTS_DIR = Path(__file__).with_name("weights")
AUTOENCODER_WEIGHTS = WEIGHTS_DIR / "autoencoder.weights.h5"
AUTOENCODER_INFO = WEIGHTS_DIR / "autoencoder.json"

TILE = 32  # the autoencoder sees TILE x TILE pixels ...
CROP = 8  # ... and predicts the centre, CROP pixels in from every side (16 x 16)
EDGE_GAIN = 2.0  # edge_target scale: a step of 0.5 between neighbours -> 1.0 (white)


def conv_pool_block(
    input_shape: tuple[int, int, int] = (256, 256, 3),
    *,
    kernels: int = 32,
    depth: int = 2,
    dropout: float = 0.25,
    seed: int = 0,
):
    """The seed's conv-pool block as a functional ``keras.Model`` named ``conv_pool_block``.

    input_shape: (H, W, C) with H and W even. kernels: total conv filters, split evenly between
    the max-pooled and the average-pooled branch (must be even, >= 2). depth: how many
    [Conv2D 3x3 same relu -> BatchNormalization -> Dropout] groups each branch has (>= 1).
    Output: (H/2, W/2, kernels + 3). Weights come from seeded initialisers (same seed, same model).
    Raises ModelError for an odd kernel count, depth < 1 or odd/too small input sides.
    """
    import keras

    h, w, c = (int(v) for v in input_shape)
    if kernels < 2 or kernels % 2:
        raise ModelError(f"kernels must be an even number >= 2 (split over two branches), got {kernels}")
    if depth < 1:
        raise ModelError(f"depth must be >= 1, got {depth}")
    if h < 2 or w < 2 or h % 2 or w % 2:
        raise ModelError(f"input height and width must be even and >= 2, got {input_shape}")
    half = kernels // 2
    init = keras.initializers.GlorotUniform(seed=seed)
    inputs = keras.Input((h, w, c), name="image")

    def branch(tag: str, offset: int):
        x = inputs
        for i in range(1, depth + 1):
            x = keras.layers.Conv2D(
                half, 3, padding="same", activation="relu", name=f"conv_{tag}_{i}",
                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + offset + i),
            )(x)
            x = keras.layers.BatchNormalization(name=f"bn_{tag}_{i}")(x)
            x = keras.layers.Dropout(dropout, seed=seed + offset + i, name=f"dropout_{tag}_{i}")(x)
        return x

    x_max = keras.layers.MaxPooling2D(2, name="max_pool")(branch("max", 0))
    x_avg = keras.layers.AveragePooling2D(2, name="avg_pool")(branch("avg", 100))
    x_rgb = keras.layers.Dense(3, name="dense_rgb", kernel_initializer=init)(inputs)
    x_rgb = keras.layers.AveragePooling2D(2, name="avg_pool_rgb")(x_rgb)
    outputs = keras.layers.Concatenate(name="concat")([x_max, x_avg, x_rgb])
    return keras.Model(inputs, outputs, name="conv_pool_block")


def tile_autoencoder(*, dropout: float = 0.1, seed: int = 0):
    """The seed's 32x32 tile autoencoder as a ``keras.Sequential`` named ``tile_autoencoder``.

    Input (32, 32, 3) float32 in [0, 1]; output (16, 16, 3) float32 in [0, 1] (sigmoid): the
    prediction for the central 16x16 of the tile (Cropping2D removes 8 pixels per side).
    Layers: Conv2D 16 3x3 -> BN -> MaxPool -> Dropout -> Conv2D 32 5x5 -> BN -> MaxPool ->
    Dropout -> Conv2DTranspose 32 5x5 /2 -> BN -> Conv2DTranspose 32 3x3 /2 -> Cropping2D 8 ->
    Dense 3. 48,579 parameters: 48,419 trainable, 160 not (BN moving statistics).
    """
    import keras

    def k(i):
        return keras.initializers.GlorotUniform(seed=seed + i)

    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((TILE, TILE, 3), name="tile"),
            layers.Conv2D(16, 3, padding="same", activation="relu", kernel_initializer=k(1), name="enc_conv_1"),
            layers.BatchNormalization(name="enc_bn_1"),
            layers.MaxPooling2D(2, name="enc_pool_1"),
            layers.Dropout(dropout, seed=seed + 1, name="enc_dropout_1"),
            layers.Conv2D(32, 5, padding="same", activation="relu", kernel_initializer=k(2), name="enc_conv_2"),
            layers.BatchNormalization(name="enc_bn_2"),
            layers.MaxPooling2D(2, name="enc_pool_2"),
            layers.Dropout(dropout, seed=seed + 2, name="enc_dropout_2"),
            layers.Conv2DTranspose(32, 5, strides=2, padding="same", activation="relu",
                                   kernel_initializer=k(3), name="dec_deconv_1"),
            layers.BatchNormalization(name="dec_bn_1"),
            layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu",
                                   kernel_initializer=k(4), name="dec_deconv_2"),
            layers.Cropping2D(CROP, name="crop_centre"),
            layers.Dense(3, activation="sigmoid", kernel_initializer=k(5), name="rgb_out"),
        ],
        name="tile_autoencoder",
    )


def edge_target(image: np.ndarray) -> np.ndarray:
    """The task the autoencoder learned: colour edges of an RGB image.

    image: (H, W, 3) float in [0, 1]. Returns (H, W, 3) float32 in [0, 1]: for each channel the
    Sobel gradient magnitude sqrt(gx^2 + gy^2) / 4 (edge pixels replicated at the border), times
    EDGE_GAIN, clipped to [0, 1]. A flat area gives 0, a sharp black/white step gives 1.
    Raises ImageError for other shapes.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ImageError(f"expected an (H, W, 3) image, got {img.shape}")
    p = np.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    mag = np.sqrt(gx * gx + gy * gy) / 4.0
    return np.clip(mag * EDGE_GAIN, 0.0, 1.0).astype(np.float32)


def _tile_grid(image: np.ndarray):
    """Tiles of TILE x TILE at stride TILE - 2*CROP covering the image (reflect-padded)."""
    step = TILE - 2 * CROP
    h, w = image.shape[:2]
    ny, nx = -(-h // step), -(-w // step)
    pad_b, pad_r = ny * step - h + CROP, nx * step - w + CROP
    mode = "reflect" if min(h, w) > max(CROP, pad_b, pad_r) else "edge"
    padded = np.pad(image, ((CROP, pad_b), (CROP, pad_r), (0, 0)), mode=mode)
    tiles = np.empty((ny * nx, TILE, TILE, image.shape[2]), dtype=np.float32)
    for i in range(ny):
        for j in range(nx):
            tiles[i * nx + j] = padded[i * step:i * step + TILE, j * step:j * step + TILE]
    return tiles, ny, nx


def apply_tiled(model, image: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Run a TILE -> centre model over a whole image, tile by tile, and stitch the centres.

    model: maps (N, 32, 32, 3) to (N, 16, 16, C) (e.g. :func:`tile_autoencoder`).
    image: (H, W, 3) float in [0, 1], any size >= 1x1 (borders are reflect-padded so every
    output pixel was predicted with 8 pixels of context; no seams). Tiles are run in batches of
    ``batch_size``. Returns (H, W, C) float32. Raises ImageError for a non-(H, W, 3) image.
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 3 or img.shape[2] != 3 or img.shape[0] < 1 or img.shape[1] < 1:
        raise ImageError(f"expected an (H, W, 3) image, got {img.shape}")
    tiles, ny, nx = _tile_grid(img)
    step = TILE - 2 * CROP
    outs = []
    for start in range(0, len(tiles), batch_size):
        outs.append(np.asarray(model(tiles[start:start + batch_size], training=False)))
    pred = np.concatenate(outs, axis=0)
    if pred.shape[1:3] != (step, step):
        raise ModelError(f"expected the model to predict ({step}, {step}) centres, got {pred.shape[1:]}")
    c = pred.shape[3]
    out = pred.reshape(ny, nx, step, step, c).transpose(0, 2, 1, 3, 4).reshape(ny * step, nx * step, c)
    return np.ascontiguousarray(out[: img.shape[0], : img.shape[1]]).astype(np.float32)


def tile_autoencoder_info() -> dict:
    """What the shipped autoencoder was trained on: {"task", "train_images", "held_out", ...}.

    Raises ModelError if the committed ``weights/autoencoder.json`` is missing.
    """
    try:
        return json.loads(AUTOENCODER_INFO.read_text())
    except FileNotFoundError as err:
        raise ModelError(f"autoencoder training record not found at {AUTOENCODER_INFO}; "
                         "run `python -m vizcore.train autoencoder`") from err


def load_autoencoder():
    """The trained tile autoencoder (edges task). Raises ModelError if weights are missing."""
    if not AUTOENCODER_WEIGHTS.exists():
        raise ModelError(f"autoencoder weights not found at {AUTOENCODER_WEIGHTS}; "
                         "run `python -m vizcore.train autoencoder`")
    model = tile_autoencoder()
    model.load_weights(AUTOENCODER_WEIGHTS)
    return model


def _fit_tile(image: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """(H, W, 3) in [0, 1] -> ((1, 32, 32, 3), notes): the central square, resized to 32x32."""
    from ..fitting import adapt_image

    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ImageError(f"expected an (H, W, 3) image, got {img.shape}")
    h, w = img.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    batch, notes = adapt_image(img[top:top + side, left:left + side], size=(TILE, TILE), channels=3)
    return batch, (f"the central {side}×{side} square cut out", *notes)


def _fit_conv_pool(image: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    from ..fitting import adapt_image

    batch, notes = adapt_image(image, size=(256, 256), channels=3)
    return batch, tuple(notes)


def tiled_pictures(model, image: np.ndarray) -> tuple[str, list[ViewPicture]]:
    """The autoencoder run tile by tile over the whole picture (:func:`apply_tiled`).

    image: (H, W, 3) float in [0, 1]. Returns (caption, [input, output]) with the output
    (H, W, 3) float32 clipped to [0, 1]. Raises ImageError for another shape.
    """
    out = np.clip(apply_tiled(model, image), 0.0, 1.0)
    h, w = image.shape[:2]
    step = TILE - 2 * CROP
    tiles = -(-h // step) * -(-w // step)
    caption = (f"The picture is cut into {TILE}×{TILE} tiles that overlap: each predicts only its central "
               f"{step}×{step} (the cropping trick), so every output pixel had {CROP} pixels of context on "
               f"each side and the {tiles:,} tiles fit together without seams.")
    return caption, [ViewPicture("Input", np.asarray(image, dtype=np.float32), f"{w}×{h}"),
                     ViewPicture("Autoencoder output, tile by tile", out, "colour edges it learned to draw")]


def specs() -> list[ModelSpec]:
    """ModelSpecs for the seed architectures: the trained tile autoencoder and the conv-pool block."""
    def ae_available():
        if AUTOENCODER_WEIGHTS.exists():
            return True, ""
        return False, "Weights missing: run `python -m vizcore.train autoencoder`."

    return [
        ModelSpec(
            key="autoencoder",
            title="Seed tile autoencoder (edges)",
            description=("The seed's 32x32 tile encoder-decoder (48,579 parameters), trained by Layer Lab "
                         "on tiles of the bundled photos to draw their colour edges. It sees a 32x32 tile "
                         "and predicts the edges of its central 16x16 (the cropping trick)."),
            load=load_autoencoder,
            fit=_fit_tile,
            available=ae_available,
            input_size=(TILE, TILE),
            channels=3,
            extra_views=(ExtraView("Tiles", "picture", tiled_pictures, columns=2,
                                   busy="Running the autoencoder over every tile…"),),
            grad_cam=False,
            tags=("seed", "trained", "tiles"),
        ),
        ModelSpec(
            key="conv_pool",
            title="Seed conv-pool block (untrained)",
            description=("The seed's two-branch block: [Conv2D -> BatchNorm -> Dropout] x 2 max-pooled beside "
                         "the same average-pooled, plus Dense(3) -> AveragePooling2D, concatenated into "
                         "128x128x35. Seeded random weights: it shows what the architecture does, not training."),
            load=conv_pool_block,
            fit=_fit_conv_pool,
            input_size=(256, 256),
            channels=3,
            grad_cam=False,
            tags=("seed", "untrained"),
        ),
    ]
