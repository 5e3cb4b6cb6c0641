"""Full-page browser screenshots of every page at projector and desktop sizes, plus a reachability check.

    python -m tests.browser.screenshots                       # every page, 1024×768 and 1920×1080
    python -m tests.browser.screenshots --pages merging pooling --sizes 1024x768
    python -m tests.browser.screenshots --url http://127.0.0.1:8501   # an already running server

Starts ``streamlit run app.py`` on 127.0.0.1 and a random free port (stopped by its PID at
the end) unless ``--url`` is given, opens each page in headless Chromium with the given
viewport, waits until the script is idle and every image in the main area has loaded,
then writes ``tests/artifacts/page-<name>-<W>x<H>.png`` (full page: the viewport is made as
tall as the page, its width kept). It also lists every control of the main area that a
person could not read or reach at that width (:func:`hidden_controls`) and prints them;
the exit status is 1 when any was found. Look at the pictures: that is what they are for.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .streamlit_server import ROOT, Server, launch_chromium

ARTIFACTS = ROOT / "tests" / "artifacts"

#: (name used in the file name, url path)
PAGES = (("home", ""), ("merging", "merging"), ("pooling", "pooling"), ("dense", "dense"),
         ("conv2d", "conv2d"), ("conv2d_transpose", "conv2d_transpose"), ("activations", "activations"),
         ("cheat_sheet", "cheat_sheet"), ("trained_models", "trained_models"), ("your_model", "your_model"))
SIZES = ((1024, 768), (1920, 1080))

IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
                 && !document.querySelector('[data-testid="stSpinner"]')"""
IMAGES_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] img'))
                 .map(i => i.complete && i.naturalWidth > 0)"""
HEIGHT_JS = """() => Math.max(document.documentElement.scrollHeight, ...Array.from(document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stMainBlockContainer"], [data-testid="stAppViewContainer"]'))
        .map(e => e.scrollHeight))"""

#: JavaScript: every control of the main area whose box is cut by the window's width or by an
#: ancestor that clips its overflow (so part of it can be neither read nor clicked), or whose
#: label text is wider than its own box (cut off with an ellipsis or hidden).
HIDDEN_JS = r"""() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return ['no main area'];
  // Sliders' thumbs and the inputs behind toggles and checkboxes are positioned inside tiny boxes
  // on purpose; their labels are checked instead. The data editor draws on a canvas.
  const sel = 'button, [role="radio"], [role="tab"], [role="combobox"], textarea, '
            + 'input:not([type="checkbox"]):not([type="radio"]):not([type="file"]):not([type="hidden"])'
            + ':not([role="slider"]), '
            + '[data-testid="stPageLink"] a, [data-testid="stWidgetLabel"], label';
  const viewW = document.documentElement.clientWidth;
  const out = [];
  for (const el of main.querySelectorAll(sel)) {
    if (!el.offsetParent) continue;                                  // not displayed (closed expander...)
    if (el.closest('[data-testid="stSlider"]') && !el.closest('[data-testid="stWidgetLabel"]')) continue;
    if (el.closest('[data-testid="stDataFrame"], [data-testid="stDataFrameResizable"]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const label = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || el.tagName)
                  .trim().replace(/\s+/g, ' ').slice(0, 60);
    if (r.left < -1 || r.right > viewW + 1) {
      out.push(`${label}: outside the window (x ${r.left|0}..${r.right|0}, window ${viewW})`);
      continue;
    }
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const st = getComputedStyle(p);
      if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
      const q = p.getBoundingClientRect();
      if (r.left < q.left - 1 || r.right > q.right + 1) {
        out.push(`${label}: cut by a clipping box (x ${r.left|0}..${r.right|0} in ${q.left|0}..${q.right|0})`);
        break;
      }
    }
    for (const t of [el, ...el.querySelectorAll('p, span, div')]) {
      // An ellipsis box shows "…" as soon as its text is 1 px too wide ("New" read "N…" at 26 > 24 px),
      // so it gets no rounding allowance; other clipping boxes get 2 px.
      const tst = getComputedStyle(t);
      const slack = tst.textOverflow === 'ellipsis' ? 0 : 2;
      if (t.scrollWidth > t.clientWidth + slack && tst.overflowX !== 'visible'
          && (t.innerText || '').trim()) {
        const text = t.innerText.trim().slice(0, 40);
        out.push(`${label}: text cut off ("${text}" needs ${t.scrollWidth}px, has ${t.clientWidth}px)`);
        break;
      }
    }
  }
  return [...new Set(out)];
}"""


def wait_idle(page, timeout: float = 300_000) -> None:
    """Wait until the script has finished running and stays finished (no spinner, no running icon)."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout)
    for _ in range(3):
        page.wait_for_timeout(500)
        page.wait_for_function(IDLE_JS, timeout=timeout, polling=100)


def wait_images(page, timeout: float = 90_000) -> tuple[int, int]:
    """Wait until every image of the main area has loaded; returns (loaded, total)."""
    deadline = time.monotonic() + timeout / 1000
    states = page.evaluate(IMAGES_JS)
    while not all(states) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        states = page.evaluate(IMAGES_JS)
    return sum(states), len(states)


def hidden_controls(page) -> list[str]:
    """Controls of the main area a person cannot fully read or reach at the current viewport (see HIDDEN_JS)."""
    return list(page.evaluate(HIDDEN_JS))


def open_page(context, base_url: str, path: str):
    """A new tab on ``base_url/path``, idle and with its images loaded."""
    page = context.new_page()
    page.set_default_timeout(300_000)
    page.goto(f"{base_url}/{path}")
    wait_idle(page)
    wait_images(page)
    return page


def full_page_png(page, path: Path, width: int, height: int) -> None:
    """Screenshot of the whole page at ``width``: the viewport is made as tall as the content."""
    tall = max(height, min(int(page.evaluate(HEIGHT_JS)) + 40, 20_000))
    page.set_viewport_size({"width": width, "height": tall})
    page.wait_for_timeout(700)
    wait_idle(page)
    wait_images(page)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": height})


def shoot(base_url: str, *, pages=PAGES, sizes=SIZES, out: Path = ARTIFACTS) -> dict[str, list[str]]:
    """Screenshots of ``pages`` at ``sizes`` into ``out``; returns {file name: hidden controls}."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    report: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for width, height in sizes:
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
                try:
                    for name, path in pages:
                        started = time.perf_counter()
                        page = open_page(context, base_url, path)
                        hidden = hidden_controls(page)  # at the real viewport, before it is made tall
                        errors = page.locator('[data-testid="stException"]').count()
                        file = out / f"page-{name}-{width}x{height}.png"
                        full_page_png(page, file, width, height)
                        page.close()
                        report[file.name] = hidden + ([f"{errors} exception box(es)"] if errors else [])
                        print(f"{file.name}: {time.perf_counter() - started:.1f} s, "
                              f"{len(report[file.name])} problem(s)", flush=True)
                        for line in report[file.name]:
                            print("   ", line, flush=True)
                finally:
                    context.close()
        finally:
            browser.close()
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", help="page names (default: all): " + ", ".join(n for n, _ in PAGES))
    parser.add_argument("--sizes", default="1024x768,1920x1080", help="comma-separated WxH")
    parser.add_argument("--url", help="use this running server instead of starting one")
    parser.add_argument("--out", type=Path, default=ARTIFACTS)
    args = parser.parse_args(argv)
    pages = [p for p in PAGES if not args.pages or p[0] in args.pages]
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    if args.url:
        report = shoot(args.url.rstrip("/"), pages=pages, sizes=sizes, out=args.out)
    else:
        with Server(log_path=args.out / "screenshots-server.log") as server:
            print(f"server {server.url} (pid {server.proc.pid})", flush=True)
            report = shoot(server.url, pages=pages, sizes=sizes, out=args.out)
    return 1 if any(report.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
