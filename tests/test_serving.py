"""Serving a class (issue 9): cell-size display bytes, the upload store, the job pool, the session reaper.

References are independent: NumPy block averages for the reduced picture, hashlib for the
content key, counted calls and thread names for the pool, a fake session manager with a
hand-set clock for the reaper.
"""
from __future__ import annotations

import hashlib
import io
import threading
import time

import numpy as np
import pytest
from PIL import Image

from ui import jobs, panels, sessions, uploads


def _decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64)


def test_cell_bytes_are_the_block_averaged_picture_at_most_512_px():
    rng = np.random.default_rng(0)
    coarse = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    big = np.kron(coarse, np.ones((256, 256, 1), np.uint8))  # 2048², flat 256-px blocks
    data, fmt = panels.to_cell(big)
    shown = _decode(data)
    assert fmt == "JPEG" and shown.shape == (512, 512, 3)
    reference = big.reshape(512, 4, 512, 4, 3).mean(axis=(1, 3))  # 4x4 block average
    assert np.abs(shown - reference)[8:-8, 8:-8].mean() < 3.0
    full, _ = panels.to_display(big)
    assert _decode(full).shape == (1024, 1024, 3) and len(data) < len(full)


def test_tiny_pictures_stay_crisp_png_in_a_cell():
    data, fmt = panels.to_cell(np.eye(5, dtype=np.float32))
    assert fmt == "PNG"
    shown = _decode(data)
    assert shown.shape[0] >= 512 and shown[0, 0, 0] == 255 and shown[0, -1, 0] == 0


def test_upload_store_keeps_one_file_per_content_named_by_its_sha1(tmp_path):
    store = uploads.UploadStore(tmp_path, max_bytes=10_000)
    digest = store.put(b"a" * 1000)
    assert digest == hashlib.sha1(b"a" * 1000).hexdigest()
    assert store.put(b"a" * 1000) == digest and store.nbytes == 1000
    assert store.read(digest) == b"a" * 1000


def test_upload_store_drops_the_least_recently_used_file_first(tmp_path):
    store = uploads.UploadStore(tmp_path, max_bytes=2500)
    first, second = store.put(b"1" * 1000), store.put(b"2" * 1000)
    time.sleep(0.02)
    assert store.read(first) is not None  # first is now the most recently used
    third = store.put(b"3" * 1000)  # 3000 > 2500: one file must go, the least recently used
    assert store.read(second) is None
    assert store.read(first) == b"1" * 1000 and store.read(third) == b"3" * 1000
    assert store.nbytes == 2000


@pytest.mark.parametrize("digest", ["../etc/passwd", "ABC", "g" * 40], ids=["path", "short", "not-hex"])
def test_upload_store_refuses_what_is_not_a_sha1(tmp_path, digest):
    with pytest.raises(ValueError, match="SHA-1"):
        uploads.UploadStore(tmp_path, max_bytes=10).read(digest)


def test_identical_jobs_asked_at_once_run_once_in_the_pool_thread():
    calls, seen_threads, progress = [], [], []
    release = threading.Event()

    def job(report):
        calls.append(1)
        seen_threads.append(threading.current_thread().name)
        release.wait(5)
        report(1, 2)
        time.sleep(0.3)
        return 42

    results = []
    waiter = threading.Thread(target=lambda: results.append(jobs.run("same", job)))
    waiter.start()
    time.sleep(0.1)
    release.set()
    results.append(jobs.run("same", job, progress=lambda d, t: progress.append((d, t, threading.current_thread()))))
    waiter.join(5)
    assert results == [42, 42] and calls == [1]
    assert seen_threads[0].startswith("layerlab-job")
    assert progress and all(p[:2] == (1, 2) and p[2] is threading.main_thread() for p in progress)


def test_a_job_error_reaches_the_caller():
    def job(report):
        raise ValueError("bad filter 99")

    with pytest.raises(ValueError, match="bad filter 99"):
        jobs.run("broken", job)


@pytest.mark.parametrize("env, cpus, threads", [
    ({}, 2, 1), ({}, 8, 7), ({}, 1, 1), ({"LAYERLAB_TF_THREADS": "2"}, 2, 2),
    ({"TF_NUM_INTRAOP_THREADS": "4"}, 2, 4)],
    ids=["2-cores-leave-one", "8-cores", "1-core", "operator-setting", "tf-setting-kept"])
def test_tensorflow_threads_leave_one_core_free(env, cpus, threads):
    assert jobs.limit_tensorflow_threads(env, cpus=cpus) == threads
    assert env["TF_NUM_INTRAOP_THREADS"] == str(threads)


class _Session:
    def __init__(self, session_id):
        self.id, self.shut = session_id, 0

    def shutdown(self):
        self.shut += 1


class _Manager:
    """Just what the reaper reads: active sessions, a storage with list(), close_session."""

    def __init__(self):
        self.active, self.stored = {}, {}
        self._session_storage = self
        self.closed = []

    def list(self):
        return [type("Info", (), {"session": s})() for s in self.stored.values()]

    def list_active_sessions(self):
        return [type("Info", (), {"session": s})() for s in self.active.values()]

    def close_session(self, session_id):
        self.closed.append(session_id)
        session = self.stored.pop(session_id, None)
        if session is not None:
            session.shutdown()


def test_the_reaper_closes_a_tab_gone_longer_than_the_grace_period_only():
    manager, reaper = _Manager(), sessions.Reaper(grace=60, tick=1)
    gone, blip = _Session("gone"), _Session("blip")
    manager.stored = {"gone": gone, "blip": blip}
    assert reaper.sweep(manager, now=0) == 0
    manager.active["blip"] = manager.stored.pop("blip")  # reconnected after a network blip
    assert reaper.sweep(manager, now=59) == 0 and gone.shut == 0
    assert reaper.sweep(manager, now=61) == 1
    assert gone.shut == 1 and manager.closed == ["gone"] and blip.shut == 0 and reaper.reaped == 1


def test_the_reaper_also_shuts_down_a_session_streamlit_already_dropped_by_ttl():
    manager, reaper = _Manager(), sessions.Reaper(grace=200, tick=1)
    old = _Session("old")
    manager.stored = {"old": old}
    reaper.sweep(manager, now=0)
    manager.stored.clear()  # Streamlit's 120 s TTL dropped the entry without shutting it down
    assert reaper.sweep(manager, now=201) == 1 and old.shut == 1


@pytest.mark.parametrize("raw, grace", [("", 90.0), ("5", 5.0), ("0", 0.0)], ids=["default", "short", "zero"])
def test_grace_period_from_the_environment(raw, grace):
    got, tick, log = sessions.settings({"LAYERLAB_SESSION_GRACE_S": raw})
    assert got == grace and 0.5 <= tick <= 15 and log is False


@pytest.mark.parametrize("raw", ["soon", "-1"], ids=["words", "negative"])
def test_a_bad_grace_period_is_refused_naming_the_variable(raw):
    with pytest.raises(ValueError, match="LAYERLAB_SESSION_GRACE_S.*" + raw):
        sessions.settings({"LAYERLAB_SESSION_GRACE_S": raw})



def test_cells_keep_full_chroma_so_fine_colour_detail_survives():
    stripes = np.zeros((400, 400, 3))  # <= CELL_SIDE: not reduced
    stripes[:, ::2, 0] = 1.0  # one-pixel red / green columns: 4:2:0 chroma would blur them to yellow
    stripes[:, 1::2, 1] = 1.0
    shown = _decode(panels.to_cell(stripes)[0])
    assert shown[:, ::2, 0].mean() > 200 and shown[:, ::2, 1].mean() < 60
    assert shown[:, 1::2, 1].mean() > 200 and shown[:, 1::2, 0].mean() < 60


def _pixels(mb: float) -> np.ndarray:
    return np.zeros(int(mb * 1_000_000), np.uint8)


def test_held_pixels_go_with_their_tab_and_the_least_recent_tab_first():
    from ui.held import Held

    kept = Held(max_bytes=3_000_000)
    kept.keep("tab-a", "dl-1", _pixels(1))
    kept.keep("tab-b", "dl-1", _pixels(1))
    kept.keep("tab-a", "dl-1", _pixels(1))  # same button redrawn: replaced, not added
    assert (kept.nbytes, kept.sessions) == (2_000_000, 2)
    kept.keep("tab-c", "dl-1", _pixels(1.5))  # 3.5 MB > 3 MB: tab-b drew least recently
    assert (kept.nbytes, kept.sessions) == (2_500_000, 2)
    kept.forget("tab-a")  # closed
    assert (kept.nbytes, kept.sessions) == (1_500_000, 1)


@pytest.mark.parametrize("raw", ["lots", "0"], ids=["words", "zero"])
def test_a_bad_memory_budget_is_refused_naming_the_variable(raw):
    from ui.held import budget_bytes

    with pytest.raises(ValueError, match="LAYERLAB_CACHE_MB"):
        budget_bytes({"LAYERLAB_CACHE_MB": raw})


@pytest.mark.parametrize("name, call", [
    ("LAYERLAB_MALLOC_ARENAS", sessions.limit_malloc_arenas),
    ("LAYERLAB_MMAP_THRESHOLD_KB", sessions.fix_mmap_threshold)], ids=["arenas", "mmap-threshold"])
def test_allocator_settings_refuse_what_is_not_a_whole_number(name, call):
    with pytest.raises(ValueError, match=name):
        call({name: "lots"})
    assert call({name: "0"}) is None  # 0 keeps glibc's own behaviour


class _Held:
    """Stands for a finished page run's globals: a cycle (like a module dict and its functions)."""


def _cycle_holding(nbytes: int):
    import weakref

    node = _Held()
    node.self = node  # only the cyclic collector can free it
    node.pixels = np.ones(nbytes, np.uint8)
    return weakref.ref(node)


def test_collect_cycles_frees_cycles_made_before_and_after_its_first_call():
    import gc

    was_enabled = gc.isenabled()
    gc.disable()  # only collect_cycles may free the cycles below
    try:
        before = _cycle_holding(1_000_000)
        sessions.collect_cycles()
        assert before() is None
        assert gc.get_freeze_count() > 0  # what survived the first call is not scanned again
        after = _cycle_holding(1_000_000)
        assert after() is not None
        sessions.collect_cycles()
        assert after() is None
    finally:
        if was_enabled:
            gc.enable()


def test_tensorflow_compute_threads_are_lowered_and_others_are_not():
    import os

    tf = pytest.importorskip("tensorflow")
    tf.reduce_sum(tf.ones((64, 64)))  # TensorFlow starts its thread pool
    jobs.lower_tensorflow_priority()
    nice = {}
    for tid in os.listdir("/proc/self/task"):
        name = open(f"/proc/self/task/{tid}/comm").read().strip()
        nice.setdefault(name.startswith("tf_"), set()).add(os.getpriority(os.PRIO_PROCESS, int(tid)))
    assert nice.get(True) and min(nice[True]) >= jobs.NICE
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < jobs.NICE  # this thread untouched


def test_tensorflow_threads_use_only_idle_cores_while_a_long_job_runs_and_come_back_after():
    import os

    tf = pytest.importorskip("tensorflow")
    if not hasattr(os, "SCHED_IDLE"):
        pytest.skip("no SCHED_IDLE on this platform")
    tf.reduce_sum(tf.ones((64, 64)))  # TensorFlow starts its thread pool

    def policies() -> dict[bool, set[int]]:
        found: dict[bool, set[int]] = {}
        for tid in os.listdir("/proc/self/task"):
            name = open(f"/proc/self/task/{tid}/comm").read().strip()
            found.setdefault(name.startswith("tf_"), set()).add(os.sched_getscheduler(int(tid)))
        return found

    jobs.lower_tensorflow_priority(idle=True)
    during = policies()
    jobs.restore_tensorflow_policy()
    after = policies()
    assert during[True] == {os.SCHED_IDLE} and os.SCHED_IDLE not in during[False]
    assert after[True] == {os.SCHED_OTHER}
    assert all(os.getpriority(os.PRIO_PROCESS, int(tid)) >= jobs.NICE for tid in os.listdir("/proc/self/task")
               if open(f"/proc/self/task/{tid}/comm").read().startswith("tf_"))  # still nice +10


def test_when_the_last_tab_is_reaped_the_picture_caches_are_released(monkeypatch):
    """50 different uploads leave the bounded shared caches full; once nobody is left they go."""
    from ui import compute, sidebar

    cleared = []
    for cached in (*compute.IMAGE_CACHES, *sidebar.IMAGE_CACHES):
        monkeypatch.setattr(cached, "clear", lambda c=cached: cleared.append(c))
    manager, reaper = _Manager(), sessions.Reaper(grace=10, tick=1)
    manager.stored = {"a": _Session("a")}
    manager.active = {"b": _Session("b")}
    reaper.sweep(manager, now=0)
    assert reaper.sweep(manager, now=11) == 1 and not reaper.server_empty(manager)  # "b" is still open
    manager.active.clear()
    assert reaper.server_empty(manager)
    assert sessions.release_image_caches() == len(compute.IMAGE_CACHES) + len(sidebar.IMAGE_CACHES)
    assert compute.sheet in cleared and sidebar.IMAGE_CACHES[0] in cleared
    assert compute.activation_plot not in cleared  # not keyed by a picture
