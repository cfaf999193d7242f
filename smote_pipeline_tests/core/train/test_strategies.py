from __future__ import annotations

import numpy as np
import pytest

from smote_pipeline.core.columns import categorical_columns, feature_columns
from smote_pipeline.core.ingest.ingestion import TargetSpec, prepare_dataset
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.strategies import (
    BASELINE_STRATEGIES,
    FOREST_MAX_SAMPLES,
    RESAMPLING_STRATEGIES,
    STRATEGY_NAMES,
    build_strategy,
    expected_cost,
    model_size,
    scaled_parameters,
)
from smote_pipeline_tests.conftest import make_frame


@pytest.fixture(scope="module")
def mixed():
    frame = prepare_dataset(
        make_frame(120, 24, seed=4, categorical=True), TargetSpec("label", "yes", False)
    )
    return frame, feature_columns(frame, "label"), categorical_columns(frame, "label")


@pytest.mark.parametrize("name", STRATEGY_NAMES)
def test_every_strategy_fits_numeric_and_categorical_columns(mixed, name):
    frame, features, categorical = mixed
    options = PipelineOptions(cv_folds=2, max_clusters=2, bagging_estimators=2, k_neighbors=3)
    model = "logistic_regression" if name != "cluster_smote" else "hist_gradient_boosting"
    estimator = build_strategy(
        name, model=model, features=features, categorical=categorical, options=options
    )
    y = frame["label"].to_numpy().astype(int)
    estimator.fit(frame[features], y)
    proba = estimator.predict_proba(frame[features])[:, 1]
    assert proba.shape == (len(frame),) and np.all((proba >= 0) & (proba <= 1))
    assert proba[y == 1].mean() > proba[y == 0].mean()


@pytest.mark.parametrize("model", ["hist_gradient_boosting", "random_forest"])
def test_model_families_build(mixed, model):
    frame, features, categorical = mixed
    options = PipelineOptions(models=(model,))
    y = frame["label"].to_numpy().astype(int)
    estimator = build_strategy(
        "class_weight",
        model=model,
        features=features,
        categorical=categorical,
        options=options,
        size=(len(y), int(y.sum())),
    )
    estimator.fit(frame[features], y)
    assert estimator.predict_proba(frame[features]).shape == (len(y), 2)


def test_boosting_stops_early_on_large_data_only_and_sizes_follow_resampling():
    assert scaled_parameters("hist_gradient_boosting", 400) == {"early_stopping": False}
    assert scaled_parameters("hist_gradient_boosting", 50_000) == {"early_stopping": True}
    # undersampling leaves 2 x positives rows; oversampling raises the positives
    options = PipelineOptions()
    assert model_size("random_undersampling", 1000, 30, options) == (60, 30)
    assert model_size("smote", 1000, 30, options) == (970 + 485, 485)
    assert model_size("class_weight", 1000, 30, options) == (1000, 30)
    clf = build_strategy(
        "smote",
        model="hist_gradient_boosting",
        features=["x"],
        categorical=[],
        options=options,
        size=(12_000, 300),  # 17,550 rows after SMOTE: above the early-stopping limit
    )
    assert clf.named_steps["classifier"].early_stopping is True


def test_forest_trees_draw_a_bounded_sample_on_large_data():
    assert scaled_parameters("random_forest", FOREST_MAX_SAMPLES) == {}
    share = scaled_parameters("random_forest", 1_000_000)["max_samples"]
    assert share * 1_000_000 == pytest.approx(FOREST_MAX_SAMPLES)


def test_names_are_partitioned_and_ordered_simplest_first():
    assert STRATEGY_NAMES[0] == "no_resampling"
    assert not BASELINE_STRATEGIES & RESAMPLING_STRATEGIES
    assert STRATEGY_NAMES.index("smote") < STRATEGY_NAMES.index("cluster_smote")


def test_expected_cost_defaults_to_balanced_costs():
    y = np.array([0, 0, 0, 1])
    assert expected_cost(y, np.array([0, 0, 0, 0])) == pytest.approx(-3 / 4)
    assert expected_cost(y, np.array([1, 0, 0, 1])) == pytest.approx(-1 / 4)
    assert expected_cost(y, np.array([0, 0, 0, 0]), false_negative_cost=1.0) == -0.25


def test_invalid_new_options_are_named():
    with pytest.raises(ValueError, match="selection_metric"):
        PipelineOptions(selection_metric="accuracy")
    with pytest.raises(ValueError, match="recalibration"):
        PipelineOptions(recalibration="platt")
    with pytest.raises(ValueError, match="ensemble_top"):
        PipelineOptions(ensemble_top=1)
