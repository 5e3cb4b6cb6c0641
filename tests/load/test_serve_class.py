"""scripts/serve_class.sh on loopback: 2 app processes behind nginx, each tab on one process.

12 tabs each open the home page, upload their own photo through the proxy and open the
home page again. nginx's access log names, per request, the tab's sticky cookie and the
app process that answered: every tab's requests (websocket, images, upload) must come from
one process, both processes must serve tabs, and the client must see 0 errors. An upload
sent to the wrong process would be refused (Streamlit: "Invalid session_id"), and an image
asked of the wrong process would be a 404, so errors would show it too.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from .load_bench import ROOT, Options, free_port, run_scenario
from .run_async import run_to_completion

TABS = 12  # all on one of 2 processes by chance: 2 ** -11


def _start(port: int) -> tuple[subprocess.Popen, str, list[int]]:
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve_class.sh"), "2"], cwd=ROOT,
                            env=dict(os.environ, LAYERLAB_PORT=str(port), LAYERLAB_BIND="127.0.0.1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    banner, run_dir, deadline = "", "", time.monotonic() + 150
    while time.monotonic() < deadline and proc.poll() is None and not run_dir:
        line = proc.stdout.readline()
        banner += line
        found = re.search(r"run directory: (\S+)", line)
        run_dir = found.group(1) if found else ""
    assert run_dir, f"serve_class.sh did not come up:\n{banner}"
    pids = [int(p) for p in re.search(r"PIDs ([\d ]+);", banner).group(1).split()]
    return proc, run_dir, pids


def test_two_processes_each_tab_sticks_to_one(tmp_path: Path):
    port = free_port()
    proc, run_dir, app_pids = _start(port)
    try:
        report = run_to_completion(run_scenario(
            f"http://127.0.0.1:{port}",
            Options(tabs=TABS, pages=[""], upload_mp=1.0, timeout=120, deadline=150, warmup=False),
            log=lambda *_: None))
        log_lines = (Path(run_dir) / "access.log").read_text().splitlines()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

    assert report["errors"] == 0, report["error_samples"]
    assert report["visits"] == TABS
    assert report["per_page"][""]["images"] == [11]  # the home page's bundled sample thumbnails

    upstream_of: dict[str, set[str]] = {}
    kinds_of: dict[str, set[str]] = {}
    for line in log_lines:
        found = re.search(r'route=(\w+) upstream=(\S+) "(\w+) (\S+)', line)
        assert found, line
        route, upstream, method, path = found.groups()
        upstream_of.setdefault(route, set()).add(upstream)
        kind = ("ws" if path == "/_stcore/stream" else "media" if path.startswith("/media/")
                else "upload" if path.startswith("/_stcore/upload_file/") else "other")
        kinds_of.setdefault(route, set()).add(kind)
    tabs = [r for r, kinds in kinds_of.items() if {"ws", "media", "upload"} <= kinds]
    assert len(tabs) == TABS, kinds_of
    for route in tabs:
        assert len(upstream_of[route]) == 1, (route, upstream_of[route])
    assert len({next(iter(upstream_of[r])) for r in tabs}) == 2, upstream_of

    # Stopped cleanly: its app processes are gone and its run directory removed.
    assert proc.returncode in (0, 143), proc.returncode
    assert not Path(run_dir).exists()
    for pid in app_pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
