"""vizcore.bench: the naive baseline (fresh keras.Model + predict per panel, NumPy colour
conversions) reproduces every sheet panel, and the report has the structure it prints."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore import bench
from vizcore import sheet as S

RNG = np.random.default_rng(3)


def test_naive_baseline_reproduces_the_fast_sheet():
    a = RNG.random((6, 9, 3), dtype=np.float32)
    b = RNG.random((6, 9, 3), dtype=np.float32)
    naive = bench.naive_sheet(a, b, seed=2)
    fast = S.cheat_sheet(a, b, seed=2)
    assert [p.title for p in naive] == [p.title for p in fast]
    for n, f in zip(naive, fast):
        np.testing.assert_allclose(f.output, n.output, rtol=1e-5, atol=1e-5, err_msg=n.title)
        np.testing.assert_allclose(f.image, n.image, atol=1e-5, err_msg=n.title)


def test_report_structure_and_speedup_arithmetic(monkeypatch):
    monkeypatch.setattr(bench, "naive_sheet", lambda a, b: S.cheat_sheet(a, b))  # keep the test quick
    report = bench.run(sizes=(16, 24), repeats=2, baseline_sizes=(16,), baseline_repeats=1, single_size=16)
    rows = report["sheet"]
    assert [r["size"] for r in rows] == [16, 24] and all(r["panels"] == 66 for r in rows)
    assert len(rows[0]["sheet"]["runs"]) == 2
    assert rows[0]["speedup"] == pytest.approx(rows[0]["baseline"]["median"] / rows[0]["sheet"]["median"])
    assert rows[1]["baseline"] is None and rows[1]["speedup"] is None
    assert [name for name, _ in report["single"]] == list(bench._single_calls(None, None))
    text = bench.format_report(report)
    assert "16²" in text and "24²" in text and "speed-up" in text and "Single panels at 16²" in text
