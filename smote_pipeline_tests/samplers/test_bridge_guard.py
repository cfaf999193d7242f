"""The bridge guard: pairs whose segment leaves the class's territory are redrawn."""

import warnings

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.samplers import BridgeGuardWarning, ClusterAwareSMOTE
from smote_pipeline.samplers._bridge_guard import REASONS, Blockers, judge_pairs


def _two_groups_across_the_majority():
    """Two tight minority groups on either side of a majority square (as one cluster)."""
    rng = np.random.RandomState(0)
    majority = rng.uniform(-1, 1, size=(500, 2))
    minority = np.r_[rng.normal([-1.3, 0], 0.05, (10, 2)), rng.normal([1.3, 0], 0.05, (10, 2))]
    return np.r_[majority, minority], np.r_[np.zeros(500, int), np.ones(20, int)]


def test_guard_stops_bridges_even_inside_one_cluster():
    X, y = _two_groups_across_the_majority()
    sampler = ClusterAwareSMOTE(random_state=0, max_clusters=1, k_neighbors=15)
    X_res, _ = sampler.fit_resample(X, y)
    assert sampler.n_clusters_[1] == 1  # clustering disabled: only the guard acts
    new = X_res[len(X) :]
    assert (np.abs(new[:, 0]) > 1.0).all()  # nothing inside the majority square
    prov = sampler.provenance_
    side_a = X[prov["parent_index_a"], 0] > 0
    side_b = X[prov["parent_index_b"], 0] > 0
    assert (side_a == side_b).all()
    # 10 rows a side, 15 neighbours: at least 5 of each row's pairs cross over
    assert sampler.n_pairs_[1] == 20 * 15
    assert sum(sampler.n_rejected_pairs_[1].values()) >= 20 * 5
    assert sampler.n_rejected_pairs_[1]["other_class"] >= 20 * 5
    unguarded = ClusterAwareSMOTE(
        random_state=0, max_clusters=1, k_neighbors=15, bridge_guard=False
    ).fit_resample(X, y)[0][len(X) :]
    assert (np.abs(unguarded[:, 0]) < 1.0).any()
    assert unguarded.shape == new.shape


def test_guard_changes_nothing_when_no_pair_is_rejected(two_cluster_minority):
    X, y = two_cluster_minority
    guarded = ClusterAwareSMOTE(random_state=0)
    a = guarded.fit_resample(X, y)[0]
    b = ClusterAwareSMOTE(random_state=0, bridge_guard=False).fit_resample(X, y)[0]
    assert guarded.n_rejected_pairs_ == {1: dict.fromkeys(REASONS, 0)}
    np.testing.assert_array_equal(a, b)


def _rejected(coords, members, neighbors, stretch, blockers, cluster=0):
    reason, _ = judge_pairs(coords, members, neighbors, stretch, blockers, cluster)
    return reason


def test_long_pairs_are_refused_by_the_diametral_ball_test():
    coords = np.array([[0.0, 0.0], [0.1, 0.0], [4.0, 0.0], [4.1, 0.0]])
    members = np.arange(4)
    neighbors = np.array([[1, 2], [0, 2], [3, 1], [2, 1]])
    # without an empty-space limit worth the name, only the ball test refuses
    blocker_on_line = Blockers(coords, np.zeros(4, int), lambda: np.array([[2.0, 0.5]]), limit=1e9)
    reason = _rejected(coords, members, neighbors, 2.0, blocker_on_line)
    # the short pairs (0.1 apart) are local; every long pair crosses (2, 0.5)
    np.testing.assert_array_equal(reason, [[0, 1], [0, 1], [0, 1], [0, 1]])
    blocker_aside = Blockers(coords, np.zeros(4, int), lambda: np.array([[2.0, 2.5]]), limit=1e9)
    assert not _rejected(coords, members, neighbors, 2.0, blocker_aside).any()
    # rows of another cluster block too; rows of the same cluster or noise do not
    labels = np.array([0, 0, 0, -2])
    extended = np.r_[coords, [[2.0, 0.0]]]
    own = Blockers(extended, np.r_[labels, 0], lambda: np.zeros((0, 2)), limit=1e9)
    assert not _rejected(extended, members, neighbors, 2.0, own).any()
    other = Blockers(extended, np.r_[labels, 1], lambda: np.zeros((0, 2)), limit=1e9)
    assert (_rejected(extended, members, neighbors, 2.0, other)[:, 1] == 2).all()


def test_a_segment_across_empty_space_is_refused_and_counted_by_reason():
    # two tight groups 4 apart with nothing between them, in one cluster
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal([0, 0], 0.05, (10, 2)), rng.normal([4, 0], 0.05, (10, 2))]
    X = np.r_[X, rng.normal([20, 20], 1.0, (100, 2))]  # the majority, far away
    y = np.r_[np.ones(20, int), np.zeros(100, int)]
    sampler = ClusterAwareSMOTE(random_state=0, max_clusters=1, k_neighbors=15)
    X_res, _ = sampler.fit_resample(X, y)
    counts = sampler.n_rejected_pairs_[1]
    assert counts["other_class"] == counts["other_cluster"] == 0
    assert counts["empty_space"] >= 20 * 5  # at least 5 of each row's 15 pairs cross
    new = X_res[len(X) :]
    assert ((new[:, 0] < 0.5) | (new[:, 0] > 3.5)).all()  # nothing in the empty middle


def test_the_empty_space_rule_keeps_ordinary_pairs_of_curved_and_long_groups():
    from sklearn.datasets import make_circles, make_moons

    for X, y in (
        make_moons(400, noise=0.05, random_state=0),
        make_circles(400, noise=0.03, factor=0.5, random_state=0),
    ):
        keep = (y == 0) | (np.arange(len(y)) % 4 == 0)  # class 1 is the minority
        sampler = ClusterAwareSMOTE(random_state=0, max_clusters=1)
        sampler.fit_resample(X[keep], y[keep])
        assert sampler.n_rejected_pairs_[1]["empty_space"] == 0
    rng = np.random.RandomState(0)
    long_group = rng.normal(size=(200, 3)) * [8.0, 1.0, 1.0]
    X = np.r_[long_group, rng.normal([0, 30, 0], 1.0, (400, 3))]
    y = np.r_[np.ones(200, int), np.zeros(400, int)]
    guarded = ClusterAwareSMOTE(random_state=0, max_clusters=1)
    guarded.fit_resample(X, y)
    assert guarded.n_rejected_pairs_[1]["empty_space"] <= 0.02 * guarded.n_pairs_[1]


@pytest.mark.parametrize("n_dims", [3, 12])
def test_tree_and_brute_force_agree(n_dims):
    rng = np.random.RandomState(n_dims)
    coords = rng.normal(size=(60, n_dims))
    members = np.arange(60)
    neighbors = np.argsort(((coords[:, None] - coords[None]) ** 2).sum(axis=2), axis=1)[:, 1:6]
    other = rng.normal(size=(200, n_dims))
    blockers = Blockers(coords, np.zeros(60, int), lambda: other, limit=1e9)
    reason = _rejected(coords, members, neighbors, 0.0, blockers)
    a, b = coords[members[:, None]], coords[neighbors]
    mid, radius = (a + b) / 2, np.sqrt(((a - b) ** 2).sum(axis=2)) / 2
    d = np.sqrt(((mid[:, :, None, :] - other[None, None]) ** 2).sum(axis=3)).min(axis=2)
    np.testing.assert_array_equal(reason == 1, d < radius)


def test_every_pair_blocked_falls_back_to_copies_with_a_warning():
    # two minority rows with a majority row exactly between them
    X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [1.0, 0.3], [1.0, -0.3], [5.0, 5.0]])
    y = np.array([1, 1, 0, 0, 0, 0])
    # pair_stretch=0 checks every pair (a 2-row cluster's only pair is otherwise local)
    sampler = ClusterAwareSMOTE(random_state=0, k_neighbors=1, max_clusters=1, pair_stretch=0)
    with pytest.warns(BridgeGuardWarning, match="rejected every pair"):
        X_res, y_res = sampler.fit_resample(X, y)
    assert sum(sampler.n_rejected_pairs_[1].values()) == sampler.n_pairs_[1] == 2
    new = X_res[len(X) :]
    assert len(new) == 2 and all((row == X[:2]).all(axis=1).any() for row in new)


def test_guard_works_with_pca_and_categorical_columns():
    X, y = _two_groups_across_the_majority()
    rng = np.random.RandomState(1)
    df = pd.DataFrame(
        {
            "a": X[:, 0],
            "b": X[:, 1],
            "c": X[:, 0] * 2 + rng.normal(0, 0.01, len(X)),
            "kind": pd.Series(rng.choice(["u", "v"], len(X)), dtype="str"),
        }
    )
    sampler = ClusterAwareSMOTE(random_state=0, max_clusters=1, k_neighbors=15, n_components=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_res, _ = sampler.fit_resample(df, y)
    new = X_res.iloc[len(df) :]
    assert sum(sampler.n_rejected_pairs_[1].values()) > 0
    assert (new["a"].abs() > 1.0).all()


@pytest.mark.parametrize("n_dims", [3, 8])
def test_reusing_the_cluster_graph_gives_the_same_rows(n_dims):
    from smote_pipeline.samplers import GapClustering
    from smote_pipeline_tests.samplers.gaps import make_shape

    data = make_shape(3, [120, 3, 2, 40], n_dims, elongated=True)
    default = ClusterAwareSMOTE(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reused = default.fit_resample(data.X, data.y)[0]
        explicit = ClusterAwareSMOTE(random_state=0, clusterer=GapClustering())
        searched = explicit.fit_resample(data.X, data.y)[0]
    assert default.clusterers_[1].graph_neighbors(5) is not None
    assert default.n_clusters_[1] >= 2
    pd.testing.assert_frame_equal(reused, searched)
