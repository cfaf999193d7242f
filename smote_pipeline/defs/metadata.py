"""Turning frames into Dagster metadata."""

from __future__ import annotations

from typing import Any

import dagster as dg
import numpy as np
import pandas as pd

from smote_pipeline.core.columns import feature_columns


def class_counts(frame: pd.DataFrame, target: str) -> dict[str, int]:
    """Rows per class (``"1"`` positive, ``"0"`` negative)."""
    positives = int((frame[target] == 1).sum()) if len(frame) else 0
    return {"1": positives, "0": len(frame) - positives}


def frame_metadata(frame: pd.DataFrame, target: str) -> dict[str, Any]:
    """Row count, feature count and class counts of a pipeline frame."""
    counts = class_counts(frame, target)
    return {
        "dagster/row_count": len(frame),
        "features": len(feature_columns(frame, target)),
        "positives": counts["1"],
        "negatives": counts["0"],
    }


def _cell(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is pd.NA or value is None:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def table_metadata(frame: pd.DataFrame) -> dg.TableMetadataValue:
    """A small frame as a Dagster table (rendered in the UI)."""
    records = [
        dg.TableRecord({str(k): _cell(v) for k, v in row.items()})
        for row in frame.to_dict(orient="records")
    ]
    schema = dg.TableSchema(columns=[dg.TableColumn(str(c)) for c in frame.columns])
    return dg.MetadataValue.table(records=records, schema=schema)
