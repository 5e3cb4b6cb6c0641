"""AppTest: every cheat-sheet page runs, shows what it should, reacts to its controls and its URL.

Displayed pixels are read back from Streamlit's media storage and compared with NumPy
references computed here from the same input picture (block max/mean for pooling, a hand
correlation for kernels, clip(a + b) for merges...). Big panels are shown as JPEG, so
comparisons allow JPEG-sized errors (see apptest_helpers.assert_image_close).
"""
from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import vizcore
from tests.apptest_helpers import (
    APP,
    TIMEOUT,
    assert_image_close,
    capture_media,
    image_urls,
    open_app,
    png_bytes,
    unenlarged,
)

SIDE = 512


@pytest.fixture()
def media(monkeypatch):
    return capture_media(monkeypatch)


def sample(name: str = vizcore.DEFAULT_SAMPLE) -> np.ndarray:
    return vizcore.load_sample(name, max_side=SIDE).image.astype(np.float64)


def other_sample(name: str = vizcore.DEFAULT_OTHER_SAMPLE) -> np.ndarray:
    return vizcore.match_size(vizcore.load_sample(name, max_side=SIDE).image, sample()).astype(np.float64)


def luma(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114])


def minmax(x: np.ndarray) -> np.ndarray:
    return (x - x.min()) / (x.max() - x.min())


def block_reduce(x: np.ndarray, size: int, fn) -> np.ndarray:
    """Pooling reference ('same' padding, strides = size), repeated back over each block."""
    h, w = x.shape[:2]
    out = np.empty_like(x)
    for i in range(0, h, size):
        for j in range(0, w, size):
            out[i:i + size, j:j + size] = fn(x[i:i + size, j:j + size].reshape(-1, x.shape[2]), axis=0)
    return out


def correlate_same(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Keras Conv2D 'same' on one channel: correlation, zero padding, stride 1."""
    k = kernel.shape[0]
    pad = np.pad(x, k // 2)
    out = np.zeros_like(x)
    for di in range(k):
        for dj in range(k):
            out += kernel[di, dj] * pad[di:di + x.shape[0], dj:dj + x.shape[1]]
    return out


def captions_text(at) -> str:
    return " ".join(c.value for c in at.main.caption) + " ".join(m.value for m in at.main.markdown)


# --------------------------------------------------------------------------- merging


def test_merging_shows_inputs_result_and_full_grid(media):
    at = open_app("merging")
    urls = image_urls(at)
    assert len(urls) == 2 + 1 + 7 * 4
    a, b = sample(), other_sample()
    assert_image_close(media.png(urls[0]), a)
    assert_image_close(media.png(urls[1]), b)
    assert_image_close(media.png(urls[2]), np.clip(a + b, 0, 1))  # default: Add in RGB
    # Grid row "Minimum", column "RGB": rows are the 7 kinds, columns the 4 spaces.
    assert_image_close(media.png(urls[3 + 5 * 4 + 1]), np.minimum(a, b))


def test_merging_controls_change_the_panel_and_the_url(media):
    at = open_app("merging")
    before = image_urls(at)[2]
    at.segmented_control(key="merging.kind").set_value("Multiply").run()
    at.segmented_control(key="merging.space").set_value("luminance").run()
    after = image_urls(at)[2]
    assert after != before
    grey = luma(sample()) * luma(other_sample())
    assert_image_close(media.png(after), np.repeat(grey[..., None], 3, axis=-1))
    assert dict(at.query_params) == {"merging.kind": "Multiply", "merging.space": "luminance"}


def test_merging_url_restores_the_view(media):
    at = open_app("merging", query={"merging.kind": "Maximum", "merging.space": "rgb", "sample": "Cat",
                                    "other": "Text"})
    assert at.segmented_control(key="merging.kind").value == "Maximum"
    a, b = sample("Cat"), other_sample("Text")
    b = vizcore.match_size(vizcore.load_sample("Text", max_side=SIDE).image, a).astype(np.float64)
    assert_image_close(media.png(image_urls(at)[2]), np.maximum(a, b))


def test_merging_with_an_uploaded_second_image(media):
    colour = np.full((40, 40, 3), (0, 0, 200), dtype=np.uint8)
    at = open_app("merging")
    at.segmented_control(key="other_source").set_value("Upload").run()
    at.file_uploader(key="upload_other").set_value(("blue.png", png_bytes(colour), "image/png")).run()
    assert not at.exception and not at.error
    assert_image_close(media.png(image_urls(at)[2]), np.clip(sample() + colour[0, 0] / 255, 0, 1))


def test_merging_bad_second_upload_gives_error_and_keeps_working():
    at = open_app("merging")
    at.segmented_control(key="other_source").set_value("Upload").run()
    at.file_uploader(key="upload_other").set_value(("notes.png", b"hello, I am text", "image/png")).run()
    assert not at.exception
    assert len(at.error) == 1 and "notes.png" in at.error[0].value
    assert len(image_urls(at)) == 31


# --------------------------------------------------------------------------- pooling


def test_pooling_matches_numpy_blocks_and_reacts_to_size(media):
    at = open_app("pooling")
    urls = image_urls(at)
    assert len(urls) == 8 + 4 + 4
    a = sample()
    assert_image_close(media.png(urls[1]), block_reduce(a, 4, np.max))    # max, RGB (default size 4)
    assert_image_close(media.png(urls[5]), block_reduce(a, 4, np.mean))   # average, RGB
    at.select_slider(key="pooling.size").set_value(8).run()
    urls8 = image_urls(at)
    assert urls8[1] != urls[1]
    assert_image_close(media.png(urls8[1]), block_reduce(a, 8, np.max))
    assert at.query_params["pooling.size"] in ("8", ["8"])
    assert "64×64" in captions_text(at)


def test_pooling_global_average_swatch_is_the_mean_colour(media):
    at = open_app("pooling")
    swatch = media.png(image_urls(at)[8 + 1]).astype(np.float64) / 255  # RGB swatch
    np.testing.assert_allclose(swatch.reshape(-1, 3).mean(axis=0), sample().reshape(-1, 3).mean(axis=0), atol=2 / 255)


def test_pooling_depthwise_max_on_rgb_is_the_channel_max(media):
    at = open_app("pooling")
    assert_image_close(media.png(image_urls(at)[12 + 1]), sample().max(axis=-1))


def test_pooling_url_restores_untied_strides():
    at = open_app("pooling", query={"pooling.size": "3", "pooling.tied": "0", "pooling.strides": "2",
                                    "pooling.padding": "valid"})
    assert at.select_slider(key="pooling.strides").value == 2
    assert "255×255" in captions_text(at)  # floor((512 - 3) / 2) + 1
    assert at.query_params["pooling.strides"] in ("2", ["2"])


def test_an_old_link_without_page_names_still_opens_its_page():
    """Links made before settings were namespaced (``/pooling?size=3``) set that page only."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"size": "3", "tied": "0", "strides": "2", "padding": "valid"})
    at.switch_page("pages/pooling.py").run()
    assert not at.exception
    assert at.select_slider(key="pooling.strides").value == 2
    assert "255×255" in captions_text(at)
    assert at.query_params["pooling.size"] in ("3", ["3"]) and "size" not in at.query_params
    at.switch_page("pages/conv2d.py").run()  # another page keeps its own padding and strides
    assert at.segmented_control(key="conv2d.padding").value == "same"
    assert at.select_slider(key="conv2d.strides").value == 1


# --------------------------------------------------------------------------- dense


def test_dense_panels_and_parameter_counts(media):
    at = open_app("dense", query={"dense.display": "minmax"})
    urls = image_urls(at)
    assert len(urls) == 5 + 1
    # Dense(1) on luminance with a positive seeded weight, min-max displayed: the normalised luma.
    assert_image_close(media.png(urls[0]), minmax(luma(sample())))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Per-pixel Dense parameters"] == "2"
    assert metrics["Fully connected parameters"] == "1,049,600"  # 32·32 · 32·32 + 32·32
    at.select_slider(key="dense.fc_size").set_value(16).run()
    assert {m.label: m.value for m in at.metric}["Fully connected parameters"] == "65,792"
    at.segmented_control(key="dense.space").set_value("rgb").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Per-pixel Dense parameters"] == "4"
    assert metrics["Fully connected parameters"] == f"{16 * 16 * 3 * 16 * 16 + 16 * 16:,}"


def test_dense_activation_list_follows_the_multiselect_and_url():
    at = open_app("dense", query={"dense.acts": "relu,tanh,not-an-activation"})
    assert at.multiselect(key="dense.acts").value == ["relu", "tanh"]
    assert len(image_urls(at)) == 2 + 1
    at.multiselect(key="dense.acts").select("elu").run()
    assert len(image_urls(at)) == 3 + 1
    assert at.query_params["dense.acts"] in ("relu,tanh,elu", ["relu,tanh,elu"])


# --------------------------------------------------------------------------- conv2d


def test_conv2d_random_filters_show_every_map():
    at = open_app("conv2d")
    assert len(image_urls(at)) == 1 + 4
    assert "112 parameters" in captions_text(at)  # 3·3·3·4 + 4
    before = image_urls(at)
    at.select_slider(key="conv2d.filters").set_value(8).run()
    assert len(image_urls(at)) == 1 + 8
    at.select_slider(key="conv2d.filters").set_value(4).run()
    reroll = [b for b in at.main.button if b.label == "New"][0]
    reroll.click().run()
    assert image_urls(at)[0] != before[0]
    assert int(at.number_input(key="conv2d.seed").value) != 2


def test_conv2d_two_layers_view():
    at = open_app("conv2d", query={"conv2d.view": "Two layers"})
    assert not at.exception
    assert len(image_urls(at)) == 1 + 4  # the stack's output + layer 1's four maps
    assert f"{3 * 3 * 3 * 4 + 4 + 3 * 3 * 4 * 1 + 1} parameters" in captions_text(at)


KERNEL_EDITOR = {"conv2d.view": "Kernel editor", "conv2d.space": "luminance", "conv2d.activation": "linear",
                 "conv2d.display": "minmax"}  # exact min–max: the references below are min–max stretched


def test_kernel_editor_sobel_matches_a_hand_correlation(media):
    at = open_app("conv2d", query=KERNEL_EDITOR)
    urls = image_urls(at)
    assert len(urls) == 2
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
    assert_image_close(media.png(urls[1]), minmax(correlate_same(luma(sample()), sobel_x)))


def test_kernel_editor_cell_edit_applies_live_and_goes_in_the_url(media):
    at = open_app("conv2d", query={**KERNEL_EDITOR, "conv2d.preset": "identity"})
    editor = at.data_editor[0]
    before = image_urls(at)[1]
    assert_image_close(media.png(before), minmax(luma(sample())))
    at.session_state[editor.key] = {"edited_rows": {1: {"col 1": -1.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    kernel = np.array([[0, 0, 0], [-1, 1, 0], [0, 0, 0]], dtype=np.float64)
    after = image_urls(at)[1]
    assert after != before
    assert_image_close(media.png(after), minmax(correlate_same(luma(sample()), kernel)))
    assert at.query_params["conv2d.kernel"] in ("0,0,0,-1,1,0,0,0,0", ["0,0,0,-1,1,0,0,0,0"])


def test_kernel_from_url_is_restored(media):
    at = open_app("conv2d", query={**KERNEL_EDITOR, "conv2d.preset": "blur",
                                   "conv2d.kernel": "0,1,0,0,0,0,0,-1,0"})
    kernel = np.array([[0, 1, 0], [0, 0, 0], [0, -1, 0]], dtype=np.float64)
    assert_image_close(media.png(image_urls(at)[1]), minmax(correlate_same(luma(sample()), kernel)))


def test_edited_7x7_kernel_from_url_is_restored(media):
    """Seed 004's 7×7 presets: an edited 7×7 kernel (here a centred 1: the identity) survives the link."""
    centre = ",".join("1" if i == 24 else "0" for i in range(49))
    at = open_app("conv2d", query={**KERNEL_EDITOR, "conv2d.preset": "vertical_line_7x7", "conv2d.kernel": centre})
    assert at.data_editor[0].value.shape == (7, 7)
    assert_image_close(media.png(image_urls(at)[1]), minmax(luma(sample())))


@pytest.mark.parametrize("bad", ["1,2,3", "a,b,c,d,e,f,g,h,i", "nan,0,0,0,0,0,0,0,0",
                                 ",".join(["1e308"] * 9)])  # finite in float64, inf in float32
def test_bad_kernel_in_url_falls_back_to_the_preset(bad, media):
    at = open_app("conv2d", query={**KERNEL_EDITOR, "conv2d.preset": "identity", "conv2d.kernel": bad})
    assert not at.exception
    assert_image_close(media.png(image_urls(at)[1]), minmax(luma(sample())))


# --------------------------------------------------------------------------- conv2d transpose


@pytest.mark.parametrize("query, output", [
    ({}, "128×128"),                                          # k4 s2 same on 64×64
    ({"conv2d_transpose.strides": "3"}, "192×192"),
    ({"conv2d_transpose.padding": "valid"}, "130×130"),                        # 64·2 + (4 − 2)
    ({"conv2d_transpose.k": "8", "conv2d_transpose.strides": "2", "conv2d_transpose.in_side": "32",
      "conv2d_transpose.padding": "valid"}, "70×70"),
])
def test_transpose_output_size(query, output):
    at = open_app("conv2d_transpose", query=query)
    assert len(image_urls(at)) == 2
    assert {m.label: m.value for m in at.metric}["Output"] == output


def test_transpose_parameters_follow_kernel_and_space():
    at = open_app("conv2d_transpose")
    assert {m.label: m.value for m in at.metric}["Parameters"] == "49"  # 4·4·3 + 1
    at.segmented_control(key="conv2d_transpose.space").set_value("luminance").run()
    assert {m.label: m.value for m in at.metric}["Parameters"] == "17"  # 4·4·1 + 1


# --------------------------------------------------------------------------- activations


def test_activations_curves_and_effects(media):
    at = open_app("activations")
    urls = image_urls(at)
    assert len(urls) == 2 * 8
    curve = media.png(urls[0])
    assert curve.shape[0] > 100 and curve.std() > 10  # a drawn plot, not a blank
    effects = [urls[i] for i in range(1, 16, 2)]
    assert len(set(effects)) == len(effects)  # each activation changes the picture differently
    at.multiselect(key="activations.acts").unselect("relu").run()
    assert len(image_urls(at)) == 2 * 7


def test_activations_dense_layer_choice():
    at = open_app("activations", query={"activations.layer": "Dense per pixel",
                                        "activations.acts": "linear,sigmoid"})
    assert not at.exception
    assert len(image_urls(at)) == 4


# --------------------------------------------------------------------------- upload across pages


def test_upload_on_one_page_is_used_on_the_others(media):
    pixels = np.zeros((64, 64, 3), dtype=np.uint8)
    pixels[:, 32:] = 255
    at = open_app()
    at.segmented_control(key="source").set_value("Upload").run()
    at.file_uploader(key="upload_main").set_value(("half.png", png_bytes(pixels), "image/png")).run()
    for page in ("pooling", "conv2d", "merging"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception and not at.error
        assert "half.png" in captions_text(at)
    assert_image_close(unenlarged(media.png(image_urls(at)[0]), pixels.shape[:2]), pixels)  # merging: input a


@pytest.mark.parametrize("page, query", [
    ("pooling", {"pooling.padding": "valid", "pooling.size": "4"}),
    ("conv2d", {"conv2d.padding": "valid"}),
    ("conv2d", {"conv2d.padding": "valid", "conv2d.view": "Two layers"}),
    ("conv2d", {"conv2d.padding": "valid", "conv2d.view": "Kernel editor"}),
])
def test_layer_too_big_for_a_tiny_upload_gives_an_error_not_a_traceback(page, query):
    """A 1×1 upload with "valid" padding has no output pixels: the page says so and keeps working."""
    at = open_app(query=query)
    at.segmented_control(key="source").set_value("Upload").run()
    at.file_uploader(key="upload_main").set_value(("dot.png", png_bytes(np.full((1, 1, 3), 200, np.uint8)),
                                                   "image/png")).run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    # Said in words (issue 10): "... needs an image at least 3 pixels on each side; this one is 1×1".
    assert any("needs" in e.value and "this one is 1×1" in e.value for e in at.error), [e.value for e in at.error]
    at.switch_page("pages/home.py").run()  # the app keeps working
    assert not at.exception and not at.error


# --------------------------------------------------------------------------- cheat sheet

# Dense 5 + Conv2D 3×3 5 + Conv2D 7×7 4 + two-layer combos 2×2 + Conv2DTranspose 4 configs × 3 (the seed sheet)
FEATURE_PANELS = (5 + 1) + 5 + 4 + 2 * 2 + 7  # Dense (+ fully connected), Conv2D 3×3, 7×7, stacks, transposes


def test_cheat_sheet_shows_every_panel_and_offers_the_png(media):
    at = open_app("cheat_sheet")
    urls = image_urls(at)
    assert len(urls) == 7 * 4 + 2 * 4 + FEATURE_PANELS  # merges and pools × 4 spaces, then the rest
    a, b = sample(), other_sample()
    # Sheet cells are JPEG quality 75 (ui.panels.CELL_QUALITY): a little more loss than a full panel.
    assert_image_close(media.png(urls[1]), np.clip(a + b, 0, 1), mean_levels=3.5, p99_levels=20)  # Add · rgb
    headings = [h.value for h in at.main.subheader]
    assert headings[:2] == ["Merging (28)", "Pooling (8)"]
    at.button(key="cheat_sheet.make_png").click().run()
    assert not at.exception
    labels = [d.label for d in at.main.download_button if "sheet" in d.label]
    assert labels and "MB PNG" in labels[0]


def test_cheat_sheet_url_restores_spaces_and_seed():
    at = open_app("cheat_sheet", query={"cheat_sheet.spaces": "rgb", "cheat_sheet.seed": "5"})
    assert at.multiselect(key="cheat_sheet.spaces").value == ["rgb"]
    assert int(at.number_input(key="cheat_sheet.seed").value) == 5
    assert len(image_urls(at)) == 7 + 2 + FEATURE_PANELS
