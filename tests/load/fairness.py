"""Fairness: a cheap page's load time while another tab computes filter patterns (issue 9).

    python -m tests.load.fairness [--page activations] [--visits 8]

Starts a server (127.0.0.1, stopped by its PID), warms the cheap page and the trained-model
page, then measures ``--visits`` loads of the cheap page, each by a new tab (each: rerun until every
image has arrived) twice: with nothing else running ("idle"), and while a second tab asks for
a new filter pattern after another on the Trained models page (``view=Patterns``, a new
filter each time, 80 steps; "busy"). Prints the medians and their ratio (target <= 1.2).
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys

from .load_bench import ROOT, StreamlitServer, Tab

#: The model whose patterns are computed: HED (VGG16 backbone, patterns on its 96x96 twin), the
#: heaviest bundled one (digits' patterns take well under a second).
MODEL = "hed"
#: A deep layer: its patterns take seconds (the first block's take a fraction of one).
LAYER = "block5_conv3"


async def _cheap_visits(base: str, page: str, visits: int) -> list[float]:
    times = []
    for _ in range(visits):  # a new tab each time, as students arriving: the whole page is sent
        tab = Tab(base, 0, timeout=120)
        await tab.open()
        try:
            seconds, _ = await tab.run(page)
            times.append(seconds)
        finally:
            await tab.close()
    return times


async def _patterns(base: str, stop: asyncio.Event, first: int) -> int:
    done = 0
    while not stop.is_set():  # a new tab each time: a session reads the URL's settings once
        tab = Tab(base, 1, timeout=300)
        await tab.open()
        try:
            query = f"model={MODEL}&view=Patterns&player={LAYER}&steps=80&pfilter={first + done}"
            await tab.run("trained_models", query)
        finally:
            await tab.close()
        done += 1
    return done


async def measure(base: str, page: str, visits: int) -> dict:
    await _cheap_visits(base, page, 2)  # warm: the page and its cached panels
    warm = Tab(base, 2, timeout=300)
    await warm.open()
    await warm.run("trained_models", f"model={MODEL}&view=Patterns&steps=10&pfilter=0")
    await warm.close()
    idle = await _cheap_visits(base, page, visits)
    stop = asyncio.Event()
    worker = asyncio.create_task(_patterns(base, stop, first=1))
    await asyncio.sleep(5.0)  # the pattern job is running (a new tab loads the model page first)
    busy = await _cheap_visits(base, page, visits)
    stop.set()
    patterns = await worker
    return {"page": page, "idle": idle, "busy": busy, "patterns": patterns,
            "ratio": statistics.median(busy) / statistics.median(idle)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--page", default="pooling", help="the cheap page's url path")
    ap.add_argument("--visits", type=int, default=10)
    args = ap.parse_args(argv)
    server = StreamlitServer(ROOT, []).start()
    try:
        result = asyncio.run(measure(server.url, args.page, args.visits))
    finally:
        server.stop()
    print(f"{result['page']}: idle median {statistics.median(result['idle']):.2f} s, while patterns run "
          f"{statistics.median(result['busy']):.2f} s -> x{result['ratio']:.2f} "
          f"({result['patterns']} patterns started)")
    print("idle", [round(t, 2) for t in result["idle"]], "busy", [round(t, 2) for t in result["busy"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
