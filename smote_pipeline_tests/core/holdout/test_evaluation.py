from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.holdout.evaluation import (
    best_baseline,
    evaluate_on_holdout,
    family_baselines,
    level_text,
    split_words,
    verdict,
)
from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.calibration import calibration_slope_intercept
from smote_pipeline.core.train.records import Candidate, Champion


class _Fixed:
    """A 'model' returning preset probabilities (hold-out rows in order)."""

    def __init__(self, proba):
        self.proba = np.asarray(proba, dtype=float)

    def predict_proba(self, X):
        return np.column_stack([1 - self.proba, self.proba])


def _holdout(n=200, positives=20, seed=0):
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=np.int8)
    y[:positives] = 1
    return pd.DataFrame({"row_id": np.arange(n), "x": rng.normal(size=n), "label": y}), y


def _candidates(**probas):
    return {
        name: Candidate(model=_Fixed(p), threshold=0.5, cv_mean=0.5, cv_sem=0.01)
        for name, p in probas.items()
    }


def _scored(mean):
    return Candidate(model=None, threshold=0.5, cv_mean=mean, cv_sem=0.0)


def test_verdict_reads_the_interval():
    assert verdict(0.01, 0.2) == "helped"
    assert verdict(-0.2, -0.01) == "hurt"
    assert verdict(-0.1, 0.1) == "no detectable difference"


def test_identical_predictions_give_no_detectable_difference():
    holdout, y = _holdout()
    rng = np.random.default_rng(1)
    proba = np.clip(0.3 * y + rng.uniform(0, 0.7, size=len(y)), 0, 1)
    result = evaluate_on_holdout(
        _candidates(no_resampling=proba, smote=proba),
        holdout,
        "label",
        baseline="no_resampling",
        options=PipelineOptions(n_bootstrap=200),
    )
    (v,) = result.verdicts
    assert v["verdict"] == "no detectable difference"
    assert v["difference"] == 0.0 and v["low"] == 0.0 and v["high"] == 0.0


def test_clearly_better_model_helped_and_metrics_are_in_range():
    holdout, y = _holdout()
    rng = np.random.default_rng(2)
    noisy = rng.uniform(size=len(y))
    sharp = np.clip(0.8 * y + rng.uniform(0, 0.2, size=len(y)), 0, 1)
    result = evaluate_on_holdout(
        _candidates(no_resampling=noisy, cluster_smote=sharp),
        holdout,
        "label",
        baseline="no_resampling",
        options=PipelineOptions(n_bootstrap=200),
    )
    assert result.verdicts[0]["verdict"] == "helped"
    for record in result.metrics:
        for metric in ("average_precision", "roc_auc", "brier", "precision", "recall", "f1"):
            assert 0.0 <= record[metric] <= 1.0
        assert record["average_precision_low"] <= record["average_precision"]
        assert record["average_precision"] <= record["average_precision_high"]
    sharp_record = result.metrics_of("cluster_smote")
    assert sharp_record["roc_auc"] == pytest.approx(1.0)
    assert result.holdout_positives == 20


def test_best_baseline_uses_training_scores_only():
    candidates = {
        "no_resampling": _scored(0.5),
        "class_weight": _scored(0.6),
        "smote": _scored(0.9),
    }
    assert best_baseline(candidates) == "class_weight"
    assert best_baseline({"smote": _scored(0.9)}) is None


def test_smote_helped_and_summary_follow_the_verdicts():
    from smote_pipeline.core.holdout.evaluation import verdict_summary

    holdout, y = _holdout()
    rng = np.random.default_rng(3)
    noisy = rng.uniform(size=len(y))
    sharp = np.clip(0.8 * y + rng.uniform(0, 0.2, size=len(y)), 0, 1)
    helped = evaluate_on_holdout(
        _candidates(no_resampling=noisy, smote=sharp, random_undersampling=noisy),
        holdout,
        "label",
        baseline="no_resampling",
        options=PipelineOptions(n_bootstrap=200),
    )
    assert helped.smote_helped and helped.summary["overall"] == "helped"
    assert {v["strategy"] for v in helped.verdicts} == {"smote", "random_undersampling"}
    hurt = evaluate_on_holdout(
        _candidates(no_resampling=sharp, smote=noisy),
        holdout,
        "label",
        baseline="no_resampling",
        options=PipelineOptions(n_bootstrap=200),
    )
    assert not hurt.smote_helped
    assert hurt.summary == verdict_summary(
        hurt.verdicts, hurt.holdout_positives, baseline=hurt.baseline
    )
    assert hurt.summary["overall"] == "hurt"
    assert hurt.verdicts[0]["brier_difference"] > 0
    assert HoldoutEvaluation.from_dict(json.loads(json.dumps(hurt.to_dict()))) == hurt


def test_report_and_html_are_self_contained():
    from smote_pipeline.core.holdout.report import build_report
    from smote_pipeline.core.html import render_html

    holdout, y = _holdout()
    rng = np.random.default_rng(4)
    proba = np.clip(0.5 * y + rng.uniform(0, 0.5, size=len(y)), 0, 1)
    result = evaluate_on_holdout(
        _candidates(no_resampling=proba, smote=proba[::-1].copy()),
        holdout,
        "label",
        baseline="no_resampling",
        options=PipelineOptions(n_bootstrap=100),
    )
    empty = pd.DataFrame({"row_id": [], "cluster_id": []})
    augmented = holdout.assign(is_synthetic=False)
    text = build_report(
        pipeline="t",
        positive_label="yes",
        evaluation=result,
        champion=Champion(
            strategy="no_resampling",
            model=None,
            threshold=0.5,
            cv_metric="average_precision",
            cv_mean=0.5,
            cv_sem=0.01,
            selection_rule="one_standard_error",
        ),
        augmented=augmented,
        clusters=empty,
        target="label",
    )
    assert "**Ship: `no_resampling`.**" in text and "## Calibration" in text
    page = render_html(text)
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page
    assert 'src="data:image/png;base64,' in page


def test_verdict_intervals_widen_with_the_number_of_comparisons():
    """Bonferroni: each of m verdict intervals is at 1 - 0.05 / m, so adding
    comparisons widens the interval of the same pair of strategies."""
    holdout, y = _holdout(n=300, positives=30, seed=3)
    rng = np.random.default_rng(4)
    base = np.clip(0.25 * y + rng.uniform(0, 0.75, size=len(y)), 0, 1)
    better = np.clip(0.35 * y + rng.uniform(0, 0.65, size=len(y)), 0, 1)

    def smote_verdict(**extra):
        result = evaluate_on_holdout(
            _candidates(no_resampling=base, smote=better, **extra),
            holdout,
            "label",
            baseline="no_resampling",
            options=PipelineOptions(n_bootstrap=2000),
        )
        return next(v for v in result.verdicts if v["strategy"] == "smote")

    alone = smote_verdict()
    among_four = smote_verdict(cluster_smote=base, smote_bagging=base, random_undersampling=base)
    assert alone["level"] == pytest.approx(0.95)
    assert among_four["level"] == pytest.approx(1 - 0.05 / 4)
    assert among_four["difference"] == alone["difference"]
    assert among_four["low"] < alone["low"] and among_four["high"] > alone["high"]
    assert level_text(alone) == "95% CI"
    assert level_text(among_four) == "98.8% CI, 95% jointly over 4 comparisons"


def test_each_resampling_candidate_is_judged_against_its_own_family():
    holdout, y = _holdout()
    rng = np.random.default_rng(3)
    noise = lambda: rng.uniform(size=len(y))  # noqa: E731
    candidates = _candidates(
        **{
            "random_forest/no_resampling": noise(),
            "logistic_regression/class_weight": noise(),
            "random_forest/smote": noise(),
            "logistic_regression/smote": noise(),
            "balanced_random_forest": noise(),
        }
    )
    cv = {"random_forest/no_resampling": 0.7, "logistic_regression/class_weight": 0.6}
    candidates = {
        n: replace(c, cv_mean=cv.get(n, 0.5)) for n, c in candidates.items()
    }  # the best baseline overall is the forest's
    assert family_baselines(candidates) == {
        "random_forest": "random_forest/no_resampling",
        "logistic_regression": "logistic_regression/class_weight",
    }
    result = evaluate_on_holdout(
        candidates,
        holdout,
        "label",
        baseline=best_baseline(candidates),
        options=PipelineOptions(n_bootstrap=200),
    )
    against = {v["strategy"]: v["baseline"] for v in result.verdicts}
    assert against == {
        "random_forest/smote": "random_forest/no_resampling",
        "logistic_regression/smote": "logistic_regression/class_weight",
        "balanced_random_forest": "random_forest/no_resampling",  # a resampled forest
    }


def test_calibration_slope_and_intercept_read_over_and_under_confidence():
    rng = np.random.default_rng(4)
    p = rng.beta(1, 6, 20_000)
    y = (rng.random(len(p)) < p).astype(int)
    slope, intercept = calibration_slope_intercept(y, p)
    assert abs(slope - 1) < 0.05 and abs(intercept) < 0.05
    extreme = 1 / (1 + np.exp(-2 * np.log(p / (1 - p))))  # log-odds doubled: overconfident
    slope, _ = calibration_slope_intercept(y, extreme)
    assert abs(slope - 0.5) < 0.05
    _, intercept = calibration_slope_intercept(y, np.clip(p * 1.5, 0, 0.99))  # risks too high
    assert intercept < -0.2


def test_report_says_which_family_wins_and_by_how_much():
    from smote_pipeline.core.holdout.report import family_lines

    selection = [
        {"strategy": "random_forest/no_resampling", "cv_mean": 0.81, "difference_to_best": 0.0,
         "standard_error": 0.0, "within_one_se": True},
        {"strategy": "random_forest/smote", "cv_mean": 0.80, "difference_to_best": -0.01,
         "standard_error": 0.02, "within_one_se": True},
        {"strategy": "logistic_regression/no_resampling", "cv_mean": 0.70,
         "difference_to_best": -0.11, "standard_error": 0.03, "within_one_se": False},
    ]  # fmt: skip
    text = "\n".join(family_lines(selection, ("random_forest/no_resampling",)))
    assert "**`random_forest` wins on training data**" in text
    assert "`logistic_regression` 0.1100 behind (SE 0.0300, beyond 2 standard errors" in text
    assert "| random_forest | random_forest/no_resampling | 0.8100 |" in text
    assert family_lines(selection[:2], ()) == []  # one family: nothing to compare


def test_the_split_words_carry_the_splits_note_on_a_lopsided_holdout():
    """The split notes on the hold-out frame why a class's share is off; the report's
    first lines (these words) repeat it."""
    holdout = pd.DataFrame({"a": [1.0, 2.0], "label": [0, 1]})
    assert split_words(holdout, "label") == "by row: identical rows kept on one side"
    holdout.attrs["split_note"] = "the hold-out holds 1 of the 12 positive rows"
    words = split_words(holdout, "label")
    assert words.endswith("**note**: the hold-out holds 1 of the 12 positive rows")


def test_the_report_names_the_labels_one_vs_rest_made_negative():
    """The hold-out carries the ingestion's count of each original negative label; the
    evaluation keeps it and the report's first lines show it."""
    from smote_pipeline.core.holdout.report import build_report

    holdout, y = _holdout()
    holdout.attrs["negative_labels"] = {"no": 180, "maybe": 90}
    holdout.attrs["conflicting_duplicates"] = {"groups": 7, "rows": 74}
    proba = np.clip(0.5 * y + np.random.default_rng(4).uniform(0, 0.5, size=len(y)), 0, 1)
    result = evaluate_on_holdout(
        _candidates(no_resampling=proba),
        holdout,
        "label",
        baseline="no_resampling",
        options=PipelineOptions(n_bootstrap=100),
    )
    assert result.negative_labels == {"no": 180, "maybe": 90}
    assert HoldoutEvaluation.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    champion = Champion("no_resampling", None, 0.5, "average_precision", 0.5, 0.01, "x")
    text = build_report(
        pipeline="t",
        positive_label="yes",
        evaluation=result,
        champion=champion,
        augmented=holdout.assign(is_synthetic=False),
        clusters=pd.DataFrame({"row_id": [], "cluster_id": []}),
        target="label",
    )
    head = text.split("## What to ship")[0]
    assert "Negative class (one_vs_rest): every other label, `no` (180 rows), `maybe` (90" in head
    assert "7 group(s) of rows with identical features carry both labels (74 rows)" in head
