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
#: Model families compared by default: each is crossed with the strategies that
#: take a model family (see :func:`candidate_grid`).
DEFAULT_MODELS: tuple[str, ...] = ("random_forest", "hist_gradient_boosting", "logistic_regression")

#: Strategies that bring their own model: the family their verdict is read in
#: (a balanced random forest is a resampled random forest).
OWN_FAMILY: dict[str, str] = {
    "balanced_random_forest": "random_forest",
    "easy_ensemble": "adaboost",
    "one_class": "isolation_forest",
}

#: (family, strategy) pairs left out of the grid: a random forest on a randomly
#: undersampled fold is what ``balanced_random_forest`` does per tree, with
#: every majority row used by some tree.
EXCLUDED_PAIRS: frozenset[tuple[str, str]] = frozenset({("random_forest", "random_undersampling")})

#: Separates the family from the strategy in a candidate's name.
FAMILY_SEPARATOR = "/"
SELECTION_METRIC_NAMES: tuple[str, ...] = ("average_precision", "roc_auc", "brier", "log_loss")
RECALIBRATION_METHODS: tuple[str, ...] = ("none", "prior", "sigmoid", "isotonic")

#: Rule that averages the one-standard-error set.
AVERAGE_RULE = "one_standard_error_average"
#: Rule that averages the best candidate of each model family (the default).
FAMILY_RULE = "family_average"
#: Selection rules, the default first.
SELECTION_RULES: tuple[str, ...] = (FAMILY_RULE, AVERAGE_RULE, "one_standard_error", "max")
#: Rules whose champion is a soft-voting ensemble built by the candidates' fit.
AVERAGING_RULES: frozenset[str] = frozenset({FAMILY_RULE, AVERAGE_RULE})


def candidate_name(family: str, strategy: str) -> str:
    """Name of the candidate that fits ``strategy`` with the model ``family``.

    Strategies with their own model (:data:`OWN_FAMILY`) keep their bare name.
    """
    if strategy in OWN_FAMILY:
        return strategy
    return f"{family}{FAMILY_SEPARATOR}{strategy}"


def candidate_grid(models: tuple[str, ...], strategies: tuple[str, ...]) -> list[tuple[str, str]]:
    """The (family, strategy) pairs compared, strategies in the configured order.

    A strategy that takes a model family is crossed with every family of
    ``models`` (but :data:`EXCLUDED_PAIRS`); a strategy with its own model
    appears once, with its own family.
    """
    pairs: list[tuple[str, str]] = []
    for strategy in strategies:
        if strategy in OWN_FAMILY:
            pairs.append((OWN_FAMILY[strategy], strategy))
            continue
        pairs += [(f, strategy) for f in models if (f, strategy) not in EXCLUDED_PAIRS]
    return pairs


def strategy_of(name: str) -> str:
    """The strategy of a candidate name (a name without a family is a strategy)."""
    return name.rsplit(FAMILY_SEPARATOR, 1)[-1]


def family_of(name: str) -> str | None:
    """The model family of a candidate name; None for the ensemble or an unknown family."""
    if FAMILY_SEPARATOR in name:
        return name.split(FAMILY_SEPARATOR, 1)[0]
    return OWN_FAMILY.get(name)
