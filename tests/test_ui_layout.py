"""Layout rules the browser showed broken at 1024×768, checked in the source (no browser needed).

``st.segmented_control`` keeps its options on one row and scrolls them sideways when it is placed
straight in a column and ``wrap`` is not given (Streamlit's default ``wrap=None``). At projector
width that hid "torch: ImageNet mean/std" and "caffe: BGR − ImageNet mean" on *Your model* and
"Whole layer" under Feature maps, with no visible scroll bar. Every segmented control of the app
therefore passes ``wrap=True``: its options go onto a second row instead.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"])


def segmented_calls() -> list[tuple[str, ast.Call]]:
    """Every ``<something>.segmented_control(...)`` call in app.py, pages/ and ui/, as ("file:line", call)."""
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "segmented_control"):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


CALLS = segmented_calls()


def test_the_scan_finds_the_controls_that_were_cut():
    # The scan itself must see the calls the browser found cut, or the rule below checks nothing.
    files = {where.split(":")[0] for where, _ in CALLS}
    assert {"pages/your_model.py", "ui/model_maps.py", "ui/inspector.py"} <= files


@pytest.mark.parametrize(("where", "call"), CALLS, ids=[where for where, _ in CALLS])
def test_every_segmented_control_wraps_its_options(where, call):
    wrap = [kw.value for kw in call.keywords if kw.arg == "wrap"]
    assert wrap and isinstance(wrap[0], ast.Constant) and wrap[0].value is True, (
        f"{where}: segmented_control without wrap=True scrolls its options out of sight in a column")
