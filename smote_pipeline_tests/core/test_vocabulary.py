"""Candidate names: model families crossed with strategies."""

from __future__ import annotations

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.vocabulary import (
    candidate_grid,
    candidate_name,
    family_of,
    strategy_of,
)


def test_family_strategies_are_crossed_and_own_model_strategies_appear_once():
    grid = candidate_grid(
        ("random_forest", "logistic_regression"),
        ("no_resampling", "random_undersampling", "balanced_random_forest", "smote"),
    )
    assert grid == [
        ("random_forest", "no_resampling"),
        ("logistic_regression", "no_resampling"),
        ("logistic_regression", "random_undersampling"),  # a forest gets the balanced forest
        ("random_forest", "balanced_random_forest"),
        ("random_forest", "smote"),
        ("logistic_regression", "smote"),
    ]
    names = [candidate_name(f, s) for f, s in grid]
    assert names[0] == "random_forest/no_resampling" and names[3] == "balanced_random_forest"
    assert [(family_of(n), strategy_of(n)) for n in names] == grid


def test_names_of_older_runs_and_the_ensemble_read_as_strategies_without_family():
    assert strategy_of("smote") == "smote" and family_of("smote") is None
    assert family_of("soft_voting_ensemble") is None


def test_the_default_compares_three_families_and_the_old_single_family_option_still_reads():
    assert PipelineOptions().models == (
        "random_forest",
        "hist_gradient_boosting",
        "logistic_regression",
    )
    assert PipelineOptions().updated({"model": "random_forest"}).models == ("random_forest",)
