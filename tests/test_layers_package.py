"""vizcore.layers as a package: the public API names (as listed in docs/architecture.md) resolve
from the package and from ``vizcore`` itself, and ``import vizcore`` still defers TensorFlow."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import vizcore
from vizcore import layers as L

# The layer API as the docs and the pages use it, written out by hand.
PUBLIC = ["LayerResult", "MERGE_KINDS", "POOL_KINDS", "DISPLAY_MODES", "ACTIVATIONS", "ACTIVATION_INFO",
          "KERNEL_PRESETS", "merge", "pool", "dense", "dense_fully_connected", "conv2d", "conv2d_stack",
          "conv2d_transpose", "activation_curve", "normalise"]


def test_all_lists_exactly_the_public_api():
    assert sorted(L.__all__) == sorted(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_name_is_the_same_object_from_vizcore_and_vizcore_layers(name):
    assert getattr(vizcore, name) is getattr(L, name)


def test_family_functions_are_not_shadowed_by_modules():
    # Module names differ from function names, so vizcore.layers.merge stays the function.
    for name in ("merge", "pool", "dense", "conv2d", "conv2d_transpose", "activation_curve"):
        assert callable(getattr(L, name)) and not isinstance(getattr(L, name), type(L)), name


def test_import_vizcore_defers_tensorflow_until_a_layer_is_used():
    script = (
        "import sys, vizcore\n"
        "assert 'tensorflow' not in sys.modules, 'import vizcore loaded TensorFlow'\n"
        "vizcore.merge\n"
        "assert 'tensorflow' in sys.modules\n"
        "assert vizcore.layers.normalise is vizcore.normalise\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
