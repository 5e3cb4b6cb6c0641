"""Transposed convolution: ``Conv2DTranspose``, each input pixel stamping a weighted kernel onto a larger output."""
from __future__ import annotations

from dataclasses import replace

from ..observe import phase_share, sample
from . import engine
from .checks import (
    channels,
    check_activation,
    check_image,
    check_int,
    check_output,
    check_padding,
    check_seed,
    check_space,
    transpose_out,
)
from .describe import SPACE_WORDS, initializer_code, percent_text, shape_text, snippet
from .display import feature_result, resolve_display
from .result import LayerResult

__all__ = ["conv2d_transpose", "transpose_text", "transpose_observation"]


def conv2d_transpose(
    image,
    *,
    kernel_size: int = 2,
    strides: int = 2,
    activation: str = "linear",
    seed: int = 0,
    filters: int = 1,
    padding: str = "same",
    space: str = "rgb",
    display: str = "auto",
) -> LayerResult:
    """``keras.layers.Conv2DTranspose``: each input pixel stamps a weighted kernel onto a larger output.

    Output size: ``H·s`` for ``"same"`` padding, ``H·s + max(k − s, 0)`` for
    ``"valid"``. ``params = k·k·C·filters + filters``. Seeded like
    :func:`conv2d`. Raises ImageError for a bad image or an output over
    :data:`~vizcore.layers.tables.MAX_OUTPUT_ELEMENTS`, ValueError for bad options.
    """
    check_activation(activation)
    check_space(space)
    seed = check_seed(seed)
    k = check_int(kernel_size, "kernel_size", 1, 16)
    s = check_int(strides, "strides", 1, 8)
    filters = check_int(filters, "filters", 1, 64)
    check_padding(padding)
    mode = resolve_display(display, activation)
    image = check_image(image)
    h, w = image.shape[:2]
    c = channels(space)
    out_shape = (transpose_out(h, k, s, padding), transpose_out(w, k, s, padding), filters)
    check_output(out_shape, f"Conv2DTranspose {k}×{k} stride {s}")
    slot = engine.slot("Conv2DTranspose", (None, None, None, c), filters=filters, kernel_size=(k, k), strides=(s, s),
                 padding=padding)
    y, shown, lo, hi = engine.run_slot("conv2d_transpose", slot, image, activation=activation, mode=mode, space=space,
                                 seed=seed)
    text = transpose_text(h=h, w=w, c=c, out_shape=out_shape, k=k, s=s, filters=filters, padding=padding,
                           activation=activation, seed=seed, space=space, display=display)
    result = feature_result(y=y, shown=shown, lo=lo, hi=hi, mode=mode, **text)
    return replace(result, observation=transpose_observation(k, s, result.output))


def transpose_observation(k: int, s: int, output) -> str:
    """Measured sentence for a Conv2DTranspose: how much of the first map repeats every ``s`` pixels.

    ``output``: the raw output (H·s, W·s, filters). ``""`` for stride 1 or a constant map.
    """
    share = phase_share(sample(output[..., 0], block=s), s) if s > 1 else float("nan")
    if share != share:
        return ""
    why = "gaps between the stamps" if k < s else "the stamps' checkerboard"
    return f"{percent_text(share)} of the output's variation repeats every {s} pixels: {why}."


def transpose_text(*, h, w, c, out_shape, k, s, filters, padding, activation, seed, space, display) -> dict:
    """Params, code, title, caption, explanation and settings of :func:`conv2d_transpose`."""
    params = k * k * c * filters + filters
    ho, wo, _ = out_shape
    code = snippet(
        space,
        f'layer = keras.layers.Conv2DTranspose({filters}, {k}, strides={s}, padding="{padding}", '
        f'activation="{activation}",',
        f"                                     kernel_initializer={initializer_code(seed)})",
        f"y = layer(x)[0]  # ({ho}, {wo}, {filters})",
    )
    grow = f"{h}×{w} → {ho}×{wo}"
    return dict(
        params=params,
        code=code,
        title=f"Conv2DTranspose k{k} s{s} · {activation}",
        caption=f"Conv2DTranspose {k}×{k}, stride {s} on {SPACE_WORDS[space]} ({grow}), then {activation}.",
        explanation=(
            f"Conv2DTranspose stamps a {k}×{k} kernel, scaled by each input pixel, every {s} output pixels "
            f"and sums the overlaps, then applies {activation}: output {shape_text(out_shape)}, "
            f"{params:,} parameters ({k}·{k}·{c}·{filters} + {filters})."
            + (" With the kernel smaller than the stride, gaps appear between the stamps." if k < s else "")
        ),
        settings={"function": "conv2d_transpose", "kernel_size": k, "strides": s, "activation": activation,
                  "seed": seed, "filters": filters, "padding": padding, "space": space, "display": display},
    )
