"""Words and snippets shared by the layer families: numbers, shapes, spaces, Keras code lines.

Each family module writes its own title, caption, explanation and code with these helpers
(``*_text`` functions next to the maths they describe); the display note lives with the display
rules in :mod:`vizcore.layers.display`. No TensorFlow here.
"""
from __future__ import annotations

import numpy as np

from .checks import channels

__all__ = [
    "snippet",
    "SAMPLE_HINT",
    "CLIP_NOTE",
    "CHANNEL_WORDS",
    "SPACE_WORDS",
    "number_text",
    "percent_text",
    "shape_text",
    "imports",
    "initializer_code",
    "space_line",
    "kernel_literal",
]

#: First line of a one-image snippet: what ``image`` must be.
SAMPLE_HINT = "# image: RGB float32 (H, W, 3) in [0, 1], e.g. vizcore.load_sample(vizcore.DEFAULT_SAMPLE).image"
#: Display note of the panels that show a colour image (merges, pooling).
CLIP_NOTE = "Clipped to [0, 1] in the colour space, then converted back to RGB for display."

#: "the ... of each pixel": what a per-pixel layer reads in each space.
CHANNEL_WORDS = {
    "luminance": "luminance value",
    "rgb": "R, G, B values",
    "hsv": "H, S, V values",
    "ycbcr": "Y, Cb, Cr values",
}
#: A colour space in a sentence ("... in the luminance (1 channel)").
SPACE_WORDS = {
    "luminance": "the luminance (1 channel)",
    "rgb": "RGB",
    "hsv": "HSV",
    "ycbcr": "YCbCr",
}


def number_text(value: float) -> str:
    """3 significant digits with a true minus sign: ``-0.5 -> "−0.5"``."""
    return f"{value:.3g}".replace("-", "−")


def percent_text(share: float) -> str:
    """A share in [0, 1] as a percentage: ``0.423 -> "42 %"``, ``0.042 -> "4.2 %"``; tiny non-zero shares
    say so (``"under 1 %"``) rather than "0 %"."""
    if share != share:  # nan
        return "n/a"
    if share == 0:
        return "0 %"
    if 0 < share < 0.005:
        return "under 1 %"
    if 0.995 <= share < 1:
        return "over 99 %"
    return f"{share * 100:.1f} %" if share < 0.1 else f"{share * 100:.0f} %"


def shape_text(shape) -> str:
    """``(4, 5, 1) -> "4×5×1"``."""
    return "×".join(str(int(s)) for s in shape)


def imports(*extra: str) -> str:
    """The import block of a snippet: keras, ``extra`` lines, vizcore, then a blank line."""
    return "\n".join(["import keras", *extra, "import vizcore", ""])


def initializer_code(seed: int) -> str:
    """The Keras initialiser expression of a seeded layer."""
    return f"keras.initializers.GlorotUniform(seed={seed})"


def space_line(space: str, var: str = "image", name: str = "x") -> str:
    """Snippet line converting ``var`` to ``space`` as a batch of one, named ``name``."""
    return f'{name} = vizcore.to_space({var}, "{space}")[None]  # (1, H, W, {channels(space)})'


def kernel_literal(kernel: np.ndarray) -> str:
    """A 2-D kernel as a NumPy literal that reproduces its float32 values exactly."""
    rows = ", ".join("[" + ", ".join(f"{v:.9g}" for v in row) + "]" for row in kernel)
    return f'np.array([{rows}], dtype="float32")'


def snippet(space: str, *lines: str, extra_imports: tuple[str, ...] = ()) -> str:
    """A runnable one-image snippet: imports, the sample hint, ``x`` in ``space``, then ``lines``."""
    return "\n".join([imports(*extra_imports), SAMPLE_HINT, space_line(space), *lines])
