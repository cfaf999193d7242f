"""What a champion version keeps to score new batches and to judge their drift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import TIME_KEY, feature_columns, is_categorical, sample_positions
from smote_pipeline.core.ingest.roles import ColumnRole
from smote_pipeline.core.records import known_fields
from smote_pipeline.core.serve.schema import InputSchema

__all__ = ["REFERENCE_ROWS", "ScoringProfile", "build_profile"]

#: Training rows kept as the feature-drift reference (a seeded sample).
REFERENCE_ROWS = 5000


@dataclass(frozen=True)
class ScoringProfile:
    """The input schema, and the references of the drift checks.

    Attributes
    ----------
    schema : InputSchema
        How a batch becomes the model's features.
    reference : dict
        At most :data:`REFERENCE_ROWS` real training rows (feature columns; a seeded
        sample) as arrays (:func:`_columns`), the form a skops file keeps.
    reference_scores : ndarray
        The model's probabilities on the real hold-out of the run that trained it (a
        sample): how it scores real rows it never saw. (Not its out-of-fold training
        probabilities: the fold models, fitted on fewer rows, spread their scores
        differently from the refitted model, so an undrifted batch would differ.)
    reference_positive_rate : float
        The hold-out's share at or above the model's threshold.
    trained_until : str, float or None
        The latest time of its training rows, with a ``time_column`` (the promotion
        gate compares it with a later model only on rows later than both); None
        without one.
    """

    schema: InputSchema
    reference: dict[str, Any]
    reference_scores: Any
    reference_positive_rate: float
    trained_until: str | float | None = None

    def reference_frame(self) -> pd.DataFrame:
        """The kept training rows."""
        data = self.reference
        columns = {}
        for name in data["order"]:
            if name in data["numeric"]:
                columns[name] = np.asarray(data["numeric"][name], dtype=np.float64)
            else:
                codes, categories = data["categorical"][name]
                columns[name] = np.asarray(categories, dtype=object)[np.asarray(codes)]
        return pd.DataFrame(columns, columns=data["order"])

    def to_dict(self) -> dict[str, Any]:
        """The stored form (plain values and arrays, which a skops file keeps)."""
        return {
            "schema": self.schema.to_dict(),
            "reference": self.reference,
            "reference_scores": np.asarray(self.reference_scores, dtype=np.float64),
            "reference_positive_rate": float(self.reference_positive_rate),
            "trained_until": self.trained_until,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoringProfile:
        """Read :meth:`to_dict` back."""
        fields = known_fields(cls, data, ())
        return cls(**{**fields, "schema": InputSchema.from_dict(data["schema"])})


def _columns(frame: pd.DataFrame) -> dict[str, Any]:
    """``order`` (the column names), ``numeric`` (name -> float64 array) and
    ``categorical`` (name -> int32 codes and the list of categories, as text)."""
    numeric, categorical = {}, {}
    for name in frame.columns:
        if is_categorical(frame[name]):
            codes, categories = pd.factorize(frame[name].astype(str), sort=True)
            categorical[name] = (codes.astype(np.int32), [str(c) for c in categories])
        else:
            numeric[name] = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
    return {"order": list(frame.columns), "numeric": numeric, "categorical": categorical}


def build_profile(
    roles: list[ColumnRole] | list[dict[str, Any]],
    training: pd.DataFrame,
    scores: Any,
    positive_rate: float | None,
    target: str,
    positive_label: Any,
    random_state: int,
) -> ScoringProfile | None:
    """The profile of a model trained on the real rows ``training``.

    ``scores``: its probabilities on real rows it never saw (the hold-out's,
    :attr:`HoldoutEvaluation.champion_scores`); ``positive_rate``: their share at or
    above its threshold. None without them (an evaluation stored before it kept them).
    """
    if scores is None or not len(scores) or positive_rate is None:
        return None
    schema = InputSchema.learn(roles, training, target, positive_label)
    rows = sample_positions(len(training), REFERENCE_ROWS, np.random.default_rng(random_state))
    sample = training.iloc[rows][feature_columns(training, target)].reset_index(drop=True)
    return ScoringProfile(
        schema=schema,
        reference=_columns(sample),
        reference_scores=np.asarray(scores, dtype=np.float64),
        reference_positive_rate=float(positive_rate),
        trained_until=latest_time(training),
    )


def latest_time(frame: pd.DataFrame) -> str | float | None:
    """The latest ``time_key`` of ``frame`` (ISO text for times), None without one."""
    if TIME_KEY not in frame.columns or not frame[TIME_KEY].notna().any():
        return None
    latest = frame[TIME_KEY].max()
    return float(latest) if isinstance(latest, int | float) else pd.Timestamp(latest).isoformat()


def later_than(frame: pd.DataFrame, moment: str | float | None) -> pd.DataFrame:
    """The rows of ``frame`` whose ``time_key`` is after ``moment`` (all when either is
    missing)."""
    if moment is None or TIME_KEY not in frame.columns:
        return frame
    bound = pd.Timestamp(moment) if isinstance(moment, str) else moment
    return frame[frame[TIME_KEY] > bound]
