"""Real browser: the trained-models and your-model pages in headless Chromium.

Each test opens a page of the live server, waits until Streamlit is idle, checks that the
pictures really rendered (decoded, non-zero size) and that no exception box is shown, and
saves a screenshot in tests/artifacts/.
"""
from __future__ import annotations

import pytest

from tests import hostile_models as hm

IDLE_JS = """() => {
  const running = document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]')
     || document.querySelector('[data-testid="stStatusWidget"] button');
  const spinners = document.querySelectorAll('[data-testid="stSpinner"]').length;
  return !running && spinners === 0 && document.querySelector('[data-testid="stMain"]') !== null;
}"""

RENDERED_IMAGES_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] img'))
  .filter(img => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0).length"""


def settle(page, *, quiet_ms: int = 1500, timeout_ms: int = 120_000) -> None:
    """Wait until the script has finished (no running indicator, no spinner) for quiet_ms."""
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)
    page.wait_for_timeout(quiet_ms)
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)


def rendered_images(page, at_least: int = 1, timeout_ms: int = 60_000) -> int:
    """Number of decoded, visible pictures in the main area, once there are at_least of them."""
    page.wait_for_function(f"() => ({RENDERED_IMAGES_JS})() >= {at_least}", timeout=timeout_ms)
    return page.evaluate(RENDERED_IMAGES_JS)


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not page.js_errors, page.js_errors


def choose_view(page, name: str) -> None:
    page.locator('[data-testid="stButtonGroup"]').get_by_role("radio", name=name, exact=True).first.click()
    settle(page)


def test_trained_models_hed(page, server, artifacts):
    page.goto(server.url + "/trained_models")
    settle(page)
    page.get_by_text("Fused edges (the output)").wait_for()
    assert rendered_images(page, 6) >= 6  # five side outputs and the fused map
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / "models-hed-edges.png"), full_page=True)

    choose_view(page, "Feature maps")
    assert rendered_images(page, 3) >= 3  # grid, one map, the map over the input
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / "models-hed-maps.png"), full_page=True)


def test_trained_models_digits_canvas(page, server, artifacts):
    page.goto(server.url + "/trained_models?model=digits&view=Predictions")
    settle(page)
    page.get_by_text("Nothing drawn yet").wait_for()
    seen = page.get_by_text("What the model sees: your drawing")
    for _attempt in range(3):  # under load the canvas component may not take the first stroke
        # the drawing canvas is 224x224 (other canvases belong to e.g. the data grid)
        drawing = [c for c in page.locator("canvas").all()
                   if (box := c.bounding_box()) and round(box["width"]) == 224 and round(box["height"]) == 224][-1]
        drawing.scroll_into_view_if_needed()  # mouse coordinates are the viewport's
        canvas = drawing.bounding_box()
        # start below the canvas's hover toolbar, which covers its top ~40 px
        x, y = canvas["x"] + canvas["width"] / 2, canvas["y"] + 50
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 21):  # a "1": one slightly slanted stroke (a perfectly vertical
            page.mouse.move(x + step * 1.5, y + step * 7, steps=3)  # one can leave no ink)
        page.mouse.up()
        settle(page)
        try:
            seen.wait_for(timeout=30_000)
            break
        except Exception:  # playwright TimeoutError: draw again
            page.screenshot(path=str(artifacts / f"models-digits-retry{_attempt}.png"), full_page=True)
            continue
    page.get_by_text("What the model sees: your drawing").wait_for()
    assert page.get_by_text("Nothing drawn yet").count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1  # the top-5 table
    assert rendered_images(page, 2) >= 2  # input and Grad-CAM
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / "models-digits-drawn.png"), full_page=True)


def test_trained_models_imagenet_unavailable(page, server, artifacts):
    page.goto(server.url + "/trained_models?model=mobilenet_v2")
    settle(page)
    page.get_by_text("needs its ImageNet weights").wait_for()
    page.get_by_role("button", name="Try to download the weights now").first.wait_for()
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / "models-imagenet-howto.png"), full_page=True)


@pytest.mark.parametrize("builder, shot", [(hm.valid_keras, "models-upload-valid.png"),
                                           (hm.nested_keras, "models-upload-nested.png")])
def test_your_model_upload(builder, shot, page, server, artifacts, tmp_path):
    name, data = builder(tmp_path)
    path = tmp_path / name
    path.write_bytes(data)
    page.goto(server.url + "/your_model")
    settle(page)
    page.get_by_text("No model yet").wait_for()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').last.set_input_files(str(path))
    settle(page)
    page.get_by_text(f"{name} loaded").wait_for()
    page.get_by_text("What was done to your picture").wait_for()
    assert rendered_images(page, 3) >= 3
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / shot), full_page=True)


def test_your_model_hostile_upload(page, server, artifacts, tmp_path):
    name, data = hm.lambda_keras(tmp_path)
    path = tmp_path / name
    path.write_bytes(data)
    page.goto(server.url + "/your_model")
    settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').last.set_input_files(str(path))
    settle(page)
    page.get_by_text("contains a Lambda layer").wait_for()
    assert not (tmp_path / hm.MARKER_NAME).exists()
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / "models-upload-lambda.png"), full_page=True)
