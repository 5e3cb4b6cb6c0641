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

May import: streamlit only.
"""
from __future__ import annotations

import logging

__all__ = ["TESTED_STREAMLIT", "apply", "keep_keras_state_between_runs", "uses_pages_directory",
           "leave_pages_directory_mode"]

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


def _streamlit_version() -> str:
    try:
        import streamlit
    except ImportError:
        return "(not installed)"
    return getattr(streamlit, "__version__", "(unknown)")
