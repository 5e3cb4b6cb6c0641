"""Untrained beside trained: what training changed in a network's first layers, measured.

The same picture goes through a trained network's first convolutions (HED's VGG16 block 1 and
block 2, the digits CNN's first conv) and through the *same layers untrained*, as Keras starts
them (seeded GlorotUniform kernels, zero biases). Three numbers say what training changed:

* **kernel kinds** (:func:`kernel_shares`): each k x k slice of a filter is split into its flat
  part (the mean: brightness or colour), its ramp (the best-fitting plane: a brightness or colour
  gradient, i.e. an edge detector) and the rest (anything else, e.g. noise). A filter whose energy
  is at least half ramp is *edge-like*, at least half flat is a *blob* (a colour or brightness
  detector). Random 3x3 kernels put 1/9, 2/9 and 6/9 of their energy in the three parts on
  average, so few are either; trained first layers are mostly edges and colour blobs.
* **zeros** (:func:`zero_share`): share of the ReLU outputs that are exactly 0 (map sparsity).
* **alike** (:func:`redundancy`): mean |correlation| between the layer's maps: random filters on
  a picture of positive pixels mostly repeat its brightness; trained ones answer different things.

The measurements are pure NumPy; :func:`compare` runs the real Keras layers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..color import to_space
from ..errors import ModelError

__all__ = ["EDGE_MIN", "BLOB_MIN", "kernel_shares", "kernel_kinds", "zero_share", "redundancy", "LayerStats",
           "layer_stats", "training_note", "ComparedLayer", "Comparison", "NETWORKS", "Network", "run_chain",
           "compare"]

#: A filter is edge-like when at least this share of its energy is a ramp (plane) per slice.
EDGE_MIN = 0.5
#: A filter is a blob (brightness / colour detector) when at least this share is flat.
BLOB_MIN = 0.5


def kernel_shares(kernels: np.ndarray) -> np.ndarray:
    """Energy shares of each filter: (flat, ramp, rest), each row summing to 1.

    kernels: (kh, kw, cin, cout) float, as Keras stores a Conv2D kernel (kh, kw >= 2 for a ramp
    to exist). Each (kh, kw) slice is projected on an orthonormal basis of the constant and the
    two centred coordinate ramps x and y; the shares are the projected energies summed over the
    input channels over the filter's total energy. Returns (cout, 3) float64; a filter of all
    zeros gets (0, 0, 0). Raises ModelError for another rank.
    """
    k = np.asarray(kernels, dtype=np.float64)
    if k.ndim != 4:
        raise ModelError(f"expected kernels shaped (kh, kw, cin, cout), got {k.shape}")
    kh, kw = k.shape[:2]
    ys, xs = np.mgrid[0:kh, 0:kw].astype(np.float64)
    basis = [np.full((kh, kw), 1.0 / np.sqrt(kh * kw))]
    for ramp in (xs - xs.mean(), ys - ys.mean()):
        norm = np.sqrt((ramp ** 2).sum())
        basis.append(ramp / norm if norm > 0 else np.zeros_like(ramp))
    total = (k ** 2).sum(axis=(0, 1, 2))
    flat = (np.einsum("hw,hwio->io", basis[0], k) ** 2).sum(axis=0)
    ramp = sum((np.einsum("hw,hwio->io", b, k) ** 2).sum(axis=0) for b in basis[1:])
    safe = np.where(total > 0, total, 1.0)
    shares = np.stack([flat / safe, ramp / safe, (total - flat - ramp) / safe], axis=1)
    shares[total <= 0] = 0.0
    return np.clip(shares, 0.0, 1.0)


def kernel_kinds(kernels: np.ndarray) -> tuple[float, float]:
    """(share of edge-like filters, share of blob filters) among a layer's filters (see the
    module docstring and :data:`EDGE_MIN`, :data:`BLOB_MIN`). Raises ModelError as kernel_shares."""
    shares = kernel_shares(kernels)
    return float(np.mean(shares[:, 1] >= EDGE_MIN)), float(np.mean(shares[:, 0] >= BLOB_MIN))


def zero_share(maps: np.ndarray) -> float:
    """Share of values <= 0 in a layer's output (after ReLU: the exact zeros). Any shape."""
    values = np.asarray(maps)
    if values.size == 0:
        raise ModelError("expected a layer output with values, got an empty array")
    return float(np.mean(values <= 0))


def redundancy(maps: np.ndarray, *, max_pixels: int = 16_384) -> float:
    """Mean |Pearson correlation| over all pairs of a layer's maps (flat maps left out).

    maps: (H, W, C). Pixels are sampled on a regular grid to at most ``max_pixels``. 1: every
    map repeats the others; 0: unrelated. Returns 0.0 when fewer than two maps vary.
    Raises ModelError for another rank.
    """
    m = np.asarray(maps, dtype=np.float64)
    if m.ndim != 3:
        raise ModelError(f"expected maps shaped (H, W, C), got {m.shape}")
    step = max(1, int(np.ceil(np.sqrt(m.shape[0] * m.shape[1] / max_pixels))))
    flat = m[::step, ::step].reshape(-1, m.shape[2])
    flat = flat[:, flat.std(axis=0) > 0]
    if flat.shape[1] < 2:
        return 0.0
    corr = np.corrcoef(flat, rowvar=False)
    upper = np.triu_indices(corr.shape[0], k=1)
    return float(np.mean(np.abs(corr[upper])))


@dataclass(frozen=True)
class LayerStats:
    """What one layer's kernels and maps measure (all shares in [0, 1])."""

    edge_share: float
    blob_share: float
    zero_share: float
    redundancy: float


def layer_stats(kernels: np.ndarray, maps: np.ndarray) -> LayerStats:
    """:class:`LayerStats` of a layer: kernels (kh, kw, cin, cout), maps (H, W, cout)."""
    edge, blob = kernel_kinds(kernels)
    return LayerStats(edge, blob, zero_share(maps), redundancy(maps))


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def training_note(untrained: LayerStats, trained: LayerStats, *, layer: str) -> str:
    """One line: what training changed in ``layer``, untrained -> trained, in measured numbers."""
    return (f"{layer}, untrained → trained: edge-like kernels {_pct(untrained.edge_share)} → "
            f"{_pct(trained.edge_share)}, colour/brightness blobs {_pct(untrained.blob_share)} → "
            f"{_pct(trained.blob_share)}; zeros in the maps {_pct(untrained.zero_share)} → "
            f"{_pct(trained.zero_share)}; maps alike (mean |correlation|) {untrained.redundancy:.2f} → "
            f"{trained.redundancy:.2f}.")


# ---- running the real layers ------------------------------------------------------------

@dataclass(frozen=True)
class Network:
    """A trained network whose first layers are compared.

    title: for people. chain: the layer names run one after the other from the input (a prefix
    of the network). shown: the layers whose maps are compared (in ``chain``). untrained:
    (seed) -> a keras model holding the same layers untrained. batch: (RGB picture (H, W, 3) in
    [0, 1]) -> the (1, h, w, c) input those layers take.
    """

    title: str
    chain: tuple[str, ...]
    shown: tuple[str, ...]
    untrained: Callable[[int], object]
    batch: Callable[[np.ndarray], np.ndarray]


def _hed_untrained(seed: int):
    from . import hed

    return hed.early_layers(seed=seed)


def _hed_batch(picture: np.ndarray) -> np.ndarray:
    from . import hed

    return hed.preprocess(picture)


def _digits_untrained(seed: int):
    from . import digits

    return digits.build_digits_model(seed=seed)


def _digits_batch(picture: np.ndarray) -> np.ndarray:
    """The picture at HED's size (same layout) as luminance in [0, 1]: (1, h, w, 1)."""
    from . import hed

    pixels = hed.fit(picture)[0][0]
    return to_space(pixels, "luminance")[np.newaxis].astype(np.float32)


#: The networks offered, by the key of their model in the registry.
NETWORKS = {
    "hed": Network("HED (VGG16 trained on photos)",
                   ("block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2"),
                   ("block1_conv1", "block1_conv2", "block2_conv2"), _hed_untrained, _hed_batch),
    "digits": Network("Digits CNN (trained on MNIST)", ("conv_1",), ("conv_1",), _digits_untrained, _digits_batch),
}


def run_chain(model, names, batch: np.ndarray) -> dict[str, np.ndarray]:
    """{name: output (h, w, c) float32} of the named layers of ``model`` called one after the
    other on ``batch`` (1, H, W, C): real Keras layers, any picture size (convolutions and
    pooling do not care). Raises ModelError naming a missing layer."""
    x = np.asarray(batch, dtype=np.float32)
    out = {}
    for name in names:
        try:
            layer = model.get_layer(name)
        except ValueError:
            raise ModelError(f"model {model.name!r} has no layer {name!r}") from None
        x = layer(x)
        out[name] = np.asarray(x)[0]
    return out


@dataclass(frozen=True)
class ComparedLayer:
    """One layer, untrained and trained: maps (h, w, c) float32, kernels (kh, kw, cin, c), stats."""

    name: str
    untrained_maps: np.ndarray
    trained_maps: np.ndarray
    untrained_kernels: np.ndarray
    trained_kernels: np.ndarray
    untrained: LayerStats
    trained: LayerStats

    @property
    def note(self) -> str:
        return training_note(self.untrained, self.trained, layer=self.name)


@dataclass(frozen=True)
class Comparison:
    """A network's first layers on one picture, untrained and trained; batch is their input."""

    key: str
    title: str
    seed: int
    batch: np.ndarray
    layers: tuple[ComparedLayer, ...]


def compare(key: str, trained_model, picture: np.ndarray, *, seed: int = 0) -> Comparison:
    """Run ``picture`` through the first layers of ``trained_model`` (the loaded model of
    :data:`NETWORKS` [key]) and of the same layers untrained (``seed``), and measure both.

    picture: RGB float (H, W, 3) in [0, 1]. Raises ModelError for an unknown key or a model
    without those layers, ImageError for a bad picture.
    """
    if key not in NETWORKS:
        raise ModelError(f"no comparison for model {key!r}; there is one for {sorted(NETWORKS)}")
    net = NETWORKS[key]
    batch = net.batch(picture)
    untrained_model = net.untrained(int(seed))
    got = {"trained": run_chain(trained_model, net.chain, batch),
           "untrained": run_chain(untrained_model, net.chain, batch)}
    layers = []
    for name in net.shown:
        k_u = np.asarray(untrained_model.get_layer(name).get_weights()[0])
        k_t = np.asarray(trained_model.get_layer(name).get_weights()[0])
        maps_u, maps_t = got["untrained"][name], got["trained"][name]
        layers.append(ComparedLayer(name, maps_u, maps_t, k_u, k_t, layer_stats(k_u, maps_u),
                                    layer_stats(k_t, maps_t)))
    return Comparison(key, net.title, int(seed), batch, tuple(layers))
