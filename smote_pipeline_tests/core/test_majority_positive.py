"""A positive label that is the majority: the run goes on with the rarer class as class 1,
says so, and scores the label the user named."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core import pipeline
from smote_pipeline.core.holdout.model_card import build_model_card
from smote_pipeline.core.holdout.report import build_report
from smote_pipeline.core.ingest.ingestion import TargetSpec, ingest, read_source
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline_tests.conftest import make_frame


def _majority_csv(tmp_path) -> str:
    """220 rows: the label the user calls positive, `yes`, on 160 of them."""
    path = tmp_path / "majority.csv"
    make_frame(60, 160, seed=2).to_csv(path, index=False)
    return str(path)


def test_the_rarer_class_is_class_1_and_the_log_says_so(tmp_path):
    ingested = ingest(read_source(_majority_csv(tmp_path)), TargetSpec("label", "yes"))
    frame = ingested.frame
    assert int(frame["label"].sum()) == 60  # the 60 `no` rows
    assert frame.attrs["positive_is_majority"] == {
        "positive_label": "yes",
        "positive_rows": 160,
        "rows": 220,
    }
    (words,) = [w for w in ingested.warnings() if "majority" in w]
    assert "'yes' is the majority of the target (160 of 220 rows)" in words
    assert "oversamples the rarer class ('no')" in words


def test_a_rarer_class_too_small_is_refused_naming_it(tmp_path):
    frame = make_frame(2, 100, seed=2)
    with pytest.raises(ValueError, match=r"Only 2 row\(s\) have a label other than the positive"):
        ingest(frame, TargetSpec("label", "yes"))


def test_the_run_reports_on_the_rarer_class_and_scores_the_named_label(tmp_path):
    """End to end on the core pipeline: the report's first lines name both classes, and
    a scored batch gives the probability and decision of `yes`, as named, with its
    label in the same terms."""
    table = read_source(_majority_csv(tmp_path))
    options = PipelineOptions().updated(
        {"models": ("logistic_regression",), "strategies": ("no_resampling", "smote")}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = pipeline.run(table, TargetSpec("label", "yes"), options)
    evaluation = run.holdout_evaluation
    assert evaluation.majority_positive["positive_label"] == "yes"
    assert evaluation.holdout_positives == int(run.holdout_set["label"].sum())
    text = build_report(
        pipeline="t",
        positive_label="yes",
        evaluation=evaluation,
        champion=run.champion_model,
        augmented=run.augmented_training_set,
        clusters=run.minority_clusters.assignments,
        target="label",
    )
    head = text.split("## What to ship")[0]
    assert "Class 1: the rarer class (`no`); the positive label `yes` is the majority" in head
    card = build_model_card(
        pipeline="t",
        target="label",
        positive_label="yes",
        champion=run.champion_model,
        evaluation=evaluation,
        training=run.training_set,
        augmented=run.augmented_training_set,
    )
    assert "the model's class 1 is the rarer class (`no`)" in card
    assert "probability of `yes` is `predict_proba(X)[:, 0]`" in card
    batch = make_frame(20, 20, seed=9)
    scored = pipeline.scored_batch(batch, run.promoted_model, options).frame
    assert scored["label"].tolist() == [0] * 20 + [1] * 20  # 1: `yes`, as named
    version = run.promoted_model.promoted_version
    rare = version.model.predict_proba(scored_features(run, batch))[:, 1]
    np.testing.assert_allclose(scored["probability"], 1.0 - rare)
    assert scored["decision"].tolist() == (rare < version.threshold).astype(int).tolist()
    assert scored.loc[scored["label"] == 1, "probability"].mean() > 0.5


def scored_features(run, batch: pd.DataFrame) -> pd.DataFrame:
    """The batch as the promoted version's model reads it."""
    return run.promoted_model.promoted_version.profile.schema.prepare(batch).features


def test_a_cost_of_missing_the_majority_label_is_contradictory_and_refused(tmp_path):
    """`false_negative_cost` prices a missed `yes`; with `yes` the majority, the pipeline
    tunes thresholds for `no`, so the option would mean the opposite: refused, named."""
    table = read_source(_majority_csv(tmp_path))
    options = PipelineOptions().updated({"false_negative_cost": 5.0})
    sets = pipeline.training_sets(table, TargetSpec("label", "yes"), options)
    with pytest.raises(ValueError, match=r"false_negative_cost=5.0 prices a missed 'yes'"):
        pipeline.candidate_screen(sets.training_set, "label", options, sets.oversampling_space)
