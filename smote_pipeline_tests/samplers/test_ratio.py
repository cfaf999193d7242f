"""MinorityRatio: over-sampling up to a ratio, nothing when the data is above it."""

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE
from sklearn.base import clone
from sklearn.datasets import make_classification

from smote_pipeline.samplers import ClusterAwareSMOTE, MinorityRatio


def test_counts_are_never_below_what_exists():
    y = np.array([0] * 10 + [1] * 2)
    assert MinorityRatio(0.5)(y) == {1: 5}
    assert MinorityRatio(0.5)(np.array([0] * 10 + [1] * 7)) == {1: 7}
    labels = pd.Series(["no"] * 10 + ["yes"] * 2, dtype=object).to_numpy()
    assert MinorityRatio(1.0)(labels) == {"yes": 10}


@pytest.mark.parametrize("sampler", [SMOTE, ClusterAwareSMOTE])
def test_samplers_generate_only_what_the_ratio_allows(sampler):
    X, y = make_classification(300, weights=[0.6], random_state=0)  # ratio about 0.67
    above = sampler(sampling_strategy=MinorityRatio(0.5), random_state=0)
    X_res, _ = above.fit_resample(X, y)
    assert len(X_res) == len(X)
    with pytest.raises(ValueError, match="remove samples from the minority"):
        sampler(sampling_strategy=0.5, random_state=0).fit_resample(X, y)
    below = clone(sampler(sampling_strategy=MinorityRatio(0.9), random_state=0))
    _, y_res = below.fit_resample(X, y)
    counts = np.bincount(y_res)
    assert counts[1] == int(np.floor(0.9 * counts[0]))


def test_is_reached_matches_what_is_generated():
    ratio = MinorityRatio(0.5)
    for n_minority, n_majority in [(4, 10), (5, 10), (6, 10), (10, 10), (1, 3), (2, 3)]:
        y = np.r_[np.zeros(n_majority, int), np.ones(n_minority, int)]
        nothing = ratio(y).get(1, n_minority) == n_minority
        assert ratio.is_reached(n_minority, n_majority) == nothing
