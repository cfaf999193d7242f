"""The input schema of a trained model, and a new batch prepared to it.

Ingestion decides each source column's role once, on the training data
(:mod:`smote_pipeline.core.ingest.roles`). A batch scored later must become the same
feature columns, so its columns are not decided again: each column the model was
trained on is converted to the role it had then
(:func:`~smote_pipeline.core.ingest.roles.convert_column`), a date column to exactly the
parts the model knows.

Rules for a batch (:meth:`InputSchema.prepare`):

- a missing column the model needs raises, naming it;
- numbers written as text are read with the decimal mark and thousands separators
  the training data was read with (kept in its numeric roles), never detected again;
- dates written as text are read with day and month in the order of the training
  data's column (kept in its datetime role), never detected again: a value that is a
  date only the other way raises, and so, where no training value needed an order (ISO
  dates), does one that reads both ways; a role kept before orders were reads day first;
- a value a numeric or date column cannot read raises, naming the column and values,
  except that where training read a few cells that are not numbers as missing values,
  the batch's are too (within the same limits);
- infinite numbers raise, naming the column;
- a missing value is scored as in training (numeric: missing; categorical: the
  category ``<missing>``);
- a category the model never saw is scored by the model's own rule for unknown
  categories (its encoder's: no one-hot column for linear models, the "unknown" code
  for tree models), and counted per column;
- columns the model does not use are ignored and listed; the training data's
  identifier columns are carried into the scores so rows can be joined back;
- the target column, when present, is read as labels (1, 0, or missing for rows not
  labelled yet).

No row is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import (
    MAJORITY_POSITIVE,
    ROW_ID,
    categorical_columns,
    feature_columns,
)
from smote_pipeline.core.ingest.ingestion import (
    infinite_as_missing,
    label_matches,
    normalise_categoricals,
)
from smote_pipeline.core.ingest.numbers import NumberFormat
from smote_pipeline.core.ingest.roles import ColumnRole, convert_column
from smote_pipeline.core.records import known_fields, plain_fields

__all__ = ["InputSchema", "PreparedBatch"]

#: Known categories kept per column (a column with more is checked on these only).
MAX_CATEGORIES = 10_000


@dataclass(frozen=True)
class PreparedBatch:
    """A batch as the model reads it.

    Attributes
    ----------
    features : pandas.DataFrame
        The model's feature columns, in its order, one row per batch row.
    carried : pandas.DataFrame
        ``row_id`` (the row's position in the batch) and the training data's
        identifier columns found in the batch.
    labels : pandas.Series or None
        1 / 0 / missing per row, when the batch has the target column.
    unknown_categories : dict of str to int
        Rows per categorical column whose category the model never saw.
    ignored_columns : tuple of str
        Batch columns the model does not use.
    infinite_values : dict of str to int
        Infinite values read as missing, per column (as in training).
    """

    features: pd.DataFrame
    carried: pd.DataFrame
    labels: pd.Series | None
    unknown_categories: dict[str, int] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    infinite_values: dict[str, int] = field(default_factory=dict)


def _entry(role: dict[str, Any]) -> dict[str, Any]:
    """What a batch needs of a kept role: its column, role and feature columns, and for
    a numeric one how text was read as numbers there, for a date one the order of day
    and month."""
    entry = {"column": role["column"], "role": role["role"], "becomes": list(role["becomes"])}
    if role["role"] == "datetime" and role.get("date_order"):
        entry["date_order"] = role["date_order"]
    if role["role"] == "numeric" and role.get("decimal"):
        entry["decimal"], entry["thousands"] = role["decimal"], role.get("thousands", "")
        entry["non_numbers"] = int(role.get("non_numbers") or 0)
    return entry


@dataclass(frozen=True)
class InputSchema:
    """What a model needs of a batch: its source columns, their roles and categories.

    Attributes
    ----------
    target : str
    positive_label : object
        The target's positive value.
    roles : tuple of dict
        ``column``, ``role`` and ``becomes`` of every source column kept in training
        (numeric, categorical or datetime); numeric ones also ``decimal``,
        ``thousands`` and ``non_numbers`` (schemas stored before lack them: read as
        ``.`` decimals, ``,`` thousands, no cell that is not a number); datetime ones
        also ``date_order`` (lacking: day first).
    identifiers : tuple of str
        Source columns recognised as identifiers in training (carried along).
    features : tuple of str
        The feature columns the model reads, in order.
    categories : dict of str to list of str
        Known categories of each categorical feature (in the training rows).
    positive_is_majority : bool
        The positive label was the majority in training, so the model's class 1 is the
        rarer class, the other labels (:data:`~smote_pipeline.core.columns.MAJORITY_POSITIVE`).
    """

    target: str
    positive_label: Any
    roles: tuple[dict[str, Any], ...]
    identifiers: tuple[str, ...]
    features: tuple[str, ...]
    categories: dict[str, list[str]]
    positive_is_majority: bool = False

    @classmethod
    def learn(
        cls,
        roles: list[ColumnRole] | list[dict[str, Any]],
        training: pd.DataFrame,
        target: str,
        positive_label: Any,
    ) -> InputSchema:
        """The schema of a model trained on ``training`` (a pipeline frame) after ``roles``.

        Raises
        ------
        ValueError
            If no role produces a feature column of ``training`` (the roles belong to
            another data set).
        """
        entries = [r if isinstance(r, dict) else plain_fields(r) for r in roles]
        features = tuple(feature_columns(training, target))
        kept = [e for e in entries if e["role"] in ("numeric", "categorical", "datetime")]
        produced = {c for e in kept for c in e["becomes"]}
        orphans = sorted(set(features) - produced)
        if orphans:
            raise ValueError(
                f"The column roles do not describe the training rows: features {orphans[:10]} "
                "come from no source column; materialize raw_dataset again."
            )
        categories = {
            c: sorted(map(str, pd.unique(training[c].astype(str))))[:MAX_CATEGORIES]
            for c in categorical_columns(training, target)
        }
        return cls(
            target=target,
            positive_label=positive_label,
            roles=tuple(_entry(e) for e in kept),
            identifiers=tuple(e["column"] for e in entries if e["role"] == "identifier"),
            features=features,
            categories=categories,
            positive_is_majority=bool(training.attrs.get(MAJORITY_POSITIVE)),
        )

    @property
    def source_columns(self) -> list[str]:
        """The batch columns the model needs."""
        return [r["column"] for r in self.roles]

    def prepare(self, batch: pd.DataFrame) -> PreparedBatch:
        """The batch as the model reads it (see the module's rules).

        Raises
        ------
        ValueError
            A needed column is missing, or a column's values cannot be read with its
            training role; the message names the column.
        """
        missing = [c for c in self.source_columns if c not in batch.columns]
        if missing:
            raise ValueError(
                f"The batch lacks column(s) {missing} that the model was trained on; its "
                f"columns are {list(map(str, batch.columns))[:20]}. Add them to the batch "
                "(empty values are allowed), or retrain with them set to `ignore` in the "
                "spec's `columns:`."
            )
        batch = batch.reset_index(drop=True)
        parts: dict[str, pd.Series] = {}
        for entry in self.roles:
            becomes = tuple(entry["becomes"]) if entry["role"] == "datetime" else None
            numbers = NumberFormat.of_role(entry)
            tolerate = int(entry.get("non_numbers") or 0) > 0
            column, role = entry["column"], entry["role"]
            dates = str(entry.get("date_order", ""))
            parts.update(
                convert_column(column, batch[column], role, becomes, numbers, tolerate, dates)
            )
        features = pd.DataFrame(parts, index=batch.index)
        features = features[[c for c in self.features if c in features.columns]]
        absent = [c for c in self.features if c not in features.columns]
        if absent:  # a date part the conversion could not give
            raise ValueError(f"The batch gives no feature column(s) {absent}.")
        for column in self.categories:  # text in training: text here, even if read as numbers
            features[column] = features[column].astype(object)
        infinite = infinite_as_missing(features, self.target)
        normalise_categoricals(features, self.target)
        unknown = {
            c: int((~features[c].isin(known)).sum())
            for c, known in self.categories.items()
            if len(known) < MAX_CATEGORIES
        }
        used = {*self.source_columns, *self.identifiers, self.target}
        carried = pd.DataFrame({ROW_ID: np.arange(len(batch), dtype=np.int64)})
        for column in self.identifiers:
            if column in batch.columns:
                carried[column] = batch[column].to_numpy()
        return PreparedBatch(
            features=features,
            carried=carried,
            labels=self._labels(batch),
            unknown_categories={c: n for c, n in unknown.items() if n},
            infinite_values=infinite,
            ignored_columns=tuple(str(c) for c in batch.columns if c not in used),
        )

    def _labels(self, batch: pd.DataFrame) -> pd.Series | None:
        """1 / 0 / missing per row from the target column, or None when it is absent; 1
        is the model's class 1 (the rarer class when :attr:`positive_is_majority`)."""
        if self.target not in batch.columns:
            return None
        values = batch[self.target]
        known = values.notna() & (values.astype(str).str.strip() != "")
        if not known.any():
            return None
        labels = pd.Series(pd.NA, index=batch.index, dtype="Int8")
        matches = label_matches(values[known], self.positive_label)
        labels[known] = (matches ^ self.positive_is_majority).astype(np.int8)
        return labels

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputSchema:
        """Read :meth:`to_dict` back."""
        return cls(**known_fields(cls, data, ("roles", "identifiers", "features")))
