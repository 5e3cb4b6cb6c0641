"""vizcore.layers.activations: curves against NumPy formulas; every activation element-wise and described."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore import layers as L


@pytest.mark.parametrize("name, formula", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", np.tanh),
    ("softplus", lambda x: np.log1p(np.exp(x))),
    ("linear", lambda x: x),
])
def test_activation_curves_equal_numpy_formulas(name, formula):
    x, y = L.activation_curve(name)
    assert x.shape == y.shape == (201,) and x[0] == -5 and x[-1] == 5
    np.testing.assert_allclose(y, formula(x.astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_every_activation_is_elementwise_and_described():
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    for name in L.ACTIVATIONS:
        _, y = L.activation_curve(name, x=x)
        assert y.shape == x.shape and np.isfinite(y).all(), name
        _, y_rev = L.activation_curve(name, x=x[::-1])
        np.testing.assert_allclose(y_rev, y[::-1], rtol=1e-6, err_msg=name)  # no mixing across positions
        assert L.ACTIVATION_INFO[name].strip()
