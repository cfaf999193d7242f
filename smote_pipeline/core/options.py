"""The pipeline's tunable options: each declared once, with its default and meaning.

Every option is one field of :class:`PipelineOptions`, declared with
:func:`option`. The Dagster run configuration
(:class:`~smote_pipeline.defs.settings.PipelineSettings`), this class's
docstring and the README's options table (checked by a test) are all derived
from these declarations; the spec file and the launchpad fall back to the
defaults declared here.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import MISSING, Field, asdict, dataclass, field, fields, replace
from typing import Any

from smote_pipeline.core.thresholds import RealismThresholds
from smote_pipeline.core.vocabulary import (
    DEFAULT_MODELS,
    DEFAULT_STRATEGIES,
    MODEL_FAMILIES,
    NOISE_METHODS,
    NOISE_ON_EXCESS,
    RECALIBRATION_METHODS,
    SELECTION_METRIC_NAMES,
    SELECTION_RULES,
    STRATEGY_NAMES,
)

#: Options whose value is a list of names (a tuple in :class:`PipelineOptions`).
LIST_OPTIONS: tuple[str, ...] = ("strategies", "models", "segment_columns")

__all__ = ["DEFAULT_STRATEGIES", "LIST_OPTIONS", "PipelineOptions", "describe_options", "option"]


@dataclass(frozen=True)
class Accepts:
    """The values one option accepts: a test, and the words an error uses for it.

    The options' counterpart of imbalanced-learn's ``_parameter_constraints``: each
    option declares it next to its default (:func:`option`), and
    :class:`PipelineOptions` checks every field against it when built.
    """

    test: Callable[[Any], bool]
    expected: str

    def check(self, name: str, value: Any) -> None:
        """Raise ``ValueError`` naming the option, the value and what it accepts."""
        if self.test(value):
            return
        hint = ""
        if isinstance(value, str) and _looks_like_a_value(value):
            hint = " (write it without quotes: a quoted value is text)"
        raise ValueError(
            f"Invalid pipeline option {name}={value!r}: expected {self.expected}{hint}."
        )


def _looks_like_a_value(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip().lower() in {"true", "false", "yes", "no", "null", "none"}
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def number(test: Callable[[float], bool], expected: str) -> Accepts:
    """A number (not a boolean) that passes ``test``."""
    return Accepts(lambda v: _is_number(v) and bool(test(v)), expected)


def whole(minimum: int, expected: str | None = None) -> Accepts:
    """A whole number of at least ``minimum``."""
    return Accepts(lambda v: _is_whole(v) and v >= minimum, expected or f"an integer >= {minimum}")


def one_of(names: tuple[str, ...]) -> Accepts:
    """One name of a closed vocabulary."""
    return Accepts(lambda v: isinstance(v, str) and v in names, f"one of {list(names)}")


def some_of(names: tuple[str, ...]) -> Accepts:
    """A non-empty list of names of a closed vocabulary."""
    return Accepts(
        lambda v: isinstance(v, tuple) and bool(v) and all(n in names for n in v),
        f"a list of one or more of {list(names)}",
    )


def or_none(accepts: Accepts, expected: str) -> Accepts:
    """``None`` or what ``accepts`` accepts."""
    return Accepts(lambda v: v is None or accepts.test(v), expected)


FLAG = Accepts(lambda v: isinstance(v, bool), "true or false")


#: The realism gates whose thresholds ``realism_thresholds`` may override.
REALISM_GATES = tuple(f.name for f in fields(RealismThresholds))


def _realism_overrides(value: Any) -> bool:
    return isinstance(value, dict) and all(
        k in REALISM_GATES and _is_number(v) for k, v in value.items()
    )


def option(default: Any, description: str, accepts: Accepts, *, shown: str | None = None) -> Any:
    """Declare an option: its default, its one description and what it accepts.

    Parameters
    ----------
    default : object
        The default value (a dict default is copied for every instance).
    description : str
        What the option means, as users read it (README table, launchpad, docstring).
    accepts : Accepts
        The values the option accepts; checked whenever options are built.
    shown : str or None, default=None
        How the default is written in the README when its value says too little.
    """
    metadata = {"description": description, "shown": shown, "accepts": accepts}
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class PipelineOptions:
    """Tunable options of one pipeline (attributes below, one per option)."""

    holdout_fraction: float = option(
        0.25,
        "share of each class's real rows split off first as the untouched hold-out "
        "(identical rows, or with `group_column` an entity's rows, stay on one side; a row "
        "an earlier run split keeps its side; with `time_column`, the latest rows)",
        number(lambda v: 0 < v < 1, "a number strictly between 0 and 1"),
    )
    random_state: int = option(
        0,
        "seed of every step; same seed and data give the same bytes",
        Accepts(_is_whole, "a whole number"),
    )
    one_vs_rest: bool = option(
        False,
        "treat every label other than the positive one as negative; when false, a target "
        "with more than two values is an error",
        FLAG,
    )
    noise_method: str = option(
        "enn",
        "noise filter: `enn`, `tomek`, `ipf`, `isolation_forest` or `none` (no filtering)",
        one_of(NOISE_METHODS),
    )
    noise_neighbors: int = option(3, "neighbours consulted by `enn`", whole(1))
    max_minority_removal: float = option(
        0.2,
        "largest share of the minority the noise filter may remove",
        number(lambda v: 0 <= v <= 1, "a share in [0, 1]"),
    )
    noise_on_excess: str = option(
        "trim",
        "when the filter flags more of the minority: `trim` removes only the most suspicious "
        "up to the cap (and lists the rest), `raise` stops the run",
        one_of(NOISE_ON_EXCESS),
    )
    max_clusters: int = option(
        8, "upper bound of the automatic number of minority clusters", whole(1)
    )
    k_neighbors: int = option(5, "SMOTE neighbours, searched within a cluster", whole(1))
    sampling_strategy: float = option(
        0.5,
        "minority/majority ratio after oversampling (imbalanced-learn's float semantics): "
        "limited oversampling, not full balance",
        number(lambda v: 0 < v <= 1, "the minority/majority ratio after oversampling, in (0, 1]"),
    )
    n_components: int | float | None = option(
        None,
        "interpolate in a PCA space (int: components, float: variance share), then map back; "
        "none interpolates in the original space",
        or_none(
            Accepts(
                lambda v: (_is_whole(v) and v >= 1) or (isinstance(v, float) and 0 < v < 1),
                "",
            ),
            "None, an integer >= 1 or a float in (0, 1)",
        ),
    )
    auto_reduce: bool = option(
        False,
        "when the minority's nearest-neighbour distances have concentrated (relative "
        "contrast below `min_relative_contrast`) and `n_components` is none, interpolate in "
        "the PCA space keeping 90% of the variance",
        FLAG,
    )
    safety_filter: bool = option(
        False,
        "redraw synthetic rows whose nearest real neighbours are mostly of the other class "
        "(exact on small data; on large data it counts the other class in nearby groups plus "
        "a weighted sample, see `SafetyIndex`)",
        FLAG,
    )
    strategies: tuple[str, ...] = option(
        DEFAULT_STRATEGIES,
        "imbalance strategies compared as candidates",
        some_of(STRATEGY_NAMES),
        shown="see below",
    )
    models: tuple[str, ...] = option(
        DEFAULT_MODELS,
        "model families crossed with the strategies: `random_forest`, "
        "`hist_gradient_boosting`, `logistic_regression` (the balanced ensembles and "
        "`one_class` bring their own); a candidate is named `family/strategy`",
        some_of(MODEL_FAMILIES),
        shown="`random_forest`, `hist_gradient_boosting`, `logistic_regression`",
    )
    cv_folds: int = option(5, "stratified folds that score candidates on training data", whole(2))
    cv_repeats: int | None = option(
        None,
        "repetitions of the stratified K-fold split; the champion is chosen on "
        "`cv_folds * cv_repeats` paired fold scores. None: as many as the data size allows "
        "(5 up to 4,000 training rows, down to 2 from 10,000, see `auto_repeats`), stopped "
        "early once the standard error of the mean score is below 1% of it",
        or_none(whole(1), "an integer >= 1 or none"),
    )
    cv_n_jobs: int | None = option(
        None,
        "cross-validation folds fitted at once, within a step (joblib; -1: all cores). None: "
        "all cores with the `in_process` executor, which runs one step at a time, otherwise 1",
        or_none(
            Accepts(lambda v: _is_whole(v) and v != 0, ""),
            "a non-zero integer (-1: all cores) or none",
        ),
    )
    selection_metric: str = option(
        "average_precision",
        "cross-validated metric that chooses the champion: `average_precision`, `roc_auc`, "
        "`brier` or `log_loss` (the last two: lower is better)",
        one_of(SELECTION_METRIC_NAMES),
    )
    selection_rule: str = option(
        "family_average",
        "`family_average`: soft-voting average of the best candidate of each model family "
        "(families more than two paired standard errors behind the best left out); "
        "`one_standard_error_average`: average of the candidates within one paired standard "
        "error of the best; `one_standard_error`: the simplest of those; `max`: the best "
        "mean score (naive, for comparison)",
        one_of(SELECTION_RULES),
    )
    ensemble_top: int = option(
        0,
        "cap on the averaged strategies (0: none); with the other rules, when >= 2, also a "
        "soft-voting ensemble of this many best candidates",
        Accepts(lambda v: _is_whole(v) and (v == 0 or v >= 2), "0 (off) or an integer >= 2"),
    )
    recalibration: str = option(
        "none",
        "recalibration of strategies that learn a changed class balance: `none`, `prior` "
        "(exact odds correction), `sigmoid` or `isotonic` (on real folds)",
        one_of(RECALIBRATION_METHODS),
    )
    false_negative_cost: float | None = option(
        None,
        "cost of a missed positive in false alarms, for `cost_sensitive_threshold`; none: "
        "negatives per positive",
        or_none(number(lambda v: v > 0, ""), "None (negatives per positive) or a number > 0"),
    )
    recall_at_precision: float = option(
        0.8,
        "precision level of the reported hold-out recall",
        number(lambda v: 0 < v <= 1, "a precision in (0, 1]"),
    )
    segment_columns: tuple[str, ...] = option(
        (),
        "columns whose values are segments (region, product, device): the report gives the "
        "champion's hold-out average precision and recall per value, pooling values with "
        "fewer than 5 positive hold-out rows into `other`",
        Accepts(
            lambda v: isinstance(v, tuple) and all(isinstance(c, str) and c for c in v),
            "a list of column names",
        ),
        shown="none",
    )
    bagging_estimators: int = option(5, "learners of `smote_bagging`", whole(1))
    n_bootstrap: int = option(
        1000, "stratified bootstrap resamples of the hold-out (95% intervals)", whole(100)
    )
    promotion_margin: float = option(
        0.01,
        "a new champion is promoted only if, on the current hold-out, the lower end of the "
        "paired 95% bootstrap interval of its average precision minus the promoted version's "
        "is above minus this margin (not worse by more than it)",
        number(lambda v: v >= 0, "a number >= 0 (average precision)"),
    )
    promoted_version: int | None = option(
        None,
        "pin `promoted_model` to this version (a rollback, or keeping one fixed); none: the "
        "promotion gate decides",
        or_none(whole(1), "an integer >= 1 or none"),
    )
    drift_threshold: float = option(
        0.1,
        "a scored batch drifts where a feature's KS (numbers) or total-variation (categories) "
        "distance from the training rows, or its scores' KS distance from the model's "
        "hold-out scores, or the change of its positive-decision rate (Cohen's h), is at "
        "least this and significant (p < 0.01, Bonferroni over the columns)",
        number(lambda v: 0 < v < 1, "a distance between 0 and 1 (exclusive)"),
    )
    realism_thresholds: dict[str, float] = option(
        {},
        "overrides of the realism gates' thresholds below (e.g. `{max_detection_auc: 0.9}`; "
        "booleans as 0/1)",
        Accepts(_realism_overrides, f"a mapping of gate among {list(REALISM_GATES)} to a number"),
    )

    def __post_init__(self) -> None:
        for declaration in fields(self):
            declaration.metadata["accepts"].check(declaration.name, getattr(self, declaration.name))

    def updated(self, overrides: dict[str, Any]) -> PipelineOptions:
        """Return a copy with ``overrides`` applied; ``None`` values are ignored.

        Raises
        ------
        ValueError
            If an override names an unknown option.
        """
        if "model" in overrides:  # the one-family option before `models`
            overrides = dict(overrides)
            model = overrides.pop("model")
            if model is not None:
                overrides.setdefault("models", (model,))
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"Unknown pipeline option(s) {unknown}; valid options are {sorted(known)}."
            )
        clean = {k: v for k, v in overrides.items() if v is not None}
        if isinstance(clean.get("realism_thresholds"), dict):
            clean["realism_thresholds"] = dict(clean["realism_thresholds"])
        for name in LIST_OPTIONS:
            if isinstance(clean.get(name), list | tuple):
                clean[name] = tuple(clean[name])
        return replace(self, **clean)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, for metadata and reports."""
        data = asdict(self)
        for name in LIST_OPTIONS:
            data[name] = list(getattr(self, name))
        return data


def declared() -> tuple[Field, ...]:
    """The declarations of every option, in order."""
    return fields(PipelineOptions)


def default_of(declaration: Field) -> Any:
    """The default value of one option's declaration."""
    if declaration.default_factory is not MISSING:
        return declaration.default_factory()
    return declaration.default


def option_types() -> dict[str, Any]:
    """Each option's type (resolved annotations)."""
    return typing.get_type_hints(PipelineOptions)


def _shown(declaration: Field) -> str:
    """The default as the README writes it."""
    if declaration.metadata["shown"]:
        return declaration.metadata["shown"]
    value = default_of(declaration)
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "none"
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, dict):
        return "`{}`"
    return str(value)


def describe_options() -> list[tuple[str, str, str]]:
    """``(name, default as written in the README, description)`` of every option."""
    return [(d.name, _shown(d), d.metadata["description"]) for d in declared()]


def options_table() -> str:
    """The README's Markdown table of options, derived from the declarations."""
    rows = ["| option | default | meaning |", "|---|---|---|"]
    rows += [f"| `{name}` | {shown} | {text} |" for name, shown, text in describe_options()]
    return "\n".join(rows)


PipelineOptions.__doc__ = (PipelineOptions.__doc__ or "") + (
    "\n\n    Attributes\n    ----------\n"
    + "".join(
        f"    {d.name} : {d.type}\n        {d.metadata['description']}.\n" for d in declared()
    )
)
