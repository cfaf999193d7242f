"""SafetyIndex: exact rule while cheap, leaf-local + sampled rule beyond."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors

from smote_pipeline.samplers import ClusterAwareSMOTE, _safety


def _problem(n_samples, n_candidates=1500, seed=0, n_features=20):
    """Generated data (1 class in 20) and SMOTE-like minority candidates."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=5,
        weights=[0.95],
        random_state=seed,
    )
    rng = np.random.RandomState(seed + 1)
    minority = X[y == 1]
    near = NearestNeighbors(n_neighbors=6).fit(minority)
    near = near.kneighbors(minority, return_distance=False)[:, 1:]
    a = rng.randint(0, len(minority), n_candidates)
    b = near[a, rng.randint(0, 5, n_candidates)]
    candidates = minority[a] + rng.uniform(size=(n_candidates, 1)) * (minority[b] - minority[a])
    return X, y, candidates


def _index(X, y, seed=0):
    return _safety.SafetyIndex(X, np.zeros((len(X), 0), dtype=int), [], y, 5, True, seed)


def test_rule_on_all_rows_equals_the_exact_query(monkeypatch):
    X, y, candidates = _problem(3000)
    monkeypatch.setattr(_safety, "EXACT_BUDGET", 0)  # never the plain query
    monkeypatch.setattr(_safety, "REFERENCE_CAP", 3000)  # both sides fit
    index = _index(X, y)
    own, other = index.reference(1)
    assert own.leaves is None and other.leaves is None  # all rows used
    flags = index.unsafe(candidates, np.zeros((len(candidates), 0), dtype=int), 1)
    exact = index.exact_unsafe(index.space.transform(candidates, np.zeros((1500, 0))), 1)
    np.testing.assert_array_equal(flags, exact)
    assert 0 < flags.mean() < 1


@pytest.mark.parametrize(
    ("cap", "floor", "n_features"),
    [
        (1200, 0.9, 20),  # measured 0.95 (all 1093 minority rows used)
        (256, 0.9, 20),  # measured 0.97
        (256, 0.9, 10),  # measured 0.985; sampled from 6 dimensions on (trees up to 5)
    ],
)
def test_sampled_rule_agrees_with_the_exact_rule_on_most_candidates(
    monkeypatch, cap, floor, n_features
):
    X, y, candidates = _problem(20000, n_features=n_features)
    monkeypatch.setattr(_safety, "EXACT_BUDGET", 0)
    monkeypatch.setattr(_safety, "REFERENCE_CAP", cap)  # 1093 minority, 18907 others
    monkeypatch.setattr(_safety, "LEAF_ROWS", 2048)
    index = _index(X, y)
    own, other = index.reference(1)
    assert other.leaves is not None and (own.leaves is None) == (cap >= 1093)
    flags = index.unsafe(candidates, np.zeros((len(candidates), 0), dtype=int), 1)
    exact = index.exact_unsafe(index.space.transform(candidates, np.zeros((1500, 0))), 1)
    agreement = (flags == exact).mean()
    assert agreement > floor, agreement
    assert (flags & ~exact).mean() < 0.1  # it rarely rejects a safe candidate
    assert 0.2 < exact.mean() < 0.8  # the rule is not trivial on this data


def test_sampled_rule_is_deterministic(monkeypatch):
    X, y, candidates = _problem(12000, n_candidates=800)
    monkeypatch.setattr(_safety, "EXACT_BUDGET", 0)
    monkeypatch.setattr(_safety, "REFERENCE_CAP", 500)
    monkeypatch.setattr(_safety, "LEAF_ROWS", 1000)
    no_codes = np.zeros((len(candidates), 0), dtype=int)
    first = _index(X, y, 3).unsafe(candidates, no_codes, 1)
    again = _index(X, y, 3).unsafe(candidates, no_codes, 1)
    other_seed = _index(X, y, 4).unsafe(candidates, no_codes, 1)
    np.testing.assert_array_equal(first, again)
    assert 0 < (first != other_seed).mean() < 0.3  # another sample: other flags, mostly alike


def test_cluster_smote_with_sampled_safety_is_reproducible(monkeypatch):
    X, y, _ = _problem(8000)
    monkeypatch.setattr(_safety, "EXACT_BUDGET", 0)
    monkeypatch.setattr(_safety, "REFERENCE_CAP", 300)
    monkeypatch.setattr(_safety, "LEAF_ROWS", 500)
    outputs = []
    for _ in range(2):
        sampler = ClusterAwareSMOTE(random_state=0, safety_filter=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outputs.append(sampler.fit_resample(X, y)[0])
        assert 0 < sampler.safety_rejection_rate_ < 1
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_degenerate_classes_are_decided_without_search():
    X = np.random.RandomState(0).normal(size=(50, 3))
    y = np.array([0] * 48 + [1] * 2)
    index = _safety.SafetyIndex(X, np.zeros((50, 0), dtype=int), [], y, 5, True)
    no_codes = np.zeros((4, 0), dtype=int)
    assert index.unsafe(X[:4], no_codes, 1).all()  # 2 rows < s = 3: always outvoted
    y_all = np.zeros(50, dtype=int)
    y_all[:2] = 1
    index = _safety.SafetyIndex(X, np.zeros((50, 0), dtype=int), [], y_all, 5, True)
    assert not index.unsafe(X[:4], no_codes, 0).any()  # 2 others < m = 3


def test_sampled_rule_does_not_depend_on_threads(monkeypatch):
    from smote_pipeline.samplers import _space32

    monkeypatch.setattr(_space32, "THREAD_MIN_DISTANCES", 0)  # small data, threads anyway
    X, y, candidates = _problem(20000)
    monkeypatch.setattr(_safety, "EXACT_BUDGET", 0)
    monkeypatch.setattr(_safety, "REFERENCE_CAP", 256)
    flags = []
    for n_threads in (1, 2):
        index = _index(X, y)
        index.n_threads = n_threads
        flags.append(index.unsafe(candidates, np.zeros((len(candidates), 0), dtype=int), 1))
    np.testing.assert_array_equal(flags[0], flags[1])
    assert 0 < flags[0].mean() < 1
