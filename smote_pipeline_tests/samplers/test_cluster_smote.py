"""Behaviour of ClusterAwareSMOTE."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE
from scipy.stats import ks_2samp
from sklearn.cluster import HDBSCAN
from sklearn.datasets import make_classification

from smote_pipeline.samplers import AutoKMeans, ClusterAwareSMOTE, GapClustering
from smote_pipeline.samplers._generation import SafetyFilterWarning, SmallClusterWarning


def _synthetic(X_res, n_original):
    return np.asarray(X_res)[n_original:]


def test_no_synthetic_row_in_the_gap(two_cluster_minority):
    X, y = two_cluster_minority
    sampler = ClusterAwareSMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.n_clusters_[1] == 2
    new = _synthetic(X_res, len(X))
    centers = np.array([[-10.0, -10.0], [10.0, 10.0]])
    nearest = np.argmin(((new[:, None, :] - centers) ** 2).sum(axis=2), axis=1)
    prov = sampler.provenance_
    parent_a = X[prov["parent_index_a"]]
    parent_b = X[prov["parent_index_b"]]
    side_a = np.argmin(((parent_a[:, None, :] - centers) ** 2).sum(axis=2), axis=1)
    side_b = np.argmin(((parent_b[:, None, :] - centers) ** 2).sum(axis=2), axis=1)
    assert np.array_equal(side_a, side_b)
    assert np.array_equal(nearest, side_a)
    # nothing near the gap between the blobs (the real minority gap is ~ [-8, 8])
    assert np.abs(new).min(axis=1).min() > 7


def test_provenance_and_attributes(two_cluster_minority):
    X, y = two_cluster_minority
    sampler = ClusterAwareSMOTE(random_state=1)
    X_res, y_res = sampler.fit_resample(X, y)
    prov = sampler.provenance_
    assert list(prov.columns) == [
        "class_label",
        "cluster_id",
        "parent_index_a",
        "parent_index_b",
        "interpolation_factor",
    ]
    assert len(prov) == len(X_res) - len(X) == sampler.n_synthetic_[1] == 340
    assert prov["interpolation_factor"].between(0, 1).all()
    assert (y[prov["parent_index_a"]] == 1).all() and (y[prov["parent_index_b"]] == 1).all()
    expected = X[prov["parent_index_a"]] + prov["interpolation_factor"].to_numpy()[:, None] * (
        X[prov["parent_index_b"]] - X[prov["parent_index_a"]]
    )
    np.testing.assert_allclose(_synthetic(X_res, len(X)), expected)
    assert sampler.cluster_labels_[1].shape == (60,)
    assert np.isnan(sampler.safety_rejection_rate_)


def test_matches_plain_smote_with_one_cluster():
    X, y = make_classification(n_samples=600, n_features=4, weights=[0.8], random_state=0)
    # the bridge guard redraws some pairs on these overlapping classes: equivalence
    # with imbalanced-learn holds with it off (note 7)
    ours = ClusterAwareSMOTE(random_state=7, max_clusters=1, standardize=False, bridge_guard=False)
    X_ours, y_ours = ours.fit_resample(X, y)
    X_ref, y_ref = SMOTE(random_state=7).fit_resample(X, y)
    assert Counter(y_ours) == Counter(y_ref)
    new_ours, new_ref = _synthetic(X_ours, len(X)), _synthetic(X_ref, len(X))
    for j in range(X.shape[1]):
        assert ks_2samp(new_ours[:, j], new_ref[:, j]).pvalue > 0.01
    # same pair / factor draws as imbalanced-learn, hence the same rows
    np.testing.assert_allclose(new_ours, new_ref)


def test_same_seed_same_output_and_different_seed_differs(two_cluster_minority):
    X, y = two_cluster_minority
    a = ClusterAwareSMOTE(random_state=3, safety_filter=True).fit_resample(X, y)[0]
    b = ClusterAwareSMOTE(random_state=3, safety_filter=True).fit_resample(X, y)[0]
    c = ClusterAwareSMOTE(random_state=4, safety_filter=True).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_pca_round_trip_stays_in_cluster_range():
    rng = np.random.RandomState(0)
    latent = rng.normal(size=(200, 2))
    X = np.hstack([latent @ rng.normal(size=(2, 6)) * [1, 10, 100, 1, 5, 0.1], latent])
    y = np.array([0] * 150 + [1] * 50)
    sampler = ClusterAwareSMOTE(random_state=0, n_components=0.95, max_clusters=1)
    X_res, _ = sampler.fit_resample(X, y)
    new = _synthetic(X_res, len(X))
    minority = X[y == 1]
    assert (new >= minority.min(axis=0) - 1e-9).all() and (new <= minority.max(axis=0) + 1e-9).all()
    assert sampler.pca_[1].n_components_ < X.shape[1]
    ints = ClusterAwareSMOTE(random_state=0, n_components=2).fit_resample(X, y)
    assert ints[0].shape == (300, 8)


def test_categorical_and_integer_columns_stay_valid():
    rng = np.random.RandomState(0)
    n = 300
    df = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n),
            "count": rng.poisson(4, n).astype("int64"),
            "city": pd.Series(rng.choice(["paris", "rome", "oslo"], n), dtype="str"),
            "tier": pd.Categorical(rng.choice(["gold", "silver"], n)),
            "flag": rng.rand(n) > 0.5,
        }
    )
    y = pd.Series(np.r_[np.zeros(250, int), np.ones(50, int)], name="target")
    sampler = ClusterAwareSMOTE(random_state=0, n_components=2, safety_filter=True)
    X_res, y_res = sampler.fit_resample(df, y)
    assert list(X_res.columns) == list(df.columns)
    assert (X_res.dtypes == df.dtypes).all()
    assert y_res.name == "target" and Counter(y_res) == {0: 250, 1: 250}
    new = X_res.iloc[len(df) :]
    minority = df[y == 1]
    assert set(new["city"]) <= set(minority["city"])
    assert set(new["tier"]) <= set(minority["tier"])
    assert set(new["flag"]) <= {True, False}
    for column in ["amount", "count"]:
        assert new[column].between(minority[column].min(), minority[column].max()).all()
    assert (new["count"] == np.round(new["count"])).all()
    np.testing.assert_array_equal(sampler.categorical_features_, [2, 3, 4])


def test_categorical_value_is_the_mode_of_the_parents_neighbours():
    X = np.array(
        [[0.0, "a"], [0.1, "a"], [0.2, "a"], [0.3, "b"], [5.0, "b"], [5.1, "b"]], dtype=object
    )
    X = np.vstack([X, np.array([[9.0, "z"]] * 10, dtype=object)])
    y = np.array([1] * 6 + [0] * 10)
    sampler = ClusterAwareSMOTE(random_state=0, k_neighbors=3, max_clusters=1, standardize=False)
    X_res, _ = sampler.fit_resample(X, y)
    assert set(X_res[16:, 1]) <= {"a", "b"}


def test_hdbscan_noise_rows_are_never_parents(two_cluster_minority):
    X, y = two_cluster_minority
    scattered = np.random.RandomState(0).uniform(-20, 20, size=(8, 2))  # minority noise
    X, y = np.vstack([X, scattered]), np.r_[y, np.ones(8, int)]
    sampler = ClusterAwareSMOTE(
        random_state=0, clusterer=HDBSCAN(min_cluster_size=5, copy=True), standardize=False
    )
    sampler.fit_resample(X, y)
    labels = sampler.cluster_labels_[1]
    assert (labels == -1).sum() >= 1
    parents = np.r_[sampler.provenance_["parent_index_a"], sampler.provenance_["parent_index_b"]]
    minority_rows = np.flatnonzero(y == 1)
    noise_rows = minority_rows[labels == -1]
    assert not np.isin(parents, noise_rows).any()
    assert -1 not in set(sampler.provenance_["cluster_id"])


def test_all_noise_class_falls_back_to_one_cluster(two_cluster_minority):
    X, y = two_cluster_minority
    labels = np.full(len(y), -1)
    with pytest.warns(UserWarning, match="every row of class 1 is labelled noise"):
        sampler = ClusterAwareSMOTE(random_state=0).fit(X, y)
        sampler.fit_resample(X, y, cluster_labels=labels)
    assert sampler.n_synthetic_[1] == 340


def test_precomputed_cluster_labels_are_honoured(two_cluster_minority):
    X, y = two_cluster_minority
    labels = np.zeros(len(y), dtype=int)
    labels[y == 1] = np.where(X[y == 1, 0] < 0, 10, 20)
    # AutoKMeans on the same rows gives the same partition (up to label names)
    auto = AutoKMeans(random_state=0).fit_predict(X[y == 1])
    assert len(set(zip(auto, labels[y == 1], strict=True))) == 2
    sampler = ClusterAwareSMOTE(random_state=0, max_clusters=1)
    sampler.fit_resample(X, y, cluster_labels=labels)
    assert set(sampler.provenance_["cluster_id"]) == {10, 20}
    assert sampler.n_clusters_[1] == 2
    prov = sampler.provenance_
    assert (labels[prov["parent_index_a"]] == prov["cluster_id"]).all()
    assert (labels[prov["parent_index_b"]] == prov["cluster_id"]).all()
    with pytest.raises(ValueError, match="cluster_labels must have shape"):
        sampler.fit_resample(X, y, cluster_labels=labels[:-1])


@pytest.mark.parametrize("allocation", ["proportional", "sparse"])
def test_allocation_sums_exactly(two_cluster_minority, allocation):
    X, y = two_cluster_minority
    labels = np.zeros(len(y), dtype=int)
    labels[y == 1] = np.arange(60) % 7  # uneven sizes 9/9/9/9/8/8/8
    sampler = ClusterAwareSMOTE(
        random_state=0, allocation=allocation, k_neighbors=3, sampling_strategy={1: 401}
    )
    X_res, y_res = sampler.fit_resample(X, y, cluster_labels=labels)
    assert Counter(y_res)[1] == 401
    per_cluster = sampler.provenance_["cluster_id"].value_counts()
    assert per_cluster.sum() == 341
    if allocation == "proportional":
        sizes = pd.Series(labels[y == 1]).value_counts()
        quota = 341 * sizes / 60
        assert (per_cluster.sort_index() >= np.floor(quota.sort_index())).all()
        assert (per_cluster.sort_index() <= np.ceil(quota.sort_index())).all()


@pytest.mark.parametrize("policy", ["duplicate", "skip", "shrink_k"])
def test_small_clusters_warn_and_follow_policy(two_cluster_minority, policy):
    X, y = two_cluster_minority
    labels = np.zeros(len(y), dtype=int)
    minority = np.flatnonzero(y == 1)
    labels[minority] = 0
    labels[minority[:3]] = 5  # a 3-row cluster, k_neighbors=5 needs 6
    sampler = ClusterAwareSMOTE(random_state=0, small_cluster=policy)
    with pytest.warns(SmallClusterWarning, match=r"class 1, cluster 5 has 3 row\(s\)"):
        sampler.fit_resample(X, y, cluster_labels=labels)
    prov = sampler.provenance_
    small = prov[prov["cluster_id"] == 5]
    if policy == "skip":
        assert small.empty
    elif policy == "duplicate":
        assert len(small) == 17  # 340 * 3 / 60
        assert (small["parent_index_a"] == small["parent_index_b"]).all()
        assert (small["interpolation_factor"] == 0).all()
    else:
        assert len(small) == 17
        assert (small["parent_index_a"] != small["parent_index_b"]).all()
    assert len(prov) == 340


def test_singleton_class_is_duplicated():
    X = np.r_[np.random.RandomState(0).normal(size=(20, 2)), [[5.0, 5.0]]]
    y = np.r_[np.zeros(20, int), 1]
    with pytest.warns(SmallClusterWarning):
        X_res, y_res = ClusterAwareSMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[21:], np.repeat([[5.0, 5.0]], 19, axis=0))


def test_safety_filter_rejects_candidates_inside_the_majority():
    rng = np.random.RandomState(0)
    majority = rng.uniform(-1, 1, size=(500, 2))
    # two minority groups on either side of the majority square: bridging them is unsafe
    minority = np.r_[rng.normal([-1.3, 0], 0.05, (10, 2)), rng.normal([1.3, 0], 0.05, (10, 2))]
    X, y = np.r_[majority, minority], np.r_[np.zeros(500, int), np.ones(20, int)]
    # the bridge guard alone already stops these bridges (next test): off here, so that
    # the safety filter is what is tested
    sampler = ClusterAwareSMOTE(
        random_state=0,
        safety_filter=True,
        max_clusters=1,
        k_neighbors=15,
        max_redraws=20,
        bridge_guard=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SafetyFilterWarning)
        X_res, _ = sampler.fit_resample(X, y)
    assert 0 < sampler.safety_rejection_rate_ < 1
    new = X_res[520:]
    assert (np.abs(new[:, 0]) > 0.9).mean() > 0.95
    dropped = ClusterAwareSMOTE(
        random_state=0,
        safety_filter=True,
        max_clusters=1,
        k_neighbors=15,
        max_redraws=0,
        safety_fallback="drop",
        bridge_guard=False,
    )
    with pytest.warns(SafetyFilterWarning, match="dropped"):
        X_drop, _ = dropped.fit_resample(X, y)
    assert len(X_drop) == 1000 - dropped.n_unsafe_kept_


def test_multiclass_each_class_on_its_own():
    X, y = make_classification(
        n_samples=600, n_classes=3, n_informative=4, weights=[0.6, 0.3, 0.1], random_state=0
    )
    sampler = ClusterAwareSMOTE(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    counts = Counter(y)
    assert Counter(y_res) == {c: max(counts.values()) for c in counts}
    assert set(sampler.n_synthetic_) == {1, 2}  # 'auto': all but the majority
    prov = sampler.provenance_
    assert (y[prov["parent_index_a"]] == prov["class_label"].astype(int)).all()


def test_find_clusters_round_trips_through_fit_resample():
    X, y = make_classification(
        n_samples=900, n_classes=3, n_informative=4, weights=[0.7, 0.2, 0.1], random_state=3
    )
    for params in ({}, {"n_components": 2}, {"safety_filter": True}):
        sampler = ClusterAwareSMOTE(random_state=5, **params)
        labels = sampler.find_clusters(X, y)
        assert labels.shape == (len(y),)
        assert (labels[y == 0] == -2).all()  # the majority is not over-sampled
        assert (labels[y != 0] >= 0).all()
        assert set(sampler.clusterers_) == {1, 2}
        assert isinstance(sampler.clusterers_[1], GapClustering)
        assert sampler.clusterers_[1].gap_ratios_.ndim == 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            direct = ClusterAwareSMOTE(random_state=5, **params).fit_resample(X, y)
            given = ClusterAwareSMOTE(random_state=5, **params).fit_resample(
                X, y, cluster_labels=labels
            )
        np.testing.assert_array_equal(direct[0], given[0])
        np.testing.assert_array_equal(direct[1], given[1])


def test_default_small_cluster_policy_never_copies_real_rows(two_cluster_minority):
    X, y = two_cluster_minority
    labels = np.zeros(len(y), dtype=int)
    minority = np.flatnonzero(y == 1)
    labels[minority[:3]] = 5  # 3 rows: shrink k to 2
    labels[minority[3]] = 7  # 1 row: gives its share away
    sampler = ClusterAwareSMOTE(random_state=0)
    with pytest.warns(SmallClusterWarning) as record:
        X_res, _ = sampler.fit_resample(X, y, cluster_labels=labels)
    messages = " ".join(str(w.message) for w in record)
    assert "cluster 7 has 1 row(s)" in messages and "giving its share" in messages
    assert "cluster 5 has 3 row(s)" in messages and "using k=2" in messages
    prov = sampler.provenance_
    assert len(prov) == 340 and 7 not in set(prov["cluster_id"])
    assert (prov["parent_index_a"] != prov["parent_index_b"]).all()
    new = X_res[len(X) :]
    assert not (new[:, None, :] == X[None, minority, :]).all(axis=2).any()


def test_all_singleton_clusters_are_duplicated_with_a_warning(two_cluster_minority):
    X, y = two_cluster_minority
    labels = np.arange(len(y))  # every minority row its own cluster
    with pytest.warns(SmallClusterWarning, match="every cluster of the class has one row"):
        sampler = ClusterAwareSMOTE(random_state=0, sampling_strategy={1: 80})
        sampler.fit_resample(X, y, cluster_labels=labels)
    prov = sampler.provenance_
    assert len(prov) == 20 and (prov["parent_index_a"] == prov["parent_index_b"]).all()


def test_rare_category_does_not_dominate_clusters():
    rng = np.random.RandomState(0)
    n = 400
    numeric = np.r_[rng.normal(-5, 1, (n // 2, 2)), rng.normal(5, 1, (n // 2, 2))]
    df = pd.DataFrame(
        {
            "a": numeric[:, 0],
            "b": numeric[:, 1],
            "colour": pd.Series(np.where(rng.rand(n) < 0.03, "red", "blue"), dtype="str"),
        }
    )
    y = np.r_[np.zeros(1000, int), np.ones(n, int)]
    majority = pd.DataFrame(
        {
            "a": rng.normal(0, 1, 1000),
            "b": rng.normal(0, 1, 1000),
            "colour": pd.Series(["blue"] * 1000, dtype="str"),
        }
    )
    X = pd.concat([majority, df], ignore_index=True)
    sampler = ClusterAwareSMOTE(random_state=0)
    labels = sampler.find_clusters(X, y)[y == 1]
    truth = (numeric[:, 0] > 0).astype(int)
    # the clusters are the two numeric blobs, not "red" versus "blue"
    assert sampler.clusterers_[1].n_clusters_ == 2
    assert len(set(zip(labels, truth, strict=True))) == 2
