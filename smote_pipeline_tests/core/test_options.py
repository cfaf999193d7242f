"""Options check themselves: each declares what it accepts next to its default."""

from __future__ import annotations

import pytest

from smote_pipeline.core.options import PipelineOptions, declared

#: Out-of-range values of every option (one each): each must be refused by name.
OUT_OF_RANGE = {
    "holdout_fraction": 1.0,
    "random_state": -0.5,
    "one_vs_rest": 1,
    "noise_method": "smote",
    "noise_neighbors": 0,
    "max_minority_removal": 1.5,
    "noise_on_excess": "ignore",
    "max_clusters": 0,
    "k_neighbors": 0,
    "sampling_strategy": 0.0,
    "n_components": 1.5,
    "auto_reduce": "no",
    "safety_filter": None,
    "strategies": (),
    "models": ("svm",),
    "segment_columns": ("",),
    "cv_folds": 1,
    "cv_repeats": 0,
    "cv_n_jobs": 0,
    "selection_metric": "accuracy",
    "selection_rule": "min",
    "ensemble_top": 1,
    "recalibration": "platt",
    "false_negative_cost": 0,
    "recall_at_precision": 0.0,
    "bagging_estimators": 0,
    "n_bootstrap": 99,
    "promotion_margin": -0.01,
    "promoted_version": 0,
    "drift_threshold": 1.0,
    "realism_thresholds": {"max_detection_auc": "high"},
}


def test_every_option_refuses_a_value_out_of_its_range_by_name():
    assert set(OUT_OF_RANGE) == {d.name for d in declared()}
    for name, value in OUT_OF_RANGE.items():
        with pytest.raises(ValueError, match=rf"Invalid pipeline option {name}=.*: expected "):
            PipelineOptions(**{name: value})


def test_every_option_refuses_a_value_of_no_kind_it_takes():
    for declaration in declared():
        with pytest.raises(ValueError, match=declaration.name):
            PipelineOptions(**{declaration.name: object()})


def test_boundary_values_that_are_allowed_pass():
    PipelineOptions(
        sampling_strategy=1.0,
        max_minority_removal=0.0,
        n_components=0.5,
        cv_n_jobs=-1,
        ensemble_top=2,
        recall_at_precision=1.0,
        promotion_margin=0,
        realism_thresholds={"max_detection_auc": 0.9, "intrusion_relative_to_real": 0},
    )


def test_an_unknown_realism_gate_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"realism_thresholds=.*max_far_share"):
        PipelineOptions(realism_thresholds={"max_detection": 0.9})
