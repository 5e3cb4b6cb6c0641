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


# ---- patch 3: closing sessions whose tab went away (ui.sessions), Streamlit issue 12506


def _session_manager():
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    return WebsocketSessionManager(MemorySessionStorage(), uploaded_file_manager=None, script_cache=None,
                                   message_enqueued_callback=None)


def test_patch_3_streamlit_still_keeps_the_names_the_reaper_reads():
    from streamlit.runtime import Runtime
    from streamlit.runtime.app_session import AppSession

    assert "self._session_mgr =" in inspect.getsource(Runtime.__init__), (
        "Runtime._session_mgr is gone: ui.sessions cannot find closed tabs, whose uploads then stay (patch 3)")
    assert callable(getattr(Runtime, "_get_async_objs", None)), "Runtime._get_async_objs is gone (patch 3)"
    manager = _session_manager()
    assert hasattr(manager, "_session_storage") and callable(manager._session_storage.list), (
        "WebsocketSessionManager._session_storage.list() is gone (patch 3)")
    for name in ("list_active_sessions", "close_session"):
        assert callable(getattr(manager, name, None)), f"WebsocketSessionManager.{name} is gone (patch 3)"
    assert callable(getattr(AppSession, "shutdown", None))


def test_patch_3_is_still_needed_streamlit_never_shuts_down_an_expired_stored_session():
    # The stored sessions live in a TTL cache whose expiry only drops the entry: no shutdown hook.
    from streamlit.runtime import memory_session_storage

    source = inspect.getsource(memory_session_storage)
    assert "shutdown" not in source and "on_remove" not in source, (
        "Streamlit's session storage now shuts down expired sessions: patch 3 may be unneeded")


class _FakeSession:
    def __init__(self, session_id):
        self.id, self.shut = session_id, 0

    def shutdown(self):
        self.shut += 1


def test_patch_3_closes_a_stored_session_through_the_manager_and_keeps_an_active_one():
    from streamlit.runtime.session_manager import ActiveSessionInfo, SessionInfo

    manager = _session_manager()
    gone, back = _FakeSession("gone"), _FakeSession("back")
    manager._session_storage.save(SessionInfo(client=None, session=gone))
    manager._active_session_info_by_id["back"] = ActiveSessionInfo(client=None, session=back)
    assert [s.id for s in streamlit_patches.disconnected_sessions(manager)] == ["gone"]
    assert streamlit_patches.active_session_ids(manager) == {"back"}
    streamlit_patches.close_disconnected_session(manager, gone)
    streamlit_patches.close_disconnected_session(manager, back)  # reconnected: left alone
    assert gone.shut >= 1 and back.shut == 0
    assert streamlit_patches.disconnected_sessions(manager) == []


def test_patch_3_without_a_running_server_reports_nothing_held():
    assert streamlit_patches.session_manager() is None
    assert streamlit_patches.held_bytes() == {"uploads": 0, "media": 0, "media_files": 0}
