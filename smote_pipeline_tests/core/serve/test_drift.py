"""The drift tests on their own: effect size and significance both needed, bounded cost."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smote_pipeline.core.serve import drift


def test_a_small_batch_is_not_flagged_for_noise_and_a_large_one_not_for_a_trivial_shift():
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"x": rng.normal(size=5000)})
    small = pd.DataFrame({"x": rng.normal(size=30)})  # few rows: a large gap by chance
    trivial = pd.DataFrame({"x": rng.normal(0.05, 1, size=200_000)})  # many rows, tiny gap
    real = pd.DataFrame({"x": rng.normal(0.6, 1, size=2000)})
    tables = [
        drift.feature_drift(b, reference, threshold=0.1, random_state=0)
        for b in (small, trivial, real)
    ]
    assert [t["drifted"].item() for t in tables] == [False, False, True]
    assert tables[0]["distance"].item() > 0.1  # large, but not significant
    assert tables[1]["p_value"].item() < drift.ALPHA  # significant, but small


def test_the_label_bootstrap_resamples_a_stratified_sample_of_bounded_size():
    y = (np.random.default_rng(1).random(200_000) < 0.02).astype(int)
    rows = drift._stratified_sample(y, drift.LABEL_SAMPLE, 0)
    assert len(rows) == drift.LABEL_SAMPLE
    assert abs(y[rows].mean() - y.mean()) < 1e-3
    assert np.all(np.diff(rows) > 0)


def test_a_rare_rate_that_doubles_is_score_drift():
    rng = np.random.default_rng(2)
    reference = rng.beta(1, 30, size=5000)
    threshold = float(np.quantile(reference, 0.98))  # 2% positive decisions
    doubled = np.r_[rng.beta(1, 30, size=9600), np.full(400, 0.9)]  # about 6%
    same = rng.beta(1, 30, size=10_000)
    result = [
        drift.score_drift(b, threshold, reference, 0.02, drift_threshold=0.1, random_state=0)[
            "drifted"
        ]
        for b in (doubled, same)
    ]
    assert result == [True, False]
