"""Speed of the trained-model engine: one forward pass for every layer, and the cheap re-render.

    python -m tools.bench_models

``run()`` returns rows (name, seconds, baseline seconds or None), each time the median of
several runs after a warm-up; ``tools.bench`` includes them in its table. Targets on a 2-core
CPU (issue 4): digits all layers <= 50 ms; HED (VGG16) all layers at 224x224 <= 1.5 s;
switching the chosen layer re-renders from cached activations.

    python -m tools.bench_models --gradcam

times Grad-CAM alone, side by side in one run (issue 8 item 5): ``vizcore.features.grad_cam``
(one traced step per model and layer) against the former eager algorithm (:func:`eager_grad_cam`,
kept here as the "before") and against tf-keras-vis's ``Gradcam`` (requirements-dev.txt), on
ResNet50 with random weights at 224x224, warm: each method once untimed, then the methods in
turn, ``repeats`` times, medians. Target: >= 5x faster than before, ahead of tf-keras-vis.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Callable

import numpy as np

__all__ = ["run", "median_seconds", "interleaved_medians", "eager_grad_cam", "gradcam_rows", "main"]


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


def interleaved_medians(fns: dict[str, Callable[[], object]], *, repeats: int = 5,
                        warmup: int = 1) -> dict[str, float]:
    """{name: median wall seconds}: each fn run `warmup` times untimed, then all of them in turn
    `repeats` times (so a busy moment of a shared machine hits every method alike)."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def eager_grad_cam(model, batch, *, class_index: int, layer_name: str, extractor) -> np.ndarray:
    """Grad-CAM as vizcore computed it before issue 8: a new two-output keras.Model per call, run
    eagerly under a tape that records every weight. Same map as ``features.grad_cam``; (H, W)."""
    import keras
    import tensorflow as tf

    from vizcore import render

    node, final = extractor.node(layer_name), extractor.final_node()
    dense = final.layer
    use_logits = type(dense).__name__ == "Dense" and dense.activation is keras.activations.softmax
    grad_model = keras.Model(extractor.input_tensor, [node.tensor, final.inputs[0] if use_logits else final.tensor])
    with tf.GradientTape() as tape:
        maps, out = grad_model(tf.constant(batch), training=False)
        tape.watch(maps)
        if use_logits:
            out = tf.matmul(out, dense.kernel) + dense.bias
        score = tf.reshape(out, (1, -1))[0, int(class_index)]
    grads = tape.gradient(score, maps)
    weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
    cam = tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1))[0].numpy()
    cam = np.maximum(render.resize_2d(cam, batch.shape[1], batch.shape[2]), 0.0)
    return cam / cam.max() if cam.max() > 0 else cam


def _tf_keras_vis_cam(model, layer_name: str, class_index: int):
    """tf-keras-vis's Gradcam (softmax replaced by linear, as its docs do), or None when it is not
    installed. Returns a function batch -> (H, W) map and the package version."""
    try:
        import tf_keras_vis
        from tf_keras_vis.gradcam import Gradcam
        from tf_keras_vis.utils.model_modifiers import ReplaceToLinear
        from tf_keras_vis.utils.scores import CategoricalScore
    except ImportError:
        return None, None
    cam = Gradcam(model, model_modifier=ReplaceToLinear(), clone=True)
    score = CategoricalScore([class_index])
    return (lambda batch: cam(score, batch, penultimate_layer=layer_name)[0]), tf_keras_vis.__version__


def gradcam_rows(repeats: int = 5, *, side: int = 224) -> list[tuple[str, float, float | None]]:
    """Grad-CAM on ResNet50 (random weights, seeded input in ResNet's caffe range) at side x side:
    rows (name, vizcore seconds, other method's seconds), all timed in one interleaved run."""
    import keras

    from vizcore import features

    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50(weights=None, input_shape=(side, side, 3))
    batch = np.random.default_rng(0).uniform(-120.0, 130.0, (1, side, side, 3)).astype(np.float32)
    extractor = features.build_extractor(model)
    layer = extractor.default_cam_layer()
    cls = int(np.argmax(np.asarray(model(batch, training=False))[0]))
    fns = {
        "vizcore": lambda: features.grad_cam(model, batch, class_index=cls, layer_name=layer, extractor=extractor),
        "before": lambda: eager_grad_cam(model, batch, class_index=cls, layer_name=layer, extractor=extractor),
    }
    tkv, version = _tf_keras_vis_cam(model, layer, cls)
    if tkv is not None:
        fns["tf-keras-vis"] = lambda: tkv(batch)
    start = time.perf_counter()
    ours = fns["vizcore"]()
    first = time.perf_counter() - start
    medians = interleaved_medians(fns, repeats=repeats)
    diff_before = float(np.abs(ours - fns["before"]()).max())
    rows = [
        (f"Grad-CAM ResNet50 {side}x{side} ({layer}): first call (builds + traces the step)", first, None),
        (f"Grad-CAM ResNet50 {side}x{side}, warm: traced step vs the former eager tape "
         f"(max diff {diff_before:.1e}) [target >= 5x]", medians["vizcore"], medians["before"]),
    ]
    if tkv is not None:
        diff = float(np.abs(ours - np.asarray(tkv(batch))).max())
        rows.append((f"Grad-CAM ResNet50 {side}x{side}, warm: traced step vs tf-keras-vis {version} Gradcam "
                     f"(max diff {diff:.1e}: it resizes with scipy zoom and min-max scales)",
                     medians["vizcore"], medians["tf-keras-vis"]))
    else:
        rows.append(("Grad-CAM: tf-keras-vis not installed (pip install -r requirements-dev.txt)",
                     medians["vizcore"], None))
    return rows


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


def run(*, repeats: int = 5, gradcam: bool = False) -> list[tuple[str, float, float | None]]:
    """Model benchmark rows: (name, median seconds, baseline median seconds or None).
    gradcam: only the Grad-CAM rows (:func:`gradcam_rows`)."""
    if gradcam:
        return gradcam_rows(repeats)
    rows = _digits_rows(repeats)
    rows += _hed_rows(repeats)
    rows += _autoencoder_rows(repeats)
    return rows


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = argparse.ArgumentParser(prog="python -m tools.bench_models", description=__doc__.split("\n")[0])
    parser.add_argument("--gradcam", action="store_true",
                        help="time Grad-CAM only: vizcore vs the former eager tape vs tf-keras-vis (ResNet50)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per method (median reported)")
    args = parser.parse_args(argv)
    rows = run(repeats=max(1, args.repeats), gradcam=args.gradcam)
    width = max(len(r[0]) for r in rows)
    for name, seconds, baseline in rows:
        ratio = f"   baseline {baseline * 1000:9.1f} ms   x{baseline / seconds:6.1f}" if baseline else ""
        print(f"{name:<{width}}  {seconds * 1000:9.1f} ms{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
