"""Regression tests for the layer-page defects of issue 10 (item 9), one block per defect.

(a) controls hidden at 1024×768 (browser), (b) the Blur kernel shown as 0.1, (c) the HSV global
average with no word that hue is circular, (d) a 'valid' padding error quoting a negative shape,
(e) no hint that the first layer page loads TensorFlow, (f) the Conv2DTranspose caption
contradicting its checkerboard. References are independent: colorsys and scipy for hue, a
brute-force stamp count and Keras itself (all-ones kernel) for the transpose coverage.
"""
from __future__ import annotations

import colorsys
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.stats

from tests.apptest_helpers import APP, ROOT, open_app, png_bytes
from ui import compute, controls
from vizcore import ImageError
from vizcore.layers import KERNEL_PRESETS, conv2d, conv2d_stack, pool
from vizcore.layers.coverage import coverage_counts, coverage_map, coverage_text, transpose_size_text
from vizcore.layers.hue import circular_mean_hue, global_hue_note, hue_name

# --------------------------------------------------------------------------- (a) 1024×768


# The browser check lives in tests/browser/test_browser_layout.py (shared server and Chromium).


# --------------------------------------------------------------------------- (b) kernel precision


def test_blur_weights_are_written_as_one_ninth():
    weight = KERNEL_PRESETS["blur"][0, 0]  # float32 1/9
    assert controls.weight_text(weight) == "1/9"
    assert controls.EDITOR_FORMAT % weight == "0.1111"  # printf, as the grid formats it
    note = controls.kernel_weights_note(KERNEL_PRESETS["blur"])
    assert "1/9" in note and "0.1111" in note and "all 9 cells" in note


@pytest.mark.parametrize("value, text", [(-2.0, "-2"), (0.5, "1/2"), (-0.0625, "-1/16"), (0.123456, "0.1235")],
                         ids=["whole", "half", "minus-sixteenth", "no-small-fraction"])
def test_weight_text(value, text):
    assert controls.weight_text(value) == text


def test_whole_number_kernels_need_no_note():
    assert controls.kernel_weights_note(KERNEL_PRESETS["sobel_x"]) == ""


def test_conv2d_kernel_grid_keeps_four_digits_and_says_one_ninth():
    """Streamlit rounds a NumberColumn cell to its step's decimals: step=0.1 showed 1/9 as 0.1."""
    at = open_app("conv2d", query={"conv2d.view": "Kernel editor", "conv2d.preset": "blur"})
    grids = at.get("dataframe")
    assert grids, "no kernel grid on the Conv2D page"
    columns = json.loads(grids[0].proto.columns)
    cells = [c["type_config"] for name, c in columns.items() if name.startswith("col")]
    assert len(cells) == 3
    for cell in cells:
        assert "step" not in cell or cell["step"] <= 1e-4
        assert cell["format"] % (1 / 9) == "0.1111"
    assert any("1/9" in c.value and "0.1111" in c.value for c in at.main.caption)


# --------------------------------------------------------------------------- (c) hue is an angle


def _hue_image(hues, saturation=1.0, value=0.9) -> np.ndarray:
    row = [colorsys.hsv_to_rgb(h, saturation, value) for h in hues]
    return np.asarray([row] * 4, dtype=np.float32)


def test_circular_mean_matches_scipy():
    hues = np.array([0.95, 0.97, 0.02, 0.05, 0.10])
    expected = scipy.stats.circmean(hues, high=1.0, low=0.0)
    assert circular_mean_hue(hues) == pytest.approx(expected, abs=1e-9)


def test_hsv_global_average_says_hue_is_circular_and_gives_the_circular_mean():
    """Reds either side of 0: Keras's arithmetic mean lands on cyan (0.5), the circular mean on red (0)."""
    image = _hue_image([0.96, 0.04] * 4)
    result = pool(image, kind="global_average", space="hsv")
    arithmetic = np.mean([colorsys.rgb_to_hsv(*p)[0] for p in image.reshape(-1, 3)])
    assert float(result.output[0]) == pytest.approx(arithmetic, abs=1e-3)  # Keras computes the plain mean
    assert arithmetic == pytest.approx(0.5, abs=1e-3)
    text = result.explanation
    assert "angle" in text and "circular mean" in text
    assert "0.50 (cyan)" in text and "0.00 (red)" in text


@pytest.mark.parametrize("space", ["rgb", "ycbcr", "luminance"])
def test_other_spaces_have_no_hue_note(space):
    assert "circular" not in pool(_hue_image([0.96, 0.04]), kind="global_average", space=space).explanation


def test_no_note_for_a_grey_picture():
    assert global_hue_note(np.full((4, 4, 3), 0.5, np.float32), 0.0) == ""


@pytest.mark.parametrize("hue, name", [(0.0, "red"), (0.99, "red"), (0.08, "orange"), (0.33, "green"),
                                       (0.5, "cyan"), (0.66, "blue")], ids=lambda v: str(v))
def test_hue_names(hue, name):
    assert hue_name(hue) == name


# --------------------------------------------------------------------------- (d) 'valid' in words


SMALL = np.zeros((4, 5, 3), np.float32)  # 5 wide, 4 high
ONE_LAYER = dict(filters=1, kernel_size=3, strides=1, activation="relu")


@pytest.mark.parametrize("call, expected", [
    (lambda: conv2d(SMALL, kernel_size=7, padding="valid", activation="linear", space="rgb"),
     "a 7×7 kernel with 'valid' padding needs an image at least 7 pixels on each side; this one is 5×4"),
    (lambda: pool(SMALL, kind="max", size=7, padding="valid", space="rgb"),
     "a 7×7 pool window with 'valid' padding needs an image at least 7 pixels on each side; this one is 5×4"),
    (lambda: conv2d_stack(SMALL, layers=[ONE_LAYER, ONE_LAYER], padding="valid", seed=0, space="rgb"),
     "layer 2: a 3×3 kernel with 'valid' padding needs its input (layer 1's output) at least 3 pixels on each "
     "side; this one is 3×2"),
], ids=["conv2d", "max-pooling", "conv2d-stack-second-layer"])
def test_valid_padding_error_in_words(call, expected):
    with pytest.raises(ImageError) as err:
        call()
    assert expected in str(err.value)
    assert "-" not in str(err.value).split("needs")[1]  # no negative shape quoted


def test_pooling_page_shows_the_valid_error_in_words():
    at = open_app("pooling", query={"pooling.size": "16", "pooling.padding": "valid"})
    at.segmented_control(key="source").set_value("Upload").run()
    small = np.full((8, 10, 3), 120, np.uint8)
    at.file_uploader(key="upload_main").set_value(("small.png", png_bytes(small), "image/png")).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "needs an image at least 16 pixels on each side; this one is 10×8" in errors


# --------------------------------------------------------------------------- (e) warm-up hint


FRESH_SERVER = textwrap.dedent("""
    import json, os, sys
    os.environ["LAYER_LAB_NO_WARMUP"] = "1"
    sys.path.insert(0, {root!r})
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from ui import compute
    said = []
    real = st.spinner
    def spinner(text="", **kw):
        said.append(text)
        return real(text, **kw)
    st.spinner = spinner
    before = compute.tensorflow_loaded()
    at = AppTest.from_file({app!r}, default_timeout=600).run()
    at.switch_page("pages/merging.py").run()
    first = list(said); said.clear()
    at.switch_page("pages/pooling.py").run()
    print(json.dumps(dict(before=before, after=compute.tensorflow_loaded(), first=first, second=said,
                          errors=[e.value for e in at.exception])))
""")


def test_first_layer_page_says_tensorflow_is_starting_and_later_pages_do_not():
    """In a fresh process (a fresh server), Merging's first run shows the one-time TensorFlow note."""
    code = FRESH_SERVER.format(root=str(ROOT), app=str(APP))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=800, cwd=ROOT,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["before"] is False and seen["after"] is True and not seen["errors"]
    assert seen["first"][0] == compute.WARM_UP_NOTE == "Starting TensorFlow (once per server, ~10 s)…"
    assert compute.WARM_UP_NOTE not in seen["second"]


# --------------------------------------------------------------------------- (f) transpose coverage


def brute_force_counts(k: int, s: int) -> np.ndarray:
    """Stamp k×k ones every s pixels on a big canvas and read one interior s×s block."""
    n = 6 + k
    canvas = np.zeros((n * s + k, n * s + k), int)
    for i in range(n):
        for j in range(n):
            canvas[i * s:i * s + k, j * s:j * s + k] += 1
    start = (k // s + 1) * s  # well inside, aligned to the stride
    return canvas[start:start + s, start:start + s]


KS = [(3, 2), (4, 2), (2, 2), (1, 2), (5, 3), (3, 1), (8, 2), (2, 4), (7, 4)]


@pytest.mark.parametrize("k, s", KS, ids=[f"k{k}-s{s}" for k, s in KS])
def test_coverage_counts_match_brute_force(k, s):
    np.testing.assert_array_equal(coverage_counts(k, s), brute_force_counts(k, s))


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("k, s", [(3, 2), (4, 2), (1, 3), (5, 2)], ids=["k3-s2", "k4-s2", "k1-s3", "k5-s2"])
def test_coverage_map_equals_keras_with_ones(k, s, padding):
    """Conv2DTranspose with an all-ones kernel on an all-ones input outputs the stamp count at every pixel."""
    import keras

    layer = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding, use_bias=False, kernel_initializer="ones")
    keras_counts = np.asarray(layer(np.ones((1, 5, 6, 1), np.float32)))[0, ..., 0]
    np.testing.assert_array_equal(coverage_map(5, 6, k, s, padding=padding), keras_counts)


def test_coverage_text_states_the_counts():
    assert coverage_text(3, 2) == "k=3, s=2: output pixels are covered 1, 2 or 4 times → checkerboard (uneven overlap)."
    even = coverage_text(4, 2)
    assert "covered 4 times (even overlap)" in even and "comes from the weights" in even
    assert "covered 0 or 1 times → gaps" in coverage_text(1, 2)


def test_transpose_size_text():
    assert transpose_size_text(64, 4, 2, "same").endswith("64 × 2 = 128.")
    assert transpose_size_text(64, 4, 2, "valid").endswith("64 × 2 + 2 = 130.")


def test_transpose_page_caption_agrees_with_the_picture():
    """The default k4 s2 used to say 'covered the same number of times' beside a strong checkerboard."""
    at = open_app("conv2d_transpose", query={"conv2d_transpose.k": "3", "conv2d_transpose.strides": "2"})
    text = " ".join(m.value for m in at.main.markdown)
    assert "k=3, s=2: output pixels are covered 1, 2 or 4 times → checkerboard" in text
    at = open_app("conv2d_transpose")
    text = " ".join(m.value for m in at.main.markdown)
    assert "same number of times" not in text and "k=4, s=2: every output pixel is covered 4 times" in text
