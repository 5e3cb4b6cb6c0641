"""Load benchmark: N browser-like tabs driven through Streamlit's own websocket protocol.

No browser: each tab does what Streamlit's frontend does, at the protocol level.

1. ``GET /_stcore/health`` (the server sets the XSRF cookie there, as for a browser);
2. opens ``/_stcore/stream`` (sub-protocols ``streamlit, <xsrf token>``, Origin, cookie);
3. sends ``BackMsg.rerun_script`` with the page's url path as ``page_name`` and the query
   string, reads every ``ForwardMsg`` (deltas, ``ref_hash`` answered from the tab's own
   message cache, whose hashes it sends with the next rerun like the frontend);
4. fetches every image (``Element.imgs`` -> ``/media/...``) over HTTP as it arrives, at most
   6 at a time per tab, as a browser does;
5. optionally uploads a generated photo the way ``st.file_uploader`` does: picks "Upload" in
   the sidebar's *Source* control, asks for upload URLs (``BackMsg.file_urls_request``),
   ``PUT``s the file as multipart form data with the ``X-Xsrftoken`` header to
   ``/_stcore/upload_file/<session>/<file id>``, then reruns with the uploader's state.

Measured per page visit: seconds from sending the rerun until the run has finished *and*
every image of the final page has arrived ("time to all images"). Reported: p50/p90 of
that, bytes (websocket payloads + media bodies), the server's RSS (``VmRSS`` of the server
this script started, or of ``--pid``) before the tabs (after one warm-up visit), at its
peak and after the idle time, and errors (failed requests, closed sockets, timeouts,
exceptions or error boxes shown by the app).

Examples (from the repo root)::

    python -m tests.load.load_bench --tabs 30 --pages cheat_sheet
    python -m tests.load.load_bench --tabs 30 --pages all --spread
    python -m tests.load.load_bench --tabs 3 --upload-mp 12 --pages cheat_sheet --close --idle 30
    python -m tests.load.load_bench --url http://127.0.0.1:8501 --tabs 5      # a running server
    python -m tests.load.load_bench --validate-chromium cheat_sheet           # image count vs Chromium

Everything is bounded: each visit has ``--timeout``, the whole run ``--deadline``; the only
process it ever stops is the server it started itself (by PID).
"""
from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import websockets
from PIL import Image
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[2]
XSRF_COOKIE = "_streamlit_xsrf"
MEDIA_CONNECTIONS = 6  # parallel image requests per tab, as browsers do per host
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
ALERT_ERROR = 1  # Alert.Format.ERROR


# ----------------------------------------------------------------------------- HTTP
async def http_request(base: str, method: str, path: str, *, headers: dict | None = None,
                       body: bytes = b"", timeout: float = 60.0) -> tuple[int, dict, bytes]:
    """One HTTP/1.1 request on a fresh connection (``Connection: close``).

    Returns (status, headers with lower-case names, body); multiple Set-Cookie headers
    are joined with "\\n". Raises OSError / asyncio.TimeoutError / ValueError.
    """
    parsed = urllib.parse.urlsplit(base)

    async def run() -> tuple[int, dict, bytes]:
        reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port or 80)
        try:
            lines = [f"{method} {path} HTTP/1.1", f"Host: {parsed.netloc}", "Connection: close",
                     "User-Agent: layer-lab-load-bench", f"Content-Length: {len(body)}"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split()[1])
            hdrs: dict[str, str] = {}
            for line in header_lines:
                if ":" in line:
                    k, v = line.split(":", 1)
                    k = k.strip().lower()
                    hdrs[k] = hdrs[k] + "\n" + v.strip() if k in hdrs else v.strip()
            if "content-length" in hdrs:
                data = await reader.readexactly(int(hdrs["content-length"]))
            elif hdrs.get("transfer-encoding", "").lower() == "chunked":
                parts = []
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    parts.append(await reader.readexactly(size + 2))
                    if size == 0:
                        break
                data = b"".join(p[:-2] for p in parts)
            else:
                data = await reader.read()
            return status, hdrs, data
        finally:
            writer.close()

    return await asyncio.wait_for(run(), timeout)


def multipart(field_name: str, filename: str, content_type: str, data: bytes) -> tuple[str, bytes]:
    """(content type header, body) of a multipart/form-data body with one file, as FormData sends."""
    boundary = "----layerlab" + uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
    return f"multipart/form-data; boundary={boundary}", head + data + f"\r\n--{boundary}--\r\n".encode()


def make_photo(megapixels: float, seed: int) -> bytes:
    """A JPEG 'phone photo' of ``megapixels`` (4:3), smooth colours plus sensor-like noise.

    Different seeds give different pictures (so no server cache can share them).
    """
    rng = np.random.default_rng(seed)
    width = int(round((megapixels * 1e6 * 4 / 3) ** 0.5))
    height = int(round(width * 3 / 4))
    small = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8))
    base = np.asarray(small.resize((width, height), Image.BICUBIC), dtype=np.int16)
    noise = rng.integers(-10, 11, (height, width, 1), dtype=np.int16)
    pixels = np.clip(base + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=90)
    return out.getvalue()


# ----------------------------------------------------------------------------- one tab
@dataclass
class Visit:
    page: str
    seconds: float
    images: int
    ok: bool


@dataclass
class TabStats:
    index: int
    visits: list[Visit] = field(default_factory=list)
    upload_seconds: float | None = None
    ws_bytes: int = 0
    media_bytes: int = 0
    media_requests: int = 0
    upload_bytes: int = 0
    errors: list[str] = field(default_factory=list)


class Tab:
    """One browser tab: one websocket session, its media fetches and (optionally) an upload."""

    def __init__(self, base: str, index: int, *, timeout: float = 180.0):
        self.base = base.rstrip("/")
        self.stats = TabStats(index)
        self.timeout = timeout
        self.cookie = ""
        self.xsrf = ""
        self.session_id = ""
        self.ws = None
        self.nav: dict[str, str] = {}          # url path -> page script hash
        self.widgets: dict[str, WidgetState] = {}  # widget states this tab has set
        self._cache: dict[str, ForwardMsg] = {}  # the frontend's message cache (by hash)
        self._run_elems: dict[tuple, object] = {}
        self._run_done: asyncio.Event | None = None
        self._fetches: dict[str, asyncio.Task] = {}
        self._sem = asyncio.Semaphore(MEDIA_CONNECTIONS)
        self._file_urls: asyncio.Future | None = None
        self._reader: asyncio.Task | None = None
        self.last_elements: dict[tuple, object] = {}
        self.closing = False  # set before a deliberate close: not an error

    # -- connection
    async def open(self) -> None:
        status, hdrs, _ = await http_request(self.base, "GET", "/_stcore/health", timeout=30)
        if status != 200:
            raise RuntimeError(f"health answered {status}")
        # Keep every cookie, as a browser does: the XSRF cookie and, behind a proxy, its
        # sticky-session cookie (scripts/serve_class.sh).
        jar: dict[str, str] = {}
        for line in hdrs.get("set-cookie", "").split("\n"):
            name, _, rest = line.partition("=")
            if name.strip():
                jar[name.strip()] = rest.split(";")[0]
        self.xsrf = jar.get(XSRF_COOKIE, "")
        self.cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        parsed = urllib.parse.urlsplit(self.base)
        ws_url = ("wss" if parsed.scheme == "https" else "ws") + f"://{parsed.netloc}/_stcore/stream"
        protocols = ["streamlit"] + ([self.xsrf] if self.xsrf else [])
        extra = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await asyncio.wait_for(websockets.connect(
            ws_url, subprotocols=protocols, origin=f"{parsed.scheme}://{parsed.netloc}",
            additional_headers=extra, max_size=None, ping_interval=None), 30)
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        for task in self._fetches.values():
            task.cancel()
        await asyncio.gather(*self._fetches.values(), return_exceptions=True)

    # -- incoming messages
    async def _read(self) -> None:
        try:
            async for payload in self.ws:
                self.stats.ws_bytes += len(payload)
                msg = ForwardMsg()
                msg.ParseFromString(payload)
                self._handle(msg)
        except websockets.ConnectionClosed as exc:
            if not (exc.rcvd and exc.rcvd.code == 1000) and not self.closing:
                self.stats.errors.append(f"websocket closed: {exc}")
        finally:
            if self._run_done is not None:
                self._run_done.set()

    def _handle(self, msg: ForwardMsg) -> None:
        if msg.HasField("ref_hash"):
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self.stats.errors.append(f"ref_hash {msg.ref_hash} not in the tab's cache")
                return
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(msg.metadata)
            msg = full
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = msg
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if msg.new_session.initialize.session_id:
                self.session_id = msg.new_session.initialize.session_id
            self._run_elems = {}
        elif kind == "navigation":
            self.nav = {}
            for page in msg.navigation.app_pages:
                self.nav[page.url_pathname] = page.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            self._run_elems[tuple(msg.metadata.delta_path)] = element
            if element.WhichOneof("type") == "imgs":
                for img in element.imgs.imgs:
                    self._fetch(img.url)
        elif kind == "script_finished":
            if msg.script_finished not in (FINISHED_EARLY, FRAGMENT_DONE) and self._run_done is not None:
                self.last_elements = dict(self._run_elems)
                self._run_done.set()
        elif kind == "file_urls_response" and self._file_urls is not None and not self._file_urls.done():
            self._file_urls.set_result(msg.file_urls_response)

    def _fetch(self, url: str) -> None:
        if not url or url.startswith("data:") or url in self._fetches:
            return
        self._fetches[url] = asyncio.create_task(self._get_media(url))

    async def _get_media(self, url: str) -> float:
        path = url if url.startswith("/") else urllib.parse.urlsplit(url).path
        async with self._sem:
            headers = {"Cookie": self.cookie} if self.cookie else {}
            status, _, body = await http_request(self.base, "GET", path, headers=headers, timeout=self.timeout)
        self.stats.media_requests += 1
        self.stats.media_bytes += len(body)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return time.perf_counter()

    # -- actions
    def _client_state(self, page: str, query: str):
        msg = BackMsg()
        cs = msg.rerun_script
        cs.page_name = page
        cs.query_string = query
        if page in self.nav:
            cs.page_script_hash = self.nav[page]
        cs.widget_states.widgets.extend(self.widgets.values())
        cs.cached_message_hashes.extend(self._cache.keys())
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        cs.context_info.url = f"{self.base}/{page}" + (f"?{query}" if query else "")
        cs.context_info.color_scheme = "light"
        return msg

    async def run(self, page: str, query: str = "") -> tuple[float, dict]:
        """Rerun the script on ``page``; returns (seconds to finished run + all images, elements)."""
        self._run_done = asyncio.Event()
        start = time.perf_counter()
        await self.ws.send(self._client_state(page, query).SerializeToString())
        await asyncio.wait_for(self._run_done.wait(), self.timeout)
        if self.ws.state != websockets.protocol.State.OPEN:
            raise RuntimeError("websocket closed during the run")
        finished = time.perf_counter()
        elements = self.last_elements
        urls = {img.url for el in elements.values() if el.WhichOneof("type") == "imgs" for img in el.imgs.imgs}
        tasks = [self._fetches[u] for u in urls if u in self._fetches]
        done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), self.timeout)
        for item in done:
            if isinstance(item, BaseException):
                self.stats.errors.append(f"{page}: image: {item}")
        ends = [finished] + [t for t in done if isinstance(t, float)]
        self._app_errors(page, elements)
        return max(ends) - start, elements

    def _app_errors(self, page: str, elements: dict) -> None:
        for el in elements.values():
            kind = el.WhichOneof("type")
            if kind == "exception":
                self.stats.errors.append(f"{page}: app exception {el.exception.type}: {el.exception.message[:200]}")
            elif kind == "alert" and el.alert.format == ALERT_ERROR:
                self.stats.errors.append(f"{page}: error box: {el.alert.body[:200]}")

    async def visit(self, page: str, query: str = "") -> None:
        try:
            seconds, elements = await self.run(page, query)
            n = sum(len(el.imgs.imgs) for el in elements.values() if el.WhichOneof("type") == "imgs")
            self.stats.visits.append(Visit(page, seconds, n, True))
        except (asyncio.TimeoutError, RuntimeError, OSError, websockets.WebSocketException) as exc:
            self.stats.errors.append(f"{page}: {type(exc).__name__}: {exc}")
            self.stats.visits.append(Visit(page, float("nan"), 0, False))

    async def upload(self, data: bytes, *, page: str, filename: str) -> None:
        """Pick Source = Upload on ``page`` and upload ``data`` as the sidebar's file_uploader does."""
        start = time.perf_counter()
        source = _find(self.last_elements, "button_group", "Source")
        if source is None:
            raise RuntimeError(f"no 'Source' control on page {page!r}")
        state = WidgetState(id=source.button_group.id)
        state.string_array_value.data.append("Upload")
        self.widgets[state.id] = state
        _, elements = await self.run(page)
        uploader = _find(elements, "file_uploader", "Upload an image")
        if uploader is None:
            raise RuntimeError("no 'Upload an image' uploader after picking Upload")
        self._file_urls = asyncio.get_running_loop().create_future()
        req = BackMsg()
        req.file_urls_request.request_id = uuid.uuid4().hex
        req.file_urls_request.session_id = self.session_id
        req.file_urls_request.file_names.append(filename)
        await self.ws.send(req.SerializeToString())
        response = await asyncio.wait_for(self._file_urls, self.timeout)
        if response.error_msg or not response.file_urls:
            raise RuntimeError(f"file_urls_request refused: {response.error_msg!r}")
        urls = response.file_urls[0]
        content_type, body = multipart("file", filename, "image/jpeg", data)
        headers = {"Content-Type": content_type, "Origin": self.base}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.xsrf:
            headers["X-Xsrftoken"] = self.xsrf
        path = urls.upload_url if urls.upload_url.startswith("/") else urllib.parse.urlsplit(urls.upload_url).path
        status, _, text = await http_request(self.base, "PUT", path, headers=headers, body=body, timeout=self.timeout)
        self.stats.upload_bytes += len(body)
        if status not in (200, 204):
            raise RuntimeError(f"PUT {path} answered {status}: {text[:200]!r}")
        info = UploadedFileInfo(name=filename, size=len(data), file_id=urls.file_id)
        info.file_urls.CopyFrom(urls)
        up_state = WidgetState(id=uploader.file_uploader.id)
        up_state.file_uploader_state_value.CopyFrom(FileUploaderState(uploaded_file_info=[info]))
        self.widgets[up_state.id] = up_state
        _, elements = await self.run(page)
        self._app_errors(page, elements)
        if not any(filename in str(el) for el in elements.values()):
            raise RuntimeError(f"the page does not name the uploaded {filename} after the upload")
        self.stats.upload_seconds = time.perf_counter() - start


def _find(elements: dict, kind: str, label: str):
    for el in elements.values():
        if el.WhichOneof("type") == kind and getattr(el, kind).label == label:
            return el
    return None


# ----------------------------------------------------------------------------- server + RSS
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_bytes(pid: int) -> int | None:
    """VmRSS of ``pid`` in bytes from /proc, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) * 1024 if match else None


class StreamlitServer:
    """``streamlit run app.py`` on 127.0.0.1 in ``app_dir``; stopped by its own PID only."""

    def __init__(self, app_dir: Path, options: list[str], log: Path | None = None,
                 env: dict[str, str] | None = None):
        self.app_dir = Path(app_dir)
        self.env = dict(env or {})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.options = options
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> "StreamlitServer":
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(self.port),
               "--browser.gatherUsageStats", "false"]
        for opt in self.options:
            key, _, value = opt.partition("=")
            cmd += [f"--{key}", value]
        out = open(self.log, "wb") if self.log else subprocess.DEVNULL
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1", **self.env)
        self.proc = subprocess.Popen(cmd, cwd=self.app_dir, stdout=out, stderr=subprocess.STDOUT,
                                     env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode} (log: {self.log})")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit not healthy within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


class RssSampler:
    """Samples VmRSS of one PID every ``every`` seconds in the event loop; keeps the peak."""

    def __init__(self, pid: int | None, every: float = 0.2):
        self.pid, self.every, self.peak, self._task = pid, every, 0, None

    def now(self) -> int | None:
        return rss_bytes(self.pid) if self.pid else None

    async def _loop(self) -> None:
        while True:
            value = self.now() or 0
            self.peak = max(self.peak, value)
            await asyncio.sleep(self.every)

    def start(self) -> None:
        if self.pid:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


# ----------------------------------------------------------------------------- scenario
@dataclass
class Options:
    tabs: int = 3
    pages: list[str] = field(default_factory=lambda: ["cheat_sheet"])
    spread: bool = False           # tab i opens pages[i % len(pages)] only
    upload_mp: float = 0.0         # > 0: each tab uploads its own photo of this size first
    upload_page: str = ""          # page where the upload is done ("" = home)
    concurrency: int = 0           # tabs open at once (0 = all)
    close: bool = False            # close each tab when it is done (else all stay open to the end)
    idle: float = 0.0              # seconds to wait after all tabs are closed
    query: str = ""
    timeout: float = 180.0
    deadline: float = 1800.0
    warmup: bool = True


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


async def _one_tab(base: str, index: int, opts: Options, photo: bytes | None,
                   pages: list[str], gate: asyncio.Semaphore, done=None) -> Tab:
    async with gate:
        tab = Tab(base, index, timeout=opts.timeout)
        try:
            await tab.open()
            if photo is not None:
                try:
                    await tab.run(opts.upload_page)
                    await tab.upload(photo, page=opts.upload_page, filename=f"photo-{index}.jpg")
                except (asyncio.TimeoutError, RuntimeError, OSError, websockets.WebSocketException) as exc:
                    tab.stats.errors.append(f"upload: {type(exc).__name__}: {exc}")
            for page in pages:
                await tab.visit(page, opts.query)
        except (asyncio.TimeoutError, RuntimeError, OSError, websockets.WebSocketException) as exc:
            tab.stats.errors.append(f"open: {type(exc).__name__}: {exc}")
        finally:
            if opts.close:
                await tab.close()
            if done is not None:
                done(index)
        return tab


async def run_scenario(base: str, opts: Options, *, pid: int | None = None, log=print) -> dict:
    """Run the tabs against ``base``; returns the report dict (see :func:`format_report`)."""
    sampler = RssSampler(pid)
    photos = [make_photo(opts.upload_mp, seed=i) for i in range(opts.tabs)] if opts.upload_mp > 0 else []
    all_pages = opts.pages
    if opts.warmup or all_pages == ["all"]:
        # One tab visits every page once first, so "RSS before" includes TensorFlow and the
        # first-visit imports; with "all" it also learns the page list from st.navigation.
        probe = Tab(base, -1, timeout=opts.timeout)
        await probe.open()
        await probe.visit("")
        if all_pages == ["all"]:
            all_pages = list(probe.nav)  # url paths in navigation order (the default page is "")
        if opts.warmup:
            for page in all_pages:
                await probe.visit(page, opts.query)
        await probe.close()
        if probe.stats.errors:
            log(f"warm-up errors: {probe.stats.errors}")
    rss_before = sampler.now()
    sampler.start()
    gate = asyncio.Semaphore(opts.concurrency or opts.tabs)
    started = time.perf_counter()
    jobs = []
    finished: list[int | None] = []  # RSS when each tab finished, in finishing order

    def tab_done(_index: int) -> None:
        finished.append(sampler.now())

    for i in range(opts.tabs):
        pages = [all_pages[i % len(all_pages)]] if opts.spread else list(all_pages)
        jobs.append(_one_tab(base, i, opts, photos[i] if photos else None, pages, gate, tab_done))
    try:
        tabs: list[Tab] = await asyncio.wait_for(asyncio.gather(*jobs), opts.deadline)
    finally:
        wall = time.perf_counter() - started
    rss_peak_tabs = max(sampler.peak, rss_before or 0)
    if not opts.close:
        await asyncio.gather(*(tab.close() for tab in tabs))
    stats = [tab.stats for tab in tabs]
    rss_closed = sampler.now()
    if opts.idle > 0:
        log(f"idle {opts.idle:.0f} s with every tab closed ...")
        await asyncio.sleep(opts.idle)
    rss_after = sampler.now()
    await sampler.stop()
    times = [v.seconds for s in stats for v in s.visits if v.ok]
    per_page: dict[str, list[float]] = {}
    images: dict[str, set[int]] = {}
    for s in stats:
        for v in s.visits:
            if v.ok:
                per_page.setdefault(v.page, []).append(v.seconds)
                images.setdefault(v.page, set()).add(v.images)
    errors = [f"tab {s.index}: {e}" for s in stats for e in s.errors]
    uploads = [s.upload_seconds for s in stats if s.upload_seconds is not None]
    return {
        "tabs": opts.tabs, "pages": all_pages, "spread": opts.spread, "upload_mp": opts.upload_mp,
        "close": opts.close, "idle_s": opts.idle, "wall_s": wall,
        "visits": len(times), "p50_s": _pct(times, 0.5), "p90_s": _pct(times, 0.9),
        "max_s": max(times, default=float("nan")),
        "per_page": {p: {"p50_s": _pct(v, 0.5), "p90_s": _pct(v, 0.9), "images": sorted(images[p])}
                     for p, v in per_page.items()},
        "upload_p50_s": _pct(uploads, 0.5) if uploads else None,
        "ws_bytes": sum(s.ws_bytes for s in stats), "media_bytes": sum(s.media_bytes for s in stats),
        "media_requests": sum(s.media_requests for s in stats),
        "upload_bytes": sum(s.upload_bytes for s in stats),
        "rss_before": rss_before, "rss_peak": max(rss_peak_tabs, sampler.peak) if pid else None,
        "rss_first_tab": finished[0] if finished else None,
        "rss_closed": rss_closed, "rss_after": rss_after,
        "errors": len(errors), "error_samples": errors[:20],
    }


def _mb(n) -> str:
    return "-" if n is None else f"{n / 1e6:,.1f} MB"


def format_report(r: dict) -> str:
    lines = [
        f"tabs {r['tabs']}  pages {','.join(p or 'home' for p in r['pages'])}{' (spread)' if r['spread'] else ''}"
        f"  upload {r['upload_mp']} MP  close {r['close']}  idle {r['idle_s']:.0f} s  wall {r['wall_s']:.1f} s",
        f"time to all images: p50 {r['p50_s']:.2f} s  p90 {r['p90_s']:.2f} s  max {r['max_s']:.2f} s"
        f"  ({r['visits']} visits)",
    ]
    if r["upload_p50_s"] is not None:
        lines.append(f"upload (pick Upload + PUT + rerun): p50 {r['upload_p50_s']:.2f} s,"
                     f" {_mb(r['upload_bytes'])} sent")
    for page, v in r["per_page"].items():
        lines.append(f"  {page or 'home':<18} p50 {v['p50_s']:6.2f} s  p90 {v['p90_s']:6.2f} s  images {v['images']}")
    lines += [
        f"bytes: websocket {_mb(r['ws_bytes'])} + media {_mb(r['media_bytes'])} ({r['media_requests']} requests)"
        f" = {_mb(r['ws_bytes'] + r['media_bytes'])}",
        f"server RSS: before {_mb(r['rss_before'])}  after the first tab {_mb(r.get('rss_first_tab'))}"
        f"  peak {_mb(r['rss_peak'])}  tabs closed {_mb(r['rss_closed'])}  after idle {_mb(r['rss_after'])}",
        f"errors: {r['errors']}",
    ]
    lines += [f"  {e}" for e in r["error_samples"]]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- Chromium check
def chromium_image_count(base: str, page: str, *, timeout: float = 180.0) -> int:
    """Media images a real Chromium shows for ``page`` once the page has settled."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            pg = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
            pg.goto(f"{base}/{page}", timeout=timeout * 1000)
            count_js = ("() => Array.from(document.images).filter(i => i.src.includes('/media/')"
                        " && i.complete && i.naturalWidth > 0).length")
            running_js = "() => !!document.querySelector('[data-testid=\"stStatusWidget\"]')"
            deadline, last, stable_since = time.monotonic() + timeout, -1, time.monotonic()
            while time.monotonic() < deadline:
                pg.wait_for_timeout(500)
                n = pg.evaluate(count_js)
                if n != last or pg.evaluate(running_js):
                    last, stable_since = n, time.monotonic()
                elif n > 0 and time.monotonic() - stable_since > 4:
                    return n
            return last
        finally:
            browser.close()


# ----------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="connect to this running server instead of starting one")
    ap.add_argument("--pid", type=int, help="PID whose RSS to report (with --url)")
    ap.add_argument("--app-dir", default=str(ROOT), help="directory with app.py to serve (default: this repo)")
    ap.add_argument("--st", action="append", default=[], metavar="KEY=VALUE",
                    help="extra streamlit option for the server it starts, e.g. server.fileWatcherType=auto")
    ap.add_argument("--tabs", type=int, default=3)
    ap.add_argument("--pages", default="cheat_sheet", help="comma-separated url paths ('' = home) or 'all'")
    ap.add_argument("--spread", action="store_true", help="tab i opens only page i mod len(pages)")
    ap.add_argument("--upload-mp", type=float, default=0.0, help="each tab uploads its own photo of this many MP")
    ap.add_argument("--upload-page", default="", help="page where the upload is made (default home)")
    ap.add_argument("--concurrency", type=int, default=0, help="tabs open at once (0 = all; 1 = one after another)")
    ap.add_argument("--close", action="store_true", help="close each tab as soon as it is done")
    ap.add_argument("--idle", type=float, default=0.0, help="seconds to wait with every tab closed before the last RSS")
    ap.add_argument("--query", default="", help="query string sent with each page (e.g. sample=Cat)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds per page visit")
    ap.add_argument("--deadline", type=float, default=1800.0, help="seconds for the whole run")
    ap.add_argument("--no-warmup", action="store_true", help="skip the one warm-up visit before measuring")
    ap.add_argument("--validate-chromium", metavar="PAGE",
                    help="compare this page's image count with a real Chromium page load and exit")
    ap.add_argument("--json", help="also write the report as JSON here")
    ap.add_argument("--log", help="server log file (default: none)")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="environment variable for the server it starts, e.g. LAYERLAB_SESSION_GRACE_S=10")
    args = ap.parse_args(argv)

    server = None
    base, pid = args.url, args.pid
    if not base:
        env = dict(item.partition("=")[::2] for item in args.env)
        server = StreamlitServer(Path(args.app_dir), args.st, Path(args.log) if args.log else None,
                                 env=env).start()
        base, pid = server.url, server.proc.pid
        print(f"server pid {pid} at {base} ({args.app_dir})", flush=True)
    try:
        if args.validate_chromium is not None:
            page = args.validate_chromium
            opts = Options(tabs=1, pages=[page], timeout=args.timeout, warmup=True)
            report = asyncio.run(run_scenario(base, opts, pid=pid))
            protocol = report["per_page"].get(page, {}).get("images", [])
            browser = chromium_image_count(base, page, timeout=args.timeout)
            same = protocol == [browser]
            verdict = "same" if same else "DIFFERENT"
            print(f"{page or 'home'}: protocol client {protocol}, Chromium {browser} -> {verdict}")
            return 0 if same else 1
        pages = ["all"] if args.pages == "all" else args.pages.split(",")
        opts = Options(tabs=args.tabs, pages=pages, spread=args.spread, upload_mp=args.upload_mp,
                       upload_page=args.upload_page, concurrency=args.concurrency, close=args.close,
                       idle=args.idle, query=args.query, timeout=args.timeout, deadline=args.deadline,
                       warmup=not args.no_warmup)
        report = asyncio.run(run_scenario(base, opts, pid=pid))
        report["server_options"] = args.st
        print(format_report(report), flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2))
        return 1 if report["errors"] else 0
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
