"""Two untrained architectures from the seeds, with the seeds' own layer names and numbers.

* :func:`conv_pool_block` (seed 000): an input goes three ways — ``depth`` rounds of
  [Conv2D 3x3 -> BatchNormalization -> Dropout] then MaxPooling2D; the same with
  AveragePooling2D; and a per-pixel Dense(3) then AveragePooling2D — and the three are
  concatenated. Layers are named ``{prefix}_max_{i}_conv``, ``{prefix}_avg_{i}_norm``,
  ``{prefix}_max_{i}_dropout``, ``{prefix}_dense``, ``{prefix}_maxpool``, ``{prefix}_avgpool``,
  ``{prefix}_densepool`` and ``{prefix}_concatenate`` (prefix ``conv3_0`` as in the seed).
  For a 256x256x3 input and 32 kernels (16 per branch): Conv2D 448 then 2,320 parameters,
  BatchNormalization 64, Dense 12, output 128x128x35 (16 + 16 + 3 maps).
* :func:`conv_chain` (seed 002): Conv2D 32, 64, 128 and ten more 128-map layers, all 3x3
  stride 1 'valid', on a 28x28x1 picture: 320 + 18,496 + 73,856 + 10 x 147,584 =
  1,568,512 parameters; each layer's units see a window two pixels wider than the layer
  before (3, 5, ..., 27), and the 28x28 input shrinks to 2x2.
"""
from __future__ import annotations

from ..errors import ModelError

__all__ = [
    "conv_pool_block",
    "conv_chain",
    "CHAIN_FILTERS",
    "CHAIN_NOTE",
]

#: Seed 002's chain: filters of each 3x3 layer.
CHAIN_FILTERS = (32, 64, 128) + (128,) * 10

#: What seed 002 gets right and where its written arithmetic slips (shown with the model).
CHAIN_NOTE = (
    "Seed 002 writes the terms as (32 x 9 + 32) + (64 x 32 + 64) + (128 x 64 + 128) + "
    "10 x (128 x 128 + 128). Only the first holds as written: the other three leave out the 3x3 "
    "kernel's factor 9. As written they give 2,112, 8,320 and 10 x 16,512; the right terms are "
    "64 x 32 x 9 + 64 = 18,496, 128 x 64 x 9 + 128 = 73,856 and 128 x 128 x 9 + 128 = 147,584. "
    "The seed's values and its total (1,568,512, about 1.568 million) are right. It also says "
    "'3x3 kernels and stride 2' need at least 13 layers to cover the image. That holds for "
    "stride 1: layer 13 sees 27x27 pixels, and its 2x2 map covers all 28x28. With stride 2, "
    "four layers already see 31x31."
)


def conv_pool_block(
    input_shape: tuple[int, int, int] = (256, 256, 3),
    *,
    kernels: int = 32,
    depth: int = 2,
    dropout: float = 0.25,
    prefix: str = "conv3_0",
    seed: int = 0,
):
    """Seed 000's conv-pool block as a functional ``keras.Model`` with the seed's layer names.

    input_shape: (H, W, C), H and W even. kernels: conv filters in all, half in the max branch
    and half in the average branch (even, >= 2). depth: [Conv2D 3x3 same relu ->
    BatchNormalization -> Dropout] rounds per branch (>= 1). The input layer is called
    ``input``. Output (H/2, W/2, kernels + C) for a 3-channel input (the Dense branch has 3 units).
    Weights come from initialisers seeded with ``seed``.
    Raises ModelError for an odd or too small kernel count, depth < 1, odd or too small sides.
    """
    import keras

    h, w, c = (int(v) for v in input_shape)
    if kernels < 2 or kernels % 2:
        raise ModelError(f"kernels must be an even number >= 2 (half per branch), got {kernels}")
    if depth < 1:
        raise ModelError(f"depth must be >= 1, got {depth}")
    if h < 2 or w < 2 or h % 2 or w % 2:
        raise ModelError(f"input height and width must be even and >= 2, got {tuple(input_shape)}")
    L = keras.layers
    inputs = keras.Input((h, w, c), name="input")
    branches = {"max": inputs, "avg": inputs}
    # Built round by round, max branch then avg branch, so the layer list reads as the seed's table.
    for i in range(depth):
        for b, tag in enumerate(("max", "avg")):
            name = f"{prefix}_{tag}_{i}"
            branches[tag] = L.Conv2D(
                kernels // 2, 3, padding="same", activation="relu", name=f"{name}_conv",
                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 2 * i + b),
            )(branches[tag])
        for tag in ("max", "avg"):
            branches[tag] = L.BatchNormalization(name=f"{prefix}_{tag}_{i}_norm")(branches[tag])
        for b, tag in enumerate(("max", "avg")):
            branches[tag] = L.Dropout(dropout, seed=seed + 2 * i + b, name=f"{prefix}_{tag}_{i}_dropout")(branches[tag])
    dense = L.Dense(3, name=f"{prefix}_dense",
                    kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1000))(inputs)
    max_pool = L.MaxPooling2D(2, name=f"{prefix}_maxpool")(branches["max"])
    avg_pool = L.AveragePooling2D(2, name=f"{prefix}_avgpool")(branches["avg"])
    dense_pool = L.AveragePooling2D(2, name=f"{prefix}_densepool")(dense)
    out = L.Concatenate(name=f"{prefix}_concatenate")([max_pool, avg_pool, dense_pool])
    return keras.Model(inputs, out, name="conv_pool_block")


def conv_chain(input_shape: tuple[int, int, int] = (28, 28, 1), *, seed: int = 0):
    """Seed 002's chain of thirteen 3x3 stride-1 'valid' Conv2D layers (relu) as a ``keras.Sequential``.

    Filters :data:`CHAIN_FILTERS` (32, 64, 128, then ten of 128); layers ``conv_1`` ... ``conv_13``.
    For the default (28, 28, 1) input: 1,568,512 parameters, maps 26x26 down to 2x2, receptive
    field of layer n = 2n + 1 pixels. Weights come from initialisers seeded with ``seed``.
    Raises ModelError if the input is smaller than 27x27 (layer 13 would have no output).
    """
    import keras

    h, w, c = (int(v) for v in input_shape)
    need = 2 * len(CHAIN_FILTERS) + 1
    if h < need or w < need or c < 1:
        raise ModelError(f"the chain needs an input of at least {need}x{need}x1, got {tuple(input_shape)}")
    layers = [keras.Input((h, w, c), name="image")]
    for i, f in enumerate(CHAIN_FILTERS, start=1):
        layers.append(keras.layers.Conv2D(
            f, 3, strides=1, padding="valid", activation="relu", name=f"conv_{i}",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i),
        ))
    return keras.Sequential(layers, name="conv_chain")
