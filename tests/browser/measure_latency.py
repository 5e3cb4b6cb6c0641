"""Measure Layer Lab's compute time per control change, page by page.

    python tests/browser/measure_latency.py [--repeats 5]

For each page, the cached calls that one control change triggers are timed on a fresh
cache (``.clear()`` before each repeat), at the default working size (512 px) after a
warm-up (TensorFlow import and graph tracing are one-off costs, reported separately).
Median of ``--repeats``. Target: <= 150 ms for a changed control. Also times a whole
script rerun in AppTest (Streamlit's own overhead included) after the same change.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["LAYER_LAB_NO_WARMUP"] = "1"
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)


def _median_ms(fn, clears, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        for c in clears:
            c.clear()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def compute_table(repeats: int) -> list[tuple[str, str, float]]:
    import vizcore
    from ui import compute as c

    a = vizcore.load_sample(vizcore.DEFAULT_SAMPLE, max_side=512).image
    b = vizcore.match_size(vizcore.load_sample(vizcore.DEFAULT_OTHER_SAMPLE, max_side=512).image, a)
    key, okey = "bench-a", "bench-b"
    spaces = tuple(vizcore.SPACES)
    small = c.shrink(key, 64, a)
    start = time.perf_counter()
    c.warm_up(0.0)
    warm = (time.perf_counter() - start) * 1000
    rows = [("(one-off)", "TensorFlow import + tracing every layer graph", warm)]
    cases = [
        ("Merging", "kind or space (1 panel)", lambda: c.merge(key, okey, "Multiply", "hsv", a, b), [c.merge]),
        ("Merging", "new image: whole 7×4 grid", lambda: [c.merge(key, okey, k, s, a, b) for k in vizcore.MERGE_KINDS
                                                        for s in spaces], [c.merge]),
        ("Pooling", "pool size / strides (8 panels)", lambda: [c.pool(key, k, s, 4, 4, "same", a)
                                                              for k in ("max", "average") for s in spaces], [c.pool]),
        ("Dense", "add an activation (1 panel)", lambda: c.dense(key, "elu", 2, 1, "luminance", a), [c.dense]),
        ("Dense", "fully connected size (1 panel)",
         lambda: c.dense_fully_connected(key, "linear", 2, 32, "luminance", a), [c.dense_fully_connected]),
        ("Conv2D", "kernel size / filters=4 (panel + 4 maps)",
         lambda: c.conv2d(key, space="rgb", activation="relu", seed=2, filters=4, kernel_size=5, _image=a), [c.conv2d]),
        ("Conv2D", "kernel editor cell edit",
         lambda: c.conv2d(key, space="rgb", activation="linear", kernel=((0, -1, 0), (-1, 4.5, -1), (0, -1, 0)),
                          _image=a), [c.conv2d]),
        ("Conv2D", "two layers (stack + layer-1 maps)",
         lambda: (c.conv2d_stack(key, layers=((4, 3, 1, "relu"), (1, 3, 1, "tanh")), seed=2, padding="same",
                                 space="rgb", _image=a),
                  c.conv2d(key, space="rgb", activation="relu", seed=2, filters=4, kernel_size=3, _image=a)),
         [c.conv2d_stack, c.conv2d]),
        ("Conv2DTranspose", "kernel size / strides (64 px input)",
         lambda: c.conv2d_transpose(key, kernel_size=4, strides=2, activation="linear", seed=2, filters=1,
                                    padding="same", space="rgb", _image=small), [c.conv2d_transpose]),
        ("Activations", "layer or space (8 panels; curves already drawn)",
         lambda: [(c.conv2d(key, space="rgb", activation=n, seed=2, filters=1, kernel_size=3, _image=a),
                   c.activation_plot(n)) for n in ("linear", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh",
                                                   "softplus")], [c.conv2d]),
        ("Activations", "add one activation (1 panel; curve drawn)",
         lambda: (c.conv2d(key, space="rgb", activation="selu", seed=2, filters=1, kernel_size=3, _image=a),
                  c.activation_plot("selu")), [c.conv2d]),
        ("Activations", "one curve, never drawn before (matplotlib)", lambda: c.activation_plot("mish"),
         [c.activation_plot]),
        ("Cheat sheet", "seed or spaces (66 panels)", lambda: c.sheet(key, okey, spaces, 0, a, b), [c.sheet]),
    ]
    for page, change, fn, clears in cases:
        rows.append((page, change, _median_ms(fn, clears, repeats)))
    return rows


def apptest_table(repeats: int) -> list[tuple[str, str, float]]:
    from streamlit.testing.v1 import AppTest

    rows = []
    changes = [
        ("merging", "kind", lambda at, i: at.segmented_control(key="kind").set_value(["Add", "Multiply"][i % 2])),
        ("pooling", "size", lambda at, i: at.select_slider(key="size").set_value([3, 5][i % 2])),
        ("dense", "space", lambda at, i: at.segmented_control(key="space").set_value(["rgb", "luminance"][i % 2])),
        ("conv2d", "filters", lambda at, i: at.select_slider(key="filters").set_value([3, 5][i % 2])),
        ("conv2d_transpose", "strides", lambda at, i: at.select_slider(key="strides").set_value([3, 2][i % 2])),
        ("activations", "space", lambda at, i: at.segmented_control(key="space").set_value(["hsv", "rgb"][i % 2])),
    ]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    for page, control, change in changes:
        at.switch_page(f"pages/{page}.py").run()
        times = []
        for i in range(repeats):
            change(at, i)
            start = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - start) * 1000)
            assert not at.exception, at.exception
        # The second value of each alternation is cached after the first round; report the first round.
        rows.append((page, f"rerun after changing {control} (first time each value)", times[0] if repeats < 2 else
                     statistics.median(times[:2])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-apptest", action="store_true", help="skip the AppTest rerun timings")
    args = parser.parse_args()
    print(f"{'page':<16} {'control change':<46} {'median ms':>10}")
    for page, change, ms in compute_table(args.repeats):
        print(f"{page:<16} {change:<46} {ms:>10.0f}")
    if not args.no_apptest:
        print()
        print(f"{'page':<16} {'AppTest whole rerun':<46} {'ms':>10}")
        for page, change, ms in apptest_table(2):
            print(f"{page:<16} {change:<46} {ms:>10.0f}")
    print(f"\n(os.cpu_count() = {os.cpu_count()}, load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
