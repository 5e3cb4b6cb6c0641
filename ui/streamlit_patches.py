"""The two places where Layer Lab changes Streamlit's own behaviour, each with its reason.

Both touch Streamlit internals (not public API), so each is guarded: when the installed
Streamlit no longer has the patched name, the patch is skipped with a warning in the server
log, and the app keeps working -- only slower (patch 1) or with the old first-visit quirk
(patch 2). ``tests/test_streamlit_patches.py`` fails loudly when the pinned Streamlit
(``requirements.txt``) no longer has either name, so an upgrade is noticed at test time.

1. :func:`keep_keras_state_between_runs` -- applied once per process by :func:`apply`
   (``app.py`` calls it before anything else). Streamlit's
   ``script_runner._clean_problem_modules`` calls ``keras.backend.clear_session()`` after
   *every* script run once keras is imported: a full garbage collection (~0.5 s with
   TensorFlow loaded) that blocks the next control change, and a cleared kernel cache that
   makes the next computation recompile. Layer Lab keeps its built layers and models in
   caches on purpose, so there is nothing to clean; the patch replaces the function with a
   no-op (which also skips its ``matplotlib.pyplot.close("all")``: Layer Lab draws with
   ``matplotlib.figure.Figure`` and never uses pyplot's global figures).
2. :func:`leave_pages_directory_mode` -- called by :func:`ui.state.begin_run` at most once
   per session, and effective once per process. Streamlit starts each server in its old
   "pages/ directory" mode (``PagesManager.uses_pages_directory``) until a script has called
   ``st.navigation``. A shared link such as ``/merging?kind=Add`` opened as the very first
   visit after a server start would then run ``pages/merging.py`` on its own (no page
   config, wrong menu). Setting the flag to False is exactly what ``st.navigation`` does;
   the caller then reruns, so the same URL is served through ``app.py``.

3. :func:`disconnected_sessions` / :func:`close_disconnected_session` / :func:`event_loop` /
   :func:`held_bytes` -- read by :mod:`ui.sessions`, which closes tabs that went away.
   Streamlit keeps a disconnected session in its ``MemorySessionStorage`` (a TTL cache) so a
   tab can reconnect after a network blip, but nothing ever calls ``AppSession.shutdown()``
   on it: when the entry expires it is only dropped from the cache, so the session's
   uploads (``UploadedFileManager``), its media files (``MediaFileManager`` references) and
   its session state stay for the life of the server (Streamlit issue 12506). There is no
   public API listing stored sessions, so these read ``Runtime._session_mgr`` (a
   ``WebsocketSessionManager``), its ``_session_storage`` and ``Runtime._get_async_objs()``;
   closing goes through the manager's own ``close_session`` on the server's event loop,
   exactly as Streamlit's logout does. When a name is missing, ``disconnected_sessions``
   returns None (logged once) and closed tabs are kept as before.

May import: streamlit only.
"""
from __future__ import annotations

import logging

__all__ = ["TESTED_STREAMLIT", "apply", "keep_keras_state_between_runs", "uses_pages_directory",
           "leave_pages_directory_mode", "session_manager", "event_loop", "disconnected_sessions",
           "active_session_ids", "close_disconnected_session", "held_bytes"]

#: The Streamlit version these patches were written and tested against (requirements.txt pin).
TESTED_STREAMLIT = "1.67.0"

_LOG = logging.getLogger(__name__)
_applied: dict[str, bool] = {}


def _no_clean_up() -> None:
    """Stands in for Streamlit's post-run clean-up (see patch 1 in the module docstring)."""


def keep_keras_state_between_runs() -> bool:
    """Patch 1: stop Streamlit clearing the Keras session after every run.

    Returns True when the patch is in place, False (with a logged warning) when this
    Streamlit has no ``script_runner._clean_problem_modules`` to replace.
    """
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:
        script_runner = None
    if script_runner is None or not hasattr(script_runner, "_clean_problem_modules"):
        _LOG.warning("Layer Lab: streamlit %s has no script_runner._clean_problem_modules (tested with %s); "
                     "Keras sessions may be cleared after every run, which slows every rerun.",
                     _streamlit_version(), TESTED_STREAMLIT)
        return False
    script_runner._clean_problem_modules = _no_clean_up
    return True


def apply() -> dict[str, bool]:
    """Apply the process-wide patch (patch 1) once; later calls do nothing.

    Returns ``{"keep_keras_state_between_runs": bool}``: whether it is in place.
    """
    if not _applied:
        _applied["keep_keras_state_between_runs"] = keep_keras_state_between_runs()
    return dict(_applied)


def _pages_manager():
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return None
    return PagesManager if hasattr(PagesManager, "uses_pages_directory") else None


def uses_pages_directory() -> bool:
    """True while the server is still in Streamlit's "pages/ directory" mode (patch 2).

    False when it is not, or when this Streamlit has no such flag (nothing to work around).
    """
    manager = _pages_manager()
    return bool(manager is not None and manager.uses_pages_directory)


def leave_pages_directory_mode() -> bool:
    """Patch 2: switch the server out of "pages/ directory" mode, as ``st.navigation`` does.

    Returns True when the flag was switched (the caller should ``st.rerun()``), False when
    there was nothing to switch or this Streamlit has no ``PagesManager.uses_pages_directory``
    (logged as a warning).
    """
    manager = _pages_manager()
    if manager is None:
        _LOG.warning("Layer Lab: streamlit %s has no PagesManager.uses_pages_directory (tested with %s); "
                     "a shared link opened first after a server start may show a page without its menu.",
                     _streamlit_version(), TESTED_STREAMLIT)
        return False
    if not manager.uses_pages_directory:
        return False
    manager.uses_pages_directory = False
    return True


def _runtime():
    try:
        from streamlit.runtime import Runtime
    except ImportError:
        return None
    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    # AppTest installs a MagicMock(spec=Runtime): no server, nothing to close (and no warning).
    return runtime if type(runtime) is Runtime else None


def _warn_once(name: str) -> None:
    if not _applied.get(f"warned:{name}"):
        _applied[f"warned:{name}"] = True
        _LOG.warning("Layer Lab: streamlit %s has no %s (tested with %s); closed tabs keep their uploads "
                     "and images until the server restarts.", _streamlit_version(), name, TESTED_STREAMLIT)


def session_manager():
    """Patch 3: the running server's session manager, or None (no server, or the name is gone)."""
    runtime = _runtime()
    if runtime is None:
        return None
    manager = getattr(runtime, "_session_mgr", None)
    if manager is None or not hasattr(manager, "list_active_sessions") or not hasattr(manager, "close_session"):
        _warn_once("Runtime._session_mgr")
        return None
    return manager


def event_loop():
    """Patch 3: the asyncio loop the server (and every session manager call) runs on, or None."""
    runtime = _runtime()
    get = getattr(runtime, "_get_async_objs", None)
    if get is None:
        if runtime is not None:
            _warn_once("Runtime._get_async_objs")
        return None
    try:
        return get().eventloop
    except Exception:  # noqa: BLE001 - not started yet
        return None


def active_session_ids(manager) -> set[str]:
    """Ids of the sessions with a connected tab."""
    return {info.session.id for info in manager.list_active_sessions()}


def disconnected_sessions(manager) -> list | None:
    """Patch 3: the ``AppSession`` objects kept for a reconnect (tab gone), or None when this
    Streamlit has no ``_session_storage`` with ``list()``. Call on the server's event loop."""
    storage = getattr(manager, "_session_storage", None)
    if storage is None or not hasattr(storage, "list"):
        _warn_once("WebsocketSessionManager._session_storage")
        return None
    return [info.session for info in storage.list()]


def close_disconnected_session(manager, session) -> None:
    """Patch 3: shut down a session whose tab went away: its uploads, media references and
    state are released. Goes through ``close_session`` (which also drops it from storage);
    a session the storage already dropped by TTL is shut down directly. Event loop only."""
    if session.id in active_session_ids(manager):
        return  # reconnected in the meantime
    if any(s.id == session.id for s in disconnected_sessions(manager) or ()):
        manager.close_session(session.id)  # drops it from storage and shuts it down
    else:
        session.shutdown()  # Streamlit's TTL already dropped it (without shutting it down)


def held_bytes() -> dict[str, int]:
    """Bytes Streamlit itself holds: ``{"uploads": ..., "media": ..., "media_files": ...}``
    (from the managers' ``get_stats``; zeros without a running server)."""
    runtime = _runtime()
    out = {"uploads": 0, "media": 0, "media_files": 0}
    if runtime is None:
        return out
    for name, attr in (("uploads", "uploaded_file_mgr"), ("media", "media_file_mgr")):
        owner = getattr(runtime, attr, None)
        if name == "media":
            owner = getattr(owner, "_storage", None)
        stats_of = getattr(owner, "get_stats", None)
        if stats_of is None:
            continue
        out[name] = sum(int(s.byte_length) for family in stats_of().values() for s in family)
        if name == "media":
            out["media_files"] = len(getattr(owner, "_files_by_id", ()))
    return out


def _streamlit_version() -> str:
    try:
        import streamlit
    except ImportError:
        return "(not installed)"
    return getattr(streamlit, "__version__", "(unknown)")
