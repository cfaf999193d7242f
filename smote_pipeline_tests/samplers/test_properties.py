"""Property tests: shapes, class counts, value ranges and categories always hold."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smote_pipeline.samplers import ClusterAwareSMOTE, NoiseFilter


@st.composite
def datasets(draw):
    n_major = draw(st.integers(8, 40))
    n_minor = draw(st.integers(1, min(12, n_major - 1)))
    n_numeric = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    n = n_major + n_minor
    data = {f"x{j}": rng.normal(0, 10 ** rng.randint(-1, 3), n) for j in range(n_numeric)}
    data["count"] = rng.randint(0, 5, n).astype("int64")
    data["kind"] = pd.Series(rng.choice(["a", "b", "c"], n), dtype="str")
    y = np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]
    return pd.DataFrame(data), y


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=datasets(),
    ratio=st.sampled_from(["auto", 0.5, 1.0]),
    n_components=st.sampled_from([None, 1, 0.9]),
    small_cluster=st.sampled_from(["duplicate", "skip", "shrink_k"]),
    safety=st.booleans(),
)
def test_cluster_smote_invariants(data, ratio, n_components, small_cluster, safety):
    X, y = data
    counts = Counter(y)
    if ratio != "auto" and int(counts[0] * ratio - counts[1]) <= 0:
        ratio = "auto"  # imbalanced-learn refuses ratios that would shrink the minority
    sampler = ClusterAwareSMOTE(
        sampling_strategy=ratio,
        random_state=0,
        n_components=n_components,
        small_cluster=small_cluster,
        safety_filter=safety,
        max_clusters=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_res, y_res = sampler.fit_resample(X, y)
    wanted = counts[0] if ratio == "auto" else counts[1] + int(counts[0] * ratio - counts[1])
    assert X_res.shape == (len(y_res), X.shape[1])
    assert Counter(y_res) == {0: counts[0], 1: wanted}
    assert (X_res.dtypes == X.dtypes).all()
    new = X_res.iloc[len(X) :]
    minority = X[y == 1]
    for column in X.columns:
        if column == "kind":
            assert set(new[column]) <= set(minority[column])
        else:
            assert new[column].between(minority[column].min(), minority[column].max()).all()
    assert (new["count"] == np.round(new["count"])).all()
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    assert len(sampler.provenance_) == len(new)


@settings(max_examples=15, deadline=None)
@given(data=datasets(), method=st.sampled_from(["enn", "tomek", "ipf", "isolation_forest"]))
def test_noise_filter_invariants(data, method):
    X, y = data
    nf = NoiseFilter(method=method, max_minority_removal=1.0, random_state=0, n_estimators=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_res, y_res = nf.fit_resample(X, y)
    assert set(y_res) == {0, 1}
    assert len(X_res) == len(y_res) == len(nf.sample_indices_)
    assert len(nf.removed_indices_) == len(nf.removal_reasons_) == len(X) - len(X_res)
    pd.testing.assert_frame_equal(X_res, X.iloc[nf.sample_indices_].reset_index(drop=True))
