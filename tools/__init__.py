"""Layer Lab's developer tools: benchmarks and training, kept out of the library.

Run from the repository root::

    python -m tools.bench                      # cheat sheet vs a naive baseline, model extraction
    python -m tools.bench_models               # the trained-model rows only
    python -m tools.train digits|autoencoder   # retrain a shipped model's weights

``tools.bench``         timings of ``vizcore.cheat_sheet`` and single panels against a naive
                        fresh-``keras.Model``-per-panel baseline (also an independent check).
``tools.bench_models``  one-pass feature extraction against one ``keras.Model`` per layer.
``tools.train``         deterministic training of the digits CNN and the tile autoencoder.

May import: ``vizcore`` (public API only), keras, tensorflow, NumPy. Nothing in ``vizcore``,
``ui`` or ``pages`` imports this package, and it is not installed with ``pip install -e .``.
"""
