"""Allocation by largest remainder and AutoKMeans's choice of k."""

import numpy as np
import pytest

from smote_pipeline.samplers import AutoKMeans
from smote_pipeline.samplers._allocation import cluster_weights, largest_remainder


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (10, [1, 1, 1], [4, 3, 3]),
        (7, [5, 0, 5], [4, 0, 3]),
        (0, [1, 2], [0, 0]),
        (101, [0.2, 0.3, 0.5], [20, 30, 51]),
    ],
)
def test_largest_remainder(total, weights, expected):
    counts = largest_remainder(total, np.array(weights))
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == total


def test_sparse_weights_favour_spread_out_clusters():
    rng = np.random.RandomState(0)
    Z = np.r_[rng.normal(0, 0.1, (50, 2)), rng.normal(5, 2.0, (50, 2))]
    members = [np.arange(50), np.arange(50, 100)]
    weights = cluster_weights("sparse", members, Z, random_state=0)
    assert weights[1] > weights[0]
    np.testing.assert_array_equal(cluster_weights("proportional", members, Z), [50, 50])


def test_autokmeans_finds_separated_clusters_and_reports_scores():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (60, 3)), rng.normal(15, 1, (60, 3)), rng.normal(-15, 1, (60, 3))]
    X[:, 2] *= 1000  # mixed scales: standardisation keeps the third feature from dominating
    model = AutoKMeans(random_state=0, sample_size=100).fit(X)
    assert model.n_clusters_ == 3
    assert set(model.silhouette_scores_) == set(range(2, 9))
    assert model.cluster_centers_.shape == (3, 3)
    np.testing.assert_array_equal(model.predict(X), model.labels_)


def test_autokmeans_unstructured_data_gives_one_cluster():
    X = np.random.RandomState(0).normal(size=(300, 10))
    model = AutoKMeans(random_state=0).fit(X)
    assert model.n_clusters_ == 1
    assert max(model.silhouette_scores_.values()) < 0.25
    assert (model.labels_ == 0).all()


@pytest.mark.parametrize("n_rows", [1, 2, 3])
def test_autokmeans_tiny_inputs(n_rows):
    X = np.arange(n_rows * 2, dtype=float).reshape(n_rows, 2)
    model = AutoKMeans(random_state=0).fit(X)
    assert model.labels_.shape == (n_rows,)
    assert 1 <= model.n_clusters_ <= max(1, n_rows - 1)


def test_autokmeans_is_deterministic():
    X = np.random.RandomState(1).normal(size=(200, 2))
    a = AutoKMeans(random_state=3).fit_predict(X)
    b = AutoKMeans(random_state=3).fit_predict(X)
    np.testing.assert_array_equal(a, b)


def test_silhouette_from_distances_equals_sklearn():
    from sklearn.metrics import silhouette_score
    from sklearn.metrics.pairwise import euclidean_distances

    from smote_pipeline.samplers._clustering import silhouette_from_distances

    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    labels = rng.randint(0, 4, 150)
    labels[0] = 9  # a one-row cluster scores 0, as in scikit-learn
    assert silhouette_from_distances(euclidean_distances(X), labels) == pytest.approx(
        silhouette_score(X, labels)
    )


def test_autokmeans_chooses_k_on_a_bounded_sample():
    rng = np.random.RandomState(0)
    centres = np.array([[0, 0], [12, 0], [0, 12]])
    X = np.vstack([rng.normal(c, 1, (3000, 2)) for c in centres])
    model = AutoKMeans(random_state=0, sample_size=200).fit(X)
    assert model.n_clusters_ == 3
    assert model.labels_.shape == (9000,)
    # the final k-means runs on all rows: each true blob is one cluster
    for part in np.split(model.labels_, 3):
        assert np.unique(part).size == 1
