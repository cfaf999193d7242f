"""Racing over the rungs of a search plan: clear losers stop early, survivors finish."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from smote_pipeline.core.train import training
from smote_pipeline.core.train.plan import Rung, SearchPlan, plan_search
from smote_pipeline.core.train.racing import finish, race


def _data(seed=0, n=600):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    X = pd.DataFrame({"a": rng.normal(size=n) + 2.0 * y, "b": rng.normal(size=n)})
    return X, y


def _evaluator(X, y, metric="average_precision", fitted=None):
    def evaluate(estimator, rows, splits):
        if fitted is not None:
            name = type(estimator).__name__
            fitted[name] = fitted.get(name, 0) + len(splits)
        return training.cross_validate(
            estimator, X.iloc[rows], y[rows], splits=splits, metric=metric
        )

    return evaluate


def test_a_clear_loser_stops_at_the_first_rung_and_survivors_reuse_its_repeats():
    X, y = _data()
    plan = plan_search(y, n_folds=5, cv_repeats=4, random_state=0)
    assert plan.rungs == (Rung(len(y), 2), Rung(len(y), 4)) and not plan.bounded
    fitted: dict[str, int] = {}
    evaluate = _evaluator(X, y, fitted=fitted)
    estimators = {
        "logistic": LogisticRegression(),
        "also_logistic": LogisticRegression(C=0.9),
        "dummy": DummyClassifier(strategy="prior"),
    }
    scored = race(evaluate, estimators, plan, y, "average_precision")
    dummy = scored["dummy"]
    assert dummy.dropped is not None and "behind the best" in dummy.dropped
    assert len(dummy.scores) == 10 and dummy.oof.shape == (2, len(y))
    assert dummy.model is not None  # a dropped candidate ships its last fold's model
    for name in ("logistic", "also_logistic"):  # indistinguishable: both finish
        assert scored[name].dropped is None and scored[name].model is None
        done = finish(evaluate, estimators[name], plan, y, previous=scored[name])
        assert len(done.scores) == 20 and done.oof.shape == (4, len(y))
        assert done.scores[:10] == scored[name].scores  # the first repeats are reused
    assert fitted == {"LogisticRegression": 40, "DummyClassifier": 10}


def test_a_failing_estimator_is_reported_and_takes_no_part():
    X, y = _data(1)
    plan = plan_search(y, n_folds=3, cv_repeats=2, random_state=0)

    def evaluate(estimator, rows, splits):
        if isinstance(estimator, DummyClassifier):
            raise ValueError("cannot fit this fold")
        return training.cross_validate(estimator, X.iloc[rows], y[rows], splits=splits)

    scored = race(
        evaluate, {"lr": LogisticRegression(), "bad": DummyClassifier()}, plan, y, "roc_auc"
    )
    assert scored["bad"].error == "ValueError: cannot fit this fold"
    assert scored["lr"].dropped is None and len(scored["lr"].scores) == 3


def test_a_loss_metric_races_in_its_own_direction():
    X, y = _data(2)
    plan = plan_search(y, n_folds=5, cv_repeats=2, random_state=0)
    scored = race(
        _evaluator(X, y, "brier"),
        {"lr": LogisticRegression(), "coin": DummyClassifier(strategy="uniform")},
        plan,
        y,
        "brier",
    )
    assert scored["coin"].dropped is not None and scored["lr"].dropped is None


def test_bounded_repeats_stop_once_the_standard_error_is_small():
    rng = np.random.default_rng(3)
    n = 4000
    y = (rng.random(n) < 0.2).astype(int)
    X = pd.DataFrame({"a": rng.normal(size=n) + 3.0 * y, "b": rng.normal(size=n)})
    easy = SearchPlan(rungs=(Rung(n, 5),), n_folds=5, random_state=0, bounded=True)
    done = finish(_evaluator(X, y), LogisticRegression(), easy, y)
    assert len(done.scores) == 5 and done.oof.shape == (1, n)  # one repeat is precise enough
    fixed = SearchPlan(rungs=(Rung(n, 3),), n_folds=5, random_state=0, bounded=False)
    assert len(finish(_evaluator(X, y), LogisticRegression(), fixed, y).scores) == 15


def test_screening_fits_a_quarter_of_every_forest_and_leaves_other_models_alone():
    from imblearn.ensemble import BalancedRandomForestClassifier
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import Pipeline
    from sklearn.ensemble import RandomForestClassifier

    nested = Pipeline([("over", RandomOverSampler()), ("model", RandomForestClassifier(200))])
    cut = training.screening_estimator(nested)
    assert cut.named_steps["model"].n_estimators == 50
    assert nested.named_steps["model"].n_estimators == 200  # the candidate itself is untouched
    assert training.screening_estimator(BalancedRandomForestClassifier(100)).n_estimators == 25
    linear = LogisticRegression()
    assert training.screening_estimator(linear) is linear


def test_halving_keeps_the_best_quarter_and_each_familys_best_on_a_subsample():
    rng = np.random.default_rng(4)
    n = 8_000
    y = (rng.random(n) < 0.1).astype(int)
    X = pd.DataFrame({"a": rng.normal(size=n) + 1.5 * y, "b": rng.normal(size=n)})
    plan = SearchPlan((Rung(2_000, 1), Rung(n, 1)), n_folds=3, random_state=0)
    estimators = {f"lr{i}": LogisticRegression(C=10.0**-i) for i in range(5)}
    estimators["coin"] = DummyClassifier(strategy="uniform")
    families = {**dict.fromkeys(estimators, "linear"), "lr4": "other", "coin": "dummy"}
    scored = race(_evaluator(X, y), estimators, plan, y, "average_precision", families)
    assert scored["coin"].dropped.startswith("dropped") and not scored["coin"].halved
    going_on = {k for k, v in scored.items() if v.dropped is None}
    halved = {k for k, v in scored.items() if v.halved}
    assert "lr4" in going_on  # the best (only) of its family
    assert len(going_on - {"lr4"}) == 2  # ceil(5 live candidates / 4) of the others at most
    assert halved == set(estimators) - going_on - {"coin"}
    assert all(scored[k].model is None and scored[k].dropped.startswith("halved") for k in halved)
    same_rows = SearchPlan((Rung(n, 1), Rung(n, 2)), n_folds=3, random_state=0)
    again = race(_evaluator(X, y), estimators, same_rows, y, "average_precision", families)
    assert not any(v.halved for v in again.values())  # no halving on the full rows
