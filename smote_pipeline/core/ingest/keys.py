"""Row keys: the entity (``group_column``) and the time (``time_column``) of each row.

Neither is a feature unless the user gives the column a role in ``columns:``.
Both are carried through every step as the reserved columns
:data:`~smote_pipeline.core.columns.GROUP_KEY` (the entity as text; missing
stays missing) and :data:`~smote_pipeline.core.columns.TIME_KEY` (naive UTC
timestamps, parsed with the rules of a ``datetime`` role, day and month in the
column's order or the spec's ``date_order``; numbers, such as a day
index or epoch seconds, stay numbers; missing stays missing), so
the split, cross-validation and the isolation check can read them while no model
sees them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from smote_pipeline.core.columns import GROUP_KEY, TIME_KEY
from smote_pipeline.core.ingest.dates import setting_of
from smote_pipeline.core.ingest.roles import ColumnRole, as_timestamps

__all__ = ["key_columns", "key_overrides", "key_roles"]

#: The spec field that names each key, for messages.
_FIELDS = {GROUP_KEY: "group_column", TIME_KEY: "time_column"}


def _named(target: Any) -> dict[str, str]:
    """Reserved key column -> the user's column, for the keys that are set."""
    given = {GROUP_KEY: target.group_column, TIME_KEY: target.time_column}
    return {key: column for key, column in given.items() if column}


def key_overrides(frame: pd.DataFrame, target: Any, columns: dict[str, str]) -> dict[str, str]:
    """The role overrides with each key column set to ``ignore`` unless the user gave
    it a role; refuses a key that is missing from the data or is the target.

    Raises
    ------
    ValueError
        Naming the spec field, the column and the fix.
    """
    named = _named(target)
    if len(set(named.values())) < len(named):
        raise ValueError(
            f"group_column and time_column both name {target.group_column!r}; a column is "
            "either the entity or the time of a row. Set one of them to another column."
        )
    overrides = dict(columns)
    for key, column in named.items():
        field = _FIELDS[key]
        if column == target.column:
            raise ValueError(
                f"{field} names the target column {column!r}; it must name the column that "
                f"holds each row's {'entity' if key == GROUP_KEY else 'time'}."
            )
        if column not in frame.columns:
            raise ValueError(
                f"{field} names {column!r}, which is not a column of the data; available: "
                f"{[c for c in frame.columns if c != target.column][:20]}."
            )
        overrides.setdefault(column, "ignore")
    return overrides


def key_columns(frame: pd.DataFrame, target: Any) -> dict[str, pd.Series]:
    """The reserved key columns of ``frame``'s rows (on its index).

    Raises
    ------
    ValueError
        When time values cannot be parsed, naming the column and some of them, or the
        order of their day and month cannot be told (naming ``date_order``).
    """
    keys = {}
    for key, column in _named(target).items():
        values = frame[column]
        if key == GROUP_KEY:
            keys[key] = (
                values.astype(object)
                .where(values.notna(), None)
                .map(lambda v: None if v is None else str(v))
            )
            continue
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype
        ):
            keys[key] = values.astype("float64")  # a day index, epoch seconds: their order
            continue
        stamps = as_timestamps(values, setting_of(frame.attrs), str(column))
        bad = values.notna() & stamps.isna()
        if bad.any():
            raise ValueError(
                f"time_column {column!r} holds values that are not dates or times, such as "
                f"{values[bad].astype(str).unique()[:5].tolist()}. Fix them in the source, or "
                "set time_column to another column."
            )
        keys[key] = stamps
    return keys


def key_roles(roles: list[ColumnRole], keys_only: set[str]) -> list[ColumnRole]:
    """``roles`` with the reason of each key column the user gave no role (``keys_only``)."""
    return [
        replace(
            r,
            reason="a key of the split (group_column / time_column), not a feature; "
            "give it a role in `columns:` to use it as one too",
        )
        if r.column in keys_only
        else r
        for r in roles
    ]
