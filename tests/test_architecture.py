"""The house rules, checked by parsing the source (ast, nothing imported, well under a second).

* No module in vizcore/, ui/, pages/ over MAX_LINES lines.
* Imports run one way: pages -> ui -> vizcore (sheet, features) -> vizcore (layers, models)
  -> vizcore (render, color, images, fitting, cache) -> vizcore.errors. vizcore never imports
  streamlit; pages never reach vizcore.models (they go through ui/); modules inside vizcore
  import the module that defines a name, never the package facade ``vizcore``.
* tools/ (benchmarks, training) and tests/ are outside the library: vizcore, ui, pages and
  app.py never import them.
* No private name (``_x``) of one module is used in another: ``from m import _x``,
  ``m._x``, ``getattr(m, "_x")`` / ``monkeypatch.setattr(m, "_x", ...)`` or a
  ``"m._x"`` patch target, across vizcore/, ui/, pages/, tools/ and tests/ (tests too).

Every guard is a function over a list of :class:`Source`; the table at the end runs each on
small good and bad snippets, so a guard that can no longer fail is noticed.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Folders whose modules are checked (app.py at the root too).
PROJECT = ("vizcore", "ui", "pages", "tools", "tests")
#: Folders where a module may not exceed MAX_LINES lines.
SIZE_LIMITED = ("vizcore", "ui", "pages")
MAX_LINES = 400
#: The library and the app: they never import tools/ or tests/.
APP_SIDE = ("vizcore", "ui", "pages", "app")
OUTSIDE = ("tools", "tests")

#: Rank -> (layer name, module prefixes). A module may import modules of its own rank or lower.
LAYERS = {
    0: ("errors", ("vizcore.errors",)),
    1: ("vizcore base (render, color, images, fitting, cache, observe)",
        ("vizcore.render", "vizcore.color", "vizcore.images", "vizcore.fitting", "vizcore.cache",
         "vizcore.observe")),
    2: ("vizcore layers/models", ("vizcore.layers", "vizcore.models")),
    3: ("vizcore sheet/features/inspector/compare",
        ("vizcore.sheet", "vizcore.sheet_png", "vizcore.features", "vizcore.inspect_pixel", "vizcore.compare")),
    4: ("ui", ("ui",)),
    5: ("pages", ("pages",)),
    6: ("app", ("app",)),
}


@dataclass(frozen=True)
class Source:
    """One module's text: ``module`` is its dotted name, ``path`` what messages show."""

    module: str
    text: str
    is_package: bool = False
    path: str = ""

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.text, filename=self.path or self.module)

    @property
    def where(self) -> str:
        return self.path or self.module

    @property
    def package(self) -> str:
        return self.module if self.is_package else self.module.rpartition(".")[0]


def snippet(module: str, text: str = "", *, package: bool = False) -> Source:
    """A synthetic Source for the self-test table."""
    return Source(module, text, is_package=package)


def project_sources(root: Path = ROOT) -> list[Source]:
    """Every .py module of the project folders and app.py, parsed lazily."""
    paths = [root / "app.py"] if (root / "app.py").exists() else []
    for top in PROJECT:
        paths += sorted(p for p in (root / top).rglob("*.py") if "artifacts" not in p.parts)
    sources = []
    for path in paths:
        rel = path.relative_to(root)
        parts = list(rel.with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        sources.append(Source(".".join(parts), path.read_text(encoding="utf-8"), is_package, rel.as_posix()))
    return sources


def _top(module: str) -> str:
    return module.partition(".")[0]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_"


def _known(sources: list[Source]) -> frozenset[str]:
    names = set()
    for src in sources:
        parts = src.module.split(".")
        names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(names)


def _absolute(src: Source, node: ast.ImportFrom) -> str:
    """The module an ``ImportFrom`` names, relative imports resolved against ``src``."""
    if not node.level:
        return node.module or ""
    base = src.package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _aliases(src: Source, known: frozenset[str]) -> dict[str, str]:
    """Local name -> project module it is bound to by an import anywhere in ``src``."""
    bound = {}
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound[_top(alias.name)] = _top(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(src, node)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"
    return {name: module for name, module in bound.items() if module in known}


def _resolve(expr: ast.expr, aliases: dict[str, str], known: frozenset[str]) -> str | None:
    """The project module an expression like ``vizcore.images`` or ``images`` denotes, else None."""
    if isinstance(expr, ast.Name):
        return aliases.get(expr.id)
    if isinstance(expr, ast.Attribute):
        base = _resolve(expr.value, aliases, known)
        if base is not None and f"{base}.{expr.attr}" in known:
            return f"{base}.{expr.attr}"
    return None


def module_uses(src: Source, known: frozenset[str]) -> list[tuple[str, int]]:
    """(module, line) for each module ``src`` imports, or reaches as an attribute (``vizcore.models``).

    ``from p import m`` counts as using ``p.m`` when that is a module, else ``p``; an attribute
    chain counts once, as the longest module it names.
    """
    uses = []
    aliases = _aliases(src, known)
    inner = set()
    for node in ast.walk(src.tree):  # breadth first: an outer attribute comes before its inner part
        if isinstance(node, ast.Import):
            uses += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(src, node)
            modules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            plain = len(modules) < len(node.names)
            uses += [(module, node.lineno) for module in modules + ([base] if plain else [])]
        elif isinstance(node, ast.Attribute) and id(node) not in inner:
            module = _resolve(node, aliases, known)
            if module is not None:
                inner.add(id(node.value))
                if "." in module:
                    uses.append((module, node.lineno))
    return uses


def _rank(module: str) -> int | None:
    for rank, (_, prefixes) in LAYERS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


# --------------------------------------------------------------------------- the guards


def oversized(sources: list[Source], limit: int = MAX_LINES) -> list[str]:
    """Modules of SIZE_LIMITED folders with more than ``limit`` lines, as 'path: N lines'."""
    return [f"{s.where}: {len(s.text.splitlines())} lines" for s in sources
            if _top(s.module) in SIZE_LIMITED and len(s.text.splitlines()) > limit]


def layering_violations(sources: list[Source]) -> list[str]:
    """Imports against the one-way order, streamlit in vizcore, pages reaching vizcore.models."""
    known = _known(sources)
    found = []
    for src in sources:
        if _top(src.module) not in APP_SIDE or src.module == "vizcore":
            continue  # tools/tests may import anything public; the facade re-exports lazily
        rank = _rank(src.module)
        if rank is None:
            found.append(f"{src.where}: {src.module} belongs to no layer in LAYERS; place it there")
            continue
        for module, line in module_uses(src, known):
            where = f"{src.where}:{line} {src.module} ({LAYERS[rank][0]})"
            if module == "vizcore" and _top(src.module) == "vizcore":
                found.append(f"{where} imports the package facade 'vizcore'; import the defining module")
            elif _top(src.module) == "vizcore" and _top(module) == "streamlit":
                found.append(f"{where} imports {module}: vizcore never imports streamlit")
            elif _top(src.module) == "pages" and _rank(module) == 2 and module.startswith("vizcore.models"):
                found.append(f"{where} uses {module}: pages reach models through ui/")
            elif _top(module) in OUTSIDE:
                found.append(f"{where} imports {module}: {_top(module)}/ is outside the library's import graph")
            elif (other := _rank(module)) is not None and other > rank:
                found.append(f"{where} imports {module} ({LAYERS[other][0]}): imports run the other way")
    return found


_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


def private_name_uses(sources: list[Source]) -> list[str]:
    """Every use of a project module's private name (``_x``) from another module."""
    known = _known(sources)
    found = []

    def check(src: Source, module: str | None, name: str, line: int, how: str) -> None:
        if module and _top(module) in (*PROJECT, "app") and module != src.module and _private(name):
            found.append(f"{src.where}:{line} uses {module}.{name} ({how})")

    for src in sources:
        aliases = _aliases(src, known)
        for node in ast.walk(src.tree):
            if isinstance(node, ast.ImportFrom):
                base = _absolute(src, node)
                for alias in node.names:
                    check(src, base, alias.name, node.lineno, "from-import")
            elif isinstance(node, ast.Attribute):
                check(src, _resolve(node.value, aliases, known), node.attr, node.lineno, "attribute")
            elif isinstance(node, ast.Call):
                args = node.args
                if len(args) >= 2 and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
                    check(src, _resolve(args[0], aliases, known), args[1].value, node.lineno, "by name")
                for arg in args[:1]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _DOTTED.fullmatch(arg.value):
                        module, _, name = arg.value.rpartition(".")
                        if module in known:
                            check(src, module, name, node.lineno, "patch target")
    return found


# --------------------------------------------------------------------------- the real tree

SOURCES = project_sources()


def test_the_tree_is_found():
    modules = {s.module for s in SOURCES}
    assert {"vizcore", "vizcore.errors", "vizcore.images", "ui.sidebar", "pages.home", "tools.bench",
            "app"} <= modules
    assert len(SOURCES) > 100


def test_no_module_over_the_line_limit():
    offenders = oversized(SOURCES)
    assert not offenders, f"over {MAX_LINES} lines:\n" + "\n".join(offenders)


def test_imports_run_one_way():
    found = layering_violations(SOURCES)
    assert not found, "\n".join(found)


def test_no_private_name_crosses_a_module():
    found = private_name_uses(SOURCES)
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- each guard can fail

GUARD_CASES = [
    # (id, guard, sources, expected fragment of a finding or None for no finding)
    ("short-module-passes", oversized, [snippet("vizcore.color", "x = 1\n" * 400)], None),
    ("long-vizcore-module-fails", oversized, [snippet("vizcore.color", "x = 1\n" * 401)], "401 lines"),
    ("long-page-fails", oversized, [snippet("pages.dense", "x = 1\n" * 450)], "450 lines"),
    ("long-test-is-allowed", oversized, [snippet("tests.test_x", "x = 1\n" * 900)], None),
    ("page-imports-ui-passes", layering_violations,
     [snippet("pages.dense", "from ui import sidebar"), snippet("ui.sidebar")], None),
    ("ui-imports-page-fails", layering_violations,
     [snippet("ui.sidebar", "from pages import dense"), snippet("pages.dense")], "imports pages.dense"),
    ("vizcore-imports-streamlit-fails", layering_violations,
     [snippet("vizcore.render", "import streamlit as st")], "never imports streamlit"),
    ("vizcore-imports-ui-fails", layering_violations,
     [snippet("vizcore.sheet", "def f():\n    import ui.panels\n"), snippet("ui.panels")], "imports ui.panels"),
    ("page-imports-models-fails", layering_violations,
     [snippet("pages.trained", "from vizcore.models import spec"), snippet("vizcore.models.spec")],
     "reach models through ui"),
    ("page-reaches-models-by-attribute-fails", layering_violations,
     [snippet("pages.trained", "import vizcore\nvizcore.models.spec"), snippet("vizcore", package=True),
      snippet("vizcore.models", package=True), snippet("vizcore.models.spec")], "reach models through ui"),
    ("base-imports-layers-fails", layering_violations,
     [snippet("vizcore.render", "from .layers import engine"), snippet("vizcore.layers", package=True),
      snippet("vizcore.layers.engine")], "imports vizcore.layers"),
    ("images-subpackage-imports-errors-passes", layering_violations,
     [snippet("vizcore.images.reading", "from ..errors import ImageError"), snippet("vizcore.errors")], None),
    ("images-subpackage-imports-sheet-fails", layering_violations,
     [snippet("vizcore.images.reading", "from .. import sheet"), snippet("vizcore.sheet")],
     "imports vizcore.sheet"),
    ("models-import-features-fails", layering_violations,
     [snippet("vizcore.models.seeds", "from ..features import trace"), snippet("vizcore.features.trace")],
     "imports vizcore.features"),
    ("layers-import-sheet-fails", layering_violations,
     [snippet("vizcore.layers.conv", "import vizcore.sheet"), snippet("vizcore.sheet")], "imports vizcore.sheet"),
    ("sheet-imports-layers-passes", layering_violations,
     [snippet("vizcore.sheet", "from .layers import conv"), snippet("vizcore.layers.conv")], None),
    ("vizcore-imports-facade-fails", layering_violations,
     [snippet("vizcore.render", "from vizcore import ImageError"), snippet("vizcore", package=True)],
     "package facade"),
    ("ui-imports-tools-fails", layering_violations,
     [snippet("ui.compute", "from tools import bench"), snippet("tools.bench")], "outside the library"),
    ("tools-import-vizcore-passes", layering_violations,
     [snippet("tools.bench", "from vizcore import sheet"), snippet("vizcore.sheet")], None),
    ("unplaced-vizcore-module-fails", layering_violations, [snippet("vizcore.newthing", "x = 1")],
     "belongs to no layer"),
    ("public-name-passes", private_name_uses,
     [snippet("ui.a", "from vizcore.render import stretch\nimport vizcore.render as r\nr.stretch"),
      snippet("vizcore.render")], None),
    ("own-private-name-passes", private_name_uses, [snippet("vizcore.render", "_x = 1\nprint(_x)")], None),
    ("dunder-passes", private_name_uses,
     [snippet("vizcore", "from .errors import __all__ as _all", package=True), snippet("vizcore.errors")], None),
    ("from-import-private-fails", private_name_uses,
     [snippet("vizcore.sheet", "from .layers import _caption"), snippet("vizcore.layers", package=True)],
     "vizcore.layers._caption"),
    ("attribute-private-fails", private_name_uses,
     [snippet("tests.test_x", "from vizcore import images\nimages._to_rgb_array(1)"),
      snippet("vizcore", package=True), snippet("vizcore.images", package=True)], "vizcore.images._to_rgb_array"),
    ("dotted-attribute-private-fails", private_name_uses,
     [snippet("tools.bench", "import vizcore.layers.engine\nvizcore.layers.engine._LOCK"),
      snippet("vizcore.layers.engine")], "vizcore.layers.engine._LOCK"),
    ("monkeypatch-by-name-fails", private_name_uses,
     [snippet("tests.test_x", "import ui.state as state\ndef t(m):\n    m.setattr(state, '_KEY', 1)\n"),
      snippet("ui.state")], "ui.state._KEY"),
    ("patch-target-string-fails", private_name_uses,
     [snippet("tests.test_x", "mock.patch('ui.state._KEY', 1)"), snippet("ui.state")], "ui.state._KEY"),
    ("third-party-private-passes", private_name_uses,
     [snippet("ui.patches", "from streamlit.runtime import x\nx._clean\nimport sys\nsys._getframe()")], None),
]


@pytest.mark.parametrize("guard, sources, expected", [case[1:] for case in GUARD_CASES],
                         ids=[case[0] for case in GUARD_CASES])
def test_guard_on_snippets(guard, sources, expected):
    found = guard(sources)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0], found
