"""Measure Layer Lab in a real browser: start-up, and control change -> updated panel.

    python tests/browser/measure_startup.py [--runs 3] [--clicks 6]

Start-up, per run: seconds from `streamlit run app.py` until /_stcore/health answers,
and until the first <img> in the main area has loaded (naturalWidth > 0) in headless
Chromium. Chromium is launched before the server starts, so its own start-up is not
counted. Target: first image <= 8 s.

Interaction (a fresh server without Home's background warm-up, so nothing else runs; each
page visited once first): on Merging, click a merge kind and time until the result panel
shows a new, loaded image (milliseconds from click to pixels, browser and server
included); new settings each click (a cache miss), then settings seen before (a hit). The
same for Conv2D's kernel-editor presets.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from streamlit_server import Server, launch_chromium  # noqa: E402

FIRST_IMAGE_JS = """() => {
  const imgs = document.querySelectorAll('[data-testid="stMain"] img');
  return Array.from(imgs).some(i => i.complete && i.naturalWidth > 0);
}"""


IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')"""
NTH_IMAGE_JS = """([n, old]) => {
  const img = document.querySelectorAll('[data-testid="stMain"] img')[n];
  return img && img.src !== old && img.complete && img.naturalWidth > 0;
}"""


def _settle(page) -> None:
    page.wait_for_function(FIRST_IMAGE_JS, timeout=300_000, polling=50)
    for _ in range(3):
        page.wait_for_timeout(300)
        page.wait_for_function(IDLE_JS, timeout=300_000, polling=50)


def _click_until_new_image(page, locator, index: int) -> float:
    old = page.evaluate("(n) => document.querySelectorAll('[data-testid=\"stMain\"] img')[n].src", index)
    start = time.perf_counter()
    locator.click()
    page.wait_for_function(NTH_IMAGE_JS, arg=[index, old], timeout=120_000, polling=10)
    elapsed = (time.perf_counter() - start) * 1000
    _settle(page)
    return elapsed


def interaction(browser, server, clicks: int) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server.url + "/merging")
    _settle(page)
    main = page.locator('[data-testid="stMain"]')
    kinds = ["Subtract", "Multiply", "Average", "Maximum", "Minimum", "Add"][:clicks]
    miss = [_click_until_new_image(page, main.get_by_role("radio", name=k, exact=True).first, 2) for k in kinds]
    hit = [_click_until_new_image(page, main.get_by_role("radio", name=k, exact=True).first, 2)
           for k in ["Multiply", "Add"]]
    print(f"merging kind click -> new result image: miss median {statistics.median(miss):.0f} ms "
          f"(all {', '.join(f'{m:.0f}' for m in miss)}), cached {statistics.median(hit):.0f} ms")
    page.goto(server.url + "/conv2d?view=Kernel+editor")
    _settle(page)
    presets = ["blur", "sharpen", "emboss", "sobel_y", "vertical_line", "identity"][:clicks]
    times = []
    for name in presets:
        page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').nth(1).click()
        option = page.get_by_role("option", name=name.replace("_", " ").capitalize(), exact=True)
        times.append(_click_until_new_image(page, option, 1))
    print(f"conv2d kernel preset -> new result image: median {statistics.median(times):.0f} ms "
          f"(all {', '.join(f'{t:.0f}' for t in times)})")
    page.close()


def one_run(browser, keep: bool = False) -> tuple[float, float, Server | None]:
    server = Server().start()
    try:
        healthy = server.wait_healthy(timeout=120)
        page = browser.new_page()
        page.goto(server.url, wait_until="commit")
        page.wait_for_function(FIRST_IMAGE_JS, timeout=120_000, polling=50)
        first_image = time.perf_counter() - server.started_at
        page.close()
        return healthy, first_image, server if keep else None
    finally:
        if not keep:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clicks", type=int, default=6, help="control changes timed per page (0: skip)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        results = []
        for i in range(args.runs):
            healthy, first, _ = one_run(browser)
            results.append(first)
            print(f"run {i + 1}: server healthy {healthy:.2f} s, first image visible {first:.2f} s")
        print(f"median first image: {statistics.median(results):.2f} s (target <= 8 s)")
        if args.clicks > 0:
            with Server(env={"LAYER_LAB_NO_WARMUP": "1"}) as server:
                interaction(browser, server, args.clicks)
        browser.close()


if __name__ == "__main__":
    main()
