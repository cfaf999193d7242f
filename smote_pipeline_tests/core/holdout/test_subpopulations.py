"""Hold-out recall per minority subpopulation."""

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.columns import CLUSTER_ID, ROW_ID
from smote_pipeline.core.holdout.subpopulations import (
    missed_text,
    nearest_cluster,
    recall_by_subpopulation,
    wilson,
)


def _training_and_holdout():
    """Two minority groups far apart (one with a category), majority elsewhere."""
    rng = np.random.default_rng(0)
    a, b = rng.normal([0, 0], 1, (30, 2)), rng.normal([50, 0], 1, (10, 2))
    training = pd.DataFrame(np.r_[a, b, rng.normal([0, 40], 3, (80, 2))], columns=["u", "v"])
    training["kind"] = pd.Series(["p"] * 30 + ["q"] * 10 + ["r"] * 80, dtype="str")
    training["label"] = np.r_[np.ones(40, int), np.zeros(80, int)]
    training[ROW_ID] = np.arange(len(training))
    clusters = pd.DataFrame({ROW_ID: np.arange(40), CLUSTER_ID: np.r_[np.zeros(30), np.ones(10)]})
    holdout = pd.DataFrame(rng.normal([[0, 0]] * 6 + [[50, 0]] * 4, 1), columns=["u", "v"])
    holdout["kind"] = pd.Series(["p"] * 6 + ["q"] * 4, dtype="str")
    holdout["label"] = 1
    holdout[ROW_ID] = np.arange(1000, 1010)
    return training, clusters.astype(int), holdout


def test_each_holdout_positive_joins_the_cluster_of_its_nearest_minority_row():
    training, clusters, holdout = _training_and_holdout()
    found = nearest_cluster(training, clusters, holdout, "label")
    np.testing.assert_array_equal(found, [0] * 6 + [1] * 4)


def test_a_missed_subpopulation_is_named_even_when_the_average_looks_fine():
    rng = np.random.default_rng(1)
    cluster = np.r_[np.zeros(40, int), np.ones(10, int), np.full(200, -1)]
    y = np.r_[np.ones(50, int), np.zeros(200, int)]
    proba = np.r_[np.full(40, 0.9), np.full(10, 0.1), rng.uniform(0, 0.3, 200)]
    records = recall_by_subpopulation(y, proba, 0.5, cluster, {0: 100, 1: 20})
    assert [(r["cluster"], r["found"], r["holdout_positives"]) for r in records] == [
        (0, 40, 40),
        (1, 0, 10),
    ]
    assert records[1]["recall_high"] < 0.4
    text = missed_text(records, overall_recall=40 / 50)
    assert text is not None and "cluster 1 (0 of 10 found)" in text
    assert "cluster 0" not in text
    assert missed_text(records[:1], overall_recall=0.8) is None


def test_wilson_interval():
    assert wilson(0, 0) == (0.0, 1.0)
    low, high = wilson(9, 10)
    assert low == pytest.approx(0.596, abs=1e-3) and high == pytest.approx(0.982, abs=1e-3)
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.278, abs=1e-3)
