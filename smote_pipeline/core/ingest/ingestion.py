"""Reading a source table and validating it into the pipeline's raw dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import (
    CONFLICTING,
    MAJORITY_POSITIVE,
    NEGATIVE_LABELS,
    RESERVED_COLUMNS,
    ROW_ID,
    categorical_columns,
    feature_columns,
    row_hashes,
)
from smote_pipeline.core.ingest import keys
from smote_pipeline.core.ingest.numbers import (
    MAX_NON_NUMBER_SHARE,
    NumberFormat,
    NumberSettings,
)
from smote_pipeline.core.ingest.roles import (
    MISSING_MARKERS,
    ColumnRole,
    decide_roles,
    is_text,
    number_format,
    roles_table,
)
from smote_pipeline.core.ingest.sources import read_source
from smote_pipeline.core.ingest.split import MIN_HOLDOUT_GROUPS, MIN_POSITIVES, MIN_TRAINING_GROUPS

__all__ = ["Ingested", "TargetSpec", "describe_dataset", "ingest", "prepare_dataset", "read_source"]
__all__ += ["MISSING_CATEGORY", "label_matches", "normalise_categoricals", "infinite_as_missing"]


@dataclass(frozen=True)
class TargetSpec:
    """Which column is the target and which of its values is the positive class, and
    which columns hold each row's entity and time (:mod:`~smote_pipeline.core.ingest.keys`;
    empty: none)."""

    column: str
    positive_label: Any
    one_vs_rest: bool = False
    group_column: str = ""
    time_column: str = ""


@dataclass(frozen=True)
class Ingested:
    """A prepared dataset and the role decided for each source column.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``row_id``, the kept feature columns and the target as int8 0/1.
    roles : list of ColumnRole
        One decision per source column (see :mod:`smote_pipeline.core.ingest.roles`).
    numbers : NumberFormat
        How the table's numbers written as text were read, and why
        (:mod:`smote_pipeline.core.ingest.numbers`).
    repeated_headers : tuple of int
        Data rows (the first under the header is 1) that repeated the header line and
        were dropped (:func:`repeated_headers`).
    infinite : dict of str to int
        Infinite values read as missing, per numeric column (:func:`infinite_as_missing`).
    """

    frame: pd.DataFrame
    roles: list[ColumnRole] = field(default_factory=list)
    numbers: NumberFormat = field(default_factory=NumberFormat)
    repeated_headers: tuple[int, ...] = ()
    infinite: dict[str, int] = field(default_factory=dict)

    def roles_table(self) -> pd.DataFrame:
        """The column decisions as a table."""
        return roles_table(self.roles)

    def warnings(self) -> list[str]:
        """What the run log should warn of: cells of numeric columns read as missing
        because they are not numbers, and doubts about the number format."""
        cells = [
            f"Column {r.column!r} is numeric, and {r.non_numbers} of its cells are not numbers "
            f"(e.g. {', '.join(map(repr, r.non_number_examples))}): they are read as missing "
            f"values (at most {MAX_NON_NUMBER_SHARE:.0%} of a numeric column's values may "
            "be). Fix them in the source, or set the column to `categorical` in the spec's "
            "`columns:` to keep them as categories."
            for r in self.roles
            if r.role == "numeric" and r.non_numbers
        ]
        headers = self.repeated_headers
        if headers:
            shown = ", ".join(map(str, headers[:10])) + (" and more" if len(headers) > 10 else "")
            cells.append(
                f"{len(headers)} row(s) repeat the header line (data rows {shown}), as joined "
                "exports leave them: they were dropped, never read as data or as a label."
            )
        attrs = self.frame.attrs
        cells += majority_words(attrs.get(MAJORITY_POSITIVE), attrs.get(NEGATIVE_LABELS))
        cells += [
            f"Column {column!r} has {count} infinite value(s) (e.g. `inf`): no model can use "
            "them, so they are read as missing values."
            for column, count in self.infinite.items()
        ]
        return [*cells, *self.numbers.warnings]


def majority_words(majority: dict[str, Any] | None, others: dict[str, int] | None) -> list[str]:
    """When the positive label is the majority (``majority``, as in
    :data:`~smote_pipeline.core.columns.MAJORITY_POSITIVE`), what the pipeline does
    instead, naming the ``others`` labels (the rarer class); empty otherwise. For the
    run log and the report."""
    if not majority:
        return []
    others = ", ".join(f"{label!r}" for label in others or {}) or "the others"
    return [
        f"The positive label {majority['positive_label']!r} is the majority of the target "
        f"({majority['positive_rows']} of {majority['rows']} rows), so the pipeline "
        f"oversamples the rarer class ({others}): in the stored sets and the models class 1 "
        f"is that class, and the hold-out figures are about it. Scored batches give the "
        f"probability and the decision of {majority['positive_label']!r}, as named."
    ]


def repeated_headers(frame: pd.DataFrame) -> np.ndarray:
    """Positions of rows whose every cell is its column's name (spaces trimmed): a header
    line repeated inside the data, as concatenated exports leave it. Linear in rows; a
    column that is not text ends the search (a header would have made it text)."""
    same = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        if not same.any() or not is_text(frame[column]):
            return np.empty(0, dtype=np.int64)
        same &= _clean_labels(frame[column]).eq(str(column).strip()).to_numpy(dtype=bool)
    return np.flatnonzero(same)


def _label_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value)


def _clean_labels(labels: pd.Series) -> pd.Series:
    """Labels with surrounding spaces trimmed from text values."""
    return labels.map(lambda v: v.strip() if isinstance(v, str) else v)


def _near_duplicates(labels: pd.Series) -> list[list[Any]]:
    """Groups of distinct labels that differ only in letter case."""
    groups: dict[str, list[Any]] = {}
    for value in pd.unique(labels):
        groups.setdefault(_label_text(value).casefold(), []).append(value)
    return [sorted(g, key=str) for g in groups.values() if len(g) > 1]


def label_matches(values: pd.Series, positive_label: Any) -> np.ndarray:
    """Rows whose label equals ``positive_label`` natively or as trimmed text."""
    if isinstance(positive_label, str):
        positive_label = positive_label.strip()
    native = (values == positive_label).to_numpy(dtype=bool, na_value=False)
    textual = (values.map(_label_text) == _label_text(positive_label)).to_numpy(dtype=bool)
    return native | textual


def _check_table(frame: pd.DataFrame, target: str) -> None:
    """Refuse an empty table, a missing target column and reserved column names."""
    if frame.empty:
        raise ValueError("The source table has no rows.")
    if target not in frame.columns:
        near = [c for c in frame.columns if str(c).strip().lower() == str(target).strip().lower()]
        raise ValueError(
            f"Target column {target!r} is not in the data; available columns: "
            f"{list(frame.columns)[:20]}. Set `target` to one of them"
            + (f" (did you mean {near[0]!r}? names are matched exactly)." if near else ".")
        )
    clashes = [c for c in frame.columns if c in RESERVED_COLUMNS]
    if clashes:
        raise ValueError(
            f"Column(s) {clashes} use names the pipeline reserves for its own bookkeeping "
            f"({list(RESERVED_COLUMNS)}); rename them in the source."
        )


def _no_features(roles: list[ColumnRole]) -> ValueError:
    dropped = [f"{r.column!r} ({r.role})" for r in roles if r.excluded]
    return ValueError(
        "The data has no usable feature columns besides the target"
        + (f"; excluded: {', '.join(dropped[:20])}" if dropped else "")
        + ". Give a column a role in the spec's `columns:` (numeric, categorical, "
        "datetime) if it was excluded by mistake."
    )


def _positive_rows(frame: pd.DataFrame, target: TargetSpec) -> np.ndarray:
    """Validate the target column and return the positive-row mask.

    Text labels are compared after trimming spaces (``"yes "`` is ``"yes"``);
    labels that still differ only in letter case are refused, never merged.
    """
    labels = _clean_labels(frame[target.column])
    _refuse_unlabelled(labels, target)
    clashes = _near_duplicates(labels)
    if clashes:
        raise ValueError(
            f"Target column {target.column!r} has labels that differ only in letter case: "
            f"{clashes[:5]}. The pipeline never merges labels: make each class one spelling "
            "in the source."
        )
    values = sorted(pd.unique(labels).tolist(), key=str)
    positive = label_matches(labels, target.positive_label)
    if not positive.any():
        hint = ""
        if isinstance(target.positive_label, bool):
            hint = (
                " YAML reads unquoted yes/no/on/off/true/false as booleans: quote the label "
                "(positive_label: 'yes')."
            )
        wanted = str(target.positive_label).strip().lower()
        near = [v for v in values if str(v).strip().lower() == wanted]
        if near and not hint:
            hint = f" Did you mean {near[0]!r}? Labels are matched exactly, letter case too."
        raise ValueError(
            f"Positive label {target.positive_label!r} does not occur in target column "
            f"{target.column!r}; its values are {values[:20]}. Set `positive_label` to one of "
            f"them.{hint}"
        )
    _check_classes(labels, values, positive, target)
    return positive


def _refuse_unlabelled(labels: pd.Series, target: TargetSpec) -> None:
    """Refuse rows without a label: an empty cell, spaces only, or a missing marker
    (``?``, ``NA``, ``null``, ... unless it is the positive label itself); such a row
    never joins a class. The message counts them and names their data rows."""
    marker = labels.map(_label_text).isin(MISSING_MARKERS) & ~label_matches(
        labels, target.positive_label
    )
    unlabelled = np.flatnonzero(labels.isna().to_numpy() | marker.to_numpy())
    if len(unlabelled):
        rows = ", ".join(str(i + 1) for i in unlabelled[:10])
        more = f" and {len(unlabelled) - 10} more" if len(unlabelled) > 10 else ""
        raise ValueError(
            f"Target column {target.column!r} has {len(unlabelled)} row(s) without a label "
            f"(an empty cell, spaces only, or a missing marker such as '?' or 'NA'): data "
            f"rows {rows}{more}, the first row under the header being 1. A row without a "
            "label never joins a class, with or without `one_vs_rest`: drop those rows or "
            "label them in the source."
        )


def _check_classes(
    labels: pd.Series, values: list, positive: np.ndarray, target: TargetSpec
) -> None:
    """Refuse one class, more than two (without ``one_vs_rest``), and fewer than
    :data:`MIN_POSITIVES` rows in the rarer class."""
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
    n_positive = int(positive.sum())
    rare = min(n_positive, len(positive) - n_positive)
    if rare < MIN_POSITIVES:
        which = (
            f"have the positive label {target.positive_label!r}"
            if rare == n_positive
            else f"have a label other than the positive {target.positive_label!r} (the rarer class)"
        )
        raise ValueError(
            f"Only {rare} row(s) {which} in target column {target.column!r}; at least "
            f"{MIN_POSITIVES} are needed ({MIN_TRAINING_GROUPS} for cross-validation on the "
            f"training side, {MIN_HOLDOUT_GROUPS} for the hold-out) in the rarer class."
        )


def ingest(
    frame: pd.DataFrame,
    target: TargetSpec,
    columns: dict[str, str] | None = None,
    numbers: NumberSettings | None = None,
) -> Ingested:
    """Validate a source table, decide column roles and encode the target as 1 / 0.

    Adds a stable ``row_id`` (the row's position in the source) as the first
    column. Each other column gets a role (:mod:`smote_pipeline.core.ingest.roles`):
    kept columns are parsed (numbers written as text, missing markers, dates
    expanded into parts); identifiers, constants, free text and columns set to
    ``ignore`` are dropped.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read by :func:`read_source`.
    target : TargetSpec
        Target column and positive label; its ``group_column`` and ``time_column``
        become the reserved ``group_key`` and ``time_key`` columns (not features
        unless ``columns`` gives them a role).
    columns : dict of str to str, optional
        Role overrides from the spec (``{"id": "ignore", "created": "datetime"}``).
    numbers : NumberSettings, optional
        The spec's ``decimal:``, ``thousands:``; by default those in ``frame.attrs``.

    Returns
    -------
    Ingested

    Raises
    ------
    ValueError
        Naming the column, value or option: missing target, reserved column names,
        missing target values, labels differing only in case, unknown positive label, a
        single class, more than two (unless ``one_vs_rest``), too few positive rows, a
        majority positive label, no feature left, an override that cannot apply, or
        numbers that read two ways. Missing feature values are kept (NaN; in categorical
        columns :data:`MISSING_CATEGORY`); infinite ones become missing.
    """
    _check_table(frame, target.column)
    headers = repeated_headers(frame)
    frame = frame.drop(index=frame.index[headers]) if len(headers) else frame
    positive = _positive_rows(frame, target)
    frame = frame.reset_index(drop=True)  # keeps attrs, where read_source left settings
    overrides = keys.key_overrides(frame, target, columns or {})
    fmt = number_format(frame, target.column, overrides, numbers)
    roles, out = decide_roles(frame, target.column, overrides, fmt)
    roles = keys.key_roles(roles, set(overrides) - set(columns or {}))
    out = out.drop(columns=[target.column]).assign(**keys.key_columns(frame, target))
    if not feature_columns(out, target.column):
        raise _no_features(roles)
    infinite = infinite_as_missing(out, target.column)
    normalise_categoricals(out, target.column)
    out.insert(0, ROW_ID, np.arange(len(out), dtype=np.int64))
    out = _with_target(out.reset_index(drop=True), frame[target.column], positive, target)
    return Ingested(out, roles, fmt, tuple(int(i) + 1 for i in headers), infinite)


def _with_target(
    out: pd.DataFrame, labels: pd.Series, positive: np.ndarray, target: TargetSpec
) -> pd.DataFrame:
    """``out`` with the target encoded 1 for the rarer class (the positive rows, unless
    the positive label is the majority) and the labels' facts in ``attrs``."""
    flipped = 2 * int(positive.sum()) > len(positive)
    out[target.column] = (positive ^ flipped).astype(np.int8)
    out.attrs[NEGATIVE_LABELS] = negative_labels(labels, positive)
    out.attrs[CONFLICTING] = conflicting_duplicates(out, target.column)
    if flipped:
        out.attrs[MAJORITY_POSITIVE] = {
            "positive_label": str(target.positive_label),
            "positive_rows": int(positive.sum()),
            "rows": len(positive),
        }
    return out


def prepare_dataset(
    frame: pd.DataFrame, target: TargetSpec, columns: dict[str, str] | None = None
) -> pd.DataFrame:
    """The frame of :func:`ingest` alone (see there for rules and errors)."""
    return ingest(frame, target, columns).frame


def negative_labels(labels: pd.Series, positive: np.ndarray) -> dict[str, int]:
    """How many rows of each original label are negative, most frequent first."""
    counts = _clean_labels(labels[~positive]).astype(str).value_counts()
    return {str(label): int(count) for label, count in counts.items()}


#: The category a missing value of a categorical column becomes.
MISSING_CATEGORY = "<missing>"


def normalise_categoricals(frame: pd.DataFrame, target: str) -> None:
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


def infinite_as_missing(frame: pd.DataFrame, target: str) -> dict[str, int]:
    """Read every infinite value of a numeric feature column as missing, in place; returns
    how many per column (only those that had any).

    No model or sampler can use an infinite value, but a row is worth keeping: its
    other values are real, and missing values are accepted (tree models use them as
    they are; every step that cannot imputes inside the rows it is fitted on).
    """
    categorical = set(categorical_columns(frame, target))
    counts = {}
    for column in feature_columns(frame, target):
        if column in categorical:
            continue
        values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        infinite = np.isinf(values)
        if infinite.any():
            frame[column] = np.where(infinite, np.nan, values)
            counts[str(column)] = int(infinite.sum())
    return counts


def conflicting_duplicates(frame: pd.DataFrame, target: str) -> dict[str, int]:
    """Groups of rows with identical features that carry both labels, and their rows
    (one hash per row)."""
    hashes = row_hashes(frame, feature_columns(frame, target))
    labels = pd.Series(frame[target].to_numpy()).groupby(hashes)
    both = labels.nunique() > 1
    return {"groups": int(both.sum()), "rows": int(labels.size()[both].sum())}


def describe_dataset(
    frame: pd.DataFrame, target: str, conflicting: dict[str, int] | None = None
) -> dict[str, Any]:
    """Summary statistics of a prepared dataset, for metadata and reports.

    ``conflicting``: :func:`conflicting_duplicates` of ``frame`` when the caller has it
    (the ingestion leaves it in a fresh frame's ``attrs``), so the rows are not hashed
    again; counted here otherwise.

    Returns
    -------
    dict
        ``rows``, ``features``, ``categorical_features``, ``positives``,
        ``negatives``, ``imbalance_ratio`` (negatives per positive), and
        ``conflicting_groups`` / ``rows_in_conflicting_groups``: groups of rows with
        identical features that carry both labels (no model can separate them, and
        the split keeps each group on one side); ``negative_labels``: rows of each
        original label that became negative (:data:`NEGATIVE_LABELS`).
    """
    positives = int((frame[target] == 1).sum())
    negatives = int(len(frame) - positives)
    features = feature_columns(frame, target)
    conflicting = conflicting or conflicting_duplicates(frame, target)
    return {
        "rows": len(frame),
        "features": len(features),
        "categorical_features": categorical_columns(frame, target),
        "positives": positives,
        "negatives": negatives,
        "imbalance_ratio": round(negatives / positives, 3) if positives else float("inf"),
        "conflicting_groups": conflicting["groups"],
        "rows_in_conflicting_groups": conflicting["rows"],
        "negative_labels": dict(frame.attrs.get(NEGATIVE_LABELS, {})),
    }
