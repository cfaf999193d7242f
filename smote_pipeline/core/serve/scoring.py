"""Scoring a batch with a champion version, and its drift checks' figures.

The scores of a batch: one row per batch row (none is dropped), with ``row_id`` (the
row's position in the batch), the training data's identifier columns, ``probability``
(of the positive label the user named), ``decision`` (1 when the probability reaches the version's
tuned threshold), ``model_version``, ``model_fingerprint``
(:attr:`ModelVersion.fingerprint`) and, when the batch carries the target column,
``label`` (1 / 0 / missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.serve import drift
from smote_pipeline.core.serve.schema import PreparedBatch

if TYPE_CHECKING:
    from smote_pipeline.core.serve.profile import ScoringProfile
    from smote_pipeline.core.serve.promotion import ModelVersion

__all__ = ["SCORE_COLUMNS", "ScoredBatch", "score_batch"]

#: Columns every scored batch has after ``row_id`` and the identifiers.
SCORE_COLUMNS = ("probability", "decision", "model_version", "model_fingerprint")


@dataclass(frozen=True)
class ScoredBatch:
    """A batch's scores and its drift figures.

    Attributes
    ----------
    frame : pandas.DataFrame
        The scores (see the module).
    features : pandas.DataFrame
        Per-feature drift (:func:`~smote_pipeline.core.serve.drift.feature_drift`).
    scores : dict
        Score drift (:func:`~smote_pipeline.core.serve.drift.score_drift`).
    labels : dict or None
        Realised performance on the labelled rows
        (:func:`~smote_pipeline.core.serve.drift.label_performance`); None when too
        few rows carry labels.
    infinite_values : dict of str to int
        Infinite values read as missing, per column.
    unknown_categories : dict of str to int
        Rows per column whose category the model never saw.
    ignored_columns : tuple of str
        Batch columns the model does not use.
    version : int
        The version that scored it.
    """

    frame: pd.DataFrame
    features: pd.DataFrame
    scores: dict[str, Any]
    labels: dict[str, Any] | None
    unknown_categories: dict[str, int] = field(default_factory=dict)
    infinite_values: dict[str, int] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    version: int = 0

    @property
    def drifted_features(self) -> list[str]:
        """Columns whose drift is large and significant."""
        return self.features.loc[self.features["drifted"], "column"].tolist()

    @property
    def drift_detected(self) -> bool:
        """Whether any of the three drift checks fails."""
        labels = self.labels or {}
        return bool(
            self.drifted_features
            or self.scores["drifted"]
            or labels.get("worse")
            or labels.get("miscalibrated")
        )


def score_batch(
    batch: pd.DataFrame, version: ModelVersion, options: PipelineOptions
) -> ScoredBatch:
    """Score ``batch`` with ``version`` and measure its drift.

    Parameters
    ----------
    batch : pandas.DataFrame
        New rows as read from the score source.
    version : ModelVersion
        The version to apply (the promoted one).
    options : PipelineOptions
        ``drift_threshold``, ``promotion_margin`` (the label check's tolerance),
        ``n_bootstrap`` and ``random_state``.

    Raises
    ------
    ValueError
        The version has no input schema, or the batch does not fit it
        (:meth:`~smote_pipeline.core.serve.schema.InputSchema.prepare`).
    """
    profile = _profile_of(version)
    if batch.empty:
        raise ValueError("The batch has no rows; remove the empty file or add rows to it.")
    prepared: PreparedBatch = profile.schema.prepare(batch)
    probability = version.model.predict_proba(prepared.features)[:, 1].astype(np.float64)
    seed, threshold = options.random_state, options.drift_threshold
    return ScoredBatch(
        frame=_scored_frame(prepared, probability, version, profile.schema.positive_is_majority),
        features=drift.feature_drift(
            prepared.features, profile.reference_frame(), threshold=threshold, random_state=seed
        ),
        scores=drift.score_drift(
            probability,
            version.threshold,
            profile.reference_scores,
            profile.reference_positive_rate,
            drift_threshold=threshold,
            random_state=seed,
        ),
        labels=_label_check(prepared, probability, version, options),
        unknown_categories=prepared.unknown_categories,
        infinite_values=prepared.infinite_values,
        ignored_columns=prepared.ignored_columns,
        version=version.version,
    )


def _profile_of(version: ModelVersion) -> ScoringProfile:
    """The version's scoring profile; an error naming the fix when it has none."""
    if version.profile is None:
        raise ValueError(
            f"Model version {version.version} was trained before versions kept their input "
            "schema, so it cannot score batches; materialize the pipeline again to train a "
            "version that can (or pin a newer one with promoted_version)."
        )
    return version.profile


def _scored_frame(
    prepared: PreparedBatch, probability: np.ndarray, version: ModelVersion, flipped: bool
) -> pd.DataFrame:
    """The carried columns, the probability, the decision and the version (and the label),
    all of the positive label the user named: when it was the majority in training, the
    model's class 1 is the rarer class (``flipped``), and its scores are turned round."""
    frame = prepared.carried.copy()
    decision = probability >= version.threshold
    labels = None if prepared.labels is None else prepared.labels.to_numpy()
    if flipped:
        probability, decision = 1.0 - probability, ~decision
        labels = None if labels is None else 1 - labels
    frame["probability"] = probability
    frame["decision"] = decision.astype(np.int8)
    frame["model_version"] = np.int64(version.version)
    frame["model_fingerprint"] = version.fingerprint
    if labels is not None:
        frame["label"] = labels
    return frame


def _label_check(
    prepared: PreparedBatch,
    probability: np.ndarray,
    version: ModelVersion,
    options: PipelineOptions,
) -> dict[str, Any] | None:
    """Realised performance where the batch carries the target (None otherwise)."""
    if prepared.labels is None:
        return None
    return drift.label_performance(
        prepared.labels,
        probability,
        version.holdout_average_precision,
        margin=options.promotion_margin,
        drift_threshold=options.drift_threshold,
        n_bootstrap=options.n_bootstrap,
        random_state=options.random_state,
    )
