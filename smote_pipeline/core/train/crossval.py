"""Cross-validation of one candidate on given splits, folds optionally in parallel."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from smote_pipeline.core.train.selection import score

__all__ = ["cross_validate", "split_scores"]

Splits = list[tuple[np.ndarray, np.ndarray]]


def _fit_fold(
    estimator: Any, X: pd.DataFrame, y: np.ndarray, train: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, Any]:
    with threadpool_limits(1):
        fitted = clone(estimator).fit(X.iloc[train], y[train])
        return fitted.predict_proba(X.iloc[test])[:, 1], fitted


def cross_validate(
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    splits: Splits,
    metric: str = "average_precision",
    n_jobs: int | None = 1,
) -> tuple[list[float], np.ndarray, Any]:
    """Fold scores and out-of-fold probabilities over repeated splits.

    The estimator (whose samplers act only in ``fit``) is cloned and fitted on
    each training fold, so resampling never sees the scoring fold.

    Parameters
    ----------
    estimator : estimator
        Unfitted strategy.
    X : pandas.DataFrame of shape (n_samples, n_features)
        Real training rows.
    y : ndarray of shape (n_samples,)
        0/1 labels.
    splits : list of (train_idx, test_idx)
        Consecutive groups of ``n_folds`` splits partition the rows once per repeat.
    metric : str
        Selection metric (see :data:`~smote_pipeline.core.train.selection.SELECTION_METRICS`).
    n_jobs : int or None
        Folds fitted at once (joblib; each fit single-threaded). 1 fits them in
        turn, in this process; results are the same for any value.

    Returns
    -------
    fold_scores : list of float
        ``metric`` on each scoring fold.
    oof : ndarray of shape (n_repeats, n_samples)
        Out-of-fold positive-class probabilities of each repeat.
    last_model : estimator
        The model fitted on the last split's training rows.
    """
    n_test = sum(len(test) for _, test in splits)
    n_repeats = max(n_test // len(y), 1)
    per_repeat = len(splits) // n_repeats
    if n_jobs == 1:
        results = [_fit_fold(estimator, X, y, train, test) for train, test in splits]
    else:
        results = Parallel(n_jobs=n_jobs)(
            delayed(_fit_fold)(estimator, X, y, train, test) for train, test in splits
        )
    oof = np.zeros((n_repeats, len(y)), dtype=np.float64)
    scores = []
    for i, ((_, test), (proba, _)) in enumerate(zip(splits, results, strict=True)):
        oof[i // per_repeat, test] = proba
        scores.append(score(metric, y[test], proba))
    return scores, oof, results[-1][1]


def split_scores(metric: str, y: np.ndarray, oof: np.ndarray, splits: Splits) -> list[float]:
    """``metric`` on each split's scoring fold, from out-of-fold probabilities per repeat."""
    per_repeat = len(splits) // len(oof)
    return [
        score(metric, y[test], oof[i // per_repeat, test]) for i, (_, test) in enumerate(splits)
    ]
