"""Recalibration of resampled strategies and reliability-curve points.

Resampling and class weights make a model learn a class balance that is not
the real one, so its probabilities are inflated for the minority. Two fixes
are offered (option ``recalibration``):

``"prior"``
    Exact odds correction for the known trained balance
    (:class:`~smote_pipeline.core.train.estimators.PriorCorrectedClassifier`); free.
``"sigmoid"`` / ``"isotonic"``
    scikit-learn's ``CalibratedClassifierCV`` (``ensemble=False``): the
    strategy's out-of-fold predictions on real (never resampled) folds fit the
    calibrator; costs three extra fits per model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from smote_pipeline.core.train.estimators import PriorCorrectedClassifier, clipped_logit
from smote_pipeline.core.train.strategies import trained_minority_ratio
from smote_pipeline.core.vocabulary import RECALIBRATION_METHODS

__all__ = [
    "RECALIBRATION_METHODS",
    "calibration_points",
    "calibration_slope_intercept",
    "fit_logistic_map",
    "recalibrate",
    "uncalibrated_proba",
]
CALIBRATION_BINS = 10


def recalibrate(
    estimator: Any,
    name: str,
    options: Any,
    *,
    prior_ratio: float | None = None,
) -> Any:
    """Wrap a strategy's estimator in the configured recalibration.

    Strategies that learn the real class balance are returned unchanged.

    Parameters
    ----------
    estimator : estimator
        The strategy (see :func:`~smote_pipeline.core.train.strategies.build_strategy`).
    name : str
        Strategy name.
    options : PipelineOptions
        ``recalibration``, ``sampling_strategy`` and ``random_state`` are used.
    prior_ratio : float or None
        Real minority/majority ratio, when the estimator will be fitted on
        already resampled rows (``cluster_smote``'s augmented set).

    Returns
    -------
    estimator
        The estimator, possibly wrapped.
    """
    trained = trained_minority_ratio(name, options)
    method = options.recalibration
    if trained is None or method == "none":
        return estimator
    if method == "prior":
        return PriorCorrectedClassifier(estimator, trained_ratio=trained, prior_ratio=prior_ratio)
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=options.random_state)
    return CalibratedClassifierCV(estimator, method=method, cv=folds, ensemble=False)


def uncalibrated_proba(model: Any, X: Any, proba: np.ndarray | None = None) -> np.ndarray:
    """Positive-class probabilities before any recalibration wrapper.

    Parameters
    ----------
    model : estimator
        A fitted candidate model.
    X : DataFrame of shape (n_samples, n_features)
        Rows to score.
    proba : ndarray of shape (n_samples,) or None, default=None
        The model's own positive-class probabilities on ``X``, when already
        computed: returned as they are for a model without a wrapper, instead
        of predicting again.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    if isinstance(model, PriorCorrectedClassifier):
        return model.estimator_.predict_proba(X)[:, 1]
    if isinstance(model, CalibratedClassifierCV):
        inner = [c.estimator.predict_proba(X)[:, 1] for c in model.calibrated_classifiers_]
        return np.mean(inner, axis=0)
    return model.predict_proba(X)[:, 1] if proba is None else proba


def calibration_points(
    y: np.ndarray, proba: np.ndarray, n_bins: int = CALIBRATION_BINS
) -> dict[str, list[float]]:
    """Reliability-curve points: mean predicted vs observed positive rate per bin.

    Quantile bins, so each point rests on the same number of hold-out rows.

    Returns
    -------
    dict
        ``predicted`` and ``observed`` (lists of equal length).
    """
    observed, predicted = calibration_curve(y, proba, n_bins=n_bins, strategy="quantile")
    return {
        "predicted": [round(float(v), 5) for v in predicted],
        "observed": [round(float(v), 5) for v in observed],
    }


def calibration_slope_intercept(y: np.ndarray, proba: np.ndarray) -> tuple[float, float]:
    """Calibration slope and intercept (calibration-in-the-large) of probabilities.

    The slope is ``b`` of the logistic fit ``logit P(y=1) = a + b * logit(p)``
    (1: calibrated; below 1: probabilities too extreme, the usual sign of
    overfitting). The intercept is ``a`` of the same fit with ``b`` fixed at 1
    (0: as many positives predicted as observed; negative: risks overestimated).
    Probabilities are clipped to ``[1e-6, 1 - 1e-6]`` first.

    Returns
    -------
    slope, intercept : float
        NaN when ``y`` holds one class only.
    """
    y = np.asarray(y, dtype=np.int64)
    if y.min() == y.max():
        return float("nan"), float("nan")
    z = clipped_logit(proba)
    slope, _ = fit_logistic_map(y, proba)
    observed = float(y.mean())
    intercept = brentq(lambda a: float(expit(z + a).mean()) - observed, -50.0, 50.0)
    return slope, float(intercept)


def fit_logistic_map(
    y: np.ndarray, proba: np.ndarray, *, penalty: float | None = None
) -> tuple[float, float]:
    """Slope and intercept of ``logit P(y=1) = intercept + slope * logit(p)`` (Platt on logits).

    :func:`~smote_pipeline.core.train.estimators.logistic_map` applies it.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        0/1 labels.
    proba : ndarray of shape (n_samples,)
        Probabilities to map.
    penalty : float or None, default=None
        Inverse strength ``C`` of an L2 penalty on the slope; None: the
        unpenalised maximum-likelihood fit (a measurement). A penalty keeps the
        slope finite where the classes are separable, so that a map meant for
        new rows never makes them certain.

    Returns
    -------
    slope, intercept : float
    """
    z = clipped_logit(proba).reshape(-1, 1)
    strength = np.inf if penalty is None else penalty  # C=inf: unpenalised
    fit = LogisticRegression(C=strength, max_iter=1000).fit(z, np.asarray(y, dtype=np.int64))
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])
