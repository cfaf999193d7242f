"""Typed record of the hold-out lineage: every candidate scored on the real hold-out.

A frozen dataclass whose :meth:`HoldoutEvaluation.to_dict` is the stored JSON
(the layout of files written before the record existed, so they still load
through :meth:`HoldoutEvaluation.from_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smote_pipeline.core.records import known_fields, plain_fields

__all__ = ["HoldoutEvaluation"]


#: Hold-out probabilities of the champion kept as the scoring drift reference.
SCORE_SAMPLE = 5000


@dataclass(frozen=True)
class HoldoutEvaluation:
    """Hold-out scores, bootstrap verdicts and the answer to "did SMOTE help here?".

    Attributes
    ----------
    metrics : tuple of dict
        One record per candidate: ``strategy``; ``average_precision``, ``roc_auc``,
        ``brier``, ``recall_at_precision``, and at the training-tuned ``threshold``
        ``precision``, ``recall``, ``f1``, ``g_mean``, ``mcc``, each with ``_low`` /
        ``_high`` 95% bounds; ``brier_uncalibrated`` (before any recalibration
        wrapper) and ``brier_prior_corrected`` (raw probabilities after the exact
        prior correction); ``calibration_slope`` and ``calibration_intercept``
        (:func:`~smote_pipeline.core.train.calibration.calibration_slope_intercept`);
        ``cv_score``, ``cv_metric``, ``cv_sem``.
    curves : dict
        Strategy -> downsampled precision-recall curve.
    calibration : dict
        Strategy -> reliability-curve points.
    verdicts : tuple of dict
        One per resampling strategy against :attr:`baseline`: the difference in
        average precision with a paired bootstrap interval at ``level``
        (simultaneous 95% over the comparisons, see
        :func:`~smote_pipeline.core.holdout.evaluation.verdict_level`) and
        ``helped`` / ``no detectable difference`` / ``hurt`` (undecided for every
        strategy on a hold-out with too few positives), plus ROC AUC and Brier
        differences with intervals.
    holdout_rows, holdout_positives : int
        Size of the hold-out, and its positive rows.
    baseline : str or None
        The non-resampling strategy the others are compared with (chosen by
        cross-validation); None when none was fitted.
    champion : str
        The strategy chosen on training data (for the report; not chosen here).
    selection_rule : str
        The rule that chose it.
    recall_at_precision_level : float
        Precision level of the reported recall.
    n_bootstrap : int
        Bootstrap resamples behind the intervals.
    smote_helped : bool
        Whether an oversampling strategy's interval lies above zero.
    summary : dict
        ``smote_helped``, ``overall``, ``best_oversampling``, ``baseline`` and
        ``text`` (see :func:`~smote_pipeline.core.holdout.evaluation.verdict_summary`).
    champion_scores : tuple of float
        The champion's probabilities on the hold-out rows (a seeded sample of at
        most :data:`SCORE_SAMPLE`): how the shipped model scores real rows it
        never saw, the reference of the scoring drift check.
    champion_positive_rate : float or None
        Share of all hold-out rows at or above the champion's threshold.
    subpopulations : tuple of dict
        The champion's recall at its threshold on the hold-out positives of each
        minority cluster, with Wilson 95% intervals
        (:func:`~smote_pipeline.core.holdout.subpopulations.recall_by_subpopulation`);
        empty when the clusters were not given.
    segments : tuple of dict
        The champion's average precision and recall per value of each
        ``segment_columns`` column
        (:func:`~smote_pipeline.core.holdout.segments.by_segment`); empty without them.
    split : str
        How the hold-out was split off, in words: by rows, by entity (with their
        counts) or by time (with its first and last time).
    negative_labels : dict of str to int
        Rows of each original label that became negative, in the whole table
        (several with ``one_vs_rest``); empty when unknown.
    majority_positive : dict
        When the user's positive label was the majority: the label and its rows (class 1
        is then the rarer class, the figures are about it); empty otherwise.
    conflicting_duplicates : dict of str to int
        ``groups`` of identical feature rows carrying both labels in the whole table,
        and their ``rows``; empty when unknown.
    """

    metrics: tuple[dict[str, Any], ...]
    curves: dict[str, Any]
    calibration: dict[str, Any]
    verdicts: tuple[dict[str, Any], ...]
    holdout_rows: int
    holdout_positives: int
    baseline: str | None
    champion: str
    selection_rule: str
    recall_at_precision_level: float
    n_bootstrap: int
    smote_helped: bool
    summary: dict[str, Any]
    champion_scores: tuple[float, ...] = ()
    champion_positive_rate: float | None = None
    subpopulations: tuple[dict[str, Any], ...] = ()
    segments: tuple[dict[str, Any], ...] = ()
    split: str = "by row: identical rows kept on one side"
    negative_labels: dict[str, int] = field(default_factory=dict)
    majority_positive: dict[str, Any] = field(default_factory=dict)
    conflicting_duplicates: dict[str, int] = field(default_factory=dict)

    def metrics_of(self, strategy: str) -> dict[str, Any]:
        """The metrics record of ``strategy``."""
        return next(m for m in self.metrics if m["strategy"] == strategy)

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON form."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HoldoutEvaluation:
        """Read the stored form back (unknown keys are ignored)."""
        tuples = ("metrics", "verdicts", "champion_scores", "subpopulations", "segments")
        return cls(**known_fields(cls, data, tuples))
