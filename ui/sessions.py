"""Closed tabs give back what they held: the session reaper (issue 9, bounded memory).

Streamlit keeps the session of a tab whose websocket went away, so the tab can reconnect
after a network blip, and then never shuts it down (Streamlit issue 12506): its session
state, its uploads and the media files only it showed stay until the server restarts. A
class opening and closing hundreds of tabs a day would fill the server.

:func:`start` (``app.py`` calls it on every run; it acts once per process) runs a small
loop on the server's event loop -- where Streamlit itself connects and closes sessions, so
a reconnect and a close never race. Every ``tick`` seconds it looks at the disconnected
sessions (through the guarded hooks in :mod:`ui.streamlit_patches`, patch 3); one that has
been gone for ``grace`` seconds without reconnecting is shut down by Streamlit's own
``close_session``. Then Python's garbage collector runs once and, where the C library has
it, ``malloc_trim(0)`` hands freed arenas back to the system (off the event loop).

Operator settings (environment variables, read once at start):

``LAYERLAB_SESSION_GRACE_S`` (default 90)
    Seconds a closed tab's session is kept for a reconnect before it is shut down.
    Streamlit's own ``server.disconnectedSessionTTL`` (default 120 s) only decides how long
    a reconnect is possible; the reaper keeps its own reference, so a grace longer than that
    TTL still releases everything.
``LAYERLAB_SESSION_LOG`` (``1`` to enable)
    One line per tick on the server's stdout: ``layerlab-sessions active=.. disconnected=..
    reaped=.. uploads_bytes=.. media_files=.. media_bytes=.. pixels_bytes=.. rss=..`` -- what Streamlit still
    holds, for the load tests and for an operator watching memory.
"""
from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import threading
import time
from dataclasses import dataclass, field

from . import streamlit_patches
from .held import held

__all__ = ["Reaper", "start", "settings", "trim_memory", "release_image_caches",
           "collect_cycles", "limit_malloc_arenas", "fix_mmap_threshold",
           "DEFAULT_GRACE_S"]

#: Seconds a disconnected session is kept for a reconnect (LAYERLAB_SESSION_GRACE_S).
DEFAULT_GRACE_S = 90.0

_started: dict[str, "Reaper"] = {}
_start_lock = threading.Lock()


def settings(environ=os.environ) -> tuple[float, float, bool]:
    """(grace seconds, tick seconds, log?) from the environment (see the module docstring).

    Raises ValueError naming the variable when LAYERLAB_SESSION_GRACE_S is not a number >= 0.
    """
    raw = environ.get("LAYERLAB_SESSION_GRACE_S", "")
    try:
        grace = float(raw) if raw.strip() else DEFAULT_GRACE_S
    except ValueError:
        raise ValueError(f"LAYERLAB_SESSION_GRACE_S must be a number of seconds, got {raw!r}") from None
    if grace < 0:
        raise ValueError(f"LAYERLAB_SESSION_GRACE_S must be >= 0, got {raw!r}")
    tick = min(15.0, max(0.5, grace / 4))
    return grace, tick, environ.get("LAYERLAB_SESSION_LOG", "") == "1"


def trim_memory() -> bool:
    """Collect garbage, then ``malloc_trim(0)`` (glibc) so freed arenas go back to the system.

    Returns True when malloc_trim ran (False on a C library without it, or when
    ``LAYERLAB_MALLOC_TRIM=0`` turns it off, e.g. to measure what it gives back).
    """
    gc.collect()
    if os.environ.get("LAYERLAB_MALLOC_TRIM", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True


_frozen: dict[str, bool] = {}
_collect_lock = threading.Lock()


def collect_cycles() -> float:
    """Free what only reference cycles keep alive now, cheaply; returns the seconds it took.

    Streamlit runs each page script in a fresh module whose functions point back at its
    globals, so every finished run is a reference cycle, and with ``runner.postScriptGC``
    off (a full collection with TensorFlow loaded scans ~0.5 M objects, 0.25-0.5 s) the
    run's locals -- a cheat sheet's 62 views, its two pictures, ~40 MB per tab -- stayed
    until Python's rare full collection: 30 tabs each opening the sheet on their own upload
    grew the server by ~1.2 GB. The first call collects and then ``gc.freeze()``s what
    survives (modules, TensorFlow's graphs: objects that live as long as the process), so
    this and later calls scan only objects made since (about a millisecond).
    """
    start = time.perf_counter()
    with _collect_lock:
        gc.collect()
        if not _frozen:
            gc.freeze()
            _frozen["done"] = True
    return time.perf_counter() - start


def limit_malloc_arenas(environ=os.environ) -> int | None:
    """Cap glibc's malloc arenas (``mallopt(M_ARENA_MAX)``) for threads started from now on.

    Every Streamlit session runs its script in a new thread, and glibc gives threads their
    own arenas (up to 8 per core) whose freed memory is rarely handed back: 30 tabs at once
    left the server ~1 GB larger. ``LAYERLAB_MALLOC_ARENAS`` (default 2; ``0`` keeps glibc's
    default). Returns the cap set, or None when not set (other C library, or 0).
    """
    return _mallopt(environ, "LAYERLAB_MALLOC_ARENAS", "2", param=-8, scale=1)  # M_ARENA_MAX


def fix_mmap_threshold(environ=os.environ) -> int | None:
    """Allocations of at least ``LAYERLAB_MMAP_THRESHOLD_KB`` (default 1024; ``0`` = glibc's
    default) get their own memory map, given back to the system as soon as they are freed.

    glibc raises its threshold (up to 32 MB) each time a mapped block is freed, after which
    the picture-sized arrays of every computation (1-12 MB) land in the heap, whose freed
    space mostly stays with the process. Fixing the threshold stops that. Returns the
    threshold in bytes, or None when not set.
    """
    return _mallopt(environ, "LAYERLAB_MMAP_THRESHOLD_KB", "1024", param=-3, scale=1024)  # M_MMAP_THRESHOLD


def _mallopt(environ, name: str, default: str, *, param: int, scale: int) -> int | None:
    """glibc ``mallopt(param, value * scale)`` from the whole number in ``environ[name]``
    (``default`` when unset, ``0`` = leave glibc alone). Returns what was set, or None."""
    raw = environ.get(name, "").strip() or default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number, got {raw!r}")
    if int(raw) == 0:
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    value = int(raw) * scale
    return value if getattr(libc, "mallopt", None) and libc.mallopt(param, value) == 1 else None


def _rss() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def release_image_caches() -> int:
    """Clear the shared caches keyed by a picture (``ui.compute`` and ``ui.sidebar``'s
    ``IMAGE_CACHES``); models, extractors and the bundled samples' decodes stay.

    Called when the last session of the server has been reaped: the class has gone, and what
    50 different uploads left in the (bounded) caches is of no use to the next one. The next
    visitor recomputes its first panels once. Returns how many caches were cleared.
    """
    from . import compute, sidebar  # late: both import this module

    caches = (*compute.IMAGE_CACHES, *sidebar.IMAGE_CACHES)
    for cached in caches:
        cached.clear()
    return len(caches)


@dataclass
class Reaper:
    """Closes sessions gone longer than ``grace`` seconds; ``sweep`` is one pass (event loop only)."""

    grace: float
    tick: float
    log: bool = False
    reaped: int = 0
    gone_since: dict[str, tuple[object, float]] = field(default_factory=dict)

    def sweep(self, manager, now: float) -> int:
        """One pass over the disconnected sessions; returns how many were shut down now."""
        stored = streamlit_patches.disconnected_sessions(manager)
        if stored is None:
            return 0
        active = streamlit_patches.active_session_ids(manager)
        for session in stored:
            self.gone_since.setdefault(session.id, (session, now))
        closed = 0
        for session_id, (session, since) in list(self.gone_since.items()):
            if session_id in active:
                del self.gone_since[session_id]  # the tab came back
            elif now - since >= self.grace:
                streamlit_patches.close_disconnected_session(manager, session)
                held().forget(session_id)  # pixels kept for its download buttons
                del self.gone_since[session_id]
                closed += 1
        self.reaped += closed
        return closed

    def server_empty(self, manager) -> bool:
        """No tab open and none waiting for a reconnect."""
        return not streamlit_patches.active_session_ids(manager) and not self.gone_since

    def status(self, manager) -> str:
        kept = streamlit_patches.held_bytes()
        return (f"layerlab-sessions active={len(streamlit_patches.active_session_ids(manager))} "
                f"disconnected={len(self.gone_since)} reaped={self.reaped} "
                f"uploads_bytes={kept['uploads']} media_files={kept['media_files']} "
                f"media_bytes={kept['media']} pixels_bytes={held().nbytes} rss={_rss()}")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.tick)
            manager = streamlit_patches.session_manager()
            if manager is None:
                continue
            try:
                if self.sweep(manager, time.monotonic()):
                    if self.server_empty(manager):
                        await loop.run_in_executor(None, release_image_caches)
                    await loop.run_in_executor(None, trim_memory)
                if self.log:
                    print(self.status(manager), flush=True)
            except Exception as err:  # noqa: BLE001 - never let the reaper die silently
                print(f"layerlab-sessions error: {type(err).__name__}: {err}", flush=True)


def start() -> Reaper | None:
    """Start the reaper once per server process; later calls return the running one.

    Returns None (and starts nothing) outside a running server (AppTest, bare Python) or
    when this Streamlit lacks the hooks (logged by ui.streamlit_patches).
    """
    with _start_lock:
        if "reaper" in _started:
            return _started["reaper"]
        loop = streamlit_patches.event_loop()
        if loop is None or streamlit_patches.session_manager() is None:
            return None
        grace, tick, log = settings()
        limit_malloc_arenas()
        fix_mmap_threshold()
        reaper = Reaper(grace=grace, tick=tick, log=log)
        asyncio.run_coroutine_threadsafe(reaper.run(), loop)
        _started["reaper"] = reaper
        return reaper
