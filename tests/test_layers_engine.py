"""vizcore.layers.engine: seeded weights reassigned to cached layers give the same output for the same
seed, and concurrent calls with different seeds never see each other's weights."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from tests.layers_reference import A4, A8
from vizcore import layers as L

SEEDED = [
    lambda seed: L.conv2d(A8, seed=seed, filters=2),
    lambda seed: L.dense(A8, seed=seed, space="rgb"),
    lambda seed: L.conv2d_transpose(A4, seed=seed, kernel_size=3, strides=2),
    lambda seed: L.conv2d_stack(A8, layers=[{}, {"activation": "relu"}], seed=seed),
    lambda seed: L.dense_fully_connected(A8, seed=seed, size=4),
]


@pytest.mark.parametrize("call", SEEDED, ids=["conv2d", "dense", "transpose", "stack", "fully-connected"])
def test_same_seed_same_output_different_seed_different(call):
    first = call(11).output.copy()
    other = call(12).output.copy()  # the cached layer gets other weights in between
    again = call(11).output
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_concurrent_calls_with_different_seeds_do_not_mix_weights():
    expected = {seed: L.conv2d(A8, seed=seed).output.copy() for seed in (1, 2)}
    failures: list[int] = []

    def work(seed):
        for _ in range(6):
            if not np.array_equal(L.conv2d(A8, seed=seed).output, expected[seed]):
                failures.append(seed)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (1, 2, 1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
