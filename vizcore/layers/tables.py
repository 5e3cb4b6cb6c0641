"""The fixed tables of the layer pages: merge and pooling kinds, activations, kernel presets, size bound.

Plain data (NumPy only, no TensorFlow): pages import these to fill their widgets, and the
layer modules and :mod:`vizcore.layers.display` read the activation families.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "MERGE_KINDS",
    "POOL_KINDS",
    "ACTIVATION_INFO",
    "ACTIVATIONS",
    "UNIT_RANGE_ACTIVATIONS",
    "MONOTONE_ACTIVATIONS",
    "EXACT_MONOTONE_ACTIVATIONS",
    "KERNEL_PRESETS",
    "MAX_OUTPUT_ELEMENTS",
]

#: ``keras.layers`` merge classes offered by :func:`vizcore.layers.merge`.
MERGE_KINDS: tuple[str, ...] = (
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
)
#: ``kind=`` values of :func:`vizcore.layers.pool`.
POOL_KINDS: tuple[str, ...] = ("max", "average", "global_average", "depthwise_max")

#: Element-wise activations of ``keras.activations``, in teaching order, with one line each.
ACTIVATION_INFO: dict[str, str] = {
    "linear": "f(x) = x: no change, the layer stays a plain weighted sum.",
    "relu": "max(0, x): negative values become 0, positive ones pass unchanged.",
    "relu6": "min(max(0, x), 6): ReLU capped at 6, used by mobile networks.",
    "leaky_relu": "x for x > 0, 0.2·x otherwise: negatives shrink instead of vanishing.",
    "elu": "x for x > 0, eˣ − 1 otherwise: a smooth ReLU whose negatives level off at −1.",
    "selu": "ELU scaled (λ ≈ 1.05, α ≈ 1.67) so activations stay normalised layer after layer.",
    "celu": "x for x > 0, eˣ − 1 otherwise (α = 1): ELU with a continuous slope.",
    "gelu": "x·Φ(x): a smooth ReLU that dips slightly below 0 for small negatives (Transformers).",
    "silu": "x·sigmoid(x), also called swish: a smooth ReLU with a small negative dip.",
    "mish": "x·tanh(softplus(x)): smooth and non-monotonic, close to SiLU.",
    "hard_silu": "x·hard_sigmoid(x) (hard swish): a cheap piecewise SiLU (MobileNetV3).",
    "softplus": "log(1 + eˣ): a smooth ReLU that is always positive.",
    "squareplus": "(x + √(x² + 4)) / 2: an algebraic smooth ReLU, always positive.",
    "sparse_plus": "0 below −1, x above 1, (x + 1)²/4 in between: a ReLU with a smooth knee.",
    "exponential": "eˣ: always positive, grows very fast.",
    "sigmoid": "1 / (1 + e⁻ˣ): squashes everything into (0, 1); 0 becomes 0.5.",
    "hard_sigmoid": "clip(x/6 + 1/2, 0, 1): a piecewise-linear sigmoid.",
    "sparse_sigmoid": "0 below −1, 1 above 1, (x + 1)/2 in between.",
    "log_sigmoid": "log(sigmoid(x)): always ≤ 0; ≈ x for large negatives, ≈ 0 for large positives.",
    "tanh": "tanh(x): squashes everything into (−1, 1); 0 stays 0.",
    "hard_tanh": "clip(x, −1, 1): a piecewise-linear tanh.",
    "softsign": "x / (1 + |x|): squashes into (−1, 1), more gently than tanh.",
    "tanh_shrink": "x − tanh(x): close to 0 for small inputs, ≈ x ∓ 1 for large ones.",
    "soft_shrink": "moves values 0.5 towards 0 and sets those within ±0.5 to 0.",
    "hard_shrink": "sets values within ±0.5 to 0 and keeps the others unchanged.",
}
#: The names of :data:`ACTIVATION_INFO`, in the same order.
ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATION_INFO)
#: Activations whose every value lies in [0, 1]: the "auto" display shows them unscaled.
UNIT_RANGE_ACTIVATIONS = frozenset({"sigmoid", "hard_sigmoid", "sparse_sigmoid"})
#: Non-decreasing activations: f(min z) and f(max z) are the extremes of f(z).
MONOTONE_ACTIVATIONS = frozenset({
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "softplus", "squareplus", "sparse_plus",
    "exponential", "sigmoid", "hard_sigmoid", "sparse_sigmoid", "log_sigmoid", "tanh", "hard_tanh", "softsign",
    "tanh_shrink", "soft_shrink", "hard_shrink",
})
#: ...of those, the ones computed with plain IEEE arithmetic (no exp/log/tanh approximations),
#: so the extremes taken from z are bit-exact: a min-max stretch needs no pass over f(z).
EXACT_MONOTONE_ACTIVATIONS = frozenset({
    "linear", "relu", "relu6", "leaky_relu", "hard_sigmoid", "sparse_sigmoid", "hard_tanh", "softsign",
})

#: Hand-made kernels for :func:`vizcore.layers.conv2d` ``kernel=`` (correlation, as Keras
#: applies them), read-only float32 arrays: classic 3×3 ones, and seed 004's two 7×7 line
#: filters (zeros with one column, or one row, of ones through the centre).
KERNEL_PRESETS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float32),
    "vertical_line": np.array([[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]], np.float32),
    "horizontal_line": np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], np.float32),
    "sobel_x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32),
    "sobel_y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float32),
    "blur": np.full((3, 3), 1.0 / 9.0, np.float32),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], np.float32),
    "vertical_line_7x7": np.eye(1, 7, 3, dtype=np.float32).repeat(7, axis=0),
    "horizontal_line_7x7": np.eye(1, 7, 3, dtype=np.float32).repeat(7, axis=0).T.copy(),
}
for _kernel in KERNEL_PRESETS.values():
    _kernel.setflags(write=False)
del _kernel

#: Largest layer output accepted (number of values), so a slider cannot exhaust memory.
MAX_OUTPUT_ELEMENTS = 1 << 26
