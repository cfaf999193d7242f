"""Validation of pipeline options, with errors that name the option and the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smote_pipeline.core.options import PipelineOptions

from smote_pipeline.core.oversample.realism_report import RealismThresholds
from smote_pipeline.core.vocabulary import (
    MODEL_FAMILIES,
    NOISE_METHODS,
    NOISE_ON_EXCESS,
    RECALIBRATION_METHODS,
    SELECTION_RULES,
    STRATEGY_NAMES,
)
from smote_pipeline.core.vocabulary import SELECTION_METRIC_NAMES as SELECTION_METRICS

#: Options that take a number, a whole number or a yes/no value.
NUMBER_OPTIONS = (
    "holdout_fraction",
    "sampling_strategy",
    "max_minority_removal",
    "recall_at_precision",
)
INTEGER_OPTIONS = ("random_state",)
BOOLEAN_OPTIONS = ("one_vs_rest", "safety_filter", "auto_reduce")


def _fail(option: str, value: object, expected: str) -> None:
    hint = ""
    if isinstance(value, str) and _looks_like_a_value(value):
        hint = " (write it without quotes: a quoted value is text)"
    raise ValueError(f"Invalid pipeline option {option}={value!r}: expected {expected}{hint}.")


def _looks_like_a_value(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip().lower() in {"true", "false", "yes", "no", "null", "none"}
    return True


def _validate_types(options: PipelineOptions) -> None:
    """Refuse values of the wrong type before any comparison can raise a TypeError."""
    for name in NUMBER_OPTIONS:
        value = getattr(options, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            _fail(name, value, "a number")
    for name in INTEGER_OPTIONS:
        value = getattr(options, name)
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(name, value, "a whole number")
    for name in BOOLEAN_OPTIONS:
        value = getattr(options, name)
        if not isinstance(value, bool):
            _fail(name, value, "true or false")
    for name in (
        "noise_method",
        "noise_on_excess",
        "selection_metric",
        "selection_rule",
        "recalibration",
    ):
        value = getattr(options, name)
        if not isinstance(value, str):
            _fail(name, value, "a name (text)")
    cost = options.false_negative_cost
    if cost is not None and (isinstance(cost, bool) or not isinstance(cost, int | float)):
        _fail("false_negative_cost", cost, "None (negatives per positive) or a number > 0")
    for name, what in (("strategies", "strategy"), ("models", "model family")):
        value = getattr(options, name)
        if not isinstance(value, tuple) or not all(isinstance(s, str) for s in value):
            _fail(name, value, f"a list of {what} names")
    if not isinstance(options.realism_thresholds, dict):
        _fail("realism_thresholds", options.realism_thresholds, "a mapping of gate to number")


def validate_options(options: PipelineOptions) -> None:
    """Raise ``ValueError`` naming the first invalid option and what it accepts.

    Parameters
    ----------
    options : PipelineOptions
        Options to check.
    """
    _validate_types(options)
    if not 0.0 < options.holdout_fraction < 1.0:
        _fail("holdout_fraction", options.holdout_fraction, "a number strictly between 0 and 1")
    if not 0.0 < options.sampling_strategy <= 1.0:
        _fail(
            "sampling_strategy",
            options.sampling_strategy,
            "the minority/majority ratio after oversampling, in (0, 1]",
        )
    if not 0.0 <= options.max_minority_removal <= 1.0:
        _fail("max_minority_removal", options.max_minority_removal, "a share in [0, 1]")
    if options.noise_on_excess not in NOISE_ON_EXCESS:
        _fail("noise_on_excess", options.noise_on_excess, f"one of {list(NOISE_ON_EXCESS)}")
    for name in ("noise_neighbors", "k_neighbors", "max_clusters"):
        value = getattr(options, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            _fail(name, value, "a positive integer")
    if isinstance(options.cv_folds, bool) or not isinstance(options.cv_folds, int):
        _fail("cv_folds", options.cv_folds, "an integer >= 2")
    if options.cv_folds < 2:
        _fail("cv_folds", options.cv_folds, "an integer >= 2")
    if options.noise_method not in NOISE_METHODS:
        _fail("noise_method", options.noise_method, f"one of {list(NOISE_METHODS)}")
    if not options.models or any(m not in MODEL_FAMILIES for m in options.models):
        _fail("models", list(options.models), f"a non-empty subset of {list(MODEL_FAMILIES)}")
    n_components = options.n_components
    if n_components is not None and not (
        (isinstance(n_components, int) and n_components >= 1)
        or (isinstance(n_components, float) and 0.0 < n_components < 1.0)
    ):
        _fail("n_components", n_components, "None, an integer >= 1 or a float in (0, 1)")
    _validate_selection(options)
    unknown = [s for s in options.strategies if s not in STRATEGY_NAMES]
    if unknown or not options.strategies:
        _fail(
            "strategies", list(options.strategies), f"a non-empty subset of {list(STRATEGY_NAMES)}"
        )


def _positive_int(option: str, value: object, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        _fail(option, value, f"an integer >= {minimum}")


def _validate_selection(options: PipelineOptions) -> None:
    """Options of model selection, recalibration and hold-out evaluation."""
    if options.cv_repeats is not None:
        _positive_int("cv_repeats", options.cv_repeats)
    jobs = options.cv_n_jobs
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs == 0):
        _fail("cv_n_jobs", jobs, "a non-zero integer (-1: all cores) or none")
    _positive_int("bagging_estimators", options.bagging_estimators)
    _positive_int("n_bootstrap", options.n_bootstrap, 100)
    margin = options.promotion_margin
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not margin >= 0:
        _fail("promotion_margin", margin, "a number >= 0 (average precision)")
    if options.promoted_version is not None:
        _positive_int("promoted_version", options.promoted_version)
    drift_at = options.drift_threshold
    if isinstance(drift_at, bool) or not isinstance(drift_at, int | float) or not 0 < drift_at < 1:
        _fail("drift_threshold", drift_at, "a distance between 0 and 1 (exclusive)")
    if isinstance(options.ensemble_top, bool) or not isinstance(options.ensemble_top, int):
        _fail("ensemble_top", options.ensemble_top, "0 (off) or an integer >= 2")
    if options.ensemble_top == 1 or options.ensemble_top < 0:
        _fail("ensemble_top", options.ensemble_top, "0 (off) or an integer >= 2")
    if options.selection_metric not in SELECTION_METRICS:
        _fail("selection_metric", options.selection_metric, f"one of {list(SELECTION_METRICS)}")
    if options.selection_rule not in SELECTION_RULES:
        _fail("selection_rule", options.selection_rule, f"one of {list(SELECTION_RULES)}")
    if options.recalibration not in RECALIBRATION_METHODS:
        _fail("recalibration", options.recalibration, f"one of {list(RECALIBRATION_METHODS)}")
    cost = options.false_negative_cost
    if cost is not None and (isinstance(cost, bool) or not cost > 0):
        _fail("false_negative_cost", cost, "None (negatives per positive) or a number > 0")
    if not 0.0 < options.recall_at_precision <= 1.0:
        _fail("recall_at_precision", options.recall_at_precision, "a precision in (0, 1]")
    _validate_realism_thresholds(options.realism_thresholds)


def _validate_realism_thresholds(overrides: dict) -> None:
    from dataclasses import fields

    known = {f.name for f in fields(RealismThresholds)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        _fail("realism_thresholds", overrides, f"keys among {sorted(known)}; unknown: {unknown}")
    for name, value in overrides.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            _fail(f"realism_thresholds.{name}", value, "a number")
