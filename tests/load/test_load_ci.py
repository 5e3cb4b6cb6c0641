"""The load benchmark, small (CI): 3 tabs upload their own photo, open the cheat sheet, close, idle.

Functional checks only, no timings: every tab gets its upload accepted and named by the
page, every image of the sheet is served (HTTP 200), the websocket never breaks, the app
shows no exception or error box, and all 3 tabs see the same number of images.
"""
from __future__ import annotations

import asyncio

from .load_bench import ROOT, Options, StreamlitServer, run_scenario


def test_three_tabs_upload_open_sheet_close_idle(tmp_path):
    server = StreamlitServer(ROOT, [], log=tmp_path / "server.log").start()
    try:
        report = asyncio.run(run_scenario(
            server.url,
            Options(tabs=3, pages=["cheat_sheet"], upload_mp=2.0, close=True, idle=5.0,
                    timeout=150, deadline=300),
            pid=server.proc.pid, log=lambda *_: None))
        assert server.proc.poll() is None, "the server died under 3 tabs"
    finally:
        server.stop()
    assert report["errors"] == 0, report["error_samples"]
    assert report["visits"] == 3
    images = report["per_page"]["cheat_sheet"]["images"]
    assert len(images) == 1 and images[0] > 0, images
    assert report["upload_bytes"] > 3 * 500_000
