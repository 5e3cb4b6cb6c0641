"""Small reusable page controls: each draws one widget bound to a setting of the running page.

Every function takes the container to draw in (``st`` or a column) first, keyword-only
options after, and returns the widget's value. The value is remembered for the session
and shared in the URL under the page's own namespace (``ui.state.page_bind``:
``conv2d.space``, ``dense.seed``), so pages never share a setting by accident; only the
sidebar's image choice is shared. ``name`` is the setting's name on the page, for pages
with two of a kind (``k1``/``k2``). Defaults are the page's own: pass them explicitly.

    from ui import controls

    space = controls.space_control(cols[0], default="luminance", help_text="...")
    seed = controls.seed_control(cols[1], help_text="...", reroll=True)
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from vizcore import SPACES

from . import compute, state

__all__ = ["SPACE_LABELS", "SEED_MAX", "PADDINGS", "space_control", "spaces_control", "activation_control",
           "activations_control", "seed_control", "kernel_size_control", "strides_control", "padding_control",
           "kernel_editor_control", "KERNEL_LIMIT", "EDITOR_FORMAT", "weight_text", "kernel_weights_note",
           "DISPLAY_CHOICES", "DISPLAY_LABELS", "DISPLAY_HELP", "display_control"]

#: How each colour space of ``vizcore.SPACES`` is named on screen.
SPACE_LABELS: dict[str, str] = {"luminance": "Luminance", "rgb": "RGB", "hsv": "HSV", "ycbcr": "YCbCr"}
#: Largest seed a user can type (the initialisers take any non-negative int).
SEED_MAX = 999_999
SEEDS = range(0, SEED_MAX + 1)
PADDINGS = ("same", "valid")


def _layers():
    """vizcore.layers, imported when a layer control is first drawn: it loads TensorFlow, which Home
    (it only needs SPACE_LABELS) must not wait for, and which layer pages load under a spinner first
    (``ui.compute.load_tensorflow``)."""
    from vizcore import layers

    return layers


def space_control(container: Any = st, *, default: str = "rgb", help_text: str,
                  label: str = "Colour space", name: str = "space") -> str:
    """One colour space of ``vizcore.SPACES`` (a segmented control), e.g. ``"rgb"``."""
    return container.segmented_control(
        label, SPACES, required=True, format_func=SPACE_LABELS.get, help=help_text, wrap=True,
        **state.page_bind(name, default, choices=SPACES))


def spaces_control(container: Any = st, *, default: Sequence[str] = SPACES, help_text: str,
                   label: str = "Colour spaces", name: str = "spaces") -> tuple[str, ...]:
    """Several colour spaces (a multiselect), returned in ``vizcore.SPACES`` order; may be empty."""
    picked = container.multiselect(
        label, SPACES, format_func=SPACE_LABELS.get, help=help_text,
        **state.page_bind(name, list(default), cast=state.list_of(SPACES)))
    return tuple(s for s in SPACES if s in picked)


def activation_control(container: Any = st, *, default: str, help_text: str,
                       label: str = "Activation", name: str = "activation") -> str:
    """One activation name of ``vizcore.layers.ACTIVATIONS`` (a select box)."""
    names = _layers().ACTIVATIONS
    return container.selectbox(label, names, help=help_text, **state.page_bind(name, default, choices=names))


def activations_control(container: Any = st, *, default: Sequence[str], help_text: str,
                        label: str = "Activations", name: str = "acts") -> list[str]:
    """Several activation names in the order picked (a multiselect); may be empty."""
    names = _layers().ACTIVATIONS
    return list(container.multiselect(
        label, names, help=help_text, **state.page_bind(name, list(default), cast=state.list_of(names))))


def _reroll(key: str, default: int) -> None:
    value = random.randrange(1, SEED_MAX + 1)
    st.session_state[key] = value
    state.remember(key, value, default=default)


def seed_control(container: Any = st, *, default: int = compute.DEFAULT_SEED, help_text: str,
                 reroll: bool = False, label: str = "Seed", name: str = "seed") -> int:
    """A seed in [0, SEED_MAX] for the initialisers; ``reroll=True`` adds a "New" (random seed) button.

    The button goes under the number, not beside it: in a quarter-width column at 1024×768 half a
    column left 24 px for "New" and it read "N…".
    """
    bound = state.page_bind(name, default, choices=SEEDS, cast=int)
    seed = container.number_input(label, min_value=0, max_value=SEED_MAX, step=1, help=help_text, **bound)
    if reroll:
        container.button("New", icon=":material/casino:", on_click=_reroll, args=(bound["key"], default),
                         key=state.page_key(f"{name}_new"),
                         help="Re-roll: draw new random weights (a random new seed).", width="stretch")
    return int(seed)


def kernel_size_control(container: Any = st, *, default: int, sizes: Sequence[int], help_text: str,
                        label: str = "Kernel size", name: str = "k") -> int:
    """A kernel side k (kernel_size=k) among ``sizes`` (a select slider)."""
    sizes = tuple(sizes)
    return int(container.select_slider(label, sizes, help=help_text,
                                       **state.page_bind(name, default, choices=sizes, cast=int)))


def strides_control(container: Any = st, *, default: int, choices: Sequence[int], help_text: str,
                    label: str = "Strides", name: str = "strides") -> int:
    """A stride among ``choices`` (a select slider)."""
    choices = tuple(choices)
    return int(container.select_slider(label, choices, help=help_text,
                                       **state.page_bind(name, default, choices=choices, cast=int)))


def padding_control(container: Any = st, *, default: str = "same", help_text: str,
                    label: str = "Padding", name: str = "padding") -> str:
    """Keras padding, ``"same"`` or ``"valid"`` (a segmented control)."""
    return container.segmented_control(label, PADDINGS, required=True, help=help_text, wrap=True,
                                       **state.page_bind(name, default, choices=PADDINGS))


#: Display choices of the feature-layer pages (``display=`` of vizcore's dense, conv2d,
#: conv2d_stack and conv2d_transpose), the default first; the rules: :mod:`vizcore.render`.
DISPLAY_CHOICES = ("auto", "minmax", "clip")
DISPLAY_LABELS: dict[str, str] = {"auto": "Auto (percentile / diverging)", "minmax": "Exact min–max",
                                  "clip": "Clip to 0…1"}
DISPLAY_HELP = (
    "How output values become grey levels or colours. "
    "**Auto**: outputs that never go negative (relu, softplus) are grey with the 1st percentile black "
    "and the 99th white, signed outputs are blue–white–red with 0 white, and 0…1 outputs (sigmoid) "
    "are shown as they are. "
    "**Exact min–max**: each map's smallest value is black and its largest white, so a few extreme "
    "pixels can turn the rest grey. "
    "**Clip to 0…1**: the values themselves, below 0 black and above 1 white."
)


def display_control(container: Any = st, *, default: str = "auto", help_text: str = DISPLAY_HELP,
                    label: str = "Display", name: str = "display") -> str:
    """How feature maps are shown, one of DISPLAY_CHOICES (a segmented control), e.g. ``"minmax"``."""
    return container.segmented_control(
        label, DISPLAY_CHOICES, required=True, format_func=DISPLAY_LABELS.get, help=help_text, wrap=True,
        **state.page_bind(name, default, choices=DISPLAY_CHOICES))


# --------------------------------------------------------------------------- kernel editor

def _preset_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


PRESET_HELP = {
    "identity": "1 in the centre: the output is the input (summed over channels).",
    "vertical_line": "Responds to thin vertical lines: bright centre column, dark sides.",
    "horizontal_line": "Responds to thin horizontal lines.",
    "sobel_x": "Horizontal gradient: bright where the image gets brighter to the right (vertical edges).",
    "sobel_y": "Vertical gradient: bright where the image gets brighter downwards (horizontal edges).",
    "blur": "Every weight 1/9: the mean of the 3×3 neighbourhood.",
    "sharpen": "Centre minus neighbours: exaggerates differences, edges pop.",
    "emboss": "A diagonal gradient that looks like light from the top left.",
    "vertical_line_7x7": "Seed 004's hand-made filter: 7×7 zeros with a column of ones. Each output adds up 7 "
                         "pixels down a line (in every channel), so vertical lines stand out and the rest smears.",
    "horizontal_line_7x7": "Seed 004's other filter: 7×7 zeros with a row of ones, so horizontal lines stand out.",
}


#: How the kernel grid prints a weight: 4 significant digits (1/9 shows as 0.1111). The grid
#: has no ``step``: Streamlit rounds a cell to the step's decimals, which showed 1/9 as 0.1.
EDITOR_FORMAT = "%.4g"


def weight_text(value: float, *, max_denominator: int = 64) -> str:
    """A kernel weight as people write it: ``"1"``, ``"-2"``, ``"1/9"``, ``"-1/16"``, else 4 significant digits.

    A fraction is used when one with a denominator up to ``max_denominator`` equals ``value``
    to float32 precision (the presets are float32: 1/9 is stored as 0.11111111).
    """
    value = float(value)
    frac = Fraction(value).limit_denominator(max_denominator)
    if abs(float(frac) - value) <= 1e-6 * max(1.0, abs(value)):
        return str(frac.numerator) if frac.denominator == 1 else f"{frac.numerator}/{frac.denominator}"
    return f"{value:.4g}"


def kernel_weights_note(kernel: np.ndarray) -> str:
    """A caption giving the exact weights that are not whole numbers, or ``""`` when all are whole.

    E.g. blur: "Exact weights: 1/9 (≈ 0.1111) in all 9 cells. The grid shows 4 significant digits."
    """
    values = np.asarray(kernel, dtype=np.float64).ravel()
    odd = sorted({weight_text(v) for v in values if v != round(v)}, key=lambda t: float(Fraction(t)))
    if not odd:
        return ""
    parts = []
    for text in odd:
        count = sum(weight_text(v) == text for v in values)
        where = f"in all {values.size} cells" if count == values.size else f"in {count} cell{'s' * (count > 1)}"
        approx = f" (≈ {float(Fraction(text)):.4g})" if "/" in text else ""
        parts.append(f"{text}{approx} {where}")
    return "Exact weights: " + "; ".join(parts) + ". The grid shows 4 significant digits."


def _kernel_text(kernel: np.ndarray) -> str:
    return ",".join(f"{v:g}" for v in np.asarray(kernel, dtype=np.float64).ravel())


# Largest kernel weight accepted: beyond it float32 sums overflow to inf on real images.
KERNEL_LIMIT = 1000.0


#: Kernel sides the editor takes: those of the presets (3×3 classics, seed 004's 7×7 lines).
def _kernel_sides() -> tuple[int, ...]:
    return tuple(sorted({int(np.asarray(k).shape[0]) for k in _layers().KERNEL_PRESETS.values()}))


def _parse_kernel(text: str) -> list[list[float]]:
    values = [float(v) for v in str(text).split(",")]
    side = int(round(len(values) ** 0.5))
    sides = _kernel_sides()
    if side * side != len(values) or side not in sides or not np.all(np.isfinite(values)):
        counts = " or ".join(str(s * s) for s in sides)
        raise ValueError(f"a kernel needs {counts} finite numbers, got {len(values)}")
    if np.max(np.abs(values)) > KERNEL_LIMIT:
        raise ValueError(f"kernel weights must lie within ±{KERNEL_LIMIT:g}, got {np.max(np.abs(values)):g}")
    return np.asarray(values, dtype=np.float64).reshape(side, side).tolist()


def _bump_editor() -> None:
    """Give the kernel grid a new key: a fresh grid showing the remembered kernel."""
    version = state.page_key("editor_version")
    st.session_state[version] = st.session_state.get(version, 0) + 1


def _on_preset(default: str) -> None:
    key = state.page_key("preset")
    name = st.session_state[key]
    state.remember(key, name, default=default)
    state.remember(state.page_key("kernel"), _layers().KERNEL_PRESETS[name].astype(float).tolist(), url=False)
    _bump_editor()


def _editor_key() -> str:
    """Key of the kernel grid; a new key (a fresh grid) after a preset change or a page visit."""
    return state.page_key(f"editor{st.session_state.get(state.page_key('editor_version'), 0)}")


def kernel_editor_control(*, default_preset: str = "sobel_x") -> tuple[str, np.ndarray]:
    """A preset picker beside an editable k×k grid (two columns); returns (preset name, kernel applied).

    The kernel is float64 (k, k), k the side of a preset (3 or 7), weights within ±KERNEL_LIMIT (NaN
    cells count as 0). It is remembered for the session; in the URL (``<page>.kernel``, k²
    comma-separated numbers) only when it differs from the preset.
    """
    left, right = st.columns([1, 1], gap="large")
    presets = _layers().KERNEL_PRESETS
    bound = state.page_bind("preset", default_preset, choices=tuple(presets))
    preset = left.selectbox(
        "Preset", tuple(presets), format_func=_preset_label,
        help="Classic hand-made kernels. Pick one, then edit any cell on the right; the picture updates at once.",
        key=bound["key"], on_change=_on_preset, args=(default_preset,))
    left.caption(PRESET_HELP.get(preset, ""))
    kernel_key = state.page_key("kernel")
    if state.recall(kernel_key) is None:
        from_url = state.url_param(kernel_key, None, cast=_parse_kernel)
        state.remember(kernel_key, from_url or presets[preset].astype(float).tolist(), url=False)
    if state.is_fresh_visit():
        _bump_editor()
    base = np.asarray(state.recall(kernel_key), dtype=np.float64)
    side = base.shape[0]
    frame = pd.DataFrame(base, columns=[f"col {i + 1}" for i in range(side)])
    with right:
        st.markdown(f"**Kernel** ({side}×{side}, edit the cells)")
        edited = st.data_editor(
            frame, hide_index=True, num_rows="fixed", width="stretch", key=_editor_key(),
            column_config={c: st.column_config.NumberColumn(
                c, format=EDITOR_FORMAT, required=True, min_value=-KERNEL_LIMIT, max_value=KERNEL_LIMIT,
                help="A kernel weight. Keras slides the kernel over the image without flipping it "
                     "(a correlation) and sums over the input channels.") for c in frame.columns},
        )
    kernel = np.clip(np.nan_to_num(edited.to_numpy(dtype=np.float64), nan=0.0), -KERNEL_LIMIT, KERNEL_LIMIT)
    note = kernel_weights_note(kernel)
    if note:
        right.caption(note)
    state.remember(kernel_key, kernel.tolist(), url=False)
    preset_kernel = presets[preset]
    changed = kernel.shape != preset_kernel.shape or not np.allclose(kernel, preset_kernel)
    state.put(kernel_key, _kernel_text(kernel) if changed else None)
    if changed:
        right.caption(f"Edited from “{_preset_label(preset)}”. The link above keeps your kernel.")
    return preset, kernel
