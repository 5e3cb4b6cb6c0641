"""The digits classifier: committed weights against the held-out split, and the preprocessing
that turns a drawing into the data set's 8x8 ink counts, against hand-computed grids."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

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
    assert x_tr.shape == (1437, 32, 32, 1) and x_te.shape == (360, 32, 32, 1)
    assert x_tr.dtype == np.float32 and 0.0 <= x_te.min() and x_te.max() <= 1.0
    counts = np.bincount(y_te, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # ~36 of each digit
    again = digits.load_split()
    np.testing.assert_array_equal(again[3], y_te)


def test_held_out_accuracy_at_least_97_percent(model, split):
    _, _, x_te, y_te = split
    pred = np.argmax(np.asarray(model(x_te, training=False)), axis=1)
    accuracy = float(np.mean(pred == y_te))
    assert accuracy >= 0.97, accuracy


def test_architecture_is_the_seed_chain(model):
    types = [type(layer).__name__ for layer in model.layers]
    assert types == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "Dense"]
    assert [layer.name for layer in model.layers][:2] == ["conv_1", "pool_1"]
    # hand arithmetic: 3*3*1*16+16, 3*3*16*32+32, 8*8*32*64+64, 64*10+10
    assert model.count_params() == 160 + 4_640 + 131_136 + 650


def test_upsampling_matches_tf_bilinear_resize():
    grid = np.random.default_rng(1).random((3, 8, 8)).astype(np.float32)
    ours = digits.upsample_8_to_32(grid)
    ref = tf.image.resize(grid[..., None], (32, 32), method="bilinear", antialias=False).numpy()[..., 0]
    np.testing.assert_allclose(ours, ref, atol=1e-5)


def _bar_picture(dark_on_light: bool) -> np.ndarray:
    # a "1": a bar 80 tall and 20 wide in a 100x100 picture
    ink, paper = (0.0, 1.0) if dark_on_light else (1.0, 0.0)
    img = np.full((100, 100, 3), paper, np.float32)
    img[10:90, 40:60] = ink
    return img


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_bar_becomes_hand_computed_counts(dark_on_light):
    # bbox 80x20 -> scaled to 32 tall, 8 wide, centred at columns 12..19 -> blocks 3 and 4 full
    counts = digits.to_counts_8x8(_bar_picture(dark_on_light))
    expected = np.zeros((8, 8), np.float32)
    expected[:, 3:5] = 1.0
    np.testing.assert_allclose(counts, expected, atol=1e-6)


def test_preprocess_shape_and_range():
    batch = digits.preprocess(_bar_picture(True))
    assert batch.shape == (1, 32, 32, 1) and batch.dtype == np.float32
    assert 0.0 <= batch.min() and batch.max() <= 1.0


def test_dataset_digits_drawn_large_are_still_recognised(model, split):
    # render held-out 8x8 digits as 160x160 black-on-white pictures (as a user would draw),
    # send them through preprocess, and check the labels are still found
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    _, images, _, labels = train_test_split(data.images, data.target, test_size=0.2,
                                            stratify=data.target, random_state=0)
    picks = np.arange(0, 360, 6)  # 60 pictures
    batch = []
    for i in picks:
        big = np.kron(images[i] / 16.0, np.ones((16, 16)))
        picture = np.pad(1.0 - big, 16, constant_values=1.0)
        batch.append(digits.preprocess(np.repeat(picture[..., None], 3, axis=2))[0])
    pred = np.argmax(np.asarray(model(np.stack(batch), training=False)), axis=1)
    assert float(np.mean(pred == labels[picks])) >= 0.9


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
    np.testing.assert_array_equal(digits.to_counts_8x8(picture), digits.to_counts_8x8(luma))


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
