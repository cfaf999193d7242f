"""Racing over repeats: clear losers stop after the first rung, the rest run every split."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from smote_pipeline.core.train import training
from smote_pipeline.core.train.racing import first_rung_repeats, race


def _data(seed=0, n=600):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    X = pd.DataFrame({"a": rng.normal(size=n) + 2.0 * y, "b": rng.normal(size=n)})
    return X, y


def test_a_clear_loser_is_scored_on_the_first_rung_only():
    X, y = _data()
    splits = training.cv_splits(y, n_folds=5, n_repeats=4, random_state=0)
    fitted: dict[str, int] = {}

    def evaluate(estimator, some):
        name = type(estimator).__name__
        fitted[name] = fitted.get(name, 0) + len(some)
        return training.cross_validate(estimator, X, y, splits=some, metric="average_precision")

    estimators = {
        "logistic": LogisticRegression(),
        "also_logistic": LogisticRegression(C=0.9),
        "dummy": DummyClassifier(strategy="prior"),
    }
    scored = race(evaluate, estimators, splits, n_folds=5, metric="average_precision")
    assert first_rung_repeats(4) == 2
    assert scored["dummy"].dropped is not None and "behind the best" in scored["dummy"].dropped
    assert len(scored["dummy"].scores) == 10 and scored["dummy"].oof.shape == (2, len(y))
    for name in ("logistic", "also_logistic"):  # indistinguishable: both run every split
        assert scored[name].dropped is None
        assert len(scored[name].scores) == 20 and scored[name].oof.shape == (4, len(y))
    assert fitted == {"LogisticRegression": 40, "DummyClassifier": 10}


def test_one_repeat_is_not_raced_and_a_failing_estimator_is_reported():
    X, y = _data(1)
    splits = training.cv_splits(y, n_folds=3, n_repeats=1, random_state=0)

    def evaluate(estimator, some):
        if isinstance(estimator, DummyClassifier):
            raise ValueError("cannot fit this fold")
        return training.cross_validate(estimator, X, y, splits=some, metric="average_precision")

    scored = race(
        evaluate,
        {"lr": LogisticRegression(), "bad": DummyClassifier()},
        splits,
        n_folds=3,
        metric="average_precision",
    )
    assert scored["bad"].error == "ValueError: cannot fit this fold"
    assert scored["lr"].dropped is None and len(scored["lr"].scores) == 3


def test_a_loss_metric_races_in_its_own_direction():
    X, y = _data(2)
    splits = training.cv_splits(y, n_folds=5, n_repeats=2, random_state=0)
    scored = race(
        lambda e, s: training.cross_validate(e, X, y, splits=s, metric="brier"),
        {"lr": LogisticRegression(), "coin": DummyClassifier(strategy="uniform")},
        splits,
        n_folds=5,
        metric="brier",
    )
    assert scored["coin"].dropped is not None and scored["lr"].dropped is None
