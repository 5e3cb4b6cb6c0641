"""The load benchmark, small (CI): 3 tabs upload their own photo, open the cheat sheet, close, idle.

Functional checks only, no timings: every tab gets its upload accepted and named by the
page, every image of the sheet is served (HTTP 200), the websocket never breaks, the app
shows no exception or error box, and all 3 tabs see the same number of images. Then, with
the reaper's grace period shortened to 2 s (LAYERLAB_SESSION_GRACE_S) and its status line
on (LAYERLAB_SESSION_LOG), the server itself reports that the closed tabs' sessions were shut
down and that Streamlit holds none of their uploads and images any more.
"""
from __future__ import annotations

import re
import time

from .load_bench import ROOT, Options, StreamlitServer, run_scenario
from .run_async import run_to_completion

STATUS = re.compile(r"^layerlab-sessions active=(\d+) disconnected=(\d+) reaped=(\d+) uploads_bytes=(\d+) "
                    r"media_files=(\d+) media_bytes=(\d+) pixels_bytes=(\d+) rss=(\d+)$", re.M)


def _statuses(log_text: str) -> list[dict[str, int]]:
    names = ("active", "disconnected", "reaped", "uploads_bytes", "media_files", "media_bytes", "pixels_bytes",
             "rss")
    return [dict(zip(names, map(int, m.groups()))) for m in STATUS.finditer(log_text)]


def test_status_line_parser_reads_every_field():
    line = ("layerlab-sessions active=1 disconnected=2 reaped=3 uploads_bytes=4 media_files=5 "
            "media_bytes=6 pixels_bytes=8 rss=7\n")
    assert _statuses("noise\n" + line) == [dict(active=1, disconnected=2, reaped=3, uploads_bytes=4,
                                                media_files=5, media_bytes=6, pixels_bytes=8, rss=7)]


def test_three_tabs_upload_open_sheet_close_idle(tmp_path):
    log = tmp_path / "server.log"
    server = StreamlitServer(ROOT, [], log=log,
                             env={"LAYERLAB_SESSION_GRACE_S": "2", "LAYERLAB_SESSION_LOG": "1"}).start()
    try:
        report = run_to_completion(run_scenario(
            server.url,
            Options(tabs=3, pages=["cheat_sheet"], upload_mp=2.0, close=True, idle=5.0,
                    timeout=150, deadline=300),
            pid=server.proc.pid, log=lambda *_: None))
        assert server.proc.poll() is None, "the server died under 3 tabs"
        during = [s for s in _statuses(log.read_text()) if s["active"] > 0]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the reaper ticks every 0.5 s with a 2 s grace
            last = _statuses(log.read_text())[-1:]
            if last and last[0]["reaped"] >= 4 and last[0]["disconnected"] == 0:
                break
            time.sleep(0.5)
    finally:
        server.stop()
    assert report["errors"] == 0, report["error_samples"]
    assert report["visits"] == 3
    images = report["per_page"]["cheat_sheet"]["images"]
    assert len(images) == 1 and images[0] > 0, images
    assert report["upload_bytes"] > 3 * 500_000
    # While tabs were open the server held uploads, images and download pixels (so the zeros below
    # mean something).
    assert max(s["uploads_bytes"] for s in during) > 500_000 and max(s["media_files"] for s in during) > 0
    assert max(s["pixels_bytes"] for s in during) > 0
    final = _statuses(log.read_text())[-1]
    # 3 tabs + the benchmark's warm-up tab closed and shut down; nothing of theirs left.
    assert (final["active"], final["disconnected"], final["reaped"]) == (0, 0, 4), final
    left = (final["uploads_bytes"], final["media_files"], final["media_bytes"], final["pixels_bytes"])
    assert left == (0, 0, 0, 0), final
