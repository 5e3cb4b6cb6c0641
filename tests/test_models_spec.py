"""ModelSpec: one path from a picture to a batch and back, ranking, and its refusals."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore import ImageError, ModelError
from vizcore.models.preprocessing import convention
from vizcore.models.spec import ExtraView, ModelSpec


def _identity_fit(image):
    return np.asarray(image, np.float32)[None], ("kept as it is",)


def make(**kwargs) -> ModelSpec:
    args = dict(key="toy", title="Toy", description="", load=lambda: None, fit=_identity_fit)
    args.update(kwargs)
    return ModelSpec(**args)


def test_caffe_spec_batch_is_bgr_minus_mean_and_seen_is_the_picture():
    picture = np.zeros((2, 2, 3), np.float32)
    picture[0, 0] = (1.0, 0.5, 0.0)  # orange
    spec = make(convention=convention("caffe"))
    prepared = spec.prepare(picture)
    # hand arithmetic: B = 0 - 103.939, G = 127.5 - 116.779, R = 255 - 123.68
    np.testing.assert_allclose(prepared.batch[0, 0, 0], [-103.939, 10.721, 131.32], atol=1e-3)
    np.testing.assert_allclose(prepared.seen, picture, atol=1e-6)
    assert prepared.notes[0] == "kept as it is" and "B, G, R" in prepared.notes[1]
    assert spec.reads_bgr


def test_grey_spec_shows_grey_in_three_channels():
    spec = make(channels=1, convention=convention("raw"))
    grey = np.array([[[0.25], [1.0]]], np.float32)
    seen = spec.prepare(grey).seen
    assert seen.shape == (1, 2, 3)
    np.testing.assert_allclose(seen[..., 0], seen[..., 2])
    np.testing.assert_allclose(seen[..., 1], [[0.25, 1.0]])


def test_seen_refuses_a_batch_of_the_wrong_shape():
    with pytest.raises(ImageError, match=r"got \(2, 4, 4, 3\)"):
        make().seen(np.zeros((2, 4, 4, 3), np.float32))


@pytest.mark.parametrize("kwargs, message", [
    ({"input_kind": "canvas"}, "input_kind must be one of"),
    ({"channels": 4}, "1 or 3 channels"),
    ({"input_kind": "drawing"}, "no held-out examples"),
], ids=["unknown-input-kind", "four-channels", "drawing-without-examples"])
def test_spec_refuses_inconsistent_descriptions(kwargs, message):
    with pytest.raises(ModelError, match=message):
        make(**kwargs)


def test_top_classes_rank_like_numpy_with_ties_on_the_lower_index():
    spec = make(labels=("cat", "dog", "owl", "fox"))
    p = np.array([0.1, 0.4, 0.1, 0.4])
    assert spec.top_classes(p, k=3) == [("dog", 0.4, 1), ("fox", 0.4, 3), ("cat", 0.1, 0)]
    assert make().top_classes(p, k=1) == [("class 1", 0.4, 1)]
    with pytest.raises(ModelError, match="names 4 classes but gave 3 scores"):
        spec.top_classes(p[:3])


def test_extra_view_lookup_names_the_views():
    view = ExtraView("Edges", "activations", lambda acts: ("", []))
    spec = make(extra_views=(view,))
    assert spec.extra_view("Edges") is view
    with pytest.raises(ModelError, match=r"no view 'Tiles'; it has \['Edges'\]"):
        spec.extra_view("Tiles")
    with pytest.raises(ModelError, match="'activations' or 'picture'"):
        ExtraView("X", "file", lambda: None)
