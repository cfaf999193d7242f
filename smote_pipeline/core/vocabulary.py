"""The pipeline's closed vocabularies: every name an option may take.

This module imports nothing from the package, so any module can read it:
it is what keeps options, validation, strategies and selection free of an
import cycle. Behaviour lives where each name is used
(:mod:`~smote_pipeline.core.train.strategies`, :mod:`~smote_pipeline.core.train.selection`,
:mod:`~smote_pipeline.samplers`).
"""

from __future__ import annotations

#: Strategy names, ordered from simplest to most invasive. Model selection
#: prefers the earlier one when scores are statistically indistinguishable.
STRATEGY_NAMES: tuple[str, ...] = (
    "no_resampling",
    "class_weight",
    "cost_sensitive_threshold",
    "random_undersampling",
    "balanced_random_forest",
    "easy_ensemble",
    "smote",
    "cluster_smote",
    "smote_bagging",
    "one_class",
)

#: Strategies compared by default.
DEFAULT_STRATEGIES: tuple[str, ...] = (
    "no_resampling",
    "class_weight",
    "cost_sensitive_threshold",
    "random_undersampling",
    "balanced_random_forest",
    "smote",
    "cluster_smote",
)

#: Name of the optional soft-voting ensemble of the best candidates (not a
#: configurable strategy: it is built from the others, and ranks last).
ENSEMBLE = "soft_voting_ensemble"

#: Strategies that add synthetic rows (the ones "did SMOTE help?" is about).
OVERSAMPLING_STRATEGIES: frozenset[str] = frozenset({"smote", "cluster_smote", "smote_bagging"})

#: Strategies that train on the real rows unchanged (no resampling); the
#: verdict's baseline is the best of these by cross-validation.
BASELINE_STRATEGIES: frozenset[str] = frozenset(
    {"no_resampling", "class_weight", "cost_sensitive_threshold"}
)

#: Strategies that change the class balance the model learns from (every one but
#: the baselines and the one-class model, which learns from one class only).
RESAMPLING_STRATEGIES: frozenset[str] = (
    frozenset(STRATEGY_NAMES) - BASELINE_STRATEGIES - {"one_class"}
)

NOISE_METHODS: tuple[str, ...] = ("enn", "tomek", "ipf", "isolation_forest", "none")
NOISE_ON_EXCESS: tuple[str, ...] = ("trim", "raise")
MODEL_FAMILIES: tuple[str, ...] = ("hist_gradient_boosting", "logistic_regression", "random_forest")
SELECTION_METRIC_NAMES: tuple[str, ...] = ("average_precision", "roc_auc", "brier", "log_loss")
RECALIBRATION_METHODS: tuple[str, ...] = ("none", "prior", "sigmoid", "isotonic")

#: Rule that averages the one-standard-error set.
AVERAGE_RULE = "one_standard_error_average"
#: Selection rules, the default first.
SELECTION_RULES: tuple[str, ...] = (AVERAGE_RULE, "one_standard_error", "max")
