"""The seeds' own networks as models the app offers: each with its spec.

The networks themselves live in :mod:`vizcore.models.tile_autoencoder` (seed 001's 32x32 tile
autoencoder, layer for layer, trained by Layer Lab on the edges task) and
:mod:`vizcore.models.seed_blocks` (seed 000's conv-pool block with its layer names, seed 002's
chain of thirteen 3x3 layers). This module re-exports them and describes them for the pages:
:func:`specs` gives the tile autoencoder, the conv-pool block and the 3x3 chain.
"""
from __future__ import annotations

import numpy as np

from ..errors import ImageError
from .seed_blocks import CHAIN_NOTE, conv_chain, conv_pool_block
from .spec import ExtraView, ModelSpec, ViewPicture
from .tile_autoencoder import (
    EDGE_GAIN,
    MARGIN,
    TILE,
    TILE_AUTOENCODER_RECORD,
    TILE_AUTOENCODER_WEIGHTS,
    apply_tiled,
    edge_target,
    load_tile_autoencoder,
    tile_autoencoder,
    tile_autoencoder_record,
)

__all__ = [
    "conv_pool_block",
    "conv_chain",
    "tile_autoencoder",
    "edge_target",
    "apply_tiled",
    "load_autoencoder",
    "tile_autoencoder_info",
    "tiled_pictures",
    "TILE",
    "MARGIN",
    "EDGE_GAIN",
    "AUTOENCODER_WEIGHTS",
    "AUTOENCODER_INFO",
    "TILED_MAX_SIDE",
    "specs",
]

#: The shipped autoencoder's weights and training record (names kept for the tools).
AUTOENCODER_WEIGHTS = TILE_AUTOENCODER_WEIGHTS
AUTOENCODER_INFO = TILE_AUTOENCODER_RECORD
load_autoencoder = load_tile_autoencoder
#: The tiles view shrinks larger pictures to this longer side first (time grows with the area).
TILED_MAX_SIDE = 256
tile_autoencoder_info = tile_autoencoder_record


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


def _fit_chain(image: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    from ..fitting import adapt_image

    batch, notes = adapt_image(image, size=(28, 28), channels=1)
    return batch, tuple(notes)


def tiled_pictures(model, image: np.ndarray) -> tuple[str, list[ViewPicture]]:
    """The autoencoder run tile by tile over the whole picture (:func:`apply_tiled`).

    image: (H, W, 3) float in [0, 1]. Returns (caption, [input, output]) with the output
    (H, W, 3) float32 clipped to [0, 1]. Raises ImageError for another shape.
    """
    from ..fitting import adapt_image

    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ImageError(f"expected an (H, W, 3) image, got shape {img.shape}")
    shrunk = ""
    if max(img.shape[:2]) > TILED_MAX_SIDE:  # ~5 s at 512x512 on 2 cores; ~1.5 s at 256
        scale = TILED_MAX_SIDE / max(img.shape[:2])
        size = (max(1, round(img.shape[0] * scale)), max(1, round(img.shape[1] * scale)))
        shrunk = (f" The {img.shape[1]}×{img.shape[0]} picture was first shrunk to {size[1]}×{size[0]} "
                  f"to keep the wait short; it learned from the bundled photos at 256 and 512 px.")
        img = adapt_image(img, size=size, channels=3, fit="stretch")[0][0]
    out = np.clip(apply_tiled(model, img), 0.0, 1.0)
    h, w = img.shape[:2]
    step = TILE - 2 * MARGIN
    tiles = -(-h // step) * -(-w // step)
    caption = (f"The picture is cut into {TILE}×{TILE} tiles, one every {step} pixels, so they overlap. "
               f"The network returns a whole {TILE}×{TILE} tile, but only its central {step}×{step} is kept: "
               f"each output pixel depends on a 15×15 window, so it needs 7 real pixels on every side. "
               f"With {MARGIN} pixels dropped per side the {tiles:,} tiles fit together without seams; "
               f"the seed's 24×24 centres (4 dropped) still showed them." + shrunk)
    return caption, [ViewPicture("Input", img, f"{w}×{h}"),
                     ViewPicture("Autoencoder output, tile by tile", out, "colour edges it learned to draw")]


def _quality_text() -> str:
    """One sentence of held-out scores from the training record ("" if it is missing)."""
    try:
        r = tile_autoencoder_record()
        return (f" On {r['held_out']}, a photo it never saw, its mean squared error is {r['picture_mse']:.4f}; "
                f"one flat grey everywhere gives {r['picture_flat_mse']:.4f}, and no edges gives "
                f"{r['picture_black_mse']:.4f}.")
    except Exception:  # no record shipped: say nothing rather than fail the page
        return ""


def specs() -> list[ModelSpec]:
    """ModelSpecs for the seeds' networks: the trained tile autoencoder (seed 001), the conv-pool
    block (seed 000) and the 3x3 chain (seed 002)."""
    def ae_available():
        if AUTOENCODER_WEIGHTS.exists():
            return True, ""
        return False, "Weights missing: run `python -m tools.train autoencoder`."

    return [
        ModelSpec(
            key="autoencoder",
            title="Seed 001 tile autoencoder (edges)",
            description=("Seed 001's 32x32 network, layer for layer: Conv2D 4x4, 2x2, a 2x2 max pool that keeps "
                         "32x32, Conv2D 3x3 and 2x2, Dropout, BatchNorm, two 4x4 Conv2DTranspose with crops "
                         "(35 to 33, 36 to 32), Dense 512 and Dense 3: 48,579 parameters, 160 of them "
                         "BatchNorm's moving statistics. Layer Lab trained it on tiles of the bundled photos to "
                         "draw their colour edges." + _quality_text()),
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
            title="Seed 000 conv-pool block (untrained)",
            description=("Seed 000's block, with the seed's layer names (conv3_0_max_0_conv, ...): two branches "
                         "of [Conv2D 3x3 -> BatchNorm -> Dropout] x 2, one max-pooled and one average-pooled, "
                         "beside Dense(3) -> AveragePooling2D, concatenated into 128x128x35. Seeded random "
                         "weights: it shows what the architecture does, not what training would teach it."),
            load=conv_pool_block,
            fit=_fit_conv_pool,
            input_size=(256, 256),
            channels=3,
            grad_cam=False,
            tags=("seed", "untrained"),
        ),
        ModelSpec(
            key="conv_chain",
            title="Seed 002 chain of 3x3 convolutions (untrained)",
            description=("Seed 002's parameter lesson: Conv2D 32, 64, 128 and ten more 128-map layers, all 3x3 "
                         "stride 1 with no padding, on a 28x28 grey picture. 320 + 18,496 + 73,856 + 10 x "
                         "147,584 = 1,568,512 parameters. Each layer's units see 2 pixels more than the "
                         "layer before (3x3, 5x5, ... 27x27), and the maps shrink from 26x26 to 2x2. "
                         + CHAIN_NOTE),
            load=conv_chain,
            fit=_fit_chain,
            input_size=(28, 28),
            channels=1,
            grad_cam=False,
            tags=("seed", "untrained"),
        ),
    ]
