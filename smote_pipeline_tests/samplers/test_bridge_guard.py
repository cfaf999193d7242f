"""The bridge guard: long pairs whose segment leaves the cluster's territory are redrawn."""

import warnings

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.samplers import BridgeGuardWarning, ClusterAwareSMOTE
from smote_pipeline.samplers._bridge_guard import Blockers, rejected_pairs


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
    assert sampler.n_rejected_pairs_[1] >= 20 * 5
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
    assert guarded.n_rejected_pairs_ == {1: 0}
    np.testing.assert_array_equal(a, b)


def test_rejected_pairs_is_the_diametral_ball_test():
    coords = np.array([[0.0, 0.0], [0.1, 0.0], [4.0, 0.0], [4.1, 0.0]])
    members = np.arange(4)
    neighbors = np.array([[1, 2], [0, 2], [3, 1], [2, 1]])
    blocker_on_line = Blockers(coords, np.zeros(4, int), lambda: np.array([[2.0, 0.5]]))
    rejected = rejected_pairs(coords, members, neighbors, 2.0, blocker_on_line, 0)
    # the short pairs (0.1 apart) are local; every long pair crosses (2, 0.5)
    np.testing.assert_array_equal(
        rejected, [[False, True], [False, True], [False, True], [False, True]]
    )
    blocker_aside = Blockers(coords, np.zeros(4, int), lambda: np.array([[2.0, 2.5]]))
    assert not rejected_pairs(coords, members, neighbors, 2.0, blocker_aside, 0).any()
    # rows of another cluster block too; rows of the same cluster or noise do not
    labels = np.array([0, 0, 0, -2])
    own = Blockers(np.r_[coords, [[2.0, 0.0]]], np.r_[labels, 0], lambda: np.zeros((0, 2)))
    assert not rejected_pairs(coords, members, neighbors, 2.0, own, 0).any()
    other = Blockers(np.r_[coords, [[2.0, 0.0]]], np.r_[labels, 1], lambda: np.zeros((0, 2)))
    assert rejected_pairs(coords, members, neighbors, 2.0, other, 0)[:, 1].all()


@pytest.mark.parametrize("n_dims", [3, 12])
def test_tree_and_brute_force_agree(n_dims):
    rng = np.random.RandomState(n_dims)
    coords = rng.normal(size=(60, n_dims))
    members = np.arange(60)
    neighbors = np.argsort(((coords[:, None] - coords[None]) ** 2).sum(axis=2), axis=1)[:, 1:6]
    other = rng.normal(size=(200, n_dims))
    blockers = Blockers(coords, np.zeros(60, int), lambda: other)
    rejected = rejected_pairs(coords, members, neighbors, 0.0, blockers, 0)
    a, b = coords[members[:, None]], coords[neighbors]
    mid, radius = (a + b) / 2, np.sqrt(((a - b) ** 2).sum(axis=2)) / 2
    d = np.sqrt(((mid[:, :, None, :] - other[None, None]) ** 2).sum(axis=3)).min(axis=2)
    np.testing.assert_array_equal(rejected, d < radius)


def test_every_pair_blocked_falls_back_to_copies_with_a_warning():
    # two minority rows with a majority row exactly between them
    X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [1.0, 0.3], [1.0, -0.3], [5.0, 5.0]])
    y = np.array([1, 1, 0, 0, 0, 0])
    # pair_stretch=0 checks every pair (a 2-row cluster's only pair is otherwise local)
    sampler = ClusterAwareSMOTE(random_state=0, k_neighbors=1, max_clusters=1, pair_stretch=0)
    with pytest.warns(BridgeGuardWarning, match="rejected every pair"):
        X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.n_rejected_pairs_[1] == sampler.n_pairs_[1] == 2
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
    assert sampler.n_rejected_pairs_[1] > 0
    assert (new["a"].abs() > 1.0).all()


@pytest.mark.parametrize("n_dims", [3, 8])
def test_reusing_the_cluster_graph_gives_the_same_rows(n_dims):
    from smote_pipeline.samplers import GapClustering
    from smote_pipeline_tests.samplers.gaps import make_groups

    data = make_groups(3, [120, 3, 2, 40], n_dims, [True, False, False, True], majority_factor=4)
    default = ClusterAwareSMOTE(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reused = default.fit_resample(data.X, data.y)[0]
        explicit = ClusterAwareSMOTE(random_state=0, clusterer=GapClustering())
        searched = explicit.fit_resample(data.X, data.y)[0]
    assert default.clusterers_[1].graph_neighbors(5) is not None
    assert default.n_clusters_[1] == 4
    pd.testing.assert_frame_equal(reused, searched)
