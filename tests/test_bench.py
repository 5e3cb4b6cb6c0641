"""tools.bench: the naive baseline (fresh keras.Model + predict per panel, NumPy colour conversions
and stretch) reproduces every sheet panel; the timer measures a known sleep; the printed speed-up is
the ratio of the printed timings."""
from __future__ import annotations

import re
import time

import numpy as np
import pytest

from tools import bench
from vizcore import cheat_sheet

RNG = np.random.default_rng(3)


def test_naive_baseline_panels_equal_the_sheet_panels_on_an_8x8_image():
    a = RNG.random((8, 8, 3), dtype=np.float32)
    b = RNG.random((8, 8, 3), dtype=np.float32)
    naive = bench.naive_sheet(a, b, seed=2)
    fast = cheat_sheet(a, b, seed=2)
    assert [p.title for p in naive] == [p.title for p in fast]
    for n, f in zip(naive, fast):
        np.testing.assert_allclose(f.output, n.output, rtol=1e-5, atol=1e-5, err_msg=n.title)
        np.testing.assert_allclose(f.image, n.image, atol=1e-5, err_msg=n.title)


def test_time_call_measures_a_known_sleep_as_wall_time_not_cpu_time():
    stats = bench.time_call(lambda: time.sleep(0.03), repeats=3, warmup=0)
    assert len(stats["runs"]) == 3
    assert 0.03 <= stats["min"] <= stats["median"] < 0.03 + 0.25
    assert stats["cpu_median"] < 0.015  # a sleeping process uses (almost) no CPU


_VALUE = r"([\d.]+) (ms|s)"


def _seconds(number: str, unit: str) -> float:
    return float(number) / (1000 if unit == "ms" else 1)


def test_printed_speedup_is_the_printed_baseline_over_the_printed_sheet_time(monkeypatch, capsys):
    # The baseline is replaced by a 0.25 s sleep: a duration known without the code under test.
    monkeypatch.setattr(bench, "naive_sheet", lambda a, b: time.sleep(0.25))
    assert bench.main(["--sizes", "16", "--repeats", "2", "--baseline-repeats", "1",
                       "--single-size", "0", "--no-models"]) == 0
    out = capsys.readouterr().out
    row = re.search(rf"^\s*16²\s+(\d+)\s+{_VALUE}\s+{_VALUE}\s+{_VALUE}\s+{_VALUE}\s+{_VALUE}\s+([\d.]+)×\s*$",
                    out, flags=re.MULTILINE)
    assert row, out
    groups = row.groups()
    panels = int(groups[0])
    sheet = _seconds(groups[1], groups[2])
    baseline = _seconds(groups[7], groups[8])
    speedup = float(groups[11])
    assert panels == 62  # 7 merges × 4 spaces + 2 poolings × 4 + 26 one-channel feature panels
    assert baseline == pytest.approx(0.25, abs=0.2)
    # Printed to 0.1 ms and 0.1×: allow for that rounding only.
    rounding = speedup * (0.05e-3 / sheet + 0.05e-3 / baseline) + 0.05
    assert abs(speedup - baseline / sheet) <= rounding
