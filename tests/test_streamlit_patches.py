"""ui.streamlit_patches: both patched Streamlit names still exist in the pinned Streamlit, are still used
the way the patches assume, and the patches do what their docstrings say.

When one of these fails after a Streamlit upgrade, read the reason beside the patch in
ui/streamlit_patches.py and decide whether the patch is still needed before changing the pin."""
from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit
from streamlit.commands import navigation
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from ui import streamlit_patches

ROOT = Path(__file__).resolve().parents[1]


def test_the_pinned_streamlit_is_the_one_the_patches_were_tested_with():
    pin = re.search(r"^streamlit==(\S+)$", (ROOT / "requirements.txt").read_text(), flags=re.MULTILINE)
    assert pin, "requirements.txt no longer pins streamlit"
    assert pin.group(1) == streamlit_patches.TESTED_STREAMLIT == streamlit.__version__, (
        "Streamlit changed: re-check both patches in ui/streamlit_patches.py, then update TESTED_STREAMLIT")


def test_patch_1_streamlit_still_has_clean_problem_modules_and_calls_it_after_each_run():
    assert hasattr(script_runner, "_clean_problem_modules"), (
        "streamlit.runtime.scriptrunner.script_runner._clean_problem_modules is gone: patch 1 does nothing")
    # The patch replaces the module attribute, which only works while the run loop looks the name up there.
    run_loop = inspect.getsource(script_runner.ScriptRunner)
    assert "_clean_problem_modules" in run_loop, "ScriptRunner no longer calls _clean_problem_modules"


def test_patch_1_is_still_needed_streamlit_clean_up_clears_the_keras_session():
    source = inspect.getsource(script_runner)
    clean_up = source[source.index("def _clean_problem_modules"):]
    assert "clear_session" in clean_up.split("\ndef ", 1)[0], (
        "Streamlit's clean-up no longer clears the Keras session: patch 1 may be unneeded")


def test_patch_1_replaces_the_clean_up_with_a_no_op(monkeypatch):
    calls = []
    fake_keras = SimpleNamespace(backend=SimpleNamespace(clear_session=lambda *a, **k: calls.append(1)))
    monkeypatch.setitem(sys.modules, "keras", fake_keras)  # what Streamlit's clean-up looks for
    monkeypatch.setattr(script_runner, "_clean_problem_modules", script_runner._clean_problem_modules)
    assert streamlit_patches.keep_keras_state_between_runs() is True
    script_runner._clean_problem_modules()
    assert calls == []


def test_patch_2_streamlit_still_has_the_pages_directory_flag_and_navigation_clears_it():
    assert "uses_pages_directory" in vars(PagesManager), (
        "PagesManager.uses_pages_directory is gone: patch 2 (first visit through a shared link) does nothing")
    assert re.search(r"PagesManager\.uses_pages_directory\s*=\s*False", inspect.getsource(navigation)), (
        "st.navigation no longer sets PagesManager.uses_pages_directory = False: patch 2 must follow it")


@pytest.mark.parametrize("before, switched", [(True, True), (False, False), (None, False)],
                         ids=["pages-directory-mode-is-left", "navigation-mode-stays", "undecided-stays"])
def test_patch_2_leaves_pages_directory_mode_only_when_in_it(monkeypatch, before, switched):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", before)
    assert streamlit_patches.uses_pages_directory() is bool(before)
    assert streamlit_patches.leave_pages_directory_mode() is switched
    assert PagesManager.uses_pages_directory is (False if switched else before)
