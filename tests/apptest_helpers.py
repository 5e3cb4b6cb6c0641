"""Helpers for the AppTest suites (tests/test_app_*.py): start the app, capture shown images.

``open_app(page=None, query=None)`` runs ``app.py`` (optionally with URL query parameters,
as if a shared link was opened) and switches to ``pages/<page>.py``.

``media`` (a pytest fixture, see ``capture_media``) records every file the app hands to
Streamlit's media storage, so a test can decode the PNG behind ``at.image[i]`` and compare
its pixels with an independent NumPy reference.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
TIMEOUT = 180  # first run of a TensorFlow page imports TF and traces graphs: seconds on a busy CPU
# Home's background warm-up (TF import + tracing) would only compete with the tests for CPU.
os.environ["LAYER_LAB_NO_WARMUP"] = "1"


def open_app(page: str | None = None, *, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
    return at


class MediaCapture(dict):
    """file id -> bytes of every media file the app registered while the capture was on."""

    def png(self, url: str) -> np.ndarray:
        """The image behind an ``at.image[i].value[0]`` URL as uint8 (H, W, 3)."""
        file_id = url.rsplit("/", 1)[-1].split(".", 1)[0]
        return np.asarray(Image.open(io.BytesIO(self[file_id])).convert("RGB"))


def capture_media(monkeypatch) -> MediaCapture:
    captured = MediaCapture()
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        if isinstance(path_or_data, (bytes, bytearray)):
            captured[file_id] = bytes(path_or_data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return captured


def assert_image_close(shown: np.ndarray, expected: np.ndarray, *, mean_levels: float = 2.5,
                       p99_levels: float = 10.0) -> None:
    """``shown`` (uint8, possibly JPEG-compressed for display) matches ``expected``.

    ``expected``: uint8 or float in [0, 1], same shape (grey (H, W) compares with channel 0).
    Mean and 99th-percentile absolute error are bounded in 8-bit levels: a wrong picture,
    a wrong channel or a shifted/rescaled one is far outside; JPEG's ringing is inside.
    """
    exp = np.asarray(expected, dtype=np.float64)
    if exp.dtype.kind == "f" and exp.max() <= 1.0 + 1e-6 and np.asarray(expected).dtype != np.uint8:
        exp = exp * 255.0
    got = np.asarray(shown, dtype=np.float64)
    if exp.ndim == 2:
        got = got[..., 0] if got.ndim == 3 else got
    assert got.shape == exp.shape, f"shape {got.shape} != {exp.shape}"
    err = np.abs(got - exp)
    assert err.mean() <= mean_levels, f"mean error {err.mean():.2f} levels"
    assert np.percentile(err, 99) <= p99_levels, f"99th percentile error {np.percentile(err, 99):.1f} levels"


def unenlarged(shown: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``shown`` brought back to ``shape`` (h, w) after the page's whole-pixel enlargement.

    Small pictures are sent enlarged by one integer factor with nearest neighbour, so each
    source pixel is an f×f block of one colour. Asserts exactly that (same factor on both axes,
    every block uniform) and returns one pixel per block; a picture sent at its own size comes
    back unchanged.
    """
    h, w = shape
    fy, ry = divmod(shown.shape[0], h)
    fx, rx = divmod(shown.shape[1], w)
    assert ry == rx == 0 and fy == fx >= 1, f"shown {shown.shape[:2]} is not a whole-pixel enlargement of {shape}"
    small = shown[::fy, ::fx]
    np.testing.assert_array_equal(np.repeat(np.repeat(small, fy, axis=0), fx, axis=1), shown)
    return small


def image_urls(at: AppTest) -> list[str]:
    """URLs of every image in the main area, in page order."""
    return [url for element in at.main.image for url in element.value]


def png_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_bytes(array: np.ndarray, quality: int = 95) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
