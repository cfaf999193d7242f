from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.serve import promotion
from smote_pipeline.core.train.records import Champion
from smote_pipeline_tests.conftest import make_frame


def _data(seed=0):
    frame = make_frame(300, 60, seed=seed)
    frame["label"] = (frame["label"] == "yes").astype(int)
    return frame


def _champion(model, fingerprint="a" * 64, score=0.8):
    return Champion(
        strategy="logistic_regression/no_resampling",
        model=model,
        threshold=0.5,
        cv_metric="average_precision",
        cv_mean=score,
        cv_sem=0.01,
        selection_rule="family_average",
        training_fingerprint=fingerprint,
    )


def _evaluation():
    return HoldoutEvaluation(
        metrics=({"strategy": "logistic_regression/no_resampling", "average_precision": 0.7},),
        curves={},
        calibration={},
        verdicts=(),
        holdout_rows=90,
        holdout_positives=15,
        baseline=None,
        champion="logistic_regression/no_resampling",
        selection_rule="family_average",
        recall_at_precision_level=0.8,
        n_bootstrap=200,
        smote_helped=False,
        summary={},
    )


@pytest.fixture(scope="module")
def models():
    train, holdout = _data(0), _data(1)
    X, y = train[["a", "b", "c"]], train["label"]
    good = LogisticRegression().fit(X, y)
    noise = LogisticRegression().fit(X, np.random.default_rng(0).permutation(y))
    return good, noise, holdout


OPTIONS = PipelineOptions(n_bootstrap=200)


def _holdout(frame):
    return frame.drop(columns="label"), frame["label"].to_numpy()


def _compare(challenger, promoted, holdout, margin=0.01):
    """The gate: both models on the same hold-out rows and bootstrap resamples."""
    version = promotion.ModelVersion(1, "s", promoted, 0.5, "f", "average_precision", 0.7, 0.7, 90)
    X, y = _holdout(holdout)
    return promotion.compare_with_promoted(
        challenger, version, X, y, n_bootstrap=200, random_state=0, margin=margin
    )


def _register(previous, champion, holdout, **options):
    return promotion.register(
        previous, champion, _evaluation(), _holdout(holdout), OPTIONS.updated(options)
    )


def test_the_gate_is_a_paired_non_inferiority_test(models):
    good, noise, holdout = models
    worse = _compare(noise, good, holdout)
    assert not worse["not_worse"] and worse["high"] < 0
    better = _compare(good, noise, holdout)
    assert better["not_worse"] and better["low"] > 0
    same = _compare(good, good, holdout)
    assert same["difference"] == same["low"] == same["high"] == 0.0 and same["not_worse"]


def test_a_version_that_cannot_score_the_hold_out_is_replaced(models):
    good, _, holdout = models
    gone = _compare(good, good, holdout.rename(columns={"a": "renamed"}))
    assert gone["not_worse"] and "cannot score the current hold-out" in gone["reason"]


def test_register_adds_versions_keeps_the_promoted_and_honours_a_pin(models):
    good, noise, holdout = models
    first = _register(None, _champion(good), holdout)
    assert first.promoted == 1 and "first version" in first.decision and first.comparison is None
    # the same training again adds no version
    assert _register(first, _champion(good), holdout) is first
    second = _register(first, _champion(noise, "b" * 64), holdout)
    assert second.promoted == 1 and second.latest.version == 2
    assert "version 2 is not promoted" in second.decision
    assert second.comparison == _compare(noise, good, holdout)
    registry = second
    for n in range(3, 3 + promotion.MAX_VERSIONS):
        registry = _register(registry, _champion(noise, f"{n:064d}"), holdout)
    kept = [v.version for v in registry.versions]
    assert kept[0] == 1 and len(kept) == promotion.MAX_VERSIONS + 1  # the promoted one stays
    with pytest.raises(ValueError, match="promoted_version=2 is not a kept version"):
        _register(registry, _champion(noise, "c" * 64), holdout, promoted_version=2)
    better = _register(second, _champion(good, "d" * 64), holdout)
    assert better.promoted == 3 and better.comparison["against_version"] == 1
    back = promotion.ModelRegistry.from_dict(registry.to_dict())
    assert back.promoted == registry.promoted and back.table()["promoted"].sum() == 1
    assert isinstance(back.table(), pd.DataFrame)
