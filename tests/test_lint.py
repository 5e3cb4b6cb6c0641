"""The whole tree passes ruff with the project's configuration (pyproject.toml [tool.ruff])."""
from __future__ import annotations

import subprocess
import sys

from tests.apptest_helpers import ROOT


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
