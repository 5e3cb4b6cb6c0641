"""How fast is the cheat sheet? ``python -m tools.bench``

Times, in one run:

* the whole sheet (:func:`vizcore.cheat_sheet`, 62 panels) at 512² and 1024²:
  median of ``--repeats`` (default 5) runs after one warm-up run (the warm-up
  builds the layers and traces the graph, once per process);
* the naive baseline (:func:`naive_sheet`): the same panels, each from a fresh
  ``keras.Model`` and ``model.predict``, with the colour conversions
  (``vizcore.to_space`` / ``from_space``) and the display stretch in NumPy -- what a
  notebook would do; median of ``--baseline-repeats`` (default 3);
* single-panel calls at 512², what a page recomputes when one control changes;
* the trained-model rows of :mod:`tools.bench_models` (``--no-models`` skips them);
  ``--gradcam`` adds its Grad-CAM comparison (vizcore vs the former eager tape vs tf-keras-vis).

It prints wall-clock medians, the speed-up (baseline / sheet), and process CPU
time (both cores count), which helps when other programs share the machine.
Targets on a 2-core CPU: 512² sheet <= 0.4 s and >= 20× faster than the
baseline; 1024² <= 1.5 s; one panel <= 150 ms at 512².

The baseline doubles as an independent check: :func:`naive_sheet` returns the
panels' outputs and images, and the tests compare them with the sheet's.

Lives outside ``vizcore`` (the library never imports it) and uses only vizcore's
public API, so a refactor of the engine's internals cannot change what it measures.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["NaivePanel", "naive_sheet", "time_call", "run", "format_report", "main"]


@dataclass(frozen=True)
class NaivePanel:
    title: str
    output: np.ndarray
    image: np.ndarray


def time_call(fn: Callable[[], object], *, repeats: int, warmup: int = 1) -> dict:
    """Wall and CPU seconds of ``fn()``: median and all runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"median": statistics.median(wall), "min": min(wall), "cpu_median": statistics.median(cpu),
            "runs": wall}


# --------------------------------------------------------------------------- the naive baseline


def naive_sheet(image, other, *, spaces=None, seed: int = 0) -> list[NaivePanel]:
    """Every cheat-sheet panel the straightforward way: one fresh ``keras.Model`` + ``predict`` each.

    Colour conversion with :func:`vizcore.to_space` / :func:`vizcore.from_space`
    (NumPy), the display rule applied in NumPy (:func:`_stretch`); same
    panels, titles and order as :func:`vizcore.cheat_sheet`. ``image``, ``other``:
    RGB float32 ``(H, W, 3)`` in [0, 1] of the same size. Returns one
    :class:`NaivePanel` per sheet panel.
    """
    import keras

    from vizcore import color
    from vizcore import layers as L
    from vizcore import sheet as S

    spaces = color.SPACES if spaces is None else tuple(spaces)
    h, w = image.shape[:2]
    panels: list[NaivePanel] = []

    def predict(inputs: list[np.ndarray], build: Callable) -> np.ndarray:
        tensors = [keras.Input(shape=x.shape) for x in inputs]
        model = keras.Model(tensors, build(*tensors))
        return model.predict([x[None] for x in inputs], verbose=0)[0]

    for kind in L.MERGE_KINDS:
        for space in spaces:
            xa, xb = color.to_space(image, space), color.to_space(other, space)
            y = predict([xa, xb], lambda p, q, kind=kind: getattr(keras.layers, kind)()([p, q]))
            c = xa.shape[-1]
            if kind == "Concatenate":
                shown = np.concatenate([color.from_space(np.clip(y[..., :c], 0, 1), space),
                                        color.from_space(np.clip(y[..., c:], 0, 1), space)], axis=1)
            else:
                shown = color.from_space(np.clip(y, 0, 1), space)
            panels.append(NaivePanel(f"{kind} · {space}", y, shown))
    for cls in ("MaxPooling2D", "AveragePooling2D"):
        for space in spaces:
            x = color.to_space(image, space)
            y = predict([x], lambda p, cls=cls: getattr(keras.layers, cls)(2, padding="same")(p))
            # Each pooled pixel over its 2×2 block (SAME padding adds at most one row/column at the end).
            small = color.from_space(np.clip(y, 0, 1), space)
            shown = np.repeat(np.repeat(small, 2, axis=0), 2, axis=1)[:h, :w]
            panels.append(NaivePanel(f"{cls} 2×2 · {space}", y, shown))

    x = color.to_space(image, S.SHEET_SPACE)

    def init(s: int):
        return keras.initializers.GlorotUniform(seed=s)

    def feature(title: str, activation: str, build: Callable) -> None:
        y = predict([x], build)
        panels.append(NaivePanel(title, y, _stretch(y[..., 0], activation=activation)))

    for act in S.DENSE_ACTIVATIONS:
        feature(f"Dense(1) · {act}", act,
                lambda p, act=act: keras.layers.Dense(1, activation=act, kernel_initializer=init(seed))(p))
    # Fully connected on the image shrunk to FC_SIZE² (area averaging), shown back at the input's size.
    import tensorflow as tf

    n = S.FC_SIZE
    small = np.clip(tf.image.resize(image[None], (n, n), method="area").numpy()[0], 0, 1)
    x_small = color.to_space(small, S.SHEET_SPACE)
    fc = keras.Sequential([keras.Input(shape=x_small.shape), keras.layers.Flatten(),
                           keras.layers.Dense(n * n, activation=S.FC_ACTIVATION, kernel_initializer=init(seed)),
                           keras.layers.Reshape((n, n, 1))])
    y = fc.predict(x_small[None], verbose=0)[0]
    shown = _stretch(y[..., 0], activation=S.FC_ACTIVATION)[np.arange(h) * n // h][:, np.arange(w) * n // w]
    panels.append(NaivePanel(f"Flatten → Dense({n * n}) → Reshape · {S.FC_ACTIVATION}", y, shown))
    for k, activations in ((3, S.CONV3_ACTIVATIONS), (7, S.CONV7_ACTIVATIONS)):
        for act in activations:
            feature(f"Conv2D {k}×{k} · {act}", act, lambda p, k=k, act=act: keras.layers.Conv2D(
                1, k, padding="same", activation=act, kernel_initializer=init(seed))(p))
    for first in S.STACK_ACTIVATIONS:
        for second in S.STACK_ACTIVATIONS:
            def stack(p, first=first, second=second):
                hidden = keras.layers.Conv2D(1, 3, padding="same", activation=first, kernel_initializer=init(seed))(p)
                return keras.layers.Conv2D(1, 3, padding="same", activation=second,
                                           kernel_initializer=init(seed + 1))(hidden)
            feature(f"Conv2D·{first} → Conv2D·{second}", second, stack)
    for k, s, act in S.TRANSPOSE_PANELS:
        feature(f"Conv2DTranspose k{k} s{s} · {act}", act,
                lambda p, k=k, s=s, act=act: keras.layers.Conv2DTranspose(
                    1, k, strides=s, padding="same", activation=act, kernel_initializer=init(seed))(p))
    return panels


def _stretch(plane: np.ndarray, *, activation: str) -> np.ndarray:
    """The sheet's display rule, in NumPy through vizcore.render: ``(H, W)`` float -> (H, W, 3) float32.

    Decided by the activation's range: sigmoid-like values clipped to [0, 1]; never-negative
    ones (relu, softplus) percentile-stretched grey; signed ones on the blue-white-red scale.
    """
    from vizcore import render

    if activation in ("sigmoid", "hard_sigmoid", "sparse_sigmoid"):
        mode = "clip"
    elif activation in ("relu", "relu6", "softplus", "squareplus", "sparse_plus", "exponential"):
        mode = "percentile"
    else:
        return render.diverging_rgb(render.normalise(plane, mode="diverging"))
    return np.repeat(render.normalise(plane, mode=mode)[..., None], 3, axis=-1)


# --------------------------------------------------------------------------- the run


def _images(size: int) -> tuple[np.ndarray, np.ndarray]:
    from vizcore.images import DEFAULT_OTHER_SAMPLE, DEFAULT_SAMPLE, load_sample, match_size

    a = match_size(load_sample(DEFAULT_SAMPLE, max_side=None).image, (size, size))
    b = match_size(load_sample(DEFAULT_OTHER_SAMPLE, max_side=None).image, (size, size))
    return a, b


def _single_calls(a: np.ndarray, b: np.ndarray) -> dict[str, Callable[[], object]]:
    from vizcore import layers as L

    return {
        "merge Add · hsv": lambda: L.merge("Add", a, b, space="hsv"),
        "pool max 2×2 · ycbcr": lambda: L.pool(a, kind="max", size=2, space="ycbcr"),
        "dense · relu": lambda: L.dense(a, activation="relu", space="rgb"),
        "Flatten→Dense(1024)": lambda: L.dense_fully_connected(a, activation="tanh"),
        "conv2d 3×3, 4 filters · relu": lambda: L.conv2d(a, filters=4, activation="relu"),
        "conv2d hand-made sobel_x": lambda: L.conv2d(a, kernel=L.KERNEL_PRESETS["sobel_x"], space="luminance"),
        "conv2d_stack relu→tanh": lambda: L.conv2d_stack(a, layers=[{"activation": "relu"}, {"activation": "tanh"}]),
        "conv2d_transpose k4 s2 · sigmoid": lambda: L.conv2d_transpose(a, kernel_size=4, strides=2,
                                                                       activation="sigmoid"),
    }


def _first_calls(a: np.ndarray, b: np.ndarray) -> dict[str, Callable[[], object]]:
    from vizcore import layers as L

    return {
        "merge Multiply · luminance": lambda: L.merge("Multiply", a, b, space="luminance"),
        "conv2d 5×5, 2 filters · softsign": lambda: L.conv2d(a, filters=2, kernel_size=5, activation="softsign"),
        "conv2d_transpose k3 s3 · mish": lambda: L.conv2d_transpose(a, kernel_size=3, strides=3, activation="mish"),
    }


def run(*, sizes=(512, 1024), repeats: int = 5, baseline_sizes=(512, 1024), baseline_repeats: int = 3,
        single_size: int = 512, log: Callable[[str], None] = lambda _: None) -> dict:
    """Measure and return a report dict (see :func:`main` for how it is printed).

    ``report["sheet"]``: one row per size: ``size``, ``panels``, ``sheet`` (time_call
    stats), ``baseline`` (stats or None) and ``speedup`` (baseline median / sheet median
    or None). ``report["single"]``: (name, stats) at ``single_size``.
    """
    from vizcore import sheet as S

    report: dict = {"sheet": [], "single": [], "load_before": _load()}
    # The sheet first: the baseline leaves thousands of Keras objects behind, whose
    # garbage collection would otherwise land inside the sheet's timings.
    for size in sizes:
        a, b = _images(size)
        log(f"sheet {size}²…")
        count = len(S.cheat_sheet(a, b))  # warm-up: builds layers, traces and optimises the graph
        gc.collect()
        report["sheet"].append({"size": size, "panels": count, "baseline": None, "speedup": None,
                                "sheet": time_call(lambda a=a, b=b: S.cheat_sheet(a, b), repeats=repeats, warmup=0)})
    if single_size:
        a, b = _images(single_size)
        log(f"single panels {single_size}²…")
        gc.collect()
        for name, call in _single_calls(a, b).items():
            report["single"].append((name, time_call(call, repeats=repeats, warmup=1)))
        # A setting never used before in the process: its graph is traced on this first call.
        report["first"] = [(name, time_call(call, repeats=1, warmup=0)["median"])
                           for name, call in _first_calls(a, b).items()]
    if baseline_sizes:
        _warm_up_keras()  # TensorFlow's own first-use costs are not the baseline's
    for row in report["sheet"]:
        if row["size"] in baseline_sizes:
            a, b = _images(row["size"])
            log(f"naive baseline {row['size']}²…")
            row["baseline"] = time_call(lambda a=a, b=b: naive_sheet(a, b), repeats=baseline_repeats, warmup=0)
            row["speedup"] = row["baseline"]["median"] / row["sheet"]["median"]
    report["single_size"] = single_size
    report["load_after"] = _load()
    return report


def _warm_up_keras() -> None:
    import keras

    x = keras.Input(shape=(4, 4, 3))
    keras.Model(x, keras.layers.Conv2D(1, 3)(x)).predict(np.zeros((1, 4, 4, 3), np.float32), verbose=0)


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms" if seconds < 10 else f"{seconds:8.2f} s "


def format_report(report: dict) -> str:
    """The report as the text ``python -m tools.bench`` prints."""
    import tensorflow as tf

    lines = [
        f"Layer Lab benchmark — TensorFlow {tf.__version__}, {os.cpu_count()} CPU(s), "
        f"load average {report['load_before']} before / {report['load_after']} after "
        "(other programs on the machine slow every figure; compare the ratios).",
        "",
        "Whole cheat sheet (vizcore.cheat_sheet) vs naive baseline (fresh keras.Model + predict per panel)",
        f"{'size':>6} {'panels':>6}  {'sheet median':>13} {'(min)':>11} {'cpu':>11}   "
        f"{'baseline median':>15} {'cpu':>11}   speed-up",
    ]
    for row in report["sheet"]:
        s, b = row["sheet"], row["baseline"]
        base = f"{_ms(b['median']):>15} {_ms(b['cpu_median']):>11}" if b else f"{'—':>15} {'':>11}"
        speed = f"{row['speedup']:7.1f}×" if row["speedup"] else "      —"
        lines.append(
            f"{row['size']:>5}² {row['panels']:>6}  {_ms(s['median']):>13} {_ms(s['min']):>11} "
            f"{_ms(s['cpu_median']):>11}   {base}   {speed}"
        )
    lines.append("  sheet runs (s): " + "; ".join(
        f"{row['size']}²: " + ", ".join(f"{t:.3f}" for t in row["sheet"]["runs"]) for row in report["sheet"]))
    if report["single"]:
        lines += ["", f"Single panels at {report['single_size']}² (what one changed control recomputes; "
                      "median after a warm-up)"]
        width = max(len(name) for name, _ in report["single"])
        for name, stats in report["single"]:
            lines.append(f"  {name:<{width}}  {_ms(stats['median'])}  (cpu {_ms(stats['cpu_median']).strip()})")
        lines.append("  first call of a setting not used before (traces its graph once):")
        for name, seconds in report.get("first", []):
            lines.append(f"  {name:<{width}}  {_ms(seconds)}")
    return "\n".join(lines)


def _model_rows(*, gradcam: bool = False) -> list[str]:
    try:
        from tools import bench_models
    except ImportError:
        return []
    rows = bench_models.run(gradcam=gradcam)
    lines = ["", "Grad-CAM (tools.bench_models --gradcam)" if gradcam else "Trained models (tools.bench_models)"]
    width = max((len(r[0]) for r in rows), default=0)
    for name, seconds, baseline in rows:
        ratio = f"   baseline {_ms(baseline)}   ×{baseline / seconds:.1f}" if baseline else ""
        lines.append(f"  {name:<{width}}  {_ms(seconds)}{ratio}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024], help="square image sides to time")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of the sheet (median reported)")
    parser.add_argument("--baseline-sizes", type=int, nargs="*", default=None,
                        help="sizes at which to run the naive baseline (default: all --sizes; none: skip)")
    parser.add_argument("--baseline-repeats", type=int, default=3, help="timed runs of the naive baseline")
    parser.add_argument("--single-size", type=int, default=512,
                        help="image side for the single-panel rows (0: skip them)")
    parser.add_argument("--no-models", action="store_true", help="skip the trained-model rows")
    parser.add_argument("--gradcam", action="store_true",
                        help="add Grad-CAM on ResNet50: vizcore vs the former eager tape vs tf-keras-vis")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.baseline_repeats < 1:
        parser.error("repeats must be at least 1")
    baseline_sizes = args.sizes if args.baseline_sizes is None else args.baseline_sizes
    report = run(sizes=args.sizes, repeats=args.repeats, baseline_sizes=baseline_sizes,
                 baseline_repeats=args.baseline_repeats, single_size=args.single_size,
                 log=lambda m: print(m, file=sys.stderr, flush=True))
    print(format_report(report))
    if not args.no_models:
        print("\n".join(_model_rows()))
    if args.gradcam:
        print("\n".join(_model_rows(gradcam=True)))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
