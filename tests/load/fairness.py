"""Fairness: a cheap page's load time while another tab computes filter patterns (issue 9).

    python -m tests.load.fairness [--page activations] [--visits 8] [--rounds 3] [--url http://127.0.0.1:8501]

Starts a server (127.0.0.1, stopped by its PID), warms the cheap page and the trained-model
page, then measures loads of the cheap page, each by a new tab (each: rerun until every image
has arrived), in ``--rounds`` rounds of ``--visits`` loads with nothing else running ("idle")
then ``--visits`` loads while a second tab computes a new filter pattern on the Trained models
page (``view=Patterns``, 80 steps of HED's block5_conv3; "busy"; the round waits for the
pattern to finish before its next idle loads). Alternating rounds keep a shared machine's
changing load out of the ratio. Prints the medians and their ratio (target <= 1.2).
"""
from __future__ import annotations

import argparse
import asyncio
import random
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


async def _pattern(base: str, filter_index: int) -> None:
    tab = Tab(base, 1, timeout=300)  # a new tab each time: a session reads the URL's settings once
    await tab.open()
    try:
        query = f"model={MODEL}&view=Patterns&player={LAYER}&steps=80&pfilter={filter_index}"
        await tab.run("trained_models", query)
    finally:
        await tab.close()


async def measure(base: str, page: str, visits: int, rounds: int = 3) -> dict:
    await _cheap_visits(base, page, 2)  # warm: the page and its cached panels
    warm = Tab(base, 2, timeout=300)
    await warm.open()
    await warm.run("trained_models", f"model={MODEL}&view=Patterns&steps=10&pfilter=0")
    await warm.close()
    idle: list[float] = []
    busy: list[float] = []
    overlapped = 0
    first = random.randrange(1, 500 - rounds)  # filters not computed before, also on a running server
    for r in range(rounds):
        idle += await _cheap_visits(base, page, visits)
        job = asyncio.create_task(_pattern(base, filter_index=first + r))
        await asyncio.sleep(4.0)  # the new tab has loaded the model page and the job is running
        busy += await _cheap_visits(base, page, visits)
        overlapped += not job.done()  # the busy loads ran while the pattern was still computing
        await job
    return {"page": page, "idle": idle, "busy": busy, "patterns": overlapped,
            "ratio": statistics.median(busy) / statistics.median(idle)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--page", default="pooling", help="the cheap page's url path")
    ap.add_argument("--visits", type=int, default=10, help="loads per round, idle and busy each")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--url", help="measure this running server instead of starting one")
    args = ap.parse_args(argv)
    server = None if args.url else StreamlitServer(ROOT, []).start()
    try:
        result = asyncio.run(measure(args.url or server.url, args.page, args.visits, args.rounds))
    finally:
        if server is not None:
            server.stop()
    print(f"{result['page']}: idle median {statistics.median(result['idle']):.3f} s, while patterns run "
          f"{statistics.median(result['busy']):.3f} s -> x{result['ratio']:.2f} "
          f"({result['patterns']} of the rounds' busy loads ended while the pattern still ran)")
    print("idle ms", [round(1000 * t) for t in result["idle"]], "busy ms", [round(1000 * t) for t in result["busy"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
