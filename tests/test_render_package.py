"""vizcore.render as a package: one facade over stretch / colour / layout / encode.

The facade's ``__all__`` is exactly the union of the four modules' ``__all__`` and each name is
the module's own object (``render.normalise is render.stretch.normalise``), so callers using
``render.<name>`` see one implementation. The package imports nothing from vizcore but
``vizcore.errors`` (checked on the source, as tests/test_architecture.py does for layers).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vizcore import render
from vizcore.render import colour, encode, layout, stretch

PACKAGE = Path(render.__file__).parent
MODULES = {"stretch": stretch, "colour": colour, "layout": layout, "encode": encode}


def test_the_facade_exports_exactly_the_modules_public_names():
    union = [name for module in MODULES.values() for name in module.__all__]
    assert len(union) == len(set(union)), "a name is defined in two modules"
    assert sorted(render.__all__) == sorted(union)


@pytest.mark.parametrize("module_name", list(MODULES))
def test_each_exported_name_is_the_defining_modules_object(module_name):
    module = MODULES[module_name]
    for name in module.__all__:
        assert getattr(render, name) is getattr(module, name), name


def imported_modules(path: Path) -> set[str]:
    """Absolute names of what ``path`` (a module of vizcore.render) imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.add(node.module or "")
            else:  # relative to vizcore.render (level 1) or vizcore (level 2)
                base = ["vizcore", "render"][: 3 - node.level]
                found.add(".".join(base + ([node.module] if node.module else [])))
    return found


@pytest.mark.parametrize("filename", sorted(p.name for p in PACKAGE.glob("*.py")))
def test_render_imports_only_errors_from_vizcore(filename):
    vizcore_imports = {m for m in imported_modules(PACKAGE / filename) if m.split(".")[0] == "vizcore"}
    outside = {m for m in vizcore_imports if m != "vizcore.errors" and not m.startswith("vizcore.render")}
    assert not outside, f"vizcore/render/{filename} imports {sorted(outside)}"


def test_the_import_check_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from ..color import to_space\nfrom .stretch import normalise\nimport vizcore.layers\n")
    assert imported_modules(bad) == {"vizcore.color", "vizcore.render.stretch", "vizcore.layers"}
