"""Fitting candidate models and choosing the champion, on training data only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold

from smote_pipeline.core.columns import IS_SYNTHETIC, categorical_columns, feature_columns
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.strategies import STRATEGY_NAMES, build_classifier, build_strategy


def tune_threshold(y_true: np.ndarray, proba: np.ndarray) -> float:
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


def cross_validate(
    estimator: Any, X: pd.DataFrame, y: np.ndarray, *, n_folds: int, random_state: int
) -> tuple[list[float], np.ndarray]:
    """Stratified K-fold scores and out-of-fold probabilities.

    The estimator (a pipeline whose samplers act only in ``fit``) is cloned and
    fitted on each training fold, so resampling never sees the scoring fold.

    Returns
    -------
    fold_scores : list of float
        Average precision on each scoring fold.
    oof : ndarray of shape (n_samples,)
        Out-of-fold positive-class probabilities.
    """
    n_folds = min(n_folds, int(np.bincount(y).min()))
    if n_folds < 2:
        raise ValueError(
            "Cross-validation needs at least 2 positive training rows per fold; the training "
            f"set has {int(y.sum())} positive row(s). Provide more positive rows."
        )
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=random_state)
    oof = np.zeros(len(y), dtype=np.float64)
    scores = []
    for train_idx, test_idx in folds.split(X, y):
        fitted = clone(estimator).fit(X.iloc[train_idx], y[train_idx])
        oof[test_idx] = fitted.predict_proba(X.iloc[test_idx])[:, 1]
        scores.append(float(average_precision_score(y[test_idx], oof[test_idx])))
    return scores, oof


def fit_candidates(
    training: pd.DataFrame,
    augmented: pd.DataFrame,
    target: str,
    options: PipelineOptions,
) -> dict[str, dict[str, Any]]:
    """Cross-validate and refit every configured strategy.

    Each strategy is scored by stratified cross-validation on the real training
    set (its samplers run inside the folds) and its threshold tuned on the
    out-of-fold predictions. It is then refitted on all training data; the
    ``cluster_smote`` candidate is refitted on ``augmented`` (denoised real
    rows plus the synthetic rows that passed the quality gates), the others on
    the real training set.

    Parameters
    ----------
    training : pandas.DataFrame
        Real training rows.
    augmented : pandas.DataFrame
        The ``augmented_training_set``.
    target : str
        Target column (0/1).
    options : PipelineOptions
        ``strategies``, ``model``, ``cv_folds``, seed and sampler options.

    Returns
    -------
    dict
        Strategy name -> ``{"model", "threshold", "cv_scores", "cv_mean",
        "cv_sem", "fit_rows", "synthetic_rows"}``.
    """
    features = feature_columns(training, target)
    categorical = categorical_columns(training, target)
    X, y = training[features], training[target].to_numpy().astype(np.int64)
    candidates: dict[str, dict[str, Any]] = {}
    for name in options.strategies:
        pipeline = build_strategy(
            name, model=options.model, features=features, categorical=categorical, options=options
        )
        scores, oof = cross_validate(
            pipeline, X, y, n_folds=options.cv_folds, random_state=options.random_state
        )
        if name == "cluster_smote":
            model = build_classifier(
                options.model, features, categorical, random_state=options.random_state
            )
            model.fit(augmented[features], augmented[target].to_numpy().astype(np.int64))
            fit_rows = len(augmented)
            synthetic_rows = int(augmented[IS_SYNTHETIC].sum())
        else:
            model = pipeline.fit(X, y)
            fit_rows, synthetic_rows = len(X), 0
        candidates[name] = {
            "model": model,
            "threshold": tune_threshold(y, oof),
            "cv_scores": scores,
            "cv_mean": float(np.mean(scores)),
            "cv_sem": float(np.std(scores, ddof=1) / np.sqrt(len(scores))),
            "fit_rows": fit_rows,
            "synthetic_rows": synthetic_rows,
        }
    return candidates


def select_champion(candidates: dict[str, dict[str, Any]]) -> str:
    """Name of the champion strategy, by the one-standard-error rule.

    The best mean cross-validated average precision sets a bar one standard
    error below it; among the candidates that reach the bar, the simplest
    strategy (earliest in :data:`STRATEGY_NAMES`) wins. Picking the raw maximum
    over many candidates on small data mostly picks noise; this rule only
    accepts a more invasive strategy when it is clearly better.

    Parameters
    ----------
    candidates : dict
        Output of :func:`fit_candidates`.

    Returns
    -------
    str
        The champion's strategy name.
    """
    best = max(candidates, key=lambda n: candidates[n]["cv_mean"])
    bar = candidates[best]["cv_mean"] - candidates[best]["cv_sem"]
    eligible = [n for n in candidates if candidates[n]["cv_mean"] >= bar]
    return min(eligible, key=STRATEGY_NAMES.index)
