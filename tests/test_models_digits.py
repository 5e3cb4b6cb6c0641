"""The digits classifier as the app uses it: committed weights against the held-out MNIST split,
the architecture against hand arithmetic, preprocess, decode and the spec. Drawn digits and the
MNIST layout path itself: tests/test_models_digits_mnist.py."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore import ImageError, ModelError
from vizcore.models import digits


@pytest.fixture(scope="module")
def model():
    return digits.load_digits_model()


@pytest.fixture(scope="module")
def split():
    return digits.load_split()


def test_split_is_fixed_and_stratified(split):
    x_tr, y_tr, x_te, y_te = split
    assert x_tr.shape == (4000, 28, 28, 1) and x_te.shape == (1000, 28, 28, 1)
    assert x_tr.dtype == np.float32 and 0.0 <= x_te.min() and x_te.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(y_te), [100] * 10)
    again = digits.load_split()
    np.testing.assert_array_equal(again[3], y_te)
    np.testing.assert_array_equal(digits.held_out()[1], y_te)


def test_held_out_accuracy_at_least_98_percent(model, split):
    _, _, x_te, y_te = split
    pred = np.argmax(np.asarray(model(x_te, training=False)), axis=1)
    accuracy = float(np.mean(pred == y_te))
    assert accuracy >= 0.98, accuracy


def test_architecture_is_the_seed_chain(model):
    types = [type(layer).__name__ for layer in model.layers]
    assert types == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                     "Flatten", "Dense", "Dropout", "Dense"]
    assert [layer.name for layer in model.layers][:2] == ["conv_1", "pool_1"]
    assert model.input_shape == (None, 28, 28, 1)
    assert tuple(model.get_layer("pool_3").output.shape[1:]) == (3, 3, 64)
    # hand arithmetic: 3*3*1*16+16, 3*3*16*32+32, 3*3*32*64+64, 3*3*64*64+64, 64*10+10
    assert model.count_params() == 160 + 4_640 + 18_496 + 36_928 + 650


def _bar_picture(dark_on_light: bool) -> np.ndarray:
    # a "1": a bar 80 tall and 12 wide in a 100x100 picture
    ink, paper = (0.0, 1.0) if dark_on_light else (1.0, 0.0)
    img = np.full((100, 100, 3), paper, np.float32)
    img[10:90, 44:56] = ink
    return img


def test_preprocess_shape_and_range():
    batch = digits.preprocess(_bar_picture(True))
    assert batch.shape == (1, 28, 28, 1) and batch.dtype == np.float32
    assert 0.0 <= batch.min() and batch.max() == 1.0
    # dark ink on paper and light ink on black give the same input
    np.testing.assert_array_equal(batch, digits.preprocess(_bar_picture(False)))


def test_fit_says_what_was_done():
    batch, notes = digits.fit(_bar_picture(True))
    np.testing.assert_array_equal(batch, digits.preprocess(_bar_picture(True)))
    assert any("28×28" in note for note in notes)


@pytest.mark.parametrize("image, message", [
    (np.ones((50, 50, 3), np.float32), "blank"),
    (np.zeros((50, 50, 3), np.float32), "blank"),
    (np.zeros((5, 5, 5), np.float32), r"\(5, 5, 5\)"),
    (np.zeros((0, 4, 3), np.float32), "non-empty"),
])
def test_preprocess_refuses_pictures_without_a_digit(image, message):
    with pytest.raises(ImageError, match=message):
        digits.preprocess(image)


def test_decode_sorted_top_k():
    p = np.array([[0.05, 0.6, 0.0, 0.3, 0.05, 0, 0, 0, 0, 0]])
    assert digits.decode(p, k=3) == [("1", 0.6), ("3", 0.3), ("0", 0.05)]
    with pytest.raises(ModelError, match=r"\(3,\)"):
        digits.decode(np.zeros(3))


def test_colour_picture_is_read_by_its_bt601_luma():
    """Reference: the luma computed here by hand (0.299 R + 0.587 G + 0.114 B) as a grey picture."""
    rng = np.random.default_rng(4)
    picture = np.full((60, 60, 3), (0.9, 0.8, 0.2), np.float32)  # yellowish paper
    picture[8:52, 25:35] = rng.uniform(0.0, 0.3, (44, 10, 3))    # dark, noisy coloured ink
    luma = picture[..., 0] * 0.299 + picture[..., 1] * 0.587 + picture[..., 2] * 0.114
    np.testing.assert_array_equal(digits.preprocess(picture), digits.preprocess(luma))


def test_spec_gives_held_out_digits_unchanged_and_ranks_like_decode(model):
    spec = digits.spec()
    x_test, y_test = spec.examples()
    prepared = spec.prepare_batch(x_test[7][None])
    np.testing.assert_array_equal(prepared.batch[0], x_test[7])  # 0..1 pixels: nothing to convert
    np.testing.assert_allclose(prepared.seen, np.repeat(x_test[7], 3, axis=-1))
    probs = np.asarray(model(prepared.batch, training=False))[0]
    top = spec.top_classes(probs, k=3)
    assert [(name, p) for name, p, _ in top] == digits.decode(probs, k=3)
    assert top[0][0] == str(int(y_test[7]))


def test_spec_no_longer_asks_for_crossed_sevens():
    spec = digits.spec()
    assert spec.input_size == (28, 28) and spec.channels == 1
    assert "cross" not in spec.input_hint and "bar across" not in spec.input_hint
    assert "1,000" in spec.description and "98.5 %" in spec.description


# ---------------------------------------------------------------------------- "not a digit" note

def test_doubt_rule_on_hand_made_inputs():
    """The two measured tests, on inputs whose numbers are known by construction."""
    strokes = np.zeros((28, 28), np.float32)
    strokes[4:24, 12:15] = 1.0                      # a bar: 60 of 784 pixels = 7.7 % ink
    filled = np.zeros((28, 28), np.float32)
    filled[2:26, 4:24] = 0.5                        # a blob: 480 of 784 = 61 % ink
    sure = np.eye(10)[1] * 0.97 + 0.003
    unsure = np.full(10, 0.04)
    unsure[7] = 0.64
    assert digits.doubt(strokes, sure) == ""
    note = digits.doubt(filled, sure)
    assert note.startswith("This does not look like a digit") and "61 %" in note
    note = digits.doubt(strokes, unsure)
    assert note.startswith("This may not be a digit") and "“7” (64 %)" in note and "8 %" in note
    with pytest.raises(ModelError, match=r"\(3, 3\)"):
        digits.doubt(np.zeros((3, 3)), sure)


def test_every_bundled_photo_gets_the_note(model):
    from vizcore.images import load_sample, sample_names

    for name in sample_names():
        batch = digits.preprocess(load_sample(name, max_side=512).image)
        probs = np.asarray(model(batch, training=False))[0]
        assert digits.doubt(batch, probs), f"{name}: read as {probs.argmax()} ({probs.max():.0%}) without a note"


def test_held_out_digits_are_not_called_pictures(model, split):
    """Ink test: none of the 1,000 held-out digits; the unsure test: at most 1 % of them, and
    those are told the model is unsure, not that they are no digit."""
    *_, x_test, _ = split
    probs = np.asarray(model(x_test, training=False))
    notes = [digits.doubt(x, p) for x, p in zip(x_test, probs)]
    assert not any(n.startswith("This does not look like a digit") for n in notes)
    assert sum(bool(n) for n in notes) <= 10


def test_drawn_and_paper_digits_get_no_note(model, split):
    """Digits drawn with Pillow strokes as the canvas gives them (the MNIST tests' cases) and
    held-out digits redrawn 5x larger on white paper: no note."""
    from tests.test_models_digits_mnist import CASES, SIZES, draw

    *_, x_test, _ = split
    pictures = [draw(name, pen=SIZES[size.split(",")[0]][0], height=SIZES[size.split(",")[0]][1])[1]
                for name, size in CASES]
    pictures += [np.pad(1.0 - np.kron(x_test[i, ..., 0], np.ones((5, 5))), 30, constant_values=1.0)
                 for i in range(0, 1000, 25)]
    batch = np.concatenate([digits.preprocess(p) for p in pictures])
    probs = np.asarray(model(batch, training=False))
    flagged = [i for i, (x, p) in enumerate(zip(batch, probs)) if digits.doubt(x, p)]
    assert flagged == []
