"""AppTest: the display control of the feature-layer pages (issue 10 item 4: percentile stretch by
default, exact min–max one click away).

The Conv2D page's single-filter ReLU panel is read back from media storage and compared with
NumPy stretches of the same layer's raw output (``vizcore.layers.conv2d(...).output``, the real
Keras layer): "Auto" with the 1st / 99th percentile of every ``step``-th row and column
(``step`` computed here from the rule: the smallest odd integer >= sqrt(H·W / 128²)),
"Exact min–max" with the output's minimum and maximum, "Clip to 0…1" with the values clipped.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import vizcore
from tests.apptest_helpers import assert_image_close, capture_media, image_urls, open_app

SIDE = 512
#: Conv2D page, "Random filters" view, one filter: its map is the page's first image.
CONV = {"conv2d.filters": "1"}
SETTINGS = dict(activation="relu", seed=2, filters=1, kernel_size=3, strides=1, padding="same", space="rgb")
LABELS = ["Auto (percentile / diverging)", "Exact min–max", "Clip to 0…1"]


@pytest.fixture()
def media(monkeypatch):
    return capture_media(monkeypatch)


@pytest.fixture(scope="module")
def raw() -> np.ndarray:
    """The panel's raw output: (H, W) float64, relu(conv) of the default sample, the page's defaults."""
    from vizcore import layers

    image = vizcore.load_sample(vizcore.DEFAULT_SAMPLE, max_side=SIDE).image
    return np.asarray(layers.conv2d(image, **SETTINGS).output, dtype=np.float64)[..., 0]


def percentile_reference(x: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The "percentile" rule in NumPy: (stretched, black value, white value)."""
    h, w = x.shape
    step = max(1, math.ceil(math.sqrt(h * w / (128 * 128))))
    step += 1 - step % 2  # odd
    lo, hi = np.percentile(x[::step, ::step], [1, 99])
    assert hi > lo, "the reference needs a spread between the percentiles"
    return np.clip((x - lo) / (hi - lo), 0, 1), float(lo), float(hi)


def first_image(at, media) -> np.ndarray:
    return media.png(image_urls(at)[0])[..., 0].astype(np.float64)


def test_conv2d_display_control_switches_between_the_stretch_rules(raw, media):
    at = open_app("conv2d", query=CONV)
    control = at.segmented_control(key="conv2d.display")
    assert control.options == LABELS
    assert control.value == "auto"

    auto = first_image(at, media)
    expected, lo, hi = percentile_reference(raw)
    assert_image_close(auto, expected)
    # Independent of the reference's arithmetic: the brightest 1 % is white, the darkest 1 % black.
    assert np.median(auto[raw >= hi]) >= 250
    assert np.median(auto[raw <= lo]) <= 5

    at.segmented_control(key="conv2d.display").set_value("minmax").run()
    assert not at.exception
    exact = first_image(at, media)
    assert_image_close(exact, (raw - raw.min()) / (raw.max() - raw.min()))
    assert at.query_params["conv2d.display"] in ("minmax", ["minmax"])
    # The two rules really differ on this panel (a few extreme pixels): min–max is darker on average.
    assert auto.mean() - exact.mean() > 8

    at.segmented_control(key="conv2d.display").set_value("clip").run()
    assert_image_close(first_image(at, media), np.clip(raw, 0, 1))


def test_display_choice_comes_back_from_the_url_and_stays_on_its_page(raw, media):
    at = open_app("conv2d", query={**CONV, "conv2d.display": "minmax"})
    assert at.segmented_control(key="conv2d.display").value == "minmax"
    assert_image_close(first_image(at, media), (raw - raw.min()) / (raw.max() - raw.min()))
    at.switch_page("pages/conv2d_transpose.py").run()
    assert not at.exception
    assert at.segmented_control(key="conv2d_transpose.display").value == "auto"


@pytest.mark.parametrize("page", ["dense", "conv2d_transpose", "activations"])
def test_every_feature_page_has_the_control_and_it_changes_the_panel(page, media):
    at = open_app(page)
    before = image_urls(at)
    at.segmented_control(key=f"{page}.display").set_value("clip").run()
    assert not at.exception
    after = image_urls(at)
    assert len(after) == len(before)
    assert any(not np.array_equal(media.png(b), media.png(a)) for b, a in zip(before, after)), \
        "no panel changed when the display rule did"
