"""vizcore.features/__init__.py: the public names callers used before the package split are all
still there, re-exports are the very functions of their home modules, and no module of the
package (or vizcore.fitting, which models import) reaches another module's private names."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vizcore import features, fitting, render

PACKAGE = Path(features.__file__).parent

# The public API of vizcore/features.py before it became a package (written out, not read back).
BEFORE_SPLIT = ["SummaryRow", "Summary", "model_summary", "FeatureExtractor", "build_extractor", "feature_grid",
                "overlay", "strongest_maps", "layer_filters", "filters_grid", "filter_pattern", "top_k",
                "grad_cam", "adapt_image"]


@pytest.mark.parametrize("name", BEFORE_SPLIT)
def test_every_name_of_the_old_module_is_still_public(name):
    assert name in features.__all__
    assert callable(getattr(features, name))


@pytest.mark.parametrize("name, home", [
    pytest.param("feature_grid", render, id="feature_grid-from-render"),
    pytest.param("overlay", render, id="overlay-from-render"),
    pytest.param("adapt_image", fitting, id="adapt_image-from-fitting"),
])
def test_reexports_are_the_home_modules_functions(name, home):
    assert getattr(features, name) is getattr(home, name)


def _private_imports_and_attributes(path: Path) -> list[str]:
    """`from x import _y` and `module._y` uses in a source file (self._y / cls._y excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.append(ast.unparse(node))
    return found


@pytest.mark.parametrize("path", [*sorted(PACKAGE.glob("*.py")), Path(fitting.__file__)],
                         ids=lambda p: p.name)
def test_no_private_name_crosses_a_module(path):
    assert _private_imports_and_attributes(path) == []
