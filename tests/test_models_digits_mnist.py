"""The 28x28 digits CNN: the shipped weights on the fixed MNIST split, and on digits drawn as a
user draws them on the canvas (white strokes, 16-pixel pen, 224x224 black square) with Pillow:
plain 7s without a bar, 1s with and without a flag and base, fine and broad strokes.
The MNIST layout path is checked against hand-made pictures whose result can be counted."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vizcore import ImageError
from vizcore.models import digits, digits_data

CANVAS = 224  # the page's canvas, drawn with a 16-pixel pen


@pytest.fixture(scope="module")
def model():
    return digits.load_digits_model()


@pytest.fixture(scope="module")
def split():
    return digits_data.load_split()


def predict(model, batch: np.ndarray) -> np.ndarray:
    return np.argmax(np.asarray(model(batch, training=False)), axis=1)


# ---------------------------------------------------------------------------- data and split

def test_bundled_subset_has_500_of_each_digit():
    x, y = digits_data.load_mnist_subset()
    assert x.shape == (5000, 28, 28) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)


def test_split_is_fixed_and_stratified(split):
    x_tr, y_tr, x_te, y_te = split
    assert x_tr.shape == (4000, 28, 28, 1) and x_te.shape == (1000, 28, 28, 1)
    np.testing.assert_array_equal(np.bincount(y_te), [100] * 10)
    again = digits_data.load_split()
    np.testing.assert_array_equal(again[1], y_tr)
    np.testing.assert_array_equal(again[2], x_te)


def test_held_out_accuracy_at_least_98_percent(model, split):
    _, _, x_te, y_te = split
    accuracy = float(np.mean(predict(model, x_te) == y_te))
    assert accuracy >= 0.98, accuracy


def test_held_out_digits_redrawn_large_on_paper_are_still_recognised(model, split):
    # every 10th held-out digit drawn 5x larger, dark ink on white paper with a wide margin, then
    # sent through preprocess: the layout path must give back what the model reads as MNIST
    _, _, x_te, y_te = split
    picks = np.arange(0, 1000, 10)
    batch = [digits.preprocess(np.pad(1.0 - np.kron(x_te[i, ..., 0], np.ones((5, 5))), 30, constant_values=1.0))[0]
             for i in picks]
    accuracy = float(np.mean(predict(model, np.stack(batch)) == y_te[picks]))
    assert accuracy >= 0.97, accuracy


def test_augmented_copies_are_seeded_and_keep_their_label(model, split):
    _, _, x_te, y_te = split
    a = digits_data.augment(x_te[:200], seed=3)
    np.testing.assert_array_equal(a, digits_data.augment(x_te[:200], seed=3))
    assert not np.array_equal(a, digits_data.augment(x_te[:200], seed=4))
    assert a.shape == (200, 28, 28, 1) and a.min() >= 0.0 and a.max() <= 1.0
    # moved, turned, slanted and re-stroked copies are still the same digit to the model
    assert float(np.mean(predict(model, a) == y_te[:200])) >= 0.95


def test_sklearn_digits_in_mnist_layout():
    x_tr, y_tr, x_te, y_te = digits_data.load_sklearn_split()
    assert x_tr.shape == (1437, 28, 28, 1) and x_te.shape == (360, 28, 28, 1)
    # as MNIST: the longer side of each digit's ink fills 20 pixels, centres of mass near (14, 14)
    spans = []
    for img in x_te[..., 0]:
        rows, cols = np.nonzero(img)
        spans.append(max(rows.max() - rows.min(), cols.max() - cols.min()) + 1)
    assert max(spans) <= 20 and np.median(spans) == 20
    r, c = np.mgrid[0:28, 0:28]
    mass = x_te[..., 0].sum(axis=(1, 2))
    assert abs(np.mean((x_te[..., 0] * r).sum(axis=(1, 2)) / mass) - 14) < 0.5
    assert abs(np.mean((x_te[..., 0] * c).sum(axis=(1, 2)) / mass) - 14) < 0.5


# ---------------------------------------------------------------------------- the layout path

def _bar(dark_on_light: bool) -> np.ndarray:
    # a "1": a bar 80 tall and 12 wide in a 100x100 picture
    ink, paper = (0.0, 1.0) if dark_on_light else (1.0, 0.0)
    img = np.full((100, 100, 3), paper, np.float32)
    img[10:90, 44:56] = ink
    return img


@pytest.mark.parametrize("dark_on_light", [True, False], ids=["dark-on-light", "light-on-dark"])
def test_bar_becomes_a_20_by_3_block_centred_by_mass(dark_on_light):
    # scale 20/80 = 1/4: 80x12 -> 20x3 ones (its 3-pixel width is inside MNIST's stroke range,
    # so it is not changed), centre of mass within half a pixel of (14, 14)
    out = digits_data.to_mnist_layout(_bar(dark_on_light))
    assert out.shape == (28, 28) and out.dtype == np.float32
    rows, cols = np.nonzero(out)
    assert rows.max() - rows.min() + 1 == 20 and cols.max() - cols.min() + 1 == 3
    np.testing.assert_allclose(out[rows.min():rows.max() + 1, cols.min():cols.max() + 1], 1.0)
    assert out.sum() == pytest.approx(60.0)
    r, c = np.mgrid[0:28, 0:28]
    assert abs((r * out).sum() / 60 - 14) <= 0.5 and abs((c * out).sum() / 60 - 14) <= 0.5


def test_stroke_width_of_a_hand_made_bar():
    mask = np.zeros((20, 60), bool)
    mask[5:10, 10:50] = True  # 5 pixels thick: the middle row is 3 pixel centres from the edge
    assert digits_data.stroke_width(mask) == pytest.approx(5.0)
    assert digits_data.stroke_width(np.zeros((5, 5), bool)) == 0.0


def _width_28(image28: np.ndarray) -> float:
    # stroke width at 28x28 measured as MNIST's STROKE_RANGE was: 4x upsampled, / 4
    from scipy import ndimage

    return digits_data.stroke_width(ndimage.zoom(image28, 4, order=1) > 0.5) / 4


@pytest.mark.parametrize("pen, height", [(6, 190), (40, 80)], ids=["fine-pen-large", "broad-pen-small"])
def test_strokes_far_from_mnist_width_are_evened_out(pen, height):
    # without the evening-out, these would be ~0.6 and ~10 pixels wide at 28x28
    _, picture = draw("7 plain", pen=pen, height=height)
    low, high = digits_data.STROKE_RANGE
    assert low - 0.5 <= _width_28(digits_data.to_mnist_layout(picture)) <= high + 0.5


def test_change_thickness_widens_and_narrows():
    _, picture = draw("1 plain", pen=16, height=170)
    img = digits_data.to_mnist_layout(picture)
    base = _width_28(img)
    assert _width_28(digits_data.change_thickness(img, radius=2)) == pytest.approx(base + 2, abs=0.6)
    assert _width_28(digits_data.change_thickness(img, radius=-1)) < base
    np.testing.assert_array_equal(digits_data.change_thickness(img, radius=0), img)


@pytest.mark.parametrize("image, message", [
    (np.ones((50, 50, 3), np.float32), "blank"),
    (np.zeros((50, 50, 3), np.float32), "blank"),
    (np.zeros((5, 5, 5), np.float32), r"\(5, 5, 5\)"),
    (np.zeros((0, 4, 3), np.float32), "non-empty"),
], ids=["white", "black", "five-channels", "empty"])
def test_layout_refuses_pictures_without_a_digit(image, message):
    with pytest.raises(ImageError, match=message):
        digits_data.to_mnist_layout(image)


# ---------------------------------------------------------------------------- drawn digits

def _arc(cx, cy, r, start, stop, n=24, rx=None):
    t = np.deg2rad(np.linspace(start, stop, n))
    return [(cx + (r if rx is None else rx) * np.cos(a), cy + r * np.sin(a)) for a in t]


#: digits as pen strokes in a unit square (x right, y down, angles clockwise from 3 o'clock)
STROKES = {
    "7 plain": [[(0.22, 0.12), (0.8, 0.12), (0.42, 0.9)]],
    "7 plain, curved stem": [[(0.2, 0.14), (0.78, 0.12), (0.6, 0.4), (0.5, 0.65), (0.46, 0.9)]],
    "1 plain": [[(0.5, 0.1), (0.5, 0.9)]],
    "1 slanted": [[(0.58, 0.1), (0.42, 0.9)]],
    "1 with flag": [[(0.32, 0.3), (0.55, 0.1), (0.55, 0.9)]],
    "1 with flag and base": [[(0.32, 0.3), (0.55, 0.1), (0.55, 0.9)], [(0.3, 0.9), (0.8, 0.9)]],
    "0": [_arc(0.5, 0.5, 0.4, 0, 360, 48, rx=0.26)],
    "2": [_arc(0.5, 0.3, 0.2, 190, 385) + [(0.24, 0.9), (0.8, 0.9)]],
    "3": [_arc(0.48, 0.3, 0.2, -150, 90) + _arc(0.48, 0.7, 0.2, -90, 150)],
    "4": [[(0.62, 0.9), (0.62, 0.1), (0.2, 0.65), (0.82, 0.65)]],
    "5": [[(0.74, 0.12), (0.32, 0.12), (0.29, 0.46)] + _arc(0.48, 0.66, 0.23, -130, 140)],
    "6": [[(0.68, 0.1), (0.45, 0.28), (0.31, 0.55)] + _arc(0.5, 0.69, 0.2, 180, 540, 36)],
    "8": [_arc(0.5, 0.29, 0.18, 90, 450, 36), _arc(0.5, 0.7, 0.21, -90, 270, 36)],
    "9": [_arc(0.5, 0.3, 0.2, 0, 360, 36), [(0.7, 0.3), (0.66, 0.9)]],
}


def draw(name: str, *, pen: int, height: int, offset=(0, 0)) -> tuple[int, np.ndarray]:
    """(label, (224, 224, 3) float32 picture): white strokes on black, as the canvas returns them."""
    img = Image.new("RGB", (CANVAS, CANVAS), "black")
    pencil = ImageDraw.Draw(img)
    x0, y0 = (CANVAS - height) / 2 + offset[0], (CANVAS - height) / 2 + offset[1]
    for stroke in STROKES[name]:
        points = [(x0 + x * height, y0 + y * height) for x, y in stroke]
        pencil.line(points, fill="white", width=pen, joint="curve")
        for px, py in (points[0], points[-1]):  # round pen ends
            pencil.ellipse([px - pen / 2, py - pen / 2, px + pen / 2, py + pen / 2], fill="white")
    return int(name[0]), np.asarray(img, dtype=np.float32) / 255.0


#: (pen width, digit height) on the 224 canvas: 16 is the page's pen; a large digit gives thin
#: strokes once scaled to MNIST's 20-pixel box (16/170 -> 1.9 px), a small one thick (16/60 -> 5 px)
SIZES = {"canvas-pen-large": (16, 170), "canvas-pen-medium": (16, 100), "canvas-pen-small": (16, 60),
         "thin-pen": (8, 170), "thick-pen": (28, 100)}
CASES = [(name, size) for name in STROKES if name[0] in "17" for size in SIZES] + \
        [(name, size) for name in STROKES if name[0] not in "17"
         for size in ("canvas-pen-large", "canvas-pen-small", "thick-pen")] + \
        [("7 plain", "canvas-pen-medium, off-centre"), ("1 with flag", "canvas-pen-medium, off-centre")]


@pytest.fixture(scope="module")
def drawn_predictions(model):
    batch = []
    for name, size in CASES:
        pen, height = SIZES[size.split(",")[0]]
        offset = (-40, -30) if "off-centre" in size else (0, 0)
        batch.append(digits.preprocess(draw(name, pen=pen, height=height, offset=offset)[1])[0])
    probs = np.asarray(model(np.stack(batch), training=False))
    return {case: p for case, p in zip(CASES, probs)}


@pytest.mark.parametrize("case", CASES,
                         ids=[f"{name}-{size}".replace(" ", "-").replace(",", "") for name, size in CASES])
def test_drawn_digit_is_recognised(drawn_predictions, case):
    probs = drawn_predictions[case]
    label = int(case[0][0])
    assert int(np.argmax(probs)) == label, f"read as {int(np.argmax(probs))} ({probs.max():.2f}), not {label}"
