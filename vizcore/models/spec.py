"""What a page needs to know about a model, in one place: :class:`ModelSpec`.

A page asks the spec, never a model's key: how a picture becomes the model's input and back
(``fit`` + ``convention``), what kind of input it takes (a picture, or a drawn digit with
held-out examples), which views apply (patterns, Grad-CAM, predictions, a weights download)
and the model's own extra views (HED's edges, the autoencoder's tiles). Shipped models build
their spec in their module; an uploaded model gets one from
:func:`vizcore.models.upload.spec_for_upload`, so both model pages go through one path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from ..errors import ImageError, ModelError
from .preprocessing import CONVENTIONS, InputConvention

__all__ = ["ModelSpec", "ExtraView", "ViewPicture", "Prepared", "INPUT_KINDS"]

#: "picture": the sidebar picture is fitted to the model. "drawing": the page offers a drawing
#: canvas, held-out examples (``ModelSpec.examples``), an upload and the sidebar picture.
INPUT_KINDS = ("picture", "drawing")


class ViewPicture(NamedTuple):
    """One picture of an extra view: (title, RGB or grey float image in [0, 1], caption)."""

    title: str
    image: np.ndarray
    caption: str


class Prepared(NamedTuple):
    """A picture made ready for a model.

    batch: (1, h, w, c) float32 in the model's units. seen: RGB float32 (h, w, 3) in [0, 1],
    the batch drawn back as a picture (the convention undone). notes: what was done, in words.
    """

    batch: np.ndarray
    seen: np.ndarray
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ExtraView:
    """A view only some models have, drawn by the page as a row of pictures.

    name:     the view switch's label ("Edges", "Tiles").
    source:   "activations": ``pictures(activations)`` gets the cached {layer: output} of the
              input (batch axis removed); "picture": ``pictures(model, image)`` gets the loaded
              model and the whole RGB picture (H, W, 3) in [0, 1].
    pictures: returns (caption of the whole view, [ViewPicture, ...]).
    columns:  pictures per row.
    busy:     what the page says while it computes ("" for instant views).
    """

    name: str
    source: str
    pictures: Callable[..., tuple[str, list[ViewPicture]]]
    columns: int = 3
    busy: str = ""

    def __post_init__(self):
        if self.source not in ("activations", "picture"):
            raise ModelError(f"an extra view's source is 'activations' or 'picture', got {self.source!r}")


def _always() -> tuple[bool, str]:
    return True, ""


@dataclass(frozen=True)
class ModelSpec:
    """One model the app can offer.

    key:         short stable id used in URLs and caches ("digits", "hed", "upload:<sha1>").
    title:       human name shown in the page.
    description: one or two sentences: what it was trained on, what it does.
    load:        () -> keras.Model; may raise ModelError (e.g. weights not here). Pages cache it.
    fit:         (RGB float (H, W, 3) in [0, 1]) -> ((1, h, w, c) float32 in [0, 1], notes):
                 size and channels made right; values still pixels. Raises ImageError.
    convention:  how pixels in [0, 1] become the model's values (range, channel order, mean).
    available:   () -> (bool, message): False with a how-to when the model cannot run here.
    fetch:       optional (timeout seconds) -> None: download what ``available`` misses, only
                 when the user asks (raises ModelError). None: nothing to download.
    labels:      class names for classifiers, else None.
    decode:      optional (scores (1, n)) -> [(label, probability)] highest first.
    input_size:  (height, width) the model takes, or None if any size works.
    channels:    1 (grey) or 3 (colour) input channels.
    input_kind:  "picture" or "drawing" (see INPUT_KINDS).
    examples:    for "drawing": () -> (x (N, h, w, c) in [0, 1], y (N,) labels) the model never saw.
    input_hint:  what the page tells the user about the input (for drawings: how to draw), Markdown.
    extra_views: the model's own views, shown first.
    pattern_model: optional () -> a smaller twin of a fully convolutional model, for patterns.
    patterns, grad_cam: whether those views apply; predictions apply when the last layer gives
                 class scores (decided from the model).
    tags:        free words ("classifier", "trained", "seed", ...).
    doubt:       optional (batch (1, h, w, c) as the model takes it, probabilities (n,)) -> a
                 measured sentence when the input does not look like what the model learned
                 (e.g. a photo given to the digits model), else "". Shown with the predictions.
    """

    key: str
    title: str
    description: str
    load: Callable[[], object]
    fit: Callable[[np.ndarray], tuple[np.ndarray, tuple[str, ...]]]
    convention: InputConvention = CONVENTIONS["unit"]
    available: Callable[[], tuple[bool, str]] = _always
    fetch: Callable[[float], object] | None = None
    labels: tuple[str, ...] | None = None
    decode: Callable[[np.ndarray], list[tuple[str, float]]] | None = None
    input_size: tuple[int, int] | None = None
    channels: int = 3
    input_kind: str = "picture"
    examples: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None
    input_hint: str = ""
    extra_views: tuple[ExtraView, ...] = ()
    pattern_model: Callable[[], object] | None = None
    patterns: bool = True
    grad_cam: bool = True
    tags: tuple[str, ...] = field(default_factory=tuple)
    doubt: Callable[[np.ndarray, np.ndarray], str] | None = None

    def __post_init__(self):
        if self.input_kind not in INPUT_KINDS:
            raise ModelError(f"input_kind must be one of {INPUT_KINDS}, got {self.input_kind!r}")
        if self.channels not in (1, 3):
            raise ModelError(f"a model input has 1 or 3 channels here, got {self.channels}")
        if self.input_kind == "drawing" and self.examples is None:
            raise ModelError(f"model {self.key!r} takes drawings but gives no held-out examples")

    # ---- values -------------------------------------------------------------------------

    @property
    def value_range(self) -> tuple[float, float]:
        """(lowest, highest) input value the model gets for pixels in [0, 1]."""
        return self.convention.value_range(self.channels)

    @property
    def pattern_range(self) -> tuple[float, float]:
        """The range a [0, 1] picture is mapped onto when finding patterns (see InputConvention)."""
        return self.convention.pattern_range(self.channels)

    @property
    def reads_bgr(self) -> bool:
        """True when the model's colour channels are blue, green, red."""
        return self.convention.bgr and self.channels == 3

    @property
    def extra_view_names(self) -> tuple[str, ...]:
        return tuple(view.name for view in self.extra_views)

    def extra_view(self, name: str) -> ExtraView:
        """The extra view called ``name``. Raises ModelError naming the model's views."""
        for view in self.extra_views:
            if view.name == name:
                return view
        raise ModelError(f"model {self.key!r} has no view {name!r}; it has {list(self.extra_view_names)}")

    # ---- pictures <-> batches -----------------------------------------------------------

    def from_pixels(self, pixels: np.ndarray) -> np.ndarray:
        """(1, h, w, c) pixels in [0, 1] (as ``fit`` returns) -> the batch in the model's units."""
        return self.convention.to_model(pixels)

    def preprocess(self, image: np.ndarray) -> np.ndarray:
        """RGB float (H, W, 3) in [0, 1] -> the (1, h, w, c) float32 batch the model takes.

        Raises ImageError for a picture the model cannot take (wrong shape, no digit, ...).
        """
        pixels, _ = self.fit(image)
        return self.from_pixels(pixels)

    def seen(self, batch: np.ndarray) -> np.ndarray:
        """What a (1, h, w, c) batch shows: RGB float32 (h, w, 3) in [0, 1] (grey repeated).

        Raises ImageError for a batch that is not (1, h, w, channels).
        """
        x = np.asarray(batch)
        if x.ndim != 4 or x.shape[0] != 1 or x.shape[-1] != self.channels:
            raise ImageError(f"expected a (1, h, w, {self.channels}) batch, got {x.shape}")
        picture = self.convention.to_picture(x[0])
        return np.repeat(picture, 3, axis=-1) if picture.shape[-1] == 1 else picture

    def prepare(self, image: np.ndarray) -> Prepared:
        """The picture fitted and converted, with what the model sees and what was done."""
        pixels, notes = self.fit(image)
        batch = self.from_pixels(pixels)
        converted = self.convention.describe(self.channels)
        return Prepared(batch, self.seen(batch), tuple(notes) + ((converted,) if converted else ()))

    def top_classes(self, probabilities: np.ndarray, *, k: int = 5) -> list[tuple[str, float, int]]:
        """[(class name, probability, class index)] of the k most likely classes, highest first.

        probabilities: (n,) or (1, n) (already probabilities; see
        ``vizcore.features.as_probabilities`` for raw scores). Ties keep the lower index first.
        Names come from ``decode`` (which ranks the same way), else ``labels``, else "class i".
        Raises ModelError when ``labels`` has another length than n.
        """
        p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
        order = np.argsort(-p, kind="stable")[: max(0, int(k))]
        if self.decode is not None:
            names = [str(label) for label, _ in self.decode(p[None])][: len(order)]
        elif self.labels is not None:
            if len(self.labels) != p.shape[0]:
                raise ModelError(f"model {self.key!r} names {len(self.labels)} classes but gave {p.shape[0]} scores")
            names = [self.labels[i] for i in order]
        else:
            names = [f"class {i}" for i in order]
        return [(name, float(p[i]), int(i)) for name, i in zip(names, order)]

    def prepare_batch(self, pixels: np.ndarray) -> Prepared:
        """Like :meth:`prepare` for pixels already fitted (e.g. a held-out example (1, h, w, c))."""
        batch = self.from_pixels(np.asarray(pixels, dtype=np.float32))
        return Prepared(batch, self.seen(batch), ())
