from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from smote_pipeline.core import pipeline
from smote_pipeline.core.holdout.evaluation import best_baseline, evaluate_on_holdout
from smote_pipeline.core.ingest.ingestion import TargetSpec, prepare_dataset
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train import training
from smote_pipeline.core.train.ensemble import ensemble_calibration
from smote_pipeline.core.train.estimators import logistic_map
from smote_pipeline.core.train.records import Candidate
from smote_pipeline.core.train.selection import (
    AVERAGE_RULE,
    FAMILY_RULE,
    corrected_standard_error,
    family_members,
    one_standard_error_set,
    select_champion,
)
from smote_pipeline.core.train.strategies import ENSEMBLE
from smote_pipeline.core.train.thresholds import f1_threshold
from smote_pipeline.core.vocabulary import MODEL_FAMILIES, family_of
from smote_pipeline_tests.conftest import make_frame

FEATURES = ["a", "b", "c"]
ONE_SE = "one_standard_error"


def _space(training, options):
    return pipeline.oversampling_space(training, "label", options)


def _candidate(mean, sem):
    return Candidate(model=None, threshold=0.5, cv_mean=mean, cv_sem=sem)


def test_one_standard_error_rule_prefers_the_simpler_strategy():
    candidates = {
        "no_resampling": _candidate(0.80, 0.02),
        "smote": _candidate(0.81, 0.02),
        "cluster_smote": _candidate(0.815, 0.02),
    }
    assert select_champion(candidates, ONE_SE) == "no_resampling"
    assert select_champion(candidates, "max") == "cluster_smote"


def test_clearly_better_strategy_wins():
    candidates = {
        "no_resampling": _candidate(0.60, 0.01),
        "class_weight": _candidate(0.62, 0.01),
        "cluster_smote": _candidate(0.80, 0.01),
    }
    assert select_champion(candidates, ONE_SE) == "cluster_smote"


def _paired(scores, ratio=0.25, metric="average_precision", selection_rule=None):
    return Candidate(
        model=None,
        threshold=0.5,
        cv_scores=tuple(scores),
        cv_mean=float(np.mean(scores)),
        cv_sem=float(np.std(scores, ddof=1) / np.sqrt(len(scores))),
        cv_test_train_ratio=ratio,
        cv_metric=metric,
        selection_rule=selection_rule,
    )


def test_paired_rule_sees_a_consistent_small_gain_and_ignores_noise():
    base = [0.60, 0.70, 0.50, 0.80, 0.65, 0.55]
    steady = [s + 0.05 for s in base]  # better on every fold
    noisy = [s + d for s, d in zip(base, [0.2, -0.15, 0.18, -0.12, 0.1, -0.1], strict=True)]
    assert select_champion({"no_resampling": _paired(base), "smote": _paired(steady)}, ONE_SE) == (
        "smote"
    )
    assert select_champion({"no_resampling": _paired(base), "smote": _paired(noisy)}, ONE_SE) == (
        "no_resampling"
    )


def test_average_rule_keeps_only_what_the_data_cannot_rank():
    base = [0.60, 0.70, 0.50, 0.80, 0.65, 0.55]
    close = [s + d for s, d in zip(base, [0.02, -0.03, 0.01, 0.02, -0.01, 0.02], strict=True)]
    worse = [s - 0.15 for s in base]  # behind on every fold
    candidates = {
        "no_resampling": _paired(base),
        "smote": _paired(close),
        "random_undersampling": _paired(worse),
    }
    assert one_standard_error_set(candidates) == ["smote", "no_resampling"]  # best first
    # without an ensemble built by the rule, the best of the set ships alone
    assert select_champion(candidates, AVERAGE_RULE) == "smote"
    averaged = {**candidates, ENSEMBLE: _paired(close, selection_rule=AVERAGE_RULE)}
    assert select_champion(averaged, AVERAGE_RULE) == ENSEMBLE
    assert one_standard_error_set(averaged) == ["smote", "no_resampling"]
    # an ensemble of the top-k option competes under the other rules, not this one
    top_k = {**candidates, ENSEMBLE: _paired(close, selection_rule="one_standard_error")}
    assert select_champion(top_k, AVERAGE_RULE) == "smote"
    lone = {"no_resampling": _paired(base), "random_undersampling": _paired(worse)}
    assert one_standard_error_set(lone) == ["no_resampling"]


def test_loss_metrics_are_minimised():
    low, high = (
        _paired([0.05, 0.06, 0.05], metric="brier"),
        _paired([0.2, 0.25, 0.22], metric="brier"),
    )
    assert select_champion({"no_resampling": high, "smote": low}, ONE_SE) == "smote"


def test_corrected_standard_error_exceeds_the_naive_one():
    d = np.array([0.01, 0.03, -0.01, 0.02, 0.0, 0.02])
    naive = np.std(d, ddof=1) / np.sqrt(len(d))
    assert corrected_standard_error(d, 0.25) > naive


def test_threshold_maximises_f1():
    y = np.array([0, 0, 0, 1, 1])
    proba = np.array([0.1, 0.2, 0.6, 0.7, 0.9])
    assert f1_threshold(y, proba) == pytest.approx(0.7)


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression that records the content of every row it is fitted on."""

    seen: list[tuple[float, ...]] = []

    def __init__(self, class_weight=None):
        self.class_weight = class_weight

    def fit(self, X, y):
        values = np.asarray(pd.DataFrame(X)[FEATURES], dtype=float)
        RecordingClassifier.seen.extend(map(tuple, np.round(values, 9)))
        self.model_ = LogisticRegression(class_weight=self.class_weight).fit(values, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(np.asarray(pd.DataFrame(X)[FEATURES], dtype=float))


def _pipeline_data(options, seed=0):
    """Training rows, the augmented set and the hold-out, as the pipeline makes them."""
    sets = pipeline.training_sets(
        make_frame(240, 40, seed=seed), TargetSpec("label", "yes"), options
    )
    return sets.training_set, sets.augmented_training_set, sets.holdout_set


def test_no_holdout_row_reaches_any_fit(monkeypatch):
    from smote_pipeline.core.train import strategies

    def recording(model, features, categorical, *, random_state, class_weight=None, **_):
        return RecordingClassifier(class_weight=class_weight)

    monkeypatch.setattr(strategies, "build_classifier", recording)
    monkeypatch.setattr(training, "build_classifier", recording)
    RecordingClassifier.seen = []
    options = PipelineOptions(
        strategies=(
            "no_resampling",
            "class_weight",
            "cost_sensitive_threshold",
            "random_undersampling",
            "smote",
            "cluster_smote",
        ),
        cv_folds=3,
        cv_repeats=2,
        max_clusters=3,
        ensemble_top=2,
        recalibration="prior",
    )
    train, augmented, holdout = _pipeline_data(options)
    candidates = pipeline.candidate_models(
        train, augmented, "label", options, _space(train, options)
    )
    evaluate_on_holdout(
        candidates, holdout, "label", baseline=best_baseline(candidates), options=PipelineOptions()
    )
    seen = set(RecordingClassifier.seen)
    holdout_rows = set(map(tuple, np.round(holdout[FEATURES].to_numpy(dtype=float), 9)))
    train_rows = set(map(tuple, np.round(train[FEATURES].to_numpy(dtype=float), 9)))
    assert len(RecordingClassifier.seen) > 0 and seen & train_rows
    assert not seen & holdout_rows


def test_champion_does_not_change_when_the_holdout_changes():
    options = PipelineOptions(
        strategies=("no_resampling", "class_weight", "smote"),
        models=("logistic_regression",),
        cv_folds=3,
        max_clusters=3,
    )
    done = pipeline.run(make_frame(240, 40, seed=0), TargetSpec("label", "yes"), options)
    candidates, train, before = done.candidate_models, done.training_set, done.champion_model
    fingerprint = joblib.hash(before.model)
    other = prepare_dataset(make_frame(240, 40, seed=9), TargetSpec("label", "yes", False))
    results = [done.holdout_evaluation] + [
        evaluate_on_holdout(
            candidates, h, "label", baseline="no_resampling", options=PipelineOptions()
        )
        for h in (other.sample(150, random_state=1), other.sample(150, random_state=2))
    ]
    after = pipeline.champion_model(candidates, options)
    assert {r.champion for r in results} == {before.strategy} == {after.strategy}
    assert joblib.hash(after.model) == fingerprint
    assert results[0].metrics != results[1].metrics
    assert before.training_fingerprint == training.training_fingerprint(train, "label")


def test_one_standard_error_average_champion_averages_the_set():
    options = PipelineOptions(
        strategies=("no_resampling", "class_weight", "cost_sensitive_threshold", "smote"),
        models=("logistic_regression",),
        cv_folds=3,
        max_clusters=3,
        selection_rule=AVERAGE_RULE,
    )
    train, augmented, holdout = _pipeline_data(options)
    candidates = pipeline.candidate_models(
        train, augmented, "label", options, _space(train, options)
    )
    within = one_standard_error_set(candidates)
    champion = training.champion_record(candidates, options)
    assert len(within) >= 3  # this fixed draw: the strategies are indistinguishable
    assert champion.strategy == ENSEMBLE
    members = champion.members
    # the threshold tuner predicts the same probabilities as its model: counted once
    assert not {"no_resampling", "cost_sensitive_threshold"} <= set(members)
    assert set(members) <= set(within) and len(members) >= 2
    X = holdout[FEATURES + ["colour"]] if "colour" in holdout else holdout[FEATURES]

    def on_real_scale(name):  # resampled members vote prior-corrected
        proba = candidates[name].model.predict_proba(X)[:, 1]
        trained = candidates[name].trained_ratio
        if trained is None:
            return proba
        odds = proba / (1 - proba) * candidates[name].prior_ratio / trained
        return odds / (1 + odds)

    expected = np.mean([on_real_scale(m) for m in members], axis=0)
    if champion.model.calibration is not None:  # kept only where it lowered the OOF Brier
        expected = logistic_map(expected, *champion.model.calibration)
    np.testing.assert_allclose(champion.model.predict_proba(X)[:, 1], expected, rtol=1e-9)
    assert any(candidates[m].trained_ratio is not None for m in members)
    assert "prior-corrected" in champion.fit_on


def _repeated_splits(y, repeats=2):
    return training.cv_splits(y, n_folds=4, n_repeats=repeats, random_state=0)


def test_an_average_pulled_to_the_middle_is_mapped_back_without_changing_its_order():
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.1).astype(int)
    true = np.clip(np.where(y == 1, rng.beta(6, 2, len(y)), rng.beta(1, 12, len(y))), 1e-3, 1)
    shrunk = 0.5 + 0.3 * (true - 0.5)  # what averaging disagreeing members does
    oof = np.tile(shrunk, (2, 1))
    splits = _repeated_splits(y)
    calibration, mapped = ensemble_calibration(oof, y, splits)
    assert calibration is not None and calibration[0] > 0
    brier = lambda p: np.mean(training.split_scores("brier", y, p, splits))  # noqa: E731
    assert brier(mapped) < brier(oof) - 0.01
    # a positive slope keeps the order: the average precision of every split is unchanged
    ap = lambda p: training.split_scores("average_precision", y, p, splits)  # noqa: E731
    np.testing.assert_allclose(ap(mapped), ap(oof), atol=1e-12)


def test_calibrated_probabilities_are_left_alone():
    rng = np.random.default_rng(1)
    proba = rng.beta(1, 9, 3000)
    y = (rng.random(3000) < proba).astype(int)  # calibrated by construction
    oof = np.tile(proba, (2, 1))
    calibration, mapped = ensemble_calibration(oof, y, _repeated_splits(y))
    if calibration is None:
        assert mapped is oof
    else:  # a map that wins by chance is close to the identity
        assert abs(calibration[0] - 1) < 0.15 and abs(calibration[1]) < 0.3


def test_a_raced_out_candidate_is_paired_on_its_first_splits_and_never_chosen():
    from dataclasses import replace

    best = _paired([0.80, 0.82, 0.78, 0.81, 0.79, 0.80])
    close = _paired([0.79, 0.81, 0.78, 0.80, 0.79, 0.80])
    # scored on the first 3 splits only, where it happened to look best
    lucky = replace(_paired([0.95, 0.96, 0.94]), dropped="dropped after the first 3 splits")
    candidates = {"random_forest/no_resampling": best, "hgb/smote": close, "lr/smote": lucky}
    rows = {r["strategy"]: r for r in training.selection_table(candidates)}
    assert rows["lr/smote"]["difference_to_best"] == pytest.approx(0.95 - 0.80, abs=1e-9)
    assert not rows["lr/smote"]["within_one_se"]
    assert select_champion(candidates, "max") == "random_forest/no_resampling"
    assert "lr/smote" not in one_standard_error_set(candidates)


def test_default_champion_averages_the_best_candidate_of_each_family():
    options = PipelineOptions(
        strategies=("no_resampling", "class_weight", "smote"),
        models=("logistic_regression", "random_forest"),
        cv_folds=3,
        max_clusters=3,
    )
    assert options.selection_rule == FAMILY_RULE
    train, augmented, _ = _pipeline_data(options)
    candidates = pipeline.candidate_models(
        train, augmented, "label", options, _space(train, options)
    )
    champion = training.champion_record(candidates, options)
    members = family_members(candidates)
    # one member per family: the family's best by cross-validation
    assert sorted(family_of(m) for m in members) == ["logistic_regression", "random_forest"]
    for m in members:
        same = [n for n in candidates if family_of(n) == family_of(m)]
        assert candidates[m].cv_mean == max(candidates[n].cv_mean for n in same)
    assert champion.strategy == ENSEMBLE and champion.members == tuple(members)


def test_a_family_clearly_behind_is_left_out_of_the_family_average():
    good = [0.90, 0.92, 0.88, 0.91, 0.89, 0.90]
    candidates = {
        "random_forest/no_resampling": _paired(good),
        "random_forest/smote": _paired([s - 0.005 for s in good]),
        # behind on average, but within noise of the best
        "hist_gradient_boosting/no_resampling": _paired(
            [s + (0.01 if i % 2 else -0.015) for i, s in enumerate(good)]
        ),
        "logistic_regression/no_resampling": _paired([0.60, 0.63, 0.58, 0.61, 0.59, 0.62]),
    }
    assert family_members(candidates) == [
        "random_forest/no_resampling",
        "hist_gradient_boosting/no_resampling",
    ]


@pytest.mark.parametrize("model", sorted(MODEL_FAMILIES))
def test_the_cost_sensitive_threshold_shares_the_fitted_model_of_no_resampling(model):
    options = PipelineOptions(
        strategies=("no_resampling", "cost_sensitive_threshold"),
        models=(model,),
        cv_folds=3,
        max_clusters=3,
    )
    train, augmented, _ = _pipeline_data(options)
    screen = training.screen_candidates(train, "label", options)
    keys = {n: c["key"] for n, c in screen.candidates.items()}
    assert len(set(keys.values())) == 1  # one estimator scored, not two
    candidates = pipeline.candidate_models(
        train, augmented, "label", options, _space(train, options)
    )
    plain, tuned = (candidates[f"{model}/{s}"] for s in options.strategies)
    assert tuned.model is plain.model and tuned.cv_scores == plain.cv_scores
    assert tuned.threshold_source != plain.threshold_source


def test_candidates_halved_on_a_subsample_are_refitted_on_every_row():
    frame = prepare_dataset(make_frame(4_500, 500, seed=2), TargetSpec("label", "yes", False))
    options = PipelineOptions(
        strategies=("no_resampling", "class_weight", "cost_sensitive_threshold", "smote"),
        models=("logistic_regression",),
        cv_folds=3,
    )
    screen = training.screen_candidates(frame, "label", options)
    assert len(screen.plan.rungs) == 2 and screen.plan.rungs[0].rows < len(frame)
    candidates = pipeline.candidate_models(frame, frame, "label", options, _space(frame, options))
    halved = {n: c for n, c in candidates.items() if (c.dropped or "").startswith("halved")}
    finished = {n for n, c in candidates.items() if c.dropped is None and n != ENSEMBLE}
    assert halved and finished
    for candidate in halved.values():
        assert candidate.fit_on == "training_set" and candidate.fit_rows == len(frame)
        assert candidate.cv_rows == screen.plan.rungs[0].rows
    champion = training.champion_record(candidates, options)
    assert champion.strategy in finished | {ENSEMBLE} and not set(champion.members) & set(halved)


def test_the_ensemble_scores_only_the_repeats_its_members_were_scored_on():
    from smote_pipeline.core.train.ensemble import soft_voting
    from smote_pipeline.core.train.plan import cv_splits

    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.2).astype(int)
    X = pd.DataFrame({"a": rng.normal(size=300) + y, "b": rng.normal(size=300)})
    splits = cv_splits(y, n_folds=5, n_repeats=2, random_state=0)  # the rung's two repeats
    members = {}
    for name, c in (("lr/a", 1.0), ("lr/b", 0.1)):
        model = LogisticRegression(C=c)
        scores, oof, model = training.cross_validate(model, X, y, splits=splits[:5])
        members[name] = Candidate(model=model, threshold=0.5, cv_mean=float(np.mean(scores)),
                                  cv_sem=0.0, cv_scores=tuple(scores), oof=oof)  # fmt: skip
    ensemble = soft_voting(list(members), members, y, splits, PipelineOptions(), "fp")
    assert len(ensemble.cv_scores) == 5 and ensemble.oof.shape == (1, 300)


def test_a_refit_on_two_cores_is_the_model_of_one_core():
    """The refit's trees run in threads (cv_n_jobs); the stored bytes do not change."""
    from smote_pipeline.defs.storage.model_files import encode_model

    options = PipelineOptions(
        strategies=("no_resampling", "smote", "cluster_smote", "balanced_random_forest"),
        models=("random_forest",),
        cv_folds=3,
        cv_repeats=1,  # the scores are not what is compared here
        max_clusters=3,
    )
    train, augmented, _ = _pipeline_data(options)
    screen = training.screen_candidates(train, "label", options, n_jobs=1)
    fitted = {}
    for jobs in (1, 2):
        fitted[jobs] = {}
        for strategy in options.strategies:
            part, _ = training.candidate_strategy(
                strategy, train, augmented, "label", screen, n_jobs=jobs
            )
            fitted[jobs].update(part)
    assert len(fitted[1]) == 4 and fitted[1].keys() == fitted[2].keys()
    for name, candidate in fitted[2].items():
        assert encode_model(candidate.model) == encode_model(fitted[1][name].model), name
        assert candidate.threshold == fitted[1][name].threshold
    params = fitted[2]["random_forest/no_resampling"].model.get_params(deep=True)
    jobs = [value for key, value in params.items() if key.endswith("n_jobs")]
    assert jobs and all(value is None for value in jobs)
