"""Load tests: real servers on 127.0.0.1 driven by the protocol-level client in load_bench.py.

Every test here is marked ``load`` (deselect with ``-m "not load"``).
"""
from __future__ import annotations

from pathlib import Path

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "load: starts real app servers (and nginx) and drives tabs through them")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.load)
