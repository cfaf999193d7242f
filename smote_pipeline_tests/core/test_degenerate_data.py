"""Degenerate but valid data runs through every core step with a defined outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core import pipeline
from smote_pipeline.core.holdout import evaluation
from smote_pipeline.core.ingest.ingestion import TargetSpec, prepare_dataset
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline_tests.conftest import make_frame

FAST = {
    "cv_folds": 2,
    "cv_repeats": 1,
    "models": ("logistic_regression",),
    "strategies": ["no_resampling", "smote", "cluster_smote"],
    "n_bootstrap": 100,
}


def run_chain(frame: pd.DataFrame, columns: dict[str, str] | None = None, **options) -> dict:
    """The pipeline users run (:func:`smote_pipeline.core.pipeline.run`) on ``frame``."""
    opts = PipelineOptions().updated({**FAST, **options})
    done = pipeline.run(frame, TargetSpec("label", "yes"), opts, columns)
    return {
        "synthetic": done.synthetic_samples.frame,
        "rejected": done.rejected_synthetic_samples,
        "augmented": done.augmented_training_set,
        "evaluation": done.holdout_evaluation,
        "quarantine": done.noise.quarantine,
        "realism": done.synthetic_realism,
        "skipped": done.skipped,
        "noise": done.noise,
    }


def _check_outcome(out: dict) -> None:
    for record in out["evaluation"].metrics:
        assert 0.0 <= record["average_precision"] <= 1.0
    assert out["augmented"]["is_synthetic"].sum() == len(out["synthetic"]) - len(out["rejected"])


def test_constant_columns():
    frame = make_frame(seed=1).assign(constant=7.0, zero=0)
    # excluded at ingestion by default (role `constant`) ...
    assert not {"constant", "zero"} & set(run_chain(frame)["synthetic"].columns)
    # ... and kept when the spec asks: every step copes with a column that never varies
    out = run_chain(frame, columns={"constant": "numeric", "zero": "numeric"})
    synthetic = out["synthetic"]
    assert (synthetic["constant"] == 7.0).all() and (synthetic["zero"] == 0).all()
    _check_outcome(out)


def test_all_categorical_features():
    rng = np.random.default_rng(0)
    n_neg, n_pos = 300, 40
    levels = [f"v{i}" for i in range(8)]
    frame = pd.DataFrame(
        {
            "colour": np.r_[
                rng.choice(["red", "green"], n_neg), rng.choice(["blue", "teal"], n_pos)
            ],
            "size": np.r_[rng.choice(["s", "m", "l"], n_neg), rng.choice(["xl", "l"], n_pos)],
            "shape": rng.choice(levels, n_neg + n_pos),
            "label": ["no"] * n_neg + ["yes"] * n_pos,
        }
    )
    out = run_chain(frame, noise_method="none")
    assert set(out["synthetic"]["colour"]) <= {"blue", "teal"}
    assert set(out["synthetic"]["size"]) <= {"xl", "l"}
    _check_outcome(out)


def test_categorical_column_with_thousands_of_levels():
    frame = make_frame(1500, 60, seed=2)
    unique = frame.assign(customer=[f"c{i}" for i in range(len(frame))])
    assert "customer" not in prepare_dataset(unique, TargetSpec("label", "yes"))  # an identifier
    # 520 levels seen about 3 times each: a real categorical, more levels than HGB's 255 bins
    frame["customer"] = [f"c{i % 520}" for i in np.random.default_rng(0).permutation(len(frame))]
    out = run_chain(frame, noise_method="none", models=("hist_gradient_boosting",))
    real_levels = set(frame.loc[frame["label"] == "yes", "customer"])
    assert set(out["synthetic"]["customer"]) <= real_levels
    _check_outcome(out)


@pytest.mark.parametrize("n_positive", [3, 5])
def test_tiny_minority(n_positive):
    out = run_chain(make_frame(200, n_positive, seed=3), noise_method="none")
    assert len(out["synthetic"]) > 0
    if n_positive == 3:  # 2 training positives: a CV fold holds one, too few for SMOTE
        assert "SMOTE needs 2" in out["skipped"]["logistic_regression/smote"]
    assert set(out["synthetic"]["label"]) == {1}
    _check_outcome(out)


def test_extreme_imbalance_one_in_ten_thousand():
    out = run_chain(make_frame(30_000, 3, seed=4), noise_method="none")
    assert out["evaluation"].holdout_positives == 1
    # one hold-out positive cannot tell strategies apart: no "helped" or "hurt" claimed
    assert out["evaluation"].summary["overall"] == evaluation.UNDECIDED
    assert {v["verdict"] for v in out["evaluation"].verdicts} == {evaluation.UNDECIDED}
    assert "cannot decide" in out["evaluation"].summary["text"]
    _check_outcome(out)


def _noisy_minority() -> pd.DataFrame:
    frame = make_frame(300, 30, seed=5)
    rng = np.random.default_rng(0)
    flip = rng.choice(np.flatnonzero(frame["label"] == "yes"), size=15, replace=False)
    frame.loc[flip, ["a", "b", "c"]] = rng.normal(0, 1, size=(15, 3))
    return frame


def test_noise_filter_refusing_to_erase_the_minority_names_the_option():
    with pytest.raises(ValueError, match="max_minority_removal") as raised:
        run_chain(_noisy_minority(), max_minority_removal=0.05, noise_on_excess="raise")
    # the advice names the pipeline's options, as a spec writes them
    advice = str(raised.value).split("The filter said:")[0]
    assert "`noise_on_excess: trim`" in advice and "`noise_method`" in advice
    assert "on_excess='trim'" not in advice


def test_noise_filter_over_the_cap_trims_and_lists_the_kept_suspects():
    out = run_chain(_noisy_minority(), max_minority_removal=0.05)
    found = out["noise"]
    removed_positives = int(found.quarantine["label"].sum())
    train_positives = removed_positives + int(found.denoised["label"].sum())
    assert removed_positives == int(np.floor(0.05 * train_positives))
    assert len(found.kept_suspects) > 0 and set(found.kept_suspects["label"]) == {1}
    assert set(found.kept_suspects["row_id"]) <= set(found.denoised["row_id"])
    assert any("most suspicious" in w for w in found.warnings)
    _check_outcome(out)


def test_minority_already_above_the_ratio_generates_nothing_and_every_strategy_runs():
    # 120 positives against 200 negatives: 0.6 > sampling_strategy 0.5
    frame = make_frame(200, 120, seed=6)
    out = run_chain(frame, noise_method="none")
    assert len(out["synthetic"]) == 0
    assert out["skipped"] == {}
    scored = {r["strategy"] for r in out["evaluation"].metrics}
    family = "logistic_regression/"
    assert {family + s for s in ("no_resampling", "smote", "cluster_smote")} <= scored
    _check_outcome(out)


def test_report_says_how_the_data_was_handled():
    from smote_pipeline.core.holdout.report import data_handling_lines

    frame = make_frame(200, 120, seed=6)
    frame.loc[::7, "a"] = np.nan
    out = run_chain(frame, noise_method="none")
    options = PipelineOptions().updated(FAST).to_dict()
    text = "\n".join(data_handling_lines(out["augmented"], out["quarantine"], "label", options))
    assert "Missing values kept (`a` 1" in text
    assert "no synthetic row was generated" in text
    assert "0 training rows removed" in text
