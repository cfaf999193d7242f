"""Hold-out quality per segment: is the model good everywhere, or only on average?

A model can be good on average and useless for one region, product or device
type. For each column of ``segment_columns`` the champion's hold-out average
precision (stratified bootstrap 95% interval, the evaluation's seed; entities
resampled with a ``group_column``) and its recall at the shipped threshold (Wilson 95% interval,
exact enough for a segment's few positives) are given per value. A value with
fewer than :data:`MIN_SEGMENT_POSITIVES` positive hold-out rows is pooled into
``other``: its own figures would be noise. A numeric column with more than
:data:`MAX_NUMERIC_VALUES` distinct values is cut at its quartiles. A segment
column must be a kept column of the data (a feature); one that is not is
reported as such, not raised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from smote_pipeline.core.columns import entity_codes
from smote_pipeline.core.holdout.subpopulations import wilson
from smote_pipeline.core.stats.bootstrap import stratified_weights, weighted_metrics

__all__ = ["MIN_SEGMENT_POSITIVES", "OTHER", "by_segment", "segment_table", "weak_segments"]

#: Fewest positive hold-out rows a segment value is reported on alone.
MIN_SEGMENT_POSITIVES = 5
#: Distinct values above which a numeric segment column is cut at its quartiles.
MAX_NUMERIC_VALUES = 10
#: The pooled segment of the values with too few positives.
OTHER = "other"


def segment_values(values: pd.Series) -> pd.Series:
    """Each row's segment: the value as text, a quartile range for a numeric column
    with many values, ``<missing>`` for a missing one."""
    if pd.api.types.is_numeric_dtype(values.dtype) and values.nunique() > MAX_NUMERIC_VALUES:
        values = pd.qcut(values, 4, duplicates="drop")
    text = values.astype(object).map(lambda v: None if pd.isna(v) else str(v))
    return text.fillna("<missing>")


def _pooled(segments: pd.Series, y: np.ndarray) -> tuple[pd.Series, list[str]]:
    """Segments with the values of too few positives pooled into :data:`OTHER`."""
    positives = pd.Series(y, index=segments.index).groupby(segments).sum()
    small = [str(v) for v, n in positives.items() if n < MIN_SEGMENT_POSITIVES]
    return segments.where(~segments.isin(small), OTHER), small


def _record(column: str, value: str, y: np.ndarray, proba: np.ndarray, **kw: Any) -> dict:
    """One segment's rows, positives, AP (with interval) and recall at the threshold."""
    threshold, n_bootstrap, seed, groups = (
        kw[k] for k in ("threshold", "n_bootstrap", "seed", "groups")
    )
    positives = int(y.sum())
    found = int((proba[y == 1] >= threshold).sum())
    record = {"column": column, "segment": value, "rows": len(y), "positives": positives}
    ap = low = high = float("nan")
    if 0 < positives < len(y):
        boot = weighted_metrics(y, proba, stratified_weights(y, n_bootstrap, seed, groups))
        ap = float(average_precision_score(y, proba))
        low, high = (float(np.nanpercentile(boot["average_precision"], q)) for q in (2.5, 97.5))
    recall_low, recall_high = wilson(found, positives)
    return record | {
        "average_precision": ap,
        "average_precision_low": low,
        "average_precision_high": high,
        "recall": found / positives if positives else float("nan"),
        "recall_low": recall_low,
        "recall_high": recall_high,
    }


def by_segment(
    holdout: pd.DataFrame,
    y: np.ndarray,
    proba: np.ndarray,
    columns: tuple[str, ...],
    *,
    threshold: float,
    n_bootstrap: int,
    seed: int,
) -> tuple[dict[str, Any], ...]:
    """The champion's figures per value of each segment column (see the module).

    Returns
    -------
    tuple of dict
        One record per (column, segment): ``rows``, ``positives``,
        ``average_precision`` with ``_low`` / ``_high``, ``recall`` with
        ``_low`` / ``_high``; ``pooled`` on the :data:`OTHER` record lists the values
        in it, ``note`` on a column that is not a kept column.
    """
    records: list[dict[str, Any]] = []
    entities = entity_codes(holdout)  # with a group_column, entities are resampled
    for column in columns:
        if column not in holdout.columns:
            note = "not a kept column of the data (excluded, or not in the source): not reported"
            records.append({"column": column, "segment": "", "note": note})
            continue
        segments, small = _pooled(segment_values(holdout[column]), y)
        for value in sorted(set(segments), key=lambda v: (v == OTHER, v)):
            rows = (segments == value).to_numpy()
            record = _record(
                column, value, y[rows], proba[rows],
                threshold=threshold, n_bootstrap=n_bootstrap, seed=seed,
                groups=None if entities is None else entities[rows],
            )  # fmt: skip
            if value == OTHER:
                record["pooled"] = ", ".join(small)
            records.append(record)
    return tuple(records)


def _interval(record: dict[str, Any], name: str) -> str:
    value = record.get(name, float("nan"))
    if value != value:  # NaN: one class only in the segment
        return "-"
    return f"{value:.3f} [{record[name + '_low']:.3f}, {record[name + '_high']:.3f}]"


def segment_table(records: tuple[dict[str, Any], ...]) -> pd.DataFrame:
    """The per-segment figures as the report shows them."""
    return pd.DataFrame(
        [
            {
                "column": r["column"],
                "segment": r["segment"] or "-",
                "hold-out rows": r.get("rows", "-"),
                "positives": r.get("positives", "-"),
                "average precision": _interval(r, "average_precision") if "rows" in r else "-",
                "recall at the threshold": _interval(r, "recall") if "rows" in r else "-",
                "note": r.get("note") or (f"pools {r['pooled']}" if r.get("pooled") else ""),
            }
            for r in records
        ]
    )


def weak_segments(records: tuple[dict[str, Any], ...], overall_ap: float) -> list[str]:
    """Segments whose AP interval lies wholly below the overall hold-out AP."""
    return [
        f"`{r['column']}` = {r['segment']}"
        for r in records
        if r.get("average_precision_high", float("nan")) < overall_ap
    ]
