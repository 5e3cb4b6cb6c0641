"""AppTest: each layer page keeps its own settings (issue 10, item 3).

A page opened after every other page's controls were changed must look exactly like a
first visit: the same value in every widget and the same URL query parameters. A first
visit is a fresh session opened on Home, then switched to the page. The other pages are
changed to values that are nobody's default (HSV/YCbCr, seed 7, kernel 5, "valid"
padding...), so a setting leaking from any page would show. Two sessions cover every
ordered pair of pages: one visits the pages in menu order, one in reverse order,
changing every control of each page after looking at it.

The image choice in the sidebar is shared on purpose; the last test checks it still is.
All sessions work on 256-px images to stay quick.
"""
from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button, DownloadButton, Widget

from tests.apptest_helpers import open_app

PAGES = ("merging", "pooling", "dense", "conv2d", "conv2d_transpose", "activations", "cheat_sheet")
SHARED = {"side": "256"}  # the sidebar's working size, the same in every session

# Per page, the steps that change every control: {widget key: new value}; a step runs once.
# "click" presses a button; "edit" edits a data-editor cell (row, column, value).
CHANGES: dict[str, list[dict[str, Any]]] = {
    "merging": [{"merging.kind": "Maximum", "merging.space": "hsv"}],
    "pooling": [{"pooling.size": 5, "pooling.tied": False, "pooling.padding": "valid"},
                {"pooling.strides": 3}, {"pooling.inspect": True},
                {"pooling.inspect_kind": "average", "pooling.inspect_space": "hsv", "pooling.inspect_row": 1,
                 "pooling.inspect_col": 2, "pooling.inspect_ch": 1}],
    "dense": [{"dense.space": "ycbcr", "dense.units": 2, "dense.seed": 7, "dense.acts": ["elu", "gelu"],
               "dense.fc_size": 8, "dense.fc_act": "tanh", "dense.display": "minmax"}, {"dense.inspect": True},
              {"dense.inspect_act": "gelu", "dense.inspect_row": 3, "dense.inspect_col": 4, "dense.inspect_ch": 1}],
    "conv2d": [{"conv2d.space": "hsv", "conv2d.padding": "valid", "conv2d.activation": "elu", "conv2d.k": 5,
                "conv2d.filters": 2, "conv2d.strides": 3, "conv2d.seed": 9, "conv2d.display": "minmax"},
               {"conv2d.inspect": True, "conv2d.beside": True},
               {"conv2d.beside_net": "digits"},
               {"conv2d.inspect_row": 2, "conv2d.inspect_col": 3, "conv2d.inspect_ch": 1},
               {"conv2d.view": "Two layers"},
               {"conv2d.f1": 2, "conv2d.k1": 5, "conv2d.a1": "elu", "conv2d.k2": 5, "conv2d.a2": "elu",
                "click": "conv2d.seed_new"},
               {"conv2d.view": "Kernel editor"},
               {"conv2d.preset": "blur"},
               {"edit": (0, "col 1", 5.0)}],
    "conv2d_transpose": [{"conv2d_transpose.k": 6, "conv2d_transpose.strides": 3,
                          "conv2d_transpose.activation": "elu", "conv2d_transpose.padding": "valid",
                          "conv2d_transpose.space": "ycbcr", "conv2d_transpose.in_side": 32,
                          "conv2d_transpose.seed": 7, "conv2d_transpose.display": "clip"},
                         {"conv2d_transpose.inspect": True},
                         {"conv2d_transpose.inspect_row": 5, "conv2d_transpose.inspect_col": 6}],
    "activations": [{"activations.layer": "Dense per pixel", "activations.space": "hsv", "activations.seed": 7,
                     "activations.acts": ["elu", "gelu"], "activations.display": "clip"}],
    "cheat_sheet": [{"cheat_sheet.spaces": ["hsv"], "cheat_sheet.seed": 7, "cheat_sheet.cols": 3,
                     "cheat_sheet.beside": True},
                    {"cheat_sheet.beside_net": "digits", "cheat_sheet.panel": "Pooling · MaxPooling2D 2×2 · hsv"}],
}


def keyed_widgets(at: AppTest) -> dict[str, Widget]:
    """Every widget of the main area that has a key (the sidebar is shared on purpose)."""
    return {node.key: node for node in at.main if isinstance(node, Widget) and node.key}


def look(at: AppTest) -> dict[str, Any]:
    """What a visitor sees of the page's settings: widget values, kernel tables, URL parameters."""
    values = {key: w.value for key, w in keyed_widgets(at).items() if not isinstance(w, (Button, DownloadButton))}
    tables = {table.key: table.value.to_numpy().tolist() for table in at.data_editor}
    return {"widgets": values, "tables": tables, "url": dict(at.query_params)}


def change_every_control(at: AppTest, page: str) -> None:
    """Run the page's CHANGES; each step must take, and together they must reach every control."""
    steps = CHANGES[page]
    covered = {key for step in steps for key in step} | {step["click"] for step in steps if "click" in step}
    for step in steps:
        for key, value in step.items():
            if key == "click":
                keyed_widgets(at)[value].click()
            elif key == "edit":
                row, column, cell = value
                editor = at.data_editor[0]
                at.session_state[editor.key] = {"edited_rows": {row: {column: cell}}, "added_rows": [],
                                                "deleted_rows": []}
            else:
                keyed_widgets(at)[key].set_value(value)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = keyed_widgets(at)
        for key, value in step.items():
            if key not in ("click", "edit"):
                assert shown[key].value == value, f"{key} did not take {value!r}"
        # A disabled widget (e.g. a channel picker when the panel has one channel) cannot be changed.
        missed = {key for key, w in shown.items()
                  if key.startswith(f"{page}.") and not isinstance(w, (Button, DownloadButton))
                  and not getattr(w, "disabled", False)} - covered
        assert not missed, f"CHANGES[{page!r}] does not change {sorted(missed)}"


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def first_visits() -> dict[str, dict[str, Any]]:
    return {page: look(open_page(open_app(query=SHARED), page)) for page in PAGES}


def test_first_visits_show_the_pages_own_defaults(first_visits):
    """The reference itself: namespaced, default-only URLs; the defaults the issue found overridden."""
    assert all(visit["url"] == SHARED for visit in first_visits.values())
    widgets = {page: visit["widgets"] for page, visit in first_visits.items()}
    transpose = widgets["conv2d_transpose"]
    assert (transpose["conv2d_transpose.k"], transpose["conv2d_transpose.strides"]) == (4, 2)  # upsamples
    assert widgets["dense"]["dense.space"] == "luminance"
    assert widgets["cheat_sheet"]["cheat_sheet.seed"] == 0
    for page, values in widgets.items():
        assert values and all(key.startswith(f"{page}.") for key in values), (page, sorted(values))


@pytest.mark.parametrize("order", [PAGES, PAGES[::-1]], ids=["menu-order", "reverse-order"])
def test_a_page_opened_after_the_others_were_changed_equals_a_first_visit(order, first_visits):
    at = open_app(query=SHARED)
    changed: list[str] = []
    for page in order:
        seen = look(open_page(at, page))
        assert seen == first_visits[page], f"{page} after changing {changed}"
        change_every_control(at, page)
        assert at.query_params != first_visits[page]["url"], f"changing {page} did not reach its URL"
        changed.append(page)


def test_the_image_choice_is_shared_between_pages():
    at = open_page(open_app(query=SHARED), "merging")
    at.selectbox(key="sample").set_value("Cat").run()
    open_page(at, "pooling")
    assert at.selectbox(key="sample").value == "Cat"
    assert dict(at.query_params) == {**SHARED, "sample": "Cat"}
