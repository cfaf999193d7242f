"""GapClustering: groups separated by gaps, of any size, without cutting long groups."""

import numpy as np
import pytest
from sklearn.datasets import make_circles, make_moons
from sklearn.metrics import adjusted_rand_score

from smote_pipeline.samplers import GapClustering
from smote_pipeline.samplers._gap_clustering import GRAPH_MAX_ROWS


def test_tiny_groups_beside_a_large_one_are_their_own_clusters():
    rng = np.random.RandomState(0)
    big = rng.normal(0, 1, (40, 5))
    tiny = [rng.normal(c, 0.2, (n, 5)) for c, n in ((6, 3), (-6, 4), (12, 2))]
    X = np.vstack([big, *tiny])
    truth = np.repeat([0, 1, 2, 3], [40, 3, 4, 2])
    model = GapClustering().fit(X)
    assert model.n_clusters_ == 4
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    assert (model.gap_ratios_ > 3).all() and model.gap_ratios_.size == 3
    assert (np.diff(model.gap_ratios_) <= 0).all()


def _first(data):
    X, label = data
    return X[label == 0]


@pytest.mark.parametrize(
    "X",
    [
        _first(make_moons(400, noise=0.05, random_state=0)),  # one curved moon
        _first(make_circles(600, noise=0.015, factor=0.5, random_state=0)),  # one ring
        np.c_[np.linspace(0, 30, 150), np.random.RandomState(0).normal(0, 0.3, 150)],
        np.random.RandomState(0).normal(size=(3000, 2)),  # a large round blob
        np.random.RandomState(0).normal(size=(500, 40)),  # a blob in 40 dimensions
    ],
    ids=["moon", "ring", "long_line", "blob_2d", "blob_40d"],
)
def test_one_group_is_not_cut(X):
    """Curved, ring-shaped, long and large groups stay whole."""
    assert GapClustering().fit(X).n_clusters_ == 1


def test_two_moons_and_two_rings_are_separated():
    X, truth = make_moons(1000, noise=0.03, random_state=0)
    assert adjusted_rand_score(truth, GapClustering().fit_predict(X)) == 1.0
    X, truth = make_circles(1000, noise=0.015, factor=0.5, random_state=0)
    assert adjusted_rand_score(truth, GapClustering().fit_predict(X)) == 1.0


def test_tight_pair_inside_a_blob_is_not_a_cluster():
    rng = np.random.RandomState(1)
    X = np.r_[rng.normal(size=(300, 2)), [[0.5, 0.5], [0.5001, 0.5]]]
    assert GapClustering().fit(X).n_clusters_ == 1


def test_max_clusters_keeps_the_clearest_cuts_and_one_disables():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(c, 0.3, (20, 2)) for c in (0, 5, 30)])
    model = GapClustering(max_clusters=2).fit(X)
    assert model.n_clusters_ == 2
    assert np.unique(model.labels_[:40]).size == 1  # the far group is the one split off
    assert GapClustering(max_clusters=1).fit(X).n_clusters_ == 1


def test_duplicates_and_tiny_inputs():
    X = np.repeat(np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0]]), 5, axis=0)
    model = GapClustering().fit(X)
    assert model.n_clusters_ == 2 and np.unique(model.labels_[:10]).size == 1
    for n in (1, 2, 3):
        assert GapClustering().fit(np.arange(n * 2.0).reshape(n, 2)).n_clusters_ == 1


def test_large_high_dimensional_input_uses_a_sample(monkeypatch):
    monkeypatch.setattr("smote_pipeline.samplers._gap_clustering.GRAPH_MAX_ROWS", 300)
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (600, 8)), rng.normal(20, 1, (600, 8))]
    model = GapClustering(random_state=0).fit(X)
    assert model.n_clusters_ == 2
    assert adjusted_rand_score(np.repeat([0, 1], 600), model.labels_) == 1.0
    assert GRAPH_MAX_ROWS == 10_000


def test_deterministic():
    X = np.random.RandomState(1).normal(size=(200, 3))
    np.testing.assert_array_equal(GapClustering().fit_predict(X), GapClustering().fit_predict(X))
