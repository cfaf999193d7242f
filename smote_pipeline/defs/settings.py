"""Run configuration of a pipeline: its options as a Dagster resource.

The factory configures one ``PipelineSettings`` per pipeline with the spec's
options, so every asset of a run sees the same values; a run can override any
field from the launchpad or a run-config file
(``resources: {<pipeline>_settings: {config: {k_neighbors: 3}}}``). Defaults
are never restated here: they come from :class:`PipelineOptions`.
"""

from __future__ import annotations

from dataclasses import fields

import dagster as dg
from pydantic import Field

from smote_pipeline.core.options import PipelineOptions

_DEFAULTS = PipelineOptions()


def _default(name: str) -> object:
    value = getattr(_DEFAULTS, name)
    return list(value) if isinstance(value, tuple) else value


class PipelineSettings(dg.ConfigurableResource):
    """Tunable options of one pipeline (see :class:`PipelineOptions` for meanings)."""

    holdout_fraction: float = Field(_default("holdout_fraction"), description="Hold-out share.")
    random_state: int = Field(_default("random_state"), description="Seed of every step.")
    one_vs_rest: bool = Field(
        _default("one_vs_rest"), description="Treat every non-positive label as negative."
    )
    noise_method: str = Field(
        _default("noise_method"), description="enn, tomek, ipf, isolation_forest or none."
    )
    noise_neighbors: int = Field(_default("noise_neighbors"), description="ENN neighbours.")
    max_minority_removal: float = Field(
        _default("max_minority_removal"),
        description="Most minority share noise filtering may drop.",
    )
    noise_on_excess: str = Field(
        _default("noise_on_excess"),
        description="trim (remove only the most suspicious up to the cap) or raise.",
    )
    max_clusters: int = Field(_default("max_clusters"), description="Most minority clusters.")
    k_neighbors: int = Field(_default("k_neighbors"), description="SMOTE neighbours per cluster.")
    sampling_strategy: float = Field(
        _default("sampling_strategy"), description="Minority/majority ratio after oversampling."
    )
    n_components: float | None = Field(
        _default("n_components"),
        description="PCA space for interpolation: components (>=1) or variance share (<1).",
    )
    safety_filter: bool = Field(
        _default("safety_filter"), description="Redraw synthetic rows amid another class."
    )
    strategies: list[str] = Field(_default("strategies"), description="Strategies compared.")
    model: str = Field(
        _default("model"),
        description="hist_gradient_boosting, logistic_regression or random_forest.",
    )
    cv_folds: int = Field(_default("cv_folds"), description="Cross-validation folds.")
    cv_repeats: int = Field(
        _default("cv_repeats"), description="Repetitions of the stratified K-fold split."
    )
    selection_metric: str = Field(
        _default("selection_metric"),
        description="Metric that chooses the champion: average_precision, roc_auc, brier, "
        "log_loss.",
    )
    selection_rule: str = Field(
        _default("selection_rule"),
        description="one_standard_error_average (average of the strategies within one paired "
        "SE of the best), one_standard_error (the simplest of them) or max.",
    )
    ensemble_top: int = Field(
        _default("ensemble_top"),
        description="Cap on the averaged strategies (0 = no cap); with the other rules, a "
        "soft-voting ensemble of this many best candidates (0 = off).",
    )
    recalibration: str = Field(
        _default("recalibration"),
        description="Recalibrate resampled strategies: none, prior, sigmoid or isotonic.",
    )
    false_negative_cost: float | None = Field(
        _default("false_negative_cost"),
        description="Cost of a missed positive in false alarms (cost_sensitive_threshold); "
        "empty = negatives per positive.",
    )
    recall_at_precision: float = Field(
        _default("recall_at_precision"), description="Precision at which recall is reported."
    )
    bagging_estimators: int = Field(
        _default("bagging_estimators"), description="Learners of smote_bagging."
    )
    n_bootstrap: int = Field(
        _default("n_bootstrap"), description="Bootstrap resamples for the 95% intervals."
    )
    realism_thresholds: dict[str, float] = Field(
        default_factory=dict, description="Overrides of the realism gate thresholds."
    )
    auto_reduce: bool = Field(
        _default("auto_reduce"), description="Interpolate in PCA space when distances concentrate."
    )

    def options(self) -> PipelineOptions:
        """The configured values as :class:`PipelineOptions` (validated)."""
        values = {f.name: getattr(self, f.name) for f in fields(PipelineOptions)}
        n_components = values["n_components"]
        if n_components is not None and n_components >= 1 and float(n_components).is_integer():
            values["n_components"] = int(n_components)
        values["strategies"] = tuple(values["strategies"])
        values["realism_thresholds"] = dict(values["realism_thresholds"])
        return PipelineOptions(**values)

    @classmethod
    def from_options(cls, options: PipelineOptions) -> PipelineSettings:
        """A resource configured with ``options``."""
        return cls(**options.to_dict())
