"""vizcore.features.predict against hand-computed probabilities and orderings."""
from __future__ import annotations

import math

import numpy as np
import pytest

from vizcore import ModelError
from vizcore import features as F


def test_softmax_hand_values():
    # exp(0) : exp(ln 3) = 1 : 3
    np.testing.assert_allclose(F.softmax([0.0, math.log(3.0)]), [0.25, 0.75])
    np.testing.assert_allclose(F.softmax([2.0, 2.0, 2.0, 2.0]), [0.25] * 4)


def test_softmax_of_huge_scores_does_not_overflow():
    p = F.softmax([1000.0, 1000.0 + math.log(4.0)])
    np.testing.assert_allclose(p, [0.2, 0.8])


def test_softmax_along_rows():
    p = F.softmax(np.array([[0.0, 0.0], [0.0, math.log(9.0)]]), axis=-1)
    np.testing.assert_allclose(p, [[0.5, 0.5], [0.1, 0.9]])


def test_softmax_refuses_nothing():
    with pytest.raises(ModelError, match=r"shape \(0,\)"):
        F.softmax([])


@pytest.mark.parametrize("scores, expected, applied", [
    pytest.param([0.2, 0.3, 0.5], [0.2, 0.3, 0.5], False, id="probabilities-kept"),
    pytest.param([0.0, math.log(3.0)], [0.25, 0.75], True, id="logits-get-softmax"),
    pytest.param([-1.0, 2.0], [1 / (1 + math.e ** 3), 1 / (1 + math.e ** -3)], True, id="negative-means-logits"),
    pytest.param([0.5, 0.5004], [0.5, 0.5004], False, id="rounding-within-tolerance"),
])
def test_as_probabilities(scores, expected, applied):
    p, was_applied = F.as_probabilities(scores)
    np.testing.assert_allclose(p, expected, rtol=1e-9)
    assert was_applied is applied


def test_as_probabilities_wants_one_row():
    with pytest.raises(ModelError, match=r"\(1, 2\)"):
        F.as_probabilities([[0.5, 0.5]])


def test_top_k_highest_first_and_ties_by_index():
    assert F.top_k([0.1, 0.7, 0.2], ["a", "b", "c"], 2) == [("b", 0.7), ("c", 0.2)]
    assert F.top_k([[0.4, 0.2, 0.4]], ["a", "b", "c"], 3) == [("a", 0.4), ("c", 0.4), ("b", 0.2)]


@pytest.mark.parametrize("probabilities, labels, message", [
    pytest.param([0.1, 0.7, 0.2], ["a", "b"], "3 probabilities but 2 labels", id="labels-missing"),
    pytest.param(np.zeros((2, 3)), ["a", "b", "c"], r"shape \(2, 3\)", id="two-rows"),
])
def test_top_k_refuses(probabilities, labels, message):
    with pytest.raises(ModelError, match=message):
        F.top_k(probabilities, labels)
