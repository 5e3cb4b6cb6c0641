"""Shared pytest set-up: the repository root is importable (``import vizcore``,
``from tests.hostile_inputs import HOSTILE_CASES``) without ``pip install -e .``,
and TensorFlow's start-up log noise is turned down."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
