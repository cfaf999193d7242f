"""Small scikit-learn estimators the strategies need and no library provides.

They follow scikit-learn's conventions (no logic in ``__init__``, fitted
attributes end in ``_``) so they clone, cross-validate and persist like any
estimator. Models holding them are stored with skops; the loader must trust
this module (``smote_pipeline.core.train.estimators``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted


def prior_correct(proba: np.ndarray, odds_factor: float) -> np.ndarray:
    """Rescale positive-class probabilities by a factor on the odds.

    A model trained on data whose minority/majority ratio is ``r_train``
    predicts odds inflated by ``r_train / r_true``; multiplying the odds by
    ``odds_factor = r_true / r_train`` undoes that (Elkan 2001; Saerens et al.
    2002).

    Parameters
    ----------
    proba : ndarray of shape (n_samples,)
        Positive-class probabilities.
    odds_factor : float
        Multiplier of the odds ``p / (1 - p)``.

    Returns
    -------
    ndarray of shape (n_samples,)
        Corrected probabilities.
    """
    proba = np.asarray(proba, dtype=np.float64)
    scaled = proba * odds_factor
    return scaled / np.maximum(scaled + (1.0 - proba), 1e-300)


class PriorCorrectedClassifier(ClassifierMixin, BaseEstimator):
    """A binary classifier whose probabilities are corrected for resampling.

    Parameters
    ----------
    estimator : estimator
        Binary classifier with ``predict_proba`` (for example a pipeline with a
        sampler); cloned and fitted in :meth:`fit`.
    trained_ratio : float, default=1.0
        Minority/majority ratio the estimator effectively learns from (1.0 for
        full balance, the ``sampling_strategy`` for limited oversampling).
    prior_ratio : float or None, default=None
        The real minority/majority ratio; None takes it from ``y`` in
        :meth:`fit` (give it when ``y`` is already resampled).

    Attributes
    ----------
    estimator_ : estimator
        The fitted estimator (uncorrected probabilities).
    odds_factor_ : float
        ``prior_ratio / max(trained_ratio, prior_ratio)`` (1.0 when the real
        balance is already above the trained one, where nothing was resampled).
    classes_ : ndarray of shape (2,)
        Class labels.
    """

    def __init__(self, estimator=None, *, trained_ratio=1.0, prior_ratio=None):
        self.estimator = estimator
        self.trained_ratio = trained_ratio
        self.prior_ratio = prior_ratio

    def fit(self, X, y):
        """Fit the estimator and derive the odds correction.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            0/1 labels.

        Returns
        -------
        self
        """
        y = np.asarray(y)
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        prior = self.prior_ratio
        if prior is None:
            positives = int((y == 1).sum())
            prior = positives / max(len(y) - positives, 1)
        # Over-sampling never lowers the minority share: a sampler asked for a ratio
        # the data already exceeds generates nothing (MinorityRatio), so the model
        # learnt the real balance.
        self.odds_factor_ = float(prior) / max(float(self.trained_ratio), float(prior))
        return self

    def predict_proba(self, X):
        """Corrected class probabilities, shape (n_samples, 2)."""
        check_is_fitted(self, "estimator_")
        positive = prior_correct(self.estimator_.predict_proba(X)[:, 1], self.odds_factor_)
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X):
        """Class with the larger corrected probability."""
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


def clipped_logit(proba: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities clipped to ``[1e-6, 1 - 1e-6]``."""
    return logit(np.clip(np.asarray(proba, dtype=np.float64), 1e-6, 1 - 1e-6))


def logistic_map(proba: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    """``expit(intercept + slope * logit(p))``: a Platt map on log-odds (monotone for slope > 0)."""
    return expit(intercept + slope * clipped_logit(proba))


class SoftVotingEnsemble(ClassifierMixin, BaseEstimator):
    """Average of the prior-corrected probabilities of already fitted members.

    The members are fitted elsewhere (on all training rows, like every candidate)
    and held once, as the ``members`` parameter: scikit-learn's
    ``VotingClassifier`` around ``FrozenEstimator`` wrappers keeps each member in
    ``estimators``, ``estimators_`` and ``named_estimators_``, and skops stores
    every reference as a separate copy (a 316 MB file for five forests of a
    120-row table, against 49 MB here).

    Parameters
    ----------
    members : list of (str, estimator)
        Fitted binary classifiers with ``predict_proba`` and the same ``classes_``.
    odds_factors : list of float or None, default=None
        Odds multiplier per member (see :func:`prior_correct`); None: all 1.0.
    calibration : (float, float) or None, default=None
        ``(slope, intercept)`` of a :func:`logistic_map` applied to the average
        (fitted on the ensemble's out-of-fold predictions); None: none. With a
        positive slope it changes probabilities, never their order.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The members' class labels.
    """

    #: Models stored before the map existed load without the attribute: read as none.
    calibration = None

    def __init__(self, members=(), odds_factors=None, calibration=None):
        self.members = members
        self.odds_factors = odds_factors
        self.calibration = calibration

    def fit(self, X=None, y=None):
        """Take the class labels of the fitted members; nothing is refitted.

        Parameters
        ----------
        X, y : ignored
            Present for the scikit-learn API.

        Returns
        -------
        self
        """
        if not self.members:
            raise ValueError("SoftVotingEnsemble needs at least one fitted member.")
        self.classes_ = self.members[0][1].classes_
        return self

    def predict_proba(self, X):
        """Mean corrected class probabilities of the members, shape (n_samples, 2)."""
        check_is_fitted(self, "classes_")
        factors = self.odds_factors or [1.0] * len(self.members)
        positive = np.mean(
            [
                prior_correct(model.predict_proba(X)[:, 1], factor)
                for (_, model), factor in zip(self.members, factors, strict=True)
            ],
            axis=0,
        )
        if self.calibration is not None:
            positive = logistic_map(positive, *self.calibration)
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X):
        """Class with the larger mean probability."""
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


class OneClassClassifier(ClassifierMixin, BaseEstimator):
    """Novelty detection as a classifier: positives are what negatives are not.

    An isolation forest learns the negatives only; its anomaly score is mapped
    to a positive-class probability by a one-feature logistic regression fitted
    on the training rows.

    Parameters
    ----------
    n_estimators : int, default=200
        Trees of the isolation forest.
    random_state : int or None, default=None
        Seed of the isolation forest.

    Attributes
    ----------
    detector_ : IsolationForest
        Fitted on the negative rows.
    link_ : LogisticRegression
        Maps the anomaly score to a probability.
    classes_ : ndarray of shape (2,)
        ``[0, 1]``.
    """

    def __init__(self, *, n_estimators=200, random_state=None):
        self.n_estimators = n_estimators
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the detector on ``X[y == 0]`` and the score-to-probability link.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric training rows.
        y : array-like of shape (n_samples,)
            0/1 labels.

        Returns
        -------
        self
        """
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
        self.detector_ = IsolationForest(
            n_estimators=self.n_estimators, random_state=self.random_state
        ).fit(X[y == 0])
        self.link_ = LogisticRegression().fit(self._score(X), y)
        self.classes_ = self.link_.classes_
        return self

    def _score(self, X) -> np.ndarray:
        return -self.detector_.score_samples(np.asarray(X, dtype=np.float64)).reshape(-1, 1)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, 2)."""
        check_is_fitted(self, "detector_")
        return self.link_.predict_proba(self._score(X))

    def predict(self, X):
        """Most probable class."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
