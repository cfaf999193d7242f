"""The screened ENN (fast path of NoiseFilter(method="enn")) equals plain ENN."""

import os

import numpy as np
import pytest
from imblearn.under_sampling import EditedNearestNeighbours
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors

from smote_pipeline.samplers import _fast_enn
from smote_pipeline.samplers._fast_enn import edited_nearest_neighbours
from smote_pipeline.samplers._space32 import Space32


def _reference(X, y, k, kind_sel, targets="all"):
    enn = EditedNearestNeighbours(sampling_strategy=targets, kind_sel=kind_sel, n_neighbors=k)
    enn.fit_resample(X, y)
    flagged = np.ones(len(y), dtype=bool)
    flagged[enn.sample_indices_] = False
    return flagged


@pytest.mark.parametrize(
    ("weights", "kind_sel", "k"),
    [
        ([0.9], "mode", 3),
        ([0.9], "all", 3),
        ([0.97], "mode", 5),
        ([0.7, 0.2], "mode", 3),  # three classes: the small set holds two classes
        ([0.7, 0.2], "all", 4),
        ([0.6, 0.2, 0.1], "mode", 4),  # "mode" ties between classes go to the smallest
    ],
)
def test_screened_enn_equals_imblearn(weights, kind_sel, k):
    X, y = make_classification(
        n_samples=9000,
        n_features=20,
        n_informative=6,
        n_classes=len(weights) + 1,
        n_clusters_per_class=1,
        weights=weights,
        flip_y=0.02,
        random_state=len(weights) + k,
    )
    assert X.shape[0] >= _fast_enn.PRUNE_MIN_ROWS
    result = edited_nearest_neighbours(X, y, range(y.max() + 1), k, kind_sel)
    np.testing.assert_array_equal(result.flagged, _reference(X, y, k, kind_sel))
    assert result.n_exact_queries < 0.1 * len(y)  # the screening decided most rows


def test_screened_enn_with_some_targets_and_evidence():
    X, y = make_classification(
        n_samples=8000,
        n_features=20,
        n_informative=5,
        n_classes=3,
        n_clusters_per_class=1,
        weights=[0.8, 0.15],
        flip_y=0.03,
        random_state=3,
    )
    for targets in ([0], [1, 2], [2]):
        result = edited_nearest_neighbours(X, y, targets, 3, "mode")
        expected = _reference(X, y, 3, "mode", targets=list(targets))
        np.testing.assert_array_equal(result.flagged, expected)
    plain = edited_nearest_neighbours(X, y, [0, 1, 2], 3, "mode")
    neighbors = NearestNeighbors(n_neighbors=4).fit(X).kneighbors(X, return_distance=False)
    labels = y[neighbors[:, 1:]]
    rows = np.flatnonzero(plain.flagged)
    n_other = (labels[rows] != y[rows, None]).sum(axis=1)
    np.testing.assert_array_equal(plain.n_other[rows], n_other)
    assert (plain.main_other[rows] != y[rows]).all()
    assert (plain.main_other[~plain.flagged] == -1).all()


def test_flags_do_not_depend_on_the_random_state():
    X, y = make_classification(
        n_samples=7000, n_features=20, n_informative=5, weights=[0.95], flip_y=0.01, random_state=0
    )
    a = edited_nearest_neighbours(X, y, [0, 1], 3, "mode", np.random.RandomState(1))
    b = edited_nearest_neighbours(X, y, [0, 1], 3, "mode", np.random.RandomState(2))
    np.testing.assert_array_equal(a.flagged, b.flagged)


def test_single_precision_distances_stay_within_the_bound():
    rng = np.random.RandomState(0)
    Z = rng.normal(5.0, 3.0, size=(3000, 20)) * rng.uniform(0.1, 10, size=20)
    space = Space32.from_rows(Z)
    rows, cols = np.arange(0, 3000, 7), np.arange(1, 3000, 5)
    approx = space.left(rows) @ space.right(cols)
    centred = Z - Z.mean(axis=0)
    exact = ((centred[rows, None, :] - centred[None, cols, :]) ** 2).sum(axis=2)
    bound = space.bound * (space.sq[rows, None] + space.sq[None, cols])
    assert (np.abs(approx - exact) <= bound).all()
    assert np.abs(approx - exact).max() > 0  # single precision really rounds


def test_outlying_rows_and_duplicates_still_match():
    X, y = make_classification(
        n_samples=6000, n_features=20, n_informative=5, weights=[0.9], random_state=5
    )
    X[:5] *= 1000.0  # far outliers inflate the rounding bound of every row
    X[10:20] = X[20:30]  # exact duplicates (distance ties: compared up to ties)
    y[10:20] = y[20:30]
    result = edited_nearest_neighbours(X, y, [0, 1], 3, "mode")
    np.testing.assert_array_equal(result.flagged, _reference(X, y, 3, "mode"))


def test_threads_give_the_same_flags(monkeypatch):
    from smote_pipeline.samplers import _space32

    monkeypatch.setattr(_space32, "THREAD_MIN_DISTANCES", 0)  # small data, threads anyway
    X, y = make_classification(
        n_samples=12000,
        n_features=20,
        n_informative=5,
        weights=[0.95],
        flip_y=0.02,
        random_state=11,
    )
    one = edited_nearest_neighbours(X, y, [0, 1], 3, "mode", n_jobs=1)
    two = edited_nearest_neighbours(X, y, [0, 1], 3, "mode", n_jobs=2)
    np.testing.assert_array_equal(one.flagged, two.flagged)
    np.testing.assert_array_equal(one.main_other, two.main_other)
    np.testing.assert_array_equal(two.flagged, _reference(X, y, 3, "mode"))


def test_default_threads_follow_the_openmp_limit():
    from joblib import cpu_count
    from threadpoolctl import threadpool_limits

    from smote_pipeline.samplers._space32 import threads_for

    assert threads_for(2) == 2 and threads_for(-1) == cpu_count()
    with threadpool_limits(limits=1):
        assert threads_for(None) == 1  # e.g. inside a joblib worker or under a user limit
    # the OpenMP limit, not joblib's count (which LOKY_MAX_CPU_COUNT may lower)
    assert 1 <= threads_for(None) <= (os.cpu_count() or 1)
