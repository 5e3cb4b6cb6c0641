"""Speed of the trained-model engine: one forward pass for every layer, and the cheap re-render.

    python -m tools.bench_models

``run()`` returns rows (name, seconds, baseline seconds or None), each time the median of
several runs after a warm-up; ``tools.bench`` includes them in its table. Targets on a 2-core
CPU (issue 4): digits all layers <= 50 ms; HED (VGG16) all layers at 224x224 <= 1.5 s;
switching the chosen layer re-renders from cached activations.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from typing import Callable

import numpy as np

__all__ = ["run", "median_seconds", "main"]


def median_seconds(fn: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of fn() over `repeats` runs after `warmup` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _digits_rows(repeats: int) -> list[tuple[str, float, float | None]]:
    import keras

    from vizcore import features
    from vizcore.models import digits

    model = digits.load_digits_model()
    batch = digits.load_split()[2][:1]
    start = time.perf_counter()
    extractor = features.build_extractor(model)
    build = time.perf_counter() - start
    one_pass = median_seconds(lambda: extractor.activations(batch), repeats=repeats)
    # baseline: what keract-style tools do, one keras.Model per layer, each run separately
    per_layer = [keras.Model(extractor.model.inputs[0], t) for t in extractor.model.outputs]
    baseline = median_seconds(lambda: [np.asarray(m(batch, training=False)) for m in per_layer], repeats=repeats)
    return [
        ("models: digits extractor build (once, cached)", build, None),
        ("models: digits all 8 layers, one pass [target <= 0.05 s] vs one model per layer",
         one_pass, baseline),
    ]


def _hed_rows(repeats: int) -> list[tuple[str, float, float | None]]:
    try:
        from vizcore.models import hed
    except ImportError:
        return []
    from vizcore import features, render
    from vizcore.images import load_sample

    if not hed.spec().available()[0]:
        return []
    model = hed.hed_model()
    batch = hed.preprocess(load_sample("Cat").image)
    start = time.perf_counter()
    extractor = features.build_extractor(model)
    build = time.perf_counter() - start
    n = len(extractor.layer_names)
    one_pass = median_seconds(lambda: extractor.activations(batch), repeats=repeats)
    # baseline: the model's own outputs only (what any predict costs)
    plain = median_seconds(lambda: model(batch, training=False), repeats=repeats)
    acts = extractor.activations(batch)
    conv = max((name for name in extractor.layer_names if len(acts[name].shape) == 4),
               key=lambda name: acts[name].shape[-1] * acts[name].shape[1])
    grid = median_seconds(lambda: render.feature_grid(acts[conv], scale="map", min_cell=48), repeats=repeats)
    return [
        ("models: HED extractor build (once, cached)", build, None),
        (f"models: HED all {n} layers at 224x224, one pass [target <= 1.5 s] vs final outputs only",
         one_pass, plain),
        (f"models: switch layer = grid of cached {conv} {acts[conv].shape[1:]} vs a new forward pass",
         grid, one_pass),
    ]


def _autoencoder_rows(repeats: int) -> list[tuple[str, float, float | None]]:
    from vizcore.images import load_sample
    from vizcore.models import seeds

    if not seeds.AUTOENCODER_WEIGHTS.exists():
        return []
    model = seeds.load_autoencoder()
    img = load_sample("Cat").image
    tiled = median_seconds(lambda: seeds.apply_tiled(model, img), repeats=repeats)
    return [(f"models: tile autoencoder over a {img.shape[1]}x{img.shape[0]} photo, batched tiles",
             tiled, None)]


def run(*, repeats: int = 5) -> list[tuple[str, float, float | None]]:
    """All model benchmark rows: (name, median seconds, baseline median seconds or None)."""
    rows = _digits_rows(repeats)
    rows += _hed_rows(repeats)
    rows += _autoencoder_rows(repeats)
    return rows


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    rows = run()
    width = max(len(r[0]) for r in rows)
    for name, seconds, baseline in rows:
        ratio = f"   baseline {baseline * 1000:9.1f} ms   x{baseline / seconds:6.1f}" if baseline else ""
        print(f"{name:<{width}}  {seconds * 1000:9.1f} ms{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
