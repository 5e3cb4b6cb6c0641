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
from typing import Any

import streamlit as st

from vizcore import SPACES
from vizcore.layers import ACTIVATIONS

from . import compute, state

__all__ = ["SPACE_LABELS", "SEED_MAX", "PADDINGS", "space_control", "spaces_control", "activation_control",
           "activations_control", "seed_control", "kernel_size_control", "strides_control", "padding_control"]

#: How each colour space of ``vizcore.SPACES`` is named on screen.
SPACE_LABELS: dict[str, str] = {"luminance": "Luminance", "rgb": "RGB", "hsv": "HSV", "ycbcr": "YCbCr"}
#: Largest seed a user can type (the initialisers take any non-negative int).
SEED_MAX = 999_999
SEEDS = range(0, SEED_MAX + 1)
PADDINGS = ("same", "valid")


def space_control(container: Any = st, *, default: str = "rgb", help_text: str,
                  label: str = "Colour space", name: str = "space") -> str:
    """One colour space of ``vizcore.SPACES`` (a segmented control), e.g. ``"rgb"``."""
    return container.segmented_control(
        label, SPACES, required=True, format_func=SPACE_LABELS.get, help=help_text,
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
    return container.selectbox(label, ACTIVATIONS, help=help_text,
                               **state.page_bind(name, default, choices=ACTIVATIONS))


def activations_control(container: Any = st, *, default: Sequence[str], help_text: str,
                        label: str = "Activations", name: str = "acts") -> list[str]:
    """Several activation names in the order picked (a multiselect); may be empty."""
    return list(container.multiselect(
        label, ACTIVATIONS, help=help_text,
        **state.page_bind(name, list(default), cast=state.list_of(ACTIVATIONS))))


def _reroll(key: str, default: int) -> None:
    value = random.randrange(1, SEED_MAX + 1)
    st.session_state[key] = value
    state.remember(key, value, default=default)


def seed_control(container: Any = st, *, default: int = compute.DEFAULT_SEED, help_text: str,
                 reroll: bool = False, label: str = "Seed", name: str = "seed") -> int:
    """A seed in [0, SEED_MAX] for the initialisers; ``reroll=True`` adds a "New" (random seed) button."""
    bound = state.page_bind(name, default, choices=SEEDS, cast=int)
    target = container.columns([1, 1], vertical_alignment="bottom") if reroll else (container,)
    seed = target[0].number_input(label, min_value=0, max_value=SEED_MAX, step=1, help=help_text, **bound)
    if reroll:
        target[1].button("New", icon=":material/casino:", on_click=_reroll, args=(bound["key"], default),
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
    return container.segmented_control(label, PADDINGS, required=True, help=help_text,
                                       **state.page_bind(name, default, choices=PADDINGS))
