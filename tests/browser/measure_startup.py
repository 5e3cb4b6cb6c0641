"""Measure Layer Lab's start-up: `streamlit run app.py` -> first image visible in Chromium.

    python tests/browser/measure_startup.py [--runs 3]

Prints, per run: seconds until /_stcore/health answers, and until the first <img> in the
main area has loaded (naturalWidth > 0) in headless Chromium. Chromium is launched before
the server starts, so its own start-up is not counted. Target: first image <= 8 s.
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


def one_run(browser) -> tuple[float, float]:
    server = Server().start()
    try:
        healthy = server.wait_healthy(timeout=120)
        page = browser.new_page()
        page.goto(server.url, wait_until="commit")
        page.wait_for_function(FIRST_IMAGE_JS, timeout=120_000, polling=50)
        first_image = time.perf_counter() - server.started_at
        page.close()
        return healthy, first_image
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        results = []
        for i in range(args.runs):
            healthy, first = one_run(browser)
            results.append(first)
            print(f"run {i + 1}: server healthy {healthy:.2f} s, first image visible {first:.2f} s")
        browser.close()
    print(f"median first image: {statistics.median(results):.2f} s (target <= 8 s)")


if __name__ == "__main__":
    main()
