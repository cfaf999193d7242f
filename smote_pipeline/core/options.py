"""The pipeline's tunable options: one place, one default each.

The Dagster layer exposes these as run configuration (every field can be
overridden per run) and the pipeline spec file sets them per dataset; both
fall back to the defaults declared here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from smote_pipeline.core.validation import validate_options
from smote_pipeline.core.vocabulary import DEFAULT_STRATEGIES

__all__ = ["DEFAULT_STRATEGIES", "PipelineOptions"]


@dataclass(frozen=True)
class PipelineOptions:
    """Tunable options of one pipeline.

    Attributes
    ----------
    holdout_fraction : float
        Share of real rows split off first as the untouched hold-out.
    random_state : int
        Seed for every random step; the same seed and data give the same bytes.
    one_vs_rest : bool
        Treat every target value other than the positive label as negative. When
        False, a target with more than two values is an error.
    noise_method : str
        ``NoiseFilter`` method: ``"enn"``, ``"tomek"``, ``"ipf"``,
        ``"isolation_forest"`` or ``"none"`` to skip noise filtering.
    noise_neighbors : int
        Neighbours consulted by the ``enn`` noise filter.
    max_minority_removal : float
        Largest share of minority rows the noise filter may remove; beyond it
        see ``noise_on_excess``.
    noise_on_excess : str
        When the noise filter flags more of the minority than
        ``max_minority_removal``: ``"trim"`` removes only the most suspicious
        rows up to the cap and keeps (and lists) the rest; ``"raise"`` stops
        the run with an error.
    max_clusters : int
        Upper bound of the automatic choice of minority clusters.
    k_neighbors : int
        Neighbours (within a cluster) that SMOTE interpolates towards.
    sampling_strategy : float
        Minority-to-majority ratio after oversampling (imbalanced-learn's float
        semantics). 0.5 by default: limited oversampling, as the article advises,
        rather than full balance.
    n_components : int, float or None
        Interpolate in a PCA space (int components, or float share of variance),
        then map back; None interpolates in the original space.
    safety_filter : bool
        Reject synthetic candidates whose nearest real neighbours are mostly of
        another class.
    strategies : tuple of str
        Imbalance strategies compared as candidate models.
    model : str
        Model family of every candidate (``"hist_gradient_boosting"``,
        ``"logistic_regression"`` or ``"random_forest"``); the balanced
        ensembles and ``one_class`` bring their own.
    cv_folds : int
        Stratified folds used to score candidates and tune thresholds on
        training data.
    cv_repeats : int
        Repetitions of the stratified K-fold split (different shuffles); the
        champion is chosen on ``cv_folds * cv_repeats`` paired fold scores.
    selection_metric : str
        Cross-validated metric that chooses the champion:
        ``"average_precision"``, ``"roc_auc"``, ``"brier"`` or ``"log_loss"``
        (the last two: lower is better).
    selection_rule : str
        ``"one_standard_error"``: the simplest strategy whose paired fold-wise
        difference to the best is within one (repeated-CV corrected) standard
        error; ``"one_standard_error_average"``: a soft-voting average of all
        those strategies (a single one when the best is clearly ahead);
        ``"max"``: the best mean score (naive, for comparison). See
        :mod:`smote_pipeline.core.train.selection`.
    ensemble_top : int
        With ``"one_standard_error_average"``: at most this many members
        (0 = no cap). Otherwise, when >= 2, also build a soft-voting ensemble
        of the ``ensemble_top`` best candidates (by cross-validation); it
        competes as the most complex candidate. 0 disables it.
    recalibration : str
        Probability recalibration of strategies that learn a changed class
        balance: ``"none"``, ``"prior"`` (exact odds correction),
        ``"sigmoid"`` or ``"isotonic"`` (``CalibratedClassifierCV`` on real
        folds). Brier scores before and after are reported either way.
    false_negative_cost : float or None
        Cost of a missed positive, in false alarms, for the
        ``cost_sensitive_threshold`` strategy; None = negatives per positive.
    recall_at_precision : float
        Precision level at which the hold-out recall is reported.
    bagging_estimators : int
        Learners of the ``smote_bagging`` strategy.
    n_bootstrap : int
        Stratified bootstrap resamples of the hold-out for the 95% intervals.
    realism_thresholds : dict of str to float
        Overrides of :class:`~smote_pipeline.core.oversample.realism_report.RealismThresholds`
        (e.g. ``{"max_detection_auc": 0.9}``); booleans as 0/1.
    auto_reduce : bool
        When the real minority rows' nearest-neighbour contrast is below the
        ``min_relative_contrast`` threshold (distances concentrate, as in high
        dimensions) and ``n_components`` is None, interpolate in the PCA space
        keeping 90% of the variance instead of the original space.
    """

    holdout_fraction: float = 0.25
    random_state: int = 0
    one_vs_rest: bool = False
    noise_method: str = "enn"
    noise_neighbors: int = 3
    max_minority_removal: float = 0.2
    noise_on_excess: str = "trim"
    max_clusters: int = 8
    k_neighbors: int = 5
    sampling_strategy: float = 0.5
    n_components: int | float | None = None
    safety_filter: bool = False
    strategies: tuple[str, ...] = field(default=DEFAULT_STRATEGIES)
    model: str = "hist_gradient_boosting"
    cv_folds: int = 5
    cv_repeats: int = 2
    selection_metric: str = "average_precision"
    selection_rule: str = "one_standard_error_average"
    ensemble_top: int = 0
    recalibration: str = "none"
    false_negative_cost: float | None = None
    recall_at_precision: float = 0.8
    bagging_estimators: int = 5
    n_bootstrap: int = 1000
    realism_thresholds: dict[str, float] = field(default_factory=dict)
    auto_reduce: bool = False

    def __post_init__(self) -> None:
        validate_options(self)

    def updated(self, overrides: dict[str, Any]) -> PipelineOptions:
        """Return a copy with ``overrides`` applied; ``None`` values are ignored.

        Raises
        ------
        ValueError
            If an override names an unknown option.
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"Unknown pipeline option(s) {unknown}; valid options are {sorted(known)}."
            )
        clean = {k: v for k, v in overrides.items() if v is not None}
        if isinstance(clean.get("realism_thresholds"), dict):
            clean["realism_thresholds"] = dict(clean["realism_thresholds"])
        if isinstance(clean.get("strategies"), list | tuple):
            clean["strategies"] = tuple(clean["strategies"])
        return replace(self, **clean)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, for metadata and reports."""
        data = asdict(self)
        data["strategies"] = list(self.strategies)
        return data
