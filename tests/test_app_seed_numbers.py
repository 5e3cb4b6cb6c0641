"""AppTest: the seeds' numbers and tables appear in the app, from a fresh start (issue 10, "Done when").

Every test starts the whole app (``app.py``), goes to a page as a visitor would (page switch,
then the page's own controls: no URL parameters, nothing read from vizcore) and reads what the
page renders: the summary's dataframe and markdown, metrics, panel titles and texts.
The expected values are typed here from the seeds as the issue quotes them:

* seed 001's tile autoencoder, every layer's parameters (784, 1,040, 0, 2,320, 1,040, 0, 64,
  8,224, 0, 128, 16,416, 0, 128, 16,896, 1,539), its shapes and totals 48,579 / 48,419 / 160;
* seed 000's conv-pool block: its layer names and the 128×128×35 Concatenate;
* seed 002's chain: 320 + 18,496 + 73,856 + 10 × 147,584 = 1,568,512, receptive fields 3, 5, … 27;
* the fully connected Dense lesson on a 32×32 one-channel picture: 1,049,600 parameters;
* seed 003's 57 sheet panels.
"""
from __future__ import annotations

from streamlit.testing.v1.element_tree import Block

from tests.apptest_helpers import open_app


def summary_of(model: str):
    """A fresh app, the Trained models page, ``model`` picked in the selectbox, the Summary view
    clicked: (layer table as shown, the markdown line above it)."""
    at = open_app()
    at.switch_page("pages/trained_models.py").run()
    at.selectbox(key="model").set_value(model).run()
    assert not at.exception, [e.value for e in at.exception]
    at.segmented_control(key="view").set_value("Summary").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe) == 1
    heading = [m.value for m in at.main.markdown if "Total params" in m.value]
    assert len(heading) == 1, [m.value for m in at.main.markdown]
    return at.dataframe[0].value, heading[0]


def test_tile_autoencoder_table_is_seed_001_layer_by_layer():
    table, heading = summary_of("autoencoder")
    assert list(table["type"]) == [
        "Conv2D", "Conv2D", "MaxPooling2D", "Conv2D", "Conv2D", "Dropout", "BatchNormalization",
        "Conv2DTranspose", "Cropping2D", "BatchNormalization", "Conv2DTranspose", "Cropping2D",
        "BatchNormalization", "Dense", "Dense"]
    assert list(table["parameters"]) == [
        "784", "1,040", "0", "2,320", "1,040", "0", "64", "8,224", "0", "128", "16,416", "0", "128",
        "16,896", "1,539"]
    shapes = list(table["output shape"])
    assert shapes[2] == "32 × 32 × 16"        # the max pool keeps 32×32
    assert shapes[7] == "35 × 35 × 32" and shapes[8] == "33 × 33 × 32"
    assert shapes[10] == "36 × 36 × 32" and shapes[11] == "32 × 32 × 32"
    assert shapes[13] == "32 × 32 × 512" and shapes[14] == "32 × 32 × 3"
    assert "input 32 × 32 × 3" in heading
    assert "Total params: 48,579" in heading and "trainable: 48,419" in heading and "non-trainable: 160" in heading


def test_conv_pool_block_has_seed_000_names_and_the_128x128x35_concatenate():
    table, heading = summary_of("conv_pool")
    rows = {name: (kind, shape) for name, kind, shape in zip(table["layer"], table["type"], table["output shape"])}
    assert rows["conv3_0_concatenate"] == ("Concatenate", "128 × 128 × 35")
    assert table["layer"].iloc[-1] == "conv3_0_concatenate"  # the last row, shown (no inner scroll)
    for name in ("conv3_0_max_0_conv", "conv3_0_avg_0_conv", "conv3_0_max_1_conv", "conv3_0_avg_1_conv"):
        assert rows[name][0] == "Conv2D"
    assert {rows["conv3_0_maxpool"][0], rows["conv3_0_avgpool"][0]} == {"MaxPooling2D", "AveragePooling2D"}
    # 16 + 16 maps from the two pooled branches + 3 from Dense(3) -> AveragePooling2D = 35
    assert [rows[n][1] for n in ("conv3_0_maxpool", "conv3_0_avgpool", "conv3_0_densepool")] == [
        "128 × 128 × 16", "128 × 128 × 16", "128 × 128 × 3"]


def test_seed_002_chain_counts_and_receptive_fields():
    table, heading = summary_of("conv_chain")
    assert list(table["parameters"]) == ["320", "18,496", "73,856"] + ["147,584"] * 10
    assert 320 + 18_496 + 73_856 + 10 * 147_584 == 1_568_512
    assert "Total params: 1,568,512" in heading
    assert list(table["receptive field"]) == [f"{k}×{k}" for k in range(3, 28, 2)]
    assert table["output shape"].iloc[0] == "26 × 26 × 32" and table["output shape"].iloc[-1] == "2 × 2 × 128"


def test_fully_connected_dense_is_1_049_600_on_the_dense_page_and_the_sheet():
    at = open_app()
    at.switch_page("pages/dense.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Fully connected parameters"] == "1,049,600"  # 32·32 inputs × 1,024 outputs + 1,024 biases
    assert 32 * 32 * 1024 + 1024 == 1_049_600
    at.switch_page("pages/cheat_sheet.py").run()
    assert not at.exception
    texts = sheet_panels(at)
    fc = [text for (group, title), text in texts.items() if group == "Dense" and title.startswith("Flatten")]
    assert len(fc) == 1 and "1,049,600" in fc[0]


# --------------------------------------------------------------------------- seed 003's sheet

SPACES = ("luminance", "rgb", "hsv", "ycbcr")
ACTIVATIONS5 = ("linear", "relu", "sigmoid", "softplus", "tanh")
SEED_003_PANELS = (
    [("Merging", f"{kind} · {space}") for kind in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
     for space in SPACES]
    + [("Pooling", f"{kind} 2×2 · {space}") for kind in ("MaxPooling2D", "AveragePooling2D") for space in SPACES]
    + [("Dense", f"Dense(1) · {a}") for a in ACTIVATIONS5]
    + [("Conv2D 3×3", f"Conv2D 3×3 · {a}") for a in ACTIVATIONS5]
    + [("Conv2D 7×7", f"Conv2D 7×7 · {a}") for a in ("relu", "sigmoid", "softplus", "tanh")]
    + [("Two Conv2D layers", f"Conv2D·{a} → Conv2D·{b}") for a in ("relu", "tanh") for b in ("relu", "tanh")]
    + [("Conv2DTranspose", f"Conv2DTranspose {t}") for t in (
        "k2 s2 · relu", "k2 s2 · sigmoid", "k2 s4 · tanh", "k4 s2 · relu", "k4 s2 · tanh", "k8 s2 · relu",
        "k8 s2 · tanh")]
)


def _walk(block):
    for child in block.children.values():
        yield child
        if isinstance(child, Block):
            yield from _walk(child)


def sheet_panels(at) -> dict[tuple[str, str], str]:
    """(group heading, panel title) -> the panel's texts, in page order.

    Each group's expander holds one Markdown block per panel: **title** on its first line, then
    its caption, explanation and code (ui.panels.detail_text); texts after it up to the next
    titled block also count."""
    panels: dict[tuple[str, str], str] = {}
    group, current = "", None
    for node in _walk(at.main):
        kind = getattr(node, "type", "")
        if kind == "subheader":
            group, current = node.value.rsplit(" (", 1)[0], None
        elif kind == "markdown" and node.value.startswith("**"):
            first, _, rest = node.value.partition("\n")
            first = first.strip()
            assert first.endswith("**") and first.count("**") == 2, f"title line {first!r}"
            current = (group, first.strip("*"))
            assert current not in panels, f"{current} twice"
            panels[current] = rest
        elif kind in ("markdown", "caption") and current is not None:
            panels[current] += "\n" + node.value
    return panels


def test_the_sheet_holds_seed_003s_57_panels():
    assert len(SEED_003_PANELS) == 57 == len(set(SEED_003_PANELS))
    at = open_app()
    at.switch_page("pages/cheat_sheet.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = sheet_panels(at)
    missing = [p for p in SEED_003_PANELS if p not in shown]
    assert not missing, f"missing: {missing}; shown: {list(shown)}"
    # the one-channel groups work on the luminance as in the seed (the 1,049,600 lesson is a grey number)
    for group in ("Dense", "Conv2D 3×3", "Conv2D 7×7"):
        texts = [text for (g, _), text in shown.items() if g == group]
        assert texts and all("luminance" in t.lower() for t in texts), group

