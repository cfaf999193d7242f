"""Reading a source table and validating it into the pipeline's raw dataset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import (
    RESERVED_COLUMNS,
    ROW_ID,
    categorical_columns,
    feature_columns,
)
from smote_pipeline.core.sources import read_source

__all__ = ["TargetSpec", "describe_dataset", "prepare_dataset", "read_source"]


@dataclass(frozen=True)
class TargetSpec:
    """Which column is the target and which of its values is the positive class."""

    column: str
    positive_label: Any
    one_vs_rest: bool = False


def _label_matches(values: pd.Series, positive_label: Any) -> np.ndarray:
    """Rows whose label equals ``positive_label`` natively or as text."""
    native = (values == positive_label).to_numpy(dtype=bool, na_value=False)
    textual = (values.astype(str) == str(positive_label)).to_numpy(dtype=bool)
    return native | textual


def prepare_dataset(frame: pd.DataFrame, target: TargetSpec) -> pd.DataFrame:
    """Validate a source table and encode its target as 1 (positive) / 0.

    Adds a stable ``row_id`` (the row's position in the source) as the first
    column. Feature values are kept as read.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read by :func:`read_source`.
    target : TargetSpec
        Target column and positive label.

    Returns
    -------
    pandas.DataFrame
        ``row_id``, the feature columns, and the target column as int8 0/1.

    Raises
    ------
    ValueError
        With the offending column, value or option named: missing target,
        reserved column names, missing target values, unknown positive label,
        a single class, more than two classes (unless ``one_vs_rest``), fewer
        than two positive rows, no feature columns, or infinite feature values.
        Missing feature values are kept (NaN; in categorical columns the
        category :data:`MISSING_CATEGORY`).
    """
    if frame.empty:
        raise ValueError("The source table has no rows.")
    if target.column not in frame.columns:
        raise ValueError(
            f"Target column {target.column!r} is not in the data; available columns: "
            f"{list(frame.columns)[:20]}. Set `target` to one of them."
        )
    clashes = [c for c in frame.columns if c in RESERVED_COLUMNS]
    if clashes:
        raise ValueError(
            f"Column(s) {clashes} use names the pipeline reserves for its own bookkeeping "
            f"({list(RESERVED_COLUMNS)}); rename them in the source."
        )
    labels = frame[target.column]
    n_missing = int(labels.isna().sum())
    if n_missing:
        raise ValueError(
            f"Target column {target.column!r} has {n_missing} missing value(s); "
            "drop or label those rows in the source."
        )
    values = sorted(pd.unique(labels).tolist(), key=str)
    positive = _label_matches(labels, target.positive_label)
    if not positive.any():
        raise ValueError(
            f"Positive label {target.positive_label!r} does not occur in target column "
            f"{target.column!r}; its values are {values[:20]}. Set `positive_label` to one of "
            "them."
        )
    if len(values) == 1:
        raise ValueError(
            f"Target column {target.column!r} has a single class ({values[0]!r}); a binary "
            "classification pipeline needs rows of both classes."
        )
    if len(values) > 2 and not target.one_vs_rest:
        raise ValueError(
            f"Target column {target.column!r} has {len(values)} classes ({values[:10]}) but the "
            "pipeline is binary; set option `one_vs_rest: true` to treat every value other than "
            f"{target.positive_label!r} as negative, or merge the classes in the source."
        )
    if positive.sum() < 2:
        raise ValueError(
            f"Only {int(positive.sum())} row has the positive label {target.positive_label!r} "
            "in target column "
            f"{target.column!r}; at least 2 are needed (one for training, one for the hold-out)."
        )
    out = frame.drop(columns=[target.column]).copy()
    features = feature_columns(out, target.column)
    if not features:
        raise ValueError("The data has no feature columns besides the target.")
    _reject_infinite(out, target.column)
    _normalise_categoricals(out, target.column)
    out.insert(0, ROW_ID, np.arange(len(out), dtype=np.int64))
    out[target.column] = positive.astype(np.int8)
    return out.reset_index(drop=True)


#: The category a missing value of a categorical column becomes.
MISSING_CATEGORY = "<missing>"


def _normalise_categoricals(frame: pd.DataFrame, target: str) -> None:
    """Store every categorical feature as text, in place.

    A column mixing numbers and strings (common in hand-edited CSV files) is a
    categorical column whose values are compared as text: ``1`` and ``"1"``
    become the same category. Booleans become ``"True"`` / ``"False"``. A missing
    value becomes the category :data:`MISSING_CATEGORY`, so every model and
    sampler sees it as one more level and synthetic rows copy it like any other.
    """
    for column in categorical_columns(frame, target):
        values = frame[column]
        text = values.astype(object).where(values.isna(), values.astype(str))
        frame[column] = text.where(values.notna(), MISSING_CATEGORY).astype(object)


def _reject_infinite(frame: pd.DataFrame, target: str) -> None:
    """Raise naming every numeric feature column with infinite values.

    Missing values are accepted: tree models use them as they are, and every
    step that cannot imputes inside the training rows it is fitted on.
    """
    categorical = set(categorical_columns(frame, target))
    problems = []
    for column in feature_columns(frame, target):
        if column in categorical:
            continue
        values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        n_inf = int(np.isinf(values).sum())
        if n_inf:
            problems.append(f"{column!r} ({n_inf} infinite)")
    if problems:
        raise ValueError(
            "Feature column(s) with infinite values: "
            + ", ".join(problems[:20])
            + ". No model or sampler can use them: replace them (for example by a missing "
            "value, which the pipeline accepts) or drop those rows in the source."
        )


def describe_dataset(frame: pd.DataFrame, target: str) -> dict[str, Any]:
    """Summary statistics of a prepared dataset, for metadata and reports.

    Returns
    -------
    dict
        ``rows``, ``features``, ``categorical_features``, ``positives``,
        ``negatives``, ``imbalance_ratio`` (negatives per positive).
    """
    positives = int((frame[target] == 1).sum())
    negatives = int(len(frame) - positives)
    return {
        "rows": len(frame),
        "features": len(feature_columns(frame, target)),
        "categorical_features": categorical_columns(frame, target),
        "positives": positives,
        "negatives": negatives,
        "imbalance_ratio": round(negatives / positives, 3) if positives else float("inf"),
    }
