from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from smote_pipeline.core.bootstrap import stratified_weights, weighted_metrics


@pytest.mark.parametrize("ties", [False, True])
def test_weighted_metrics_equal_scikit_learn(ties):
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=150) < 0.2).astype(int)
    proba = np.clip(0.3 * y + rng.uniform(size=150) * 0.7, 0, 1)
    if ties:
        proba = np.round(proba, 1)
    weights = stratified_weights(y, 20, 1)
    got = weighted_metrics(y, proba, weights)
    for i, w in enumerate(weights):
        assert got["average_precision"][i] == pytest.approx(
            average_precision_score(y, proba, sample_weight=w)
        )
        assert got["roc_auc"][i] == pytest.approx(roc_auc_score(y, proba, sample_weight=w))
        assert got["brier"][i] == pytest.approx(brier_score_loss(y, proba, sample_weight=w))


def test_stratified_weights_keep_class_counts():
    y = np.array([0] * 30 + [1] * 5)
    weights = stratified_weights(y, 100, 0)
    np.testing.assert_array_equal(weights[:, y == 1].sum(axis=1), 5)
    np.testing.assert_array_equal(weights[:, y == 0].sum(axis=1), 30)
    np.testing.assert_array_equal(weights, stratified_weights(y, 100, 0))
