"""AppTest: the Home page and the shared sidebar image choice (sample, upload, camera, URL)."""
from __future__ import annotations

import numpy as np
import pytest

import vizcore
from tests.apptest_helpers import (
    ROOT,
    assert_image_close,
    capture_media,
    image_urls,
    jpeg_bytes,
    open_app,
    png_bytes,
    unenlarged,
)
from tests.hostile_inputs import HOSTILE_CASES, case_ids

N_CHANNEL_MAPS = 1 + 3 + 3 + 3  # luminance, RGB, HSV, YCbCr


@pytest.fixture()
def media(monkeypatch):
    return capture_media(monkeypatch)


def sample(name: str, side: int = 512) -> np.ndarray:
    """The sample as the app loads it: float (H, W, 3) in [0, 1]."""
    return vizcore.load_sample(name, max_side=side).image.astype(np.float64)


def test_home_shows_chosen_image_and_every_channel(media):
    at = open_app()
    urls = image_urls(at)
    assert len(urls) == 1 + N_CHANNEL_MAPS
    rgb = sample(vizcore.DEFAULT_SAMPLE)
    assert_image_close(media.png(urls[0]), rgb)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mx, mn = rgb.max(axis=-1), rgb.min(axis=-1)
    expected = [  # hand formulas (BT.601, HSV as colorsys), one grey map per channel
        0.299 * r + 0.587 * g + 0.114 * b,                       # luminance
        r, g, b,                                                  # RGB
        None,                                                     # hue: wraps, skipped
        np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-12), 0),   # saturation
        mx,                                                       # value
        0.299 * r + 0.587 * g + 0.114 * b,                       # Y
        np.clip(0.5 - 0.168736 * r - 0.331264 * g + 0.5 * b, 0, 1),  # Cb
        np.clip(0.5 + 0.5 * r - 0.418688 * g - 0.081312 * b, 0, 1),  # Cr
    ]
    for url, want in zip(urls[1:], expected):
        if want is not None:
            assert_image_close(media.png(url), want)
    captions = [c for img in at.main.image[1:] for c in img.captions]
    assert captions[:4] == ["Luminance", "RGB: Red", "RGB: Green", "RGB: Blue"]
    assert not at.error


def test_home_links_to_every_existing_section():
    at = open_app()
    pages = sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem != "home")
    labels = [link.proto.label for link in at.main.get("page_link")]
    assert len(labels) == len(pages) == len(set(labels))


def test_changing_sample_changes_image_and_url(media):
    at = open_app()
    before = image_urls(at)
    at.selectbox(key="sample").set_value("Cat").run()
    after = image_urls(at)
    assert before[0] != after[0]
    assert_image_close(media.png(after[0]), sample("Cat"))
    assert at.query_params["sample"] in ("Cat", ["Cat"])


def test_url_restores_sample_and_working_size(media):
    at = open_app(query={"sample": "Coffee", "side": "256"})
    assert at.selectbox(key="sample").value == "Coffee"
    assert_image_close(media.png(image_urls(at)[0]), sample("Coffee", 256))


@pytest.mark.parametrize("query", [{"sample": "No such picture"}, {"side": "99999"}, {"side": "big"}])
def test_bad_url_values_fall_back_to_defaults(query, media):
    at = open_app(query=query)
    assert not at.exception and not at.error
    assert_image_close(media.png(image_urls(at)[0]), sample(vizcore.DEFAULT_SAMPLE))


def test_upload_is_shown_pixel_exact_and_not_put_in_url(media):
    pixels = np.arange(3 * 7 * 3, dtype=np.uint8).reshape(3, 7, 3) * 3
    at = open_app()
    at.segmented_control(key="source").set_value("Upload").run()
    at.file_uploader(key="upload_main").set_value(("tiny.png", png_bytes(pixels), "image/png")).run()
    assert not at.exception and not at.error
    np.testing.assert_array_equal(unenlarged(media.png(image_urls(at)[0]), pixels.shape[:2]), pixels)
    assert "tiny.png" in " ".join(m.value for m in at.main.markdown)
    assert all("tiny" not in str(v) for v in at.query_params.values())


def test_upload_survives_a_page_switch(media):
    pixels = np.full((4, 6, 3), (200, 30, 90), dtype=np.uint8)
    at = open_app()
    at.segmented_control(key="source").set_value("Upload").run()
    at.file_uploader(key="upload_main").set_value(("red.png", png_bytes(pixels), "image/png")).run()
    at.switch_page("pages/home.py").run()
    at.run()
    np.testing.assert_array_equal(unenlarged(media.png(image_urls(at)[0]), pixels.shape[:2]), pixels)


def test_big_upload_is_downscaled_with_a_notice(media):
    big = np.zeros((600, 1400, 3), dtype=np.uint8)
    big[:, ::2] = 255
    at = open_app()
    at.segmented_control(key="source").set_value("Upload").run()
    at.file_uploader(key="upload_main").set_value(("wide.png", png_bytes(big), "image/png")).run()
    assert media.png(image_urls(at)[0]).shape[:2] == (219, 512)
    assert any("1400" in i.value for i in at.sidebar.info), [i.value for i in at.sidebar.info]


def test_camera_photo_is_used(media):
    photo = np.zeros((48, 64, 3), dtype=np.uint8)
    photo[:, :32] = (250, 250, 250)
    at = open_app()
    at.segmented_control(key="source").set_value("Camera").run()
    assert len(at.camera_input) == 1
    at.camera_input[0].set_value(("shot.jpg", jpeg_bytes(photo), "image/jpeg")).run()
    shown = unenlarged(media.png(image_urls(at)[0]), (48, 64)).astype(int)
    assert shown.shape == (48, 64, 3)
    assert shown[:, :28].mean() > 240 and shown[:, 36:].mean() < 15
    assert "Camera photo" in " ".join(m.value for m in at.main.markdown)


def test_camera_not_drawn_unless_chosen():
    at = open_app()
    assert len(at.camera_input) == 0


@pytest.fixture(scope="module")
def upload_app():
    """One app session on the upload path, reused: each case replaces the uploaded file."""
    at = open_app()
    at.segmented_control(key="source").set_value("Upload").run()
    return at


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=case_ids(HOSTILE_CASES))
def test_hostile_upload_gives_error_or_image_never_exception(case, upload_app, media):
    at = upload_app
    at.file_uploader(key="upload_main").set_value((case.filename, case.data, case.mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = media.png(image_urls(at)[0])
    if case.expect == "error":
        assert len(at.error) == 1
        assert case.message.lower() in at.error[0].value.lower()
        assert case.filename in at.error[0].value
        assert_image_close(shown, sample(vizcore.DEFAULT_SAMPLE))
    else:
        assert not at.error, [e.value for e in at.error]
        expected = vizcore.read_image(case.data, max_side=512).image.shape[:2]
        assert unenlarged(shown, expected).shape[:2] == tuple(expected)


def test_forget_button_drops_a_kept_upload(media):
    pixels = np.full((8, 8, 3), 40, dtype=np.uint8)
    at = open_app()
    at.segmented_control(key="source").set_value("Upload").run()
    at.file_uploader(key="upload_main").set_value(("grey.png", png_bytes(pixels), "image/png")).run()
    at.switch_page("pages/pooling.py").run()  # a new page: its uploader is empty, the bytes are kept
    assert "grey.png" in " ".join(c.value for c in at.main.caption)
    forget = [b for b in at.sidebar.button if b.label == "Forget"]
    assert len(forget) == 1
    forget[0].click().run()
    assert not at.exception
    shown = " ".join(c.value for c in at.main.caption)
    assert vizcore.DEFAULT_SAMPLE in shown and "grey.png" not in shown
    assert "No upload yet" in " ".join(c.value for c in at.sidebar.caption)
