"""Behaviour of NoiseFilter."""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks
from sklearn.datasets import make_classification

from smote_pipeline.samplers import NoiseFilter, _fast_enn


def _flipped(seed=0, n=600):
    X, y = make_classification(
        n_samples=n,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        weights=[0.7],
        class_sep=2.0,
        flip_y=0,
        random_state=seed,
    )
    rng = np.random.RandomState(seed)
    flipped = rng.choice(n, n // 10, replace=False)
    y_noisy = y.copy()
    y_noisy[flipped] = 1 - y_noisy[flipped]
    return X, y_noisy, flipped


@pytest.mark.parametrize("method", ["enn", "ipf"])
def test_removes_planted_label_noise(method):
    X, y, flipped = _flipped()
    nf = NoiseFilter(method=method, max_minority_removal=0.5, random_state=0)
    nf.fit_resample(X, y)
    removed = set(nf.removed_indices_)
    caught = len(removed & set(flipped)) / len(flipped)
    clean_removed = len(removed - set(flipped)) / (len(X) - len(flipped))
    assert caught > 0.6
    assert clean_removed < 0.15
    assert len(nf.removal_reasons_) == len(nf.removed_indices_)
    assert all(reason.startswith(method) for reason in nf.removal_reasons_)
    np.testing.assert_array_equal(
        np.sort(np.r_[nf.sample_indices_, nf.removed_indices_]), np.arange(len(X))
    )


@pytest.mark.parametrize(
    ("kind_sel", "n", "d"),
    [
        ("all", 400, 3),
        ("mode", 400, 3),
        ("all", 6000, 20),
        ("mode", 6000, 20),
        ("mode", 6000, 4),  # low dimension: screened too (trees are slower from 6 on)
    ],
)
def test_fast_enn_equals_imblearn_enn(kind_sel, n, d):
    # 6000-row sets go through the screened path (at least PRUNE_MIN_ROWS rows)
    assert _fast_enn.PRUNE_MIN_ROWS <= 6000
    X, y = make_classification(
        n_samples=n,
        n_features=d,
        n_informative=3,
        n_redundant=0,
        weights=[0.9],
        class_sep=1.5,
        random_state=1,
    )
    reference = EditedNearestNeighbours(sampling_strategy="all", kind_sel=kind_sel)
    reference.fit_resample(X, y)
    nf = NoiseFilter(standardize=False, kind_sel=kind_sel, max_minority_removal=1.0, random_state=0)
    nf.fit_resample(X, y)
    np.testing.assert_array_equal(
        nf.removed_indices_, np.setdiff1d(np.arange(n), reference.sample_indices_)
    )


def test_tomek_equals_imblearn_tomek():
    X, y = make_classification(
        n_samples=500, n_features=3, n_informative=2, n_redundant=0, weights=[0.8], random_state=2
    )
    reference = TomekLinks(sampling_strategy="all").fit(X, y)
    reference.fit_resample(X, y)
    nf = NoiseFilter(method="tomek", standardize=False, max_minority_removal=1.0)
    nf.fit_resample(X, y)
    np.testing.assert_array_equal(
        nf.removed_indices_, np.setdiff1d(np.arange(500), reference.sample_indices_)
    )


def test_isolation_forest_flags_class_outliers():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (200, 2)), rng.normal(5, 1, (40, 2)), [[30.0, 30.0]]]
    y = np.r_[np.zeros(200, int), np.ones(41, int)]
    nf = NoiseFilter(method="isolation_forest", contamination=0.02, random_state=0)
    nf.fit_resample(X, y)
    assert 240 in nf.removed_indices_
    assert "isolation_forest" in nf.removal_reasons_[0]


def test_refuses_to_remove_too_much_minority_when_asked():
    X, y, _ = _flipped()
    with pytest.raises(ValueError, match=r"max_minority_removal=0\.01") as info:
        NoiseFilter(max_minority_removal=0.01, on_excess="raise").fit_resample(X, y)
    assert "minority class 1" in str(info.value) and "Raise max_minority_removal" in str(info.value)
    assert "on_excess='trim'" in str(info.value)


def test_cap_removes_only_the_most_suspicious_minority_rows():
    X, y, _ = _flipped()
    full = NoiseFilter(max_minority_removal=1.0).fit(X, y)
    full.fit_resample(X, y)
    flagged_minority = [i for i in full.removed_indices_ if y[i] == 1]
    cap = 0.05
    allowed = int(np.floor(cap * (y == 1).sum()))
    assert len(flagged_minority) > allowed  # the cap binds on this data
    nf = NoiseFilter(max_minority_removal=cap)
    with pytest.warns(UserWarning, match=rf"only the {allowed} most suspicious are removed"):
        _, y_res = nf.fit_resample(X, y)
    removed_minority = [i for i in nf.removed_indices_ if y[i] == 1]
    assert len(removed_minority) == allowed
    # every flagged minority row is either removed or listed as a kept suspect
    assert sorted(removed_minority + list(nf.kept_suspect_indices_)) == sorted(flagged_minority)
    assert len(nf.kept_suspect_reasons_) == len(nf.kept_suspect_indices_)
    assert all(r.startswith("enn:") for r in nf.kept_suspect_reasons_)
    # majority removals are not capped
    assert {i for i in full.removed_indices_ if y[i] == 0} == {
        i for i in nf.removed_indices_ if y[i] == 0
    }
    # removed minority rows are at least as suspicious (neighbours of another class)
    # as the kept ones
    other = {i: int(r.split(":")[1].split()[0]) for i, r in zip(
        full.removed_indices_, full.removal_reasons_, strict=True)}  # fmt: skip
    assert min(other[i] for i in removed_minority) >= max(
        other[i] for i in nf.kept_suspect_indices_
    )
    assert (y_res == 1).sum() == (y == 1).sum() - allowed


def test_never_drops_a_class():
    X = np.r_[np.zeros((20, 2)), np.random.RandomState(0).normal(size=(3, 2)) * 0.01]
    X[:20] += np.random.RandomState(1).normal(size=(20, 2)) * 0.01
    y = np.r_[np.zeros(20, int), np.ones(3, int)]  # minority buried in the majority
    nf = NoiseFilter(max_minority_removal=1.0)
    with pytest.warns(UserWarning, match="class 1; a class is never dropped"):
        _, y_res = nf.fit_resample(X, y)
    assert (y_res == 1).sum() == 3


def test_dataframe_with_categoricals_keeps_dtypes():
    X, y, _ = _flipped(n=300)
    df = pd.DataFrame(X, columns=list("abcd"))
    df["colour"] = pd.Series(np.where(X[:, 0] > 0, "red", "blue"), dtype="str")
    df["grade"] = pd.Categorical(np.where(X[:, 1] > 0, "hi", "lo"))
    df["units"] = np.round(X[:, 2] * 10).astype("int32")
    y = pd.Series(y, name="label")
    nf = NoiseFilter(max_minority_removal=0.6, random_state=0)
    X_res, y_res = nf.fit_resample(df, y)
    assert (X_res.dtypes == df.dtypes).all()
    assert y_res.name == "label"
    pd.testing.assert_frame_equal(X_res, df.iloc[nf.sample_indices_].reset_index(drop=True))
    np.testing.assert_array_equal(nf.categorical_features_, [4, 5])


def test_sampling_strategy_majority_leaves_minority_alone():
    X, y, _ = _flipped()
    nf = NoiseFilter(sampling_strategy="majority", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nf.fit_resample(X, y)
    assert (y[nf.removed_indices_] == 0).all()


@pytest.mark.parametrize(("kind_sel", "k"), [("mode", 4), ("mode", 5), ("all", 5)])
def test_pruned_enn_equals_imblearn_for_other_k(kind_sel, k):
    X, y = make_classification(
        n_samples=7000, n_features=20, n_informative=5, weights=[0.95], flip_y=0.01, random_state=k
    )
    reference = EditedNearestNeighbours(sampling_strategy="all", kind_sel=kind_sel, n_neighbors=k)
    reference.fit_resample(X, y)
    nf = NoiseFilter(
        standardize=False,
        kind_sel=kind_sel,
        n_neighbors=k,
        max_minority_removal=1.0,
        random_state=0,
    )
    nf.fit_resample(X, y)
    np.testing.assert_array_equal(
        nf.removed_indices_, np.setdiff1d(np.arange(len(y)), reference.sample_indices_)
    )
