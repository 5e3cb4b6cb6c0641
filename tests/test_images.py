"""Image intake: every odd or hostile upload gives a correct image or an ImageError, nothing else.

Expected pixel values come from how each input is built (tests/hostile_inputs.py),
worked out by hand, never from running the loader.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import vizcore
from tests.hostile_inputs import ERROR_CASES, HOSTILE_CASES, SMOKE_CASES, Case, case_ids, png_bytes
from vizcore import ImageError, images
from vizcore.images import (
    DEFAULT_OTHER_SAMPLE,
    DEFAULT_SAMPLE,
    SAMPLES_DIR,
    LoadedImage,
    load_image,
    load_sample,
    read_image,
    sample_names,
)
from vizcore.images.modes import to_rgb_array


def assert_valid_image(image: np.ndarray) -> None:
    assert isinstance(image, np.ndarray)
    assert image.dtype == np.float32
    assert image.ndim == 3 and image.shape[2] == 3 and image.shape[0] >= 1 and image.shape[1] >= 1
    assert np.isfinite(image).all()
    assert image.min() >= 0.0 and image.max() <= 1.0


def check_case(case: Case, loaded: LoadedImage) -> None:
    assert_valid_image(loaded.image)
    if case.shape is not None:
        assert loaded.image.shape == case.shape
    for (row, col), rgb in case.pixels:
        np.testing.assert_allclose(loaded.image[row, col], rgb, atol=case.tol, err_msg=f"pixel {(row, col)}")
    if case.note:
        assert any(case.note.lower() in note.lower() for note in loaded.notes), loaded.notes
    for note in loaded.notes:  # sentences a person can read
        assert not note[0].islower() and note.endswith("."), note


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=case_ids(HOSTILE_CASES))
def test_hostile_table_from_bytes(case: Case):
    if case.expect == "ok":
        check_case(case, read_image(case.data))
    else:
        with pytest.raises(ImageError) as info:  # any other exception fails the test
            read_image(case.data)
        message = str(info.value)
        assert case.message.lower() in message.lower()
        assert message[0].isupper() and "Traceback" not in message


def test_table_covers_what_the_issue_asks_for():
    names = " ".join(case_ids(HOSTILE_CASES))
    for needed in ["mode-1", "mode-L-", "mode-LA", "mode-P-transparent", "mode-RGBA", "mode-CMYK", "mode-I;16",
                   "mode-I-", "mode-F-", "exif-orientation-6", "size-1x1", "size-3x7", "truncated-png",
                   "truncated-jpeg", "empty", "text", "html", "zip", "bomb-png", "animated-gif"]:
        assert needed in names, needed
    assert {c.expect for c in HOSTILE_CASES} == {"ok", "error"}
    assert len(SMOKE_CASES) == 10 and {c.expect for c in SMOKE_CASES} == {"ok", "error"}
    assert all(c.expect == "error" and c.message for c in ERROR_CASES)


@pytest.mark.parametrize("case", [c for c in HOSTILE_CASES if c.name in {
    "mode-RGBA-png", "exif-orientation-6-jpg", "animated-gif", "empty", "truncated-png", "html", "bomb-png-8000x8000",
}], ids=lambda c: c.name)
@pytest.mark.parametrize("kind", ["file-like", "path"])
def test_same_result_from_file_like_and_path(case: Case, kind: str, tmp_path: Path):
    if kind == "path":
        source = tmp_path / case.filename
        source.write_bytes(case.data)
    else:
        source = io.BytesIO(case.data)
        source.name = case.filename
    if case.expect == "ok":
        loaded = read_image(source)
        check_case(case, loaded)
        np.testing.assert_array_equal(loaded.image, read_image(case.data).image)
    else:
        with pytest.raises(ImageError, match=re.escape(f"'{case.filename}'")) as info:
            read_image(source)  # the message names the file it got
        assert case.message.lower() in str(info.value).lower()


def test_name_is_used_in_messages():
    with pytest.raises(ImageError, match=r"^'holiday\.png' is empty"):
        read_image(b"", name="/tmp/uploads/holiday.png")
    with pytest.raises(ImageError, match=r"^The file is empty"):
        read_image(b"")


def test_file_like_is_read_from_its_start():
    data = png_bytes(Image.new("RGB", (3, 2), (0, 0, 255)))
    buf = io.BytesIO(data)
    buf.read()  # e.g. Streamlit's UploadedFile after a previous rerun read it
    np.testing.assert_array_equal(load_image(buf)[0, 0], [0, 0, 1])


@pytest.mark.parametrize("source, message", [
    (None, "got NoneType"),
    (123, "got int"),
    (np.zeros((2, 2, 3)), "got ndarray"),
    ("/no/such/file.png", "No file at"),
    (Path("/no/such/file.png"), "No file at"),
    (Path("/"), "folder"),
    (io.StringIO("not bytes"), "binary mode"),
], ids=["none", "int", "array", "missing-str", "missing-path", "folder", "text-stream"])
def test_wrong_sources_are_image_errors(source, message):
    with pytest.raises(ImageError, match=re.escape(message)):
        read_image(source)


def test_unreadable_file_like_is_an_image_error():
    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def read(self, n=-1):
            raise OSError("disk on fire")

    with pytest.raises(ImageError, match="disk on fire"):
        read_image(Broken())


@pytest.mark.parametrize("kind", ["bytes", "file-like", "path"])
def test_files_over_max_bytes_are_refused_without_reading_them_all(kind, tmp_path, monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 1000)
    data = png_bytes(Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)))
    assert len(data) > 1000
    reads = []

    class Counting(io.BytesIO):
        def read(self, n=-1):
            reads.append(n)
            return super().read(n)

    if kind == "path":
        source = tmp_path / "big.png"
        source.write_bytes(data)
    elif kind == "file-like":
        source = Counting(data)
    else:
        source = data
    with pytest.raises(ImageError, match="MB"):
        read_image(source)
    assert all(0 <= n <= 1001 for n in reads)  # never read(-1): memory stays bounded


def test_pixel_limit_is_checked_before_decoding(monkeypatch):
    # A real, valid 300x200 PNG over a lowered limit is refused without ever decoding it.
    data = png_bytes(Image.new("RGB", (300, 200)))
    monkeypatch.setattr(images, "MAX_PIXELS", 300 * 200 - 1)
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self, *a, **k: decoded.append(1))
    with pytest.raises(ImageError, match="300×200 pixels"):
        read_image(data)
    assert decoded == []


def test_pixel_limit_allows_an_image_exactly_at_it(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 300 * 200)
    assert load_image(png_bytes(Image.new("RGB", (300, 200)))).shape == (200, 300, 3)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "TIFF", "WEBP", "BMP"])
def test_damaged_files_never_raise_anything_but_image_error(fmt):
    """Truncations and seeded byte flips of real files: an image or an ImageError, nothing else."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    data = png_bytes(Image.fromarray(pixels), fmt)
    outcomes = {"ok": 0, "error": 0}
    variants = [data[:cut] for cut in np.linspace(1, len(data) - 1, 12).astype(int)]
    for _ in range(24):
        damaged = bytearray(data)
        for pos in rng.integers(0, len(data), 3):
            damaged[pos] = int(rng.integers(0, 256))
        variants.append(bytes(damaged))
    for variant in variants:
        try:
            image = load_image(variant)
        except ImageError as err:
            assert str(err)
            outcomes["error"] += 1
        else:
            assert_valid_image(image)
            outcomes["ok"] += 1
    assert outcomes["error"] >= 1  # the truncations at least are refused


# --------------------------------------------------------------------------- downscaling


def test_downscale_keeps_aspect_and_reports_it():
    im = Image.new("RGB", (40, 20), (0, 255, 0))
    loaded = read_image(png_bytes(im), max_side=10)
    assert loaded.image.shape == (5, 10, 3)
    assert loaded.downscaled and loaded.original_size == (40, 20) and loaded.size == (10, 5)
    assert loaded.notes[0] == "Downscaled from 40×20 to 10×5 pixels."
    np.testing.assert_allclose(loaded.image, np.broadcast_to([0, 1, 0], (5, 10, 3)), atol=1e-6)


def test_no_downscale_when_small_enough_or_disabled():
    data = png_bytes(Image.new("RGB", (40, 20)))
    for max_side in (40, 1024, None):
        loaded = read_image(data, max_side=max_side)
        assert loaded.image.shape == (20, 40, 3) and not loaded.downscaled
        assert not any("Downscaled" in n for n in loaded.notes)


def test_downscale_keeps_halves_in_place():
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:, :20] = (255, 0, 0)
    arr[:, 20:] = (0, 0, 255)
    image = load_image(png_bytes(Image.fromarray(arr)), max_side=20)
    assert image.shape == (10, 20, 3)
    # Lanczos (3 lobes) at scale 1/2 reaches 3 output pixels; away from the edge: exact.
    np.testing.assert_allclose(image[:, :6], np.broadcast_to([1, 0, 0], (10, 6, 3)), atol=1e-6)
    np.testing.assert_allclose(image[:, 14:], np.broadcast_to([0, 0, 1], (10, 6, 3)), atol=1e-6)


def test_downscale_of_transparent_image_has_no_dark_fringe():
    # Transparent pixels are black with alpha 0; a resize that ignored alpha would leak
    # black into the opaque white ones next to them. Result must be all white.
    arr = np.zeros((64, 64, 4), np.uint8)
    arr[:, ::2] = (255, 255, 255, 255)
    image = load_image(png_bytes(Image.fromarray(arr, "RGBA")), max_side=16)
    np.testing.assert_allclose(image, 1.0, atol=1.5 / 255)


def test_downscale_happens_before_exif_rotation_and_names_the_shown_size():
    im = Image.new("RGB", (400, 200), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6
    loaded = read_image(png_bytes(im, exif=exif.tobytes()), max_side=100)
    assert loaded.image.shape == (100, 50, 3)
    assert loaded.original_size == (200, 400)
    assert "Downscaled from 200×400 to 50×100 pixels." in loaded.notes


def test_16_bit_precision_survives_downscaling():
    # A 0..65535 ramp over 2000 columns, halved: finer than 8-bit steps and still linear.
    ramp = np.broadcast_to(np.linspace(0, 65535, 2000).astype(np.uint16), (40, 2000))
    image = load_image(png_bytes(Image.fromarray(np.ascontiguousarray(ramp))), max_side=1000)
    assert image.shape == (20, 1000, 3)
    # Output column j averages source columns 2j and 2j+1: value (2j + 0.5) / 1999.
    expected = (2 * np.arange(1000) + 0.5) / 1999
    np.testing.assert_allclose(image[10, 5:-5, 0], expected[5:-5], atol=2e-5)
    levels = np.unique(np.round(image[10, :, 0] * 255, 6))
    assert len(levels) > 256  # not quantised to 8 bits


@pytest.mark.parametrize("orientation", [0, 9, 65535])
def test_invalid_exif_orientation_is_ignored(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    loaded = read_image(png_bytes(Image.new("RGB", (4, 2), (255, 0, 0)), exif=exif.tobytes()))
    assert loaded.image.shape == (2, 4, 3) and not loaded.notes


@pytest.mark.parametrize("bad", [0, -5, 2.5, "1024", True])
def test_bad_max_side_is_a_value_error(bad):
    with pytest.raises(ValueError, match="max_side"):
        read_image(png_bytes(Image.new("RGB", (2, 2))), max_side=bad)


def test_big_jpeg_is_decoded_at_reduced_scale(monkeypatch):
    from PIL import JpegImagePlugin

    calls = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        calls.append(size)
        return original(self, mode, size)

    data = png_bytes(Image.new("RGB", (2000, 1000), (255, 255, 255)), "JPEG")
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    assert load_image(data, max_side=250).shape == (125, 250, 3)
    assert calls == [(250, 125)]


def test_hsv_mode_converts_like_colorsys():
    # No file format stores Pillow's HSV mode; feed the decoder an HSV image directly.
    hsv = np.array([[[0, 255, 255], [85, 255, 255], [170, 255, 128], [0, 0, 200]]], np.uint8)
    notes: list[str] = []
    rgb = to_rgb_array(Image.fromarray(hsv, "HSV"), notes, (4, 1))
    expected = [[1, 0, 0], [0, 1, 0], [0, 0, 128 / 255], [200 / 255] * 3]
    np.testing.assert_allclose(rgb[0], expected, atol=1.5 / 255)


# --------------------------------------------------------------------------- samples


def test_samples_have_human_names_and_load():
    names = sample_names()
    assert 6 <= len(names) <= 10
    assert DEFAULT_SAMPLE in names and DEFAULT_OTHER_SAMPLE in names and DEFAULT_SAMPLE != DEFAULT_OTHER_SAMPLE
    assert "Test chart" in names
    for name in names:
        assert name[0].isupper() and "_" not in name
        loaded = load_sample(name)
        assert_valid_image(loaded.image)
        assert max(loaded.image.shape[:2]) <= 512 and not loaded.downscaled


def test_default_samples_are_colourful():
    for name in (DEFAULT_SAMPLE, DEFAULT_OTHER_SAMPLE):
        image = load_sample(name).image
        saturation = image.max(axis=-1) - image.min(axis=-1)
        assert saturation.mean() > 0.1, name


def test_load_sample_by_stem_and_max_side():
    assert load_sample("astronaut").image.shape == load_sample("Astronaut").image.shape
    small = load_sample("Astronaut", max_side=100)
    assert small.image.shape == (100, 100, 3) and small.downscaled


def test_load_sample_returns_a_fresh_copy():
    first = load_sample(DEFAULT_SAMPLE)
    first.image[:] = 0
    first.notes.append("changed")
    again = load_sample(DEFAULT_SAMPLE)
    assert again.image.max() > 0 and "changed" not in again.notes


def test_unknown_sample_lists_the_choices():
    with pytest.raises(ImageError, match="Astronaut"):
        load_sample("Mona Lisa")


def test_sample_files_are_small_and_all_documented():
    files = sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg"})
    assert len(files) == len(sample_names())
    assert sum(p.stat().st_size for p in files) < 2 * 1024 * 1024
    sources = (SAMPLES_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for path in files:
        row = next((line for line in sources.splitlines() if f"`{path.name}`" in line), None)
        assert row is not None, f"{path.name} missing from SOURCES.md"
        assert re.search(r"Public domain|CC0|licence of this repository|Same licence", row), row


def test_test_chart_file_matches_its_generator_and_layout():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_test_chart", SAMPLES_DIR / "make_test_chart.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = np.round(module.make_chart() * 255) / 255
    chart = load_sample("Test chart").image
    np.testing.assert_allclose(chart, expected, atol=1e-6)
    # Hand-checked layout: colour patches in the top row, grey ramp below them.
    np.testing.assert_array_equal(chart[20, 150], [1, 0, 0])
    np.testing.assert_array_equal(chart[20, 300], [0, 1, 0])
    np.testing.assert_array_equal(chart[20, 450], [0, 0, 1])
    np.testing.assert_array_equal(chart[138, 0], [0, 0, 0])
    np.testing.assert_array_equal(chart[138, 511], [1, 1, 1])


def test_public_api_is_exported():
    for name in ["load_image", "read_image", "match_size", "sample_names", "load_sample", "ImageError",
                 "to_space", "from_space", "SPACES"]:
        assert hasattr(vizcore, name), name
    assert issubclass(ImageError, ValueError)
