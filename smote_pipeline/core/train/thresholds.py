"""Decision thresholds and score summaries from out-of-fold training predictions.

Both thresholds are read off the out-of-fold probabilities the search already
has, so no candidate is refitted to tune one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve

__all__ = ["cost_threshold", "f1_threshold", "summary"]

Splits = list[tuple[np.ndarray, np.ndarray]]


def f1_threshold(y_true: np.ndarray, proba: np.ndarray) -> float:
    """Decision threshold that maximises F1 on out-of-fold training predictions.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,)
        0/1 labels.
    proba : ndarray of shape (n_samples,)
        Out-of-fold positive-class probabilities.

    Returns
    -------
    float
        The threshold; 0.5 when no positive is predicted at any threshold.
    """
    precision, recall, thresholds = precision_recall_curve(y_true, proba)
    if len(thresholds) == 0:
        return 0.5
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[int(np.argmax(f1))])


def cost_threshold(
    y_true: np.ndarray, proba: np.ndarray, false_negative_cost: float | None = None
) -> float:
    """Threshold of least expected cost on out-of-fold training predictions.

    A false alarm costs 1 and a missed positive ``false_negative_cost`` (None:
    the negatives per positive, so both classes weigh the same), as in
    :func:`~smote_pipeline.core.train.strategies.expected_cost`. What
    scikit-learn's ``TunedThresholdClassifierCV`` optimises on inner folds,
    here exactly (every distinct probability is a candidate threshold) and on
    the outer folds' predictions, which exist already.

    Returns
    -------
    float
        Predict positive at ``proba >= threshold``.
    """
    y_true, proba = np.asarray(y_true), np.asarray(proba, dtype=np.float64)
    positives = max(int((y_true == 1).sum()), 1)
    cost = (
        false_negative_cost
        if false_negative_cost is not None
        else (len(y_true) - positives) / positives
    )
    order = np.argsort(-proba, kind="stable")
    ranked, labels = proba[order], y_true[order]
    last = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])  # end of each tie group
    true_pos = np.cumsum(labels)[last]
    false_pos = (last + 1) - true_pos
    costs = false_pos + cost * (positives - true_pos)
    best = int(np.argmin(costs))
    if cost * positives <= costs[best]:  # predicting no positive at all is cheapest
        return float(np.nextafter(ranked[0], np.inf))
    return float(ranked[last[best]])


def summary(scores: list[float], splits: Splits) -> dict[str, Any]:
    """Fold scores, their mean and standard error, and the test/train ratio of a split."""
    train, test = splits[0]
    return {
        "cv_scores": tuple(float(s) for s in scores),
        "cv_mean": float(np.mean(scores)),
        "cv_sem": float(np.std(scores, ddof=1) / np.sqrt(len(scores))) if len(scores) > 1 else 0.0,
        "cv_test_train_ratio": len(test) / len(train),
    }
