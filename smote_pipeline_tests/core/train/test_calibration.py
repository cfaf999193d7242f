from __future__ import annotations

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.linear_model import LogisticRegression

from smote_pipeline.core.train.estimators import PriorCorrectedClassifier, prior_correct


def test_prior_correction_inverts_a_known_odds_shift():
    p = np.array([0.1, 0.5, 0.9])
    odds = p / (1 - p)
    shifted = odds * 4 / (1 + odds * 4)
    np.testing.assert_allclose(prior_correct(shifted, 0.25), p)


def test_prior_correction_improves_brier_after_undersampling():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 2))
    y = (rng.uniform(size=4000) < 1 / (1 + np.exp(-(X[:, 0] * 2 - 3)))).astype(int)
    under = Pipeline([("u", RandomUnderSampler(random_state=0)), ("m", LogisticRegression())])
    raw = under.fit(X[:3000], y[:3000]).predict_proba(X[3000:])[:, 1]
    corrected = PriorCorrectedClassifier(under, trained_ratio=1.0).fit(X[:3000], y[:3000])
    fixed = corrected.predict_proba(X[3000:])[:, 1]
    brier = lambda p: np.mean((p - y[3000:]) ** 2)  # noqa: E731
    assert brier(fixed) < brier(raw)
    assert fixed.mean() == pytest.approx(y[3000:].mean(), abs=0.03)
