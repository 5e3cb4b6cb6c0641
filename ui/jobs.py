"""Long jobs in one bounded pool, so one tab's heavy work leaves the others fast (issue 9, fairness).

A long computation (a filter pattern's gradient ascent: 5-20 s) started by one tab would
otherwise run in that tab's script thread at full speed, with TensorFlow's thread pool on
every core, and the other tabs' cheap pages would wait for CPU. Here:

* :func:`run` hands the job to one worker thread (``LAYERLAB_JOB_WORKERS``, default 1): a
  class asking for ten patterns gets them one after another, not ten at once;
* the worker lowers its own scheduling priority (``nice`` +10 for that thread only), so
  the event loop and the other tabs' script threads win the CPU when they need it;
* while a job runs, TensorFlow's compute threads (which do the job's work) are in Linux's
  SCHED_IDLE class: they use only cores nothing else wants (:func:`lower_tensorflow_priority`);
* the same job (same key) asked by several tabs at once is computed once and shared;
* the caller's script thread waits, drawing progress (the job reports ``(done, total)``)
  and "waiting for N jobs ahead" -- Streamlit elements are only touched from that thread.
  If the user moves on, the job still finishes and its result is kept by the caller's
  cache for the next visit.

:func:`limit_tensorflow_threads` (``app.py`` calls it before TensorFlow loads) keeps one
core free of TensorFlow's intra-op pool on a machine with several (``LAYERLAB_TF_THREADS``
overrides the count).

May import: streamlit only (and the standard library).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["run", "submit", "pending", "heavy", "intake", "compute_slots", "lower_tensorflow_priority",
           "restore_tensorflow_policy", "limit_tensorflow_threads", "workers"]

_lock = threading.Lock()
_pool: dict[str, ThreadPoolExecutor] = {}
_running: dict[Hashable, Future] = {}
_progress: dict[Hashable, tuple[int, int]] = {}
NICE = 10


def workers() -> int:
    """Worker threads of the pool (LAYERLAB_JOB_WORKERS, default 1). Raises ValueError when not >= 1."""
    raw = os.environ.get("LAYERLAB_JOB_WORKERS", "").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"LAYERLAB_JOB_WORKERS must be a whole number >= 1, got {raw!r}")
    return int(raw)


def _lower_priority() -> None:
    try:  # Linux: PRIO_PROCESS with a thread id changes that thread only
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):
        pass


def _tensorflow_threads() -> list[int]:
    """Thread ids of TensorFlow's own compute threads (``tf_*``) in this process (Linux)."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return []
    found = []
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/comm") as fh:
                if fh.read().startswith("tf_"):
                    found.append(int(tid))
        except (OSError, ValueError):
            continue
    return found


def _set_idle(tid: int, idle: bool) -> None:
    """Linux SCHED_IDLE (``idle``) or back to the normal policy for thread ``tid``; silently
    nothing where the platform has no such policy."""
    try:
        policy = os.SCHED_IDLE if idle else os.SCHED_OTHER
        if os.sched_getscheduler(tid) != policy:
            os.sched_setscheduler(tid, policy, os.sched_param(0))
    except (AttributeError, OSError):
        pass


def lower_tensorflow_priority(*, idle: bool = False) -> int:
    """Give TensorFlow's own compute threads (``tf_*``, e.g. ``tf_Compute``) nice +10 (Linux).

    TensorFlow runs a job's operations on its thread pool, not on the job's (already lowered)
    thread, so a pattern's gradient steps would still compete at full priority with the
    threads that serve the other tabs. Every TensorFlow call is heavy next to serving a cached
    page, so the pool stays lowered for all of them. ``idle=True`` (while a long job runs)
    also puts them in Linux's SCHED_IDLE class: they then run only on a core nothing else
    wants, and a waking page-serving thread takes the core at once (at nice +10 a cached
    cheat-sheet load took x1.3 its idle time beside a pattern job, x1.15 with SCHED_IDLE).
    :func:`restore_tensorflow_policy` ends that. Returns how many threads' nice was changed.
    """
    changed = 0
    for tid in _tensorflow_threads():
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < NICE:
                os.setpriority(os.PRIO_PROCESS, tid, NICE)
                changed += 1
        except OSError:
            continue
        if idle:
            _set_idle(tid, True)
    return changed


def restore_tensorflow_policy() -> None:
    """TensorFlow's threads back to the normal policy (nice +10 kept) once no long job runs:
    a page's own TensorFlow call must not wait for idle cores while the server is busy."""
    for tid in _tensorflow_threads():
        _set_idle(tid, False)


def _executor() -> ThreadPoolExecutor:
    if "pool" not in _pool:
        _pool["pool"] = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="layerlab-job",
                                           initializer=_lower_priority)
    return _pool["pool"]


def pending() -> int:
    """Jobs submitted and not finished (running or waiting)."""
    with _lock:
        return sum(1 for f in _running.values() if not f.done())


def submit(key: Hashable, job: Callable[[Callable[[int, int], None]], Any]) -> Future:
    """Start ``job(progress)`` in the pool, or return the future of the same ``key`` in flight."""
    with _lock:
        future = _running.get(key)
        if future is not None and not future.done():
            return future

        def report(done: int, total: int) -> None:
            _progress[key] = (int(done), int(total))

        def work() -> Any:
            lower_tensorflow_priority(idle=True)  # also threads TensorFlow started since the last job
            try:
                return job(report)
            finally:
                with _lock:
                    _running.pop(key, None)
                    _progress.pop(key, None)
                    last = not any(not f.done() for f in _running.values())
                if last:
                    restore_tensorflow_policy()

        ahead = sum(1 for f in _running.values() if not f.done())
        future = _executor().submit(work)
        future.ahead = ahead  # type: ignore[attr-defined] - jobs queued before this one
        _running[key] = future
        return future


def run(key: Hashable, job: Callable[[Callable[[int, int], None]], Any], *,
        progress: Callable[[int, int], None] | None = None,
        waiting: Callable[[int], None] | None = None, poll: float = 0.2) -> Any:
    """Run ``job(report)`` in the pool and wait for its result in the calling thread.

    ``job`` gets a ``report(done, total)`` to call as it goes; the caller's ``progress(done,
    total)`` is called from the calling thread (safe for Streamlit elements) at most every
    ``poll`` seconds, and ``waiting(jobs_ahead)`` while the job has not started. Re-raises
    whatever the job raised.
    """
    future = submit(key, job)
    last = None
    while True:
        try:
            return future.result(timeout=poll)
        except TimeoutError:
            pass
        with _lock:
            now = _progress.get(key)
        if now is None and waiting is not None:
            waiting(pending() - 1)
        elif now is not None and now != last and progress is not None:
            progress(*now)
            last = now
        time.sleep(0)


def compute_slots(environ=os.environ) -> int:
    """How many new heavy results (a whole cheat sheet) may be computed at once
    (LAYERLAB_COMPUTE_SLOTS, default 1: TensorFlow runs one call at a time anyway, and 30 tabs
    each with its own upload finished sooner with one slot than with two). Raises ValueError
    when not a whole number >= 1."""
    raw = environ.get("LAYERLAB_COMPUTE_SLOTS", "").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"LAYERLAB_COMPUTE_SLOTS must be a whole number >= 1, got {raw!r}")
    return int(raw)


_slots: dict[str, threading.BoundedSemaphore] = {}


def heavy() -> threading.BoundedSemaphore:
    """``with jobs.heavy(): ...`` around a cache miss that holds a lot of memory while it runs.

    Thirty tabs each opening the sheet on their own upload would otherwise compute thirty
    sheets at once (~150 MB of arrays each; TensorFlow runs one call at a time anyway, so
    only memory grows): at most :func:`compute_slots` run, the others wait their turn.
    """
    with _lock:
        if "heavy" not in _slots:
            _slots["heavy"] = threading.BoundedSemaphore(compute_slots())
        return _slots["heavy"]


def intake() -> threading.BoundedSemaphore:
    """``with jobs.intake(): ...`` around decoding an upload: at most :func:`compute_slots` at once.

    Thirty tabs uploading 12 MP photos at once each held the file and its decoding buffers
    (~20 MB) in their own thread at the same moment; one after another, decoding a photo
    takes ~0.1 s, so the queue costs little time and ~0.5 GB less peak memory.
    """
    with _lock:
        if "intake" not in _slots:
            _slots["intake"] = threading.BoundedSemaphore(compute_slots())
        return _slots["intake"]


def limit_tensorflow_threads(environ=os.environ, cpus: int | None = None) -> int:
    """Set TensorFlow's intra-op threads (before TensorFlow loads) to leave one core free.

    ``LAYERLAB_TF_THREADS`` wins when set; else cores - 1 (at least 1). An operator's own
    ``TF_NUM_INTRAOP_THREADS`` is kept. Returns the count in effect.
    """
    if "TF_NUM_INTRAOP_THREADS" in environ:
        return int(environ["TF_NUM_INTRAOP_THREADS"])
    raw = environ.get("LAYERLAB_TF_THREADS", "").strip()
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = int(raw) if raw.isdigit() and int(raw) > 0 else max(1, cpus - 1)
    environ["TF_NUM_INTRAOP_THREADS"] = str(count)
    return count
