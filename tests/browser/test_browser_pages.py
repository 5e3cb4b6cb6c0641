"""Real browser: every page in headless Chromium against a live `streamlit run app.py`.

Checks what a person would see: images that actually load (naturalWidth > 0), no exception
box, an upload through the real file input, an error for a bad file, and a shared URL that
restores the view. Screenshots go to tests/artifacts/ (look at them).
"""
from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from .conftest import ROOT

IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
                 && !document.querySelector('[data-testid="stSpinner"]')"""
IMAGES_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] img'))
                 .map(i => i.complete && i.naturalWidth > 0)"""

PAGES = [  # (url path, heading, minimum number of images in the main area)
    ("", "Layer Lab", 11),
    ("merging", "Merging layers", 31),
    ("pooling", "Pooling", 16),
    ("dense", "Dense", 6),
    ("conv2d", "Conv2D", 5),
    ("conv2d_transpose", "Conv2DTranspose", 2),
    ("activations", "Activations", 16),
    ("cheat_sheet", "Cheat sheet", 43),
    ("trained_models", None, 1),
    ("your_model", None, 0),
]
PAGES = [p for p in PAGES if (ROOT / "pages" / f"{p[0] or 'home'}.py").exists()]


def wait_idle(page, timeout: float = 240_000) -> None:
    """Wait until the script has finished running and stays finished."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout)
    for _ in range(3):
        page.wait_for_timeout(400)
        page.wait_for_function(IDLE_JS, timeout=timeout, polling=100)


def loaded_images(page, minimum: int, timeout: float = 60_000) -> list[bool]:
    """States of the main-area images once at least ``minimum`` have finished loading."""
    deadline = time.monotonic() + timeout / 1000
    states = page.evaluate(IMAGES_JS)
    while (len(states) < minimum or not all(states)) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        states = page.evaluate(IMAGES_JS)
    return states


def full_screenshot(page, path) -> None:
    height = page.evaluate("""() => Math.max(...Array.from(document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stMainBlockContainer"]')).map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 80, 16000)})
    page.wait_for_timeout(800)
    loaded_images(page, 0)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})


def no_exception(page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()
    assert not page.js_errors, page.js_errors


def png_file(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("path, heading, minimum", PAGES, ids=[p[0] or "home" for p in PAGES])
def test_page_renders_with_images_and_no_exception(page, server, artifacts, path, heading, minimum):
    page.goto(f"{server.url}/{path}")
    wait_idle(page)
    if heading:
        assert page.locator("h1").first.inner_text().strip() == heading
    states = loaded_images(page, minimum)
    assert len(states) >= minimum and all(states), f"{sum(states)}/{len(states)} images loaded"
    no_exception(page)
    full_screenshot(page, artifacts / f"browser-{path or 'home'}.png")


def _choose_upload(page) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="Upload", exact=True).click()
    page.wait_for_selector('[data-testid="stSidebar"] input[type="file"]', state="attached")


def test_upload_through_the_real_file_input(page, server, artifacts):
    pixels = np.zeros((96, 128, 3), dtype=np.uint8)
    pixels[:, 64:] = (30, 200, 90)
    page.goto(server.url)
    wait_idle(page)
    _choose_upload(page)
    page.locator('[data-testid="stSidebar"] input[type="file"]').first.set_input_files(
        files=[{"name": "green-half.png", "mimeType": "image/png", "buffer": png_file(pixels)}])
    page.get_by_text("green-half.png").first.wait_for()
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("your upload, 128×96 px").first.wait_for()
    states = loaded_images(page, 11)
    assert all(states)
    no_exception(page)
    full_screenshot(page, artifacts / "browser-upload-home.png")
    # The upload follows the user to another page.
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Pooling", exact=True).click()
    wait_idle(page)
    main.get_by_text("green-half.png").first.wait_for()
    assert all(loaded_images(page, 16))
    no_exception(page)
    full_screenshot(page, artifacts / "browser-upload-pooling.png")


def test_bad_upload_shows_an_error_and_the_app_keeps_working(page, server, artifacts):
    page.goto(server.url)
    wait_idle(page)
    _choose_upload(page)
    page.locator('[data-testid="stSidebar"] input[type="file"]').first.set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"this is not a picture at all"}])
    error = page.locator('[data-testid="stSidebar"]').get_by_text("Couldn't use “notes.png”").first
    error.wait_for()
    assert "not an image" in error.inner_text()
    wait_idle(page)
    assert all(loaded_images(page, 11))  # the sample is shown instead
    no_exception(page)
    full_screenshot(page, artifacts / "browser-bad-upload.png")


def test_shared_url_restores_the_view_and_controls_update_it(page, server):
    page.goto(f"{server.url}/merging?kind=Multiply&space=hsv&sample=Cat")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Multiply · hsv", exact=False).first.wait_for()
    assert "Cat" in main.get_by_text("Image:").first.inner_text()
    main.get_by_role("radio", name="Minimum", exact=True).first.click()
    wait_idle(page)
    main.get_by_text("Minimum · hsv", exact=False).first.wait_for()
    page.wait_for_url(re.compile(r".*kind=Minimum.*"))
    assert "sample=Cat" in page.url and "space=hsv" in page.url


def test_camera_photo_from_a_fake_camera(browser, server, artifacts):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    try:
        page.goto(server.url)
        wait_idle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.locator('[data-testid="stCameraInput"]').count() == 0  # no camera until asked
        sidebar.get_by_role("radio", name="Camera", exact=True).click()
        shoot = sidebar.get_by_role("button", name=re.compile("Take photo", re.I))
        shoot.wait_for()
        page.wait_for_timeout(1500)  # let the fake stream start
        shoot.click()
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("from your camera").first.wait_for()
        wait_idle(page)
        assert all(loaded_images(page, 11))
        no_exception(page)
        full_screenshot(page, artifacts / "browser-camera.png")
    finally:
        context.close()
