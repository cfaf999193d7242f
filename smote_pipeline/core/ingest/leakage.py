"""Target-leak screen: feature columns that alone predict the label almost perfectly.

A column that on its own ranks the training rows by label almost without error
is rarely a genuinely great feature; it is usually derived from the label: a
field recorded after the outcome, a status code that encodes the decision, or a
row number in a file that was sorted by label. Such a column makes every model
look excellent in validation and useless in production, and SMOTE then
interpolates the leak into every synthetic row.

The screen runs on the TRAINING rows only (real rows, before oversampling), and
before any model is trained, so the hold-out set never influences what is
flagged. It only reports; excluding a column is the user's decision, made in the
pipeline spec.

Method of :func:`screen_leaks`, per feature column (each step is O(rows); no per-row
Python loop):

1. The column is turned into integer codes. A categorical column (see
   :func:`~smote_pipeline.core.columns.is_categorical`) is coded by its
   values. A numeric column with at most 32 distinct values is coded by its
   values; otherwise by up to 32 quantile bins (edges at the 1/32, ...,
   31/32 quantiles, duplicated edges dropped). Missing values get a code of
   their own. Because bins carry no order, a column that separates the
   classes through a non-monotone pattern (positives in the middle of the
   range) is caught as well as a monotone one.
2. Out-of-fold target encoding with
   ``StratifiedKFold(n_splits=min(n_splits, positives, negatives),
   shuffle=True, random_state=random_state)``: a row's score is the
   smoothed positive rate of its code in the other folds,
   ``(positives_in_code + prior) / (rows_in_code + 1)``, where ``prior`` is
   the positive rate of those folds; a code absent from them scores
   ``prior``. A row never sees its own label, so a column with unique values
   (an honest row id) scores no better than chance.
3. The column's figure is ``average_precision_score(y, scores)``. For a
   numeric column it is the larger of that and the average precision of the
   raw values ranked in either direction (missing values ranked last): with
   a rare positive class the bin where the classes meet dilutes the binned
   figure, while the ranking of a column sorted with the label stays
   perfect. The direction is the only thing chosen on the labels, so this
   needs no folds. A constant column gets exactly the positive rate. A
   column is suspected when its figure, rounded to 4 decimals, is at least
   ``threshold``.

The folds are drawn once and shared by all columns, so the figures are
deterministic for a fixed ``random_state``.

A categorical column can leak through ONE value without reaching that figure: a
``status`` equal to ``chargeback`` on 18 of 20 positives and on no negative
scores an average precision of about 0.9 alone, because the two positives
without it rank among the negatives. The **category-value screen** therefore
checks every categorical feature column (strings, categories, booleans: see
:func:`~smote_pipeline.core.columns.categorical_columns`) for a single value
that "marks most of the positives, and almost only positives". A value,
missing included (reported as ``None``), is flagged when, on the same rows:

* it holds at least :data:`LEAK_VALUE_SHARE` (half) of the positive rows;
* its precision, the positive share of the rows holding it, is at least
  :data:`LEAK_VALUE_PRECISION` (0.95);
* the Wilson score lower bound of that precision, one-sided at 95%
  (:data:`LEAK_VALUE_Z`), is at least :data:`LEAK_VALUE_PRECISION_BOUND`
  (0.75). This judges precision by how many rows support it: a value whose
  rows are in truth at most three-quarters positive (an informative, honest
  category) passes it in about 5% of samples or fewer, and a perfect value
  needs 9 rows (19 rows with one negative), so a tiny table does not flag
  noise.

Each value is counted once (``pandas.factorize`` and ``numpy.bincount``), so the
cost is linear in rows whatever the number of levels. The decision uses the
counts only, no folds: at most two values of a column can hold half the
positives, so choosing the value can hardly overfit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold

from smote_pipeline.core.columns import categorical_columns, feature_columns, is_categorical

__all__ = [
    "LEAK_AVERAGE_PRECISION",
    "LEAK_VALUE_PRECISION",
    "LEAK_VALUE_PRECISION_BOUND",
    "LEAK_VALUE_SHARE",
    "LEAK_VALUE_Z",
    "LeakScreen",
    "screen_leaks",
]

#: Out-of-fold average precision from which a single column is "almost perfect"
#: and reported as a suspected leak. Honest features of hard, imbalanced problems
#: rarely exceed 0.9 alone; at 0.98 a column ranks nearly every positive above
#: nearly every negative, which is what a copy of the label does.
LEAK_AVERAGE_PRECISION = 0.98

#: Share of the positive training rows a single category value must hold to be
#: flagged: "it marks MOST of the positives" (at most two values can reach it).
LEAK_VALUE_SHARE = 0.5

#: Precision (positive share of the rows holding the value) from which a value marks
#: "almost only positives": at most one row in twenty with it is a negative.
LEAK_VALUE_PRECISION = 0.95

#: Least Wilson lower bound of that precision: the rows support, at 95% one-sided
#: confidence, that more than three in four rows with the value are positive. A
#: value that is merely informative (precision at most 0.75) rarely passes it; a
#: perfect value needs 9 rows. It is the screen's minimum support.
LEAK_VALUE_PRECISION_BOUND = 0.75

#: Standard normal quantile of the Wilson bound (0.95, one-sided 95% confidence).
LEAK_VALUE_Z = 1.6448536269514722

#: Most codes a numeric column is reduced to (distinct values or quantile bins).
MAX_CODES = 32

#: Text written for a missing value in categorical columns.
_MISSING = "<missing>"
#: Column names that can be written unquoted in the spec's YAML mapping.
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, eq=False)
class LeakScreen:
    """Result of :func:`screen_leaks`.

    Attributes
    ----------
    columns : pandas.DataFrame
        One row per feature column, in frame order, with ``column`` (str),
        ``average_precision`` (float, rounded to 4 decimals) and ``suspected``
        (bool). Empty (with these columns) when the screen could not run
        because a class has fewer than two rows.
    threshold : float
        Average precision from which a column is suspected.
    rows_used : int
        Training rows the figures were computed on (after sampling); 0 when the
        screen could not run.
    leaking_values : pandas.DataFrame
        The category values flagged by the category-value screen (module
        docstring), largest ``share`` first: ``column`` (str), ``value`` (str, or
        None for missing), ``positives`` (positive rows with the value, int),
        ``rows`` (rows with the value, int), ``share`` (``positives`` over all
        positive rows), ``precision`` (``positives / rows``) and
        ``precision_bound`` (its Wilson lower bound). Empty, with these columns,
        when nothing is flagged (and in screens stored before it existed).
    """

    columns: pd.DataFrame
    threshold: float
    rows_used: int
    leaking_values: pd.DataFrame = field(default_factory=lambda: _empty_values())

    @property
    def suspected(self) -> list[str]:
        """Suspected column names: those of :attr:`average_precision_suspects`, then
        those holding a :attr:`leaking_values` value and not named yet."""
        named = self.average_precision_suspects
        holding = dict.fromkeys(str(c) for c in self.leaking_values["column"])
        return named + [c for c in holding if c not in named]

    @property
    def average_precision_suspects(self) -> list[str]:
        """Columns whose average precision alone reaches the threshold, highest first."""
        flagged = self.columns[self.columns["suspected"]]
        flagged = flagged.sort_values("average_precision", ascending=False, kind="stable")
        return [str(name) for name in flagged["column"]]

    @property
    def value_findings(self) -> list[str]:
        """One phrase per :attr:`leaking_values` row whose column is not already among
        :attr:`average_precision_suspects`, e.g. "`status` = 'chargeback' marks 18 of
        20 positive training rows (precision 1.00)"."""
        return [_value_phrase(r) for r in self._values_not_named()]

    def _values_not_named(self) -> list[dict[str, Any]]:
        """:attr:`leaking_values` records whose column's figure is not suspected."""
        named = set(self.average_precision_suspects)
        records = self.leaking_values.astype(object).to_dict(orient="records")
        return [r for r in records if str(r["column"]) not in named]

    @property
    def figures(self) -> dict[str, float]:
        """Column name -> its average precision alone."""
        return dict(
            zip(map(str, self.columns["column"]), self.columns["average_precision"], strict=True)
        )

    @property
    def warnings(self) -> list[str]:
        """One sentence per suspected column, in the order of :attr:`suspected`: its
        average precision, or, for a column suspected by a value only, one per
        value (the :attr:`value_findings` phrase with the same advice)."""
        figures = self.figures
        named = self.average_precision_suspects
        by_figure = [_warning(name, float(figures[name])) for name in named]
        return by_figure + [_value_warning(r) for r in self._values_not_named()]

    def message(self) -> str:
        """The :attr:`warnings` as one text (empty when nothing is suspected)."""
        return " ".join(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        """The stored form: ``columns`` and ``leaking_values`` (records),
        ``threshold``, ``rows_used``, and for a reader of the file ``suspected``
        and ``warnings``."""
        records = self.columns.astype(object).to_dict(orient="records")
        values = self.leaking_values.astype(object).to_dict(orient="records")
        return {
            "columns": [
                {
                    "column": str(r["column"]),
                    "average_precision": float(r["average_precision"]),
                    "suspected": bool(r["suspected"]),
                }
                for r in records
            ],
            "leaking_values": [_value_record(r) for r in values],
            "suspected": self.suspected,
            "threshold": float(self.threshold),
            "rows_used": int(self.rows_used),
            "warnings": self.warnings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LeakScreen:
        """Read the stored form back (``suspected`` and ``warnings`` are derived; a
        form stored before ``leaking_values`` existed has no flagged value)."""
        columns = pd.DataFrame(data.get("columns", []), columns=list(_empty_table().columns))
        if columns.empty:
            columns = _empty_table()
        columns["suspected"] = columns["suspected"].astype(bool)
        threshold = float(data.get("threshold", LEAK_AVERAGE_PRECISION))
        values = [_value_record(r) for r in data.get("leaking_values") or []]
        return cls(columns, threshold, int(data.get("rows_used", 0)), _values_frame(values))


def screen_leaks(
    frame: pd.DataFrame,
    target: str,
    *,
    random_state: int = 0,
    max_rows: int = 20_000,
    n_splits: int = 5,
    threshold: float = LEAK_AVERAGE_PRECISION,
) -> LeakScreen:
    """Flag feature columns that alone predict the target almost perfectly, and category
    values marking most positives and almost only positives (method: module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        Real training rows of a pipeline frame (``row_id``, features, target
        encoded 0/1). Pass no hold-out and no synthetic rows.
    target : str
        Target column, encoded 0/1.
    random_state : int, default 0
        Seed of the row sample and of the folds.
    max_rows : int, default 20_000
        Above this many rows, a stratified random sample of ``max_rows`` rows is
        screened (each class keeps its share, and at least two rows). Average
        precision on 20,000 rows is precise enough to compare with a 0.98
        threshold, and it keeps the screen fast on large sources.
    n_splits : int, default 5
        Folds of the out-of-fold encoding (fewer when a class has fewer rows).
    threshold : float, default :data:`LEAK_AVERAGE_PRECISION`
        Average precision from which a column is suspected.

    Returns
    -------
    LeakScreen
        With fewer than two positive or two negative rows no out-of-fold figure
        exists: the screen then has empty ``columns`` and ``leaking_values``
        tables, nothing suspected and ``rows_used == 0``. This is not an error. Both
        screens use the same rows (the sample above ``max_rows``).

    Raises
    ------
    ValueError
        If the target holds values other than 0 and 1, or ``n_splits < 2``, or
        ``max_rows < 4``.
    """
    y = _labels(frame, target, n_splits, max_rows)
    if min(int(y.sum()), len(y) - int(y.sum())) < 2:
        return LeakScreen(_empty_table(), float(threshold), 0)
    rows = _stratified_sample(y, max_rows, random_state)
    if rows is not None:
        frame, y = frame.iloc[rows], y[rows]
    positives = int(y.sum())
    folds = StratifiedKFold(
        n_splits=min(n_splits, positives, len(y) - positives),
        shuffle=True,
        random_state=random_state,
    )
    splits = list(folds.split(np.zeros((len(y), 1)), y))
    table = _column_table(frame, target, y, splits, threshold)
    return LeakScreen(table, float(threshold), len(y), _value_table(frame, target, y))


def _column_table(
    frame: pd.DataFrame,
    target: str,
    y: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    threshold: float,
) -> pd.DataFrame:
    """Each feature column's figure (steps 1-3 of the module docstring), suspected or not."""
    columns = feature_columns(frame, target)
    prior = float(y.mean())
    figures = [
        max(
            _out_of_fold_average_precision(_codes(frame[c]), y, splits, prior),
            _ranking_average_precision(frame[c], y),
        )
        for c in columns
    ]
    rounded = np.round(np.asarray(figures, dtype=np.float64), 4)
    return pd.DataFrame(
        {
            "column": pd.Series([str(c) for c in columns], dtype=object),
            "average_precision": rounded,
            "suspected": rounded >= threshold,
        }
    )


def _labels(frame: pd.DataFrame, target: str, n_splits: int, max_rows: int) -> np.ndarray:
    """The 0/1 labels, after checking them and the screen's sizes."""
    if n_splits < 2:
        raise ValueError(f"n_splits must be at least 2, got {n_splits}.")
    if max_rows < 4:
        raise ValueError(f"max_rows must be at least 4, got {max_rows}.")
    labels = frame[target]
    if labels.isna().any() or not labels.isin([0, 1]).all():
        raise ValueError(f"Target column {target!r} must be encoded 0/1.")
    return labels.to_numpy(dtype=np.int64)


def _ranking_average_precision(series: pd.Series, y: np.ndarray) -> float:
    """Average precision of a numeric column's values as a score, best direction.

    Zero for a non-numeric column (only the binned figure applies).
    """
    if is_categorical(series) or not pd.api.types.is_numeric_dtype(series.dtype):
        return 0.0
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    present = ~np.isnan(values)
    if present.sum() < 2:
        return 0.0
    low = np.nanmin(values)
    high = np.nanmax(values)
    upward = np.where(present, values, low - 1.0)
    downward = np.where(present, -values, -high - 1.0)
    return float(max(average_precision_score(y, upward), average_precision_score(y, downward)))


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "column": pd.Series(dtype=object),
            "average_precision": pd.Series(dtype=np.float64),
            "suspected": pd.Series(dtype=bool),
        }
    )


def _value_table(frame: pd.DataFrame, target: str, y: np.ndarray) -> pd.DataFrame:
    """The category-value screen of the module docstring: flagged values of every
    categorical feature column, largest share of the positives first."""
    positives = int(y.sum())
    records = [
        record
        for column in categorical_columns(frame, target)
        for record in _leaking_values(str(column), frame[column], y, positives)
    ]
    table = _values_frame(records)
    table = table.sort_values(["share", "precision"], ascending=False, kind="stable")
    return table.reset_index(drop=True)


def _leaking_values(
    name: str, series: pd.Series, y: np.ndarray, positives: int
) -> list[dict[str, Any]]:
    """The values of one categorical column that pass the three rules (missing is a
    value of its own, reported as None), as records of :attr:`LeakScreen.leaking_values`."""
    present = series.notna().to_numpy()
    present_codes, uniques = pd.factorize(series[present].astype(str).to_numpy())
    codes = np.full(len(series), len(uniques), dtype=np.int64)
    codes[present] = present_codes
    rows = np.bincount(codes, minlength=len(uniques) + 1)
    hits = np.bincount(codes, weights=y, minlength=len(uniques) + 1).round().astype(np.int64)
    share = hits / positives
    precision = hits / np.maximum(rows, 1)
    bound = _wilson_lower_bound(hits, rows)
    flagged = (
        (share >= LEAK_VALUE_SHARE)
        & (precision >= LEAK_VALUE_PRECISION)
        & (bound >= LEAK_VALUE_PRECISION_BOUND)
    )
    return [
        {
            "column": name,
            "value": None if code == len(uniques) else str(uniques[code]),
            "positives": int(hits[code]),
            "rows": int(rows[code]),
            "share": float(share[code]),
            "precision": float(precision[code]),
            "precision_bound": float(bound[code]),
        }
        for code in np.flatnonzero(flagged)
    ]


def _wilson_lower_bound(hits: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Wilson score lower bound of ``hits / rows`` at :data:`LEAK_VALUE_Z` (0 for no rows)."""
    n = np.maximum(rows, 1).astype(np.float64)
    p = hits / n
    z2 = LEAK_VALUE_Z**2
    spread = LEAK_VALUE_Z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    bound = (p + z2 / (2.0 * n) - spread) / (1.0 + z2 / n)
    return np.where(rows > 0, bound, 0.0)


#: Columns and dtypes of :attr:`LeakScreen.leaking_values`.
_VALUE_DTYPES: dict[str, Any] = {
    "column": object,
    "value": object,
    "positives": np.int64,
    "rows": np.int64,
    "share": np.float64,
    "precision": np.float64,
    "precision_bound": np.float64,
}


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in _VALUE_DTYPES.items()})


def _values_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """:attr:`LeakScreen.leaking_values` from its records (typed, also when empty)."""
    if not records:
        return _empty_values()
    return pd.DataFrame(records, columns=list(_VALUE_DTYPES)).astype(_VALUE_DTYPES)


def _value_record(record: dict[str, Any]) -> dict[str, Any]:
    """One flagged value as plain Python (the stored form; missing value as None)."""
    value = record.get("value")
    return {
        "column": str(record["column"]),
        "value": None if value is None or pd.isna(value) else str(value),
        "positives": int(record["positives"]),
        "rows": int(record["rows"]),
        "share": float(record["share"]),
        "precision": float(record["precision"]),
        "precision_bound": float(record["precision_bound"]),
    }


def _stratified_sample(y: np.ndarray, max_rows: int, random_state: int) -> np.ndarray | None:
    """Sorted positions of a stratified sample of ``max_rows`` rows, or None if all fit."""
    if len(y) <= max_rows:
        return None
    positive_rows = np.flatnonzero(y == 1)
    negative_rows = np.flatnonzero(y == 0)
    take_positive = round(max_rows * len(positive_rows) / len(y))
    take_positive = min(max(take_positive, 2), len(positive_rows), max_rows - 2)
    take_negative = min(max_rows - take_positive, len(negative_rows))
    take_positive = max_rows - take_negative
    rng = np.random.default_rng(random_state)
    chosen = np.concatenate(
        [
            rng.choice(positive_rows, size=take_positive, replace=False),
            rng.choice(negative_rows, size=take_negative, replace=False),
        ]
    )
    return np.sort(chosen)


def _codes(series: pd.Series) -> np.ndarray:
    """Integer codes ``0..k-1`` of one column (values, or quantile bins; missing apart)."""
    if is_categorical(series):
        return _value_codes(series)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    elif hasattr(series.array, "asi8"):  # datetime, timedelta, period
        values = series.array.asi8.astype(np.float64)
        values[series.isna().to_numpy()] = np.nan
    else:
        return _value_codes(series)
    missing = np.isnan(values)
    present = values[~missing]
    codes = np.empty(len(values), dtype=np.int64)
    present_codes, uniques = pd.factorize(present)
    if len(uniques) > MAX_CODES:
        quantiles = np.arange(1, MAX_CODES) / MAX_CODES
        edges = np.unique(np.quantile(present, quantiles, method="lower"))
        present_codes = np.searchsorted(edges, present, side="right")
    codes[~missing] = present_codes
    codes[missing] = present_codes.max() + 1 if len(present_codes) else 0
    return codes


def _value_codes(series: pd.Series) -> np.ndarray:
    text = series.astype(object)
    text = text.where(text.notna(), _MISSING).astype(str)
    codes, _ = pd.factorize(text, sort=True)
    return codes.astype(np.int64)


def _out_of_fold_average_precision(
    codes: np.ndarray,
    y: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    positive_rate: float,
) -> float:
    """Average precision of the out-of-fold smoothed target encoding of ``codes``."""
    n_codes = int(codes.max()) + 1 if len(codes) else 0
    if n_codes <= 1:
        return float(positive_rate)
    scores = np.empty(len(y), dtype=np.float64)
    for train, test in splits:
        rows_in_code = np.bincount(codes[train], minlength=n_codes)
        positives_in_code = np.bincount(codes[train], weights=y[train], minlength=n_codes)
        prior = float(y[train].mean())
        held = codes[test]
        scores[test] = (positives_in_code[held] + prior) / (rows_in_code[held] + 1)
    return float(average_precision_score(y, scores))


def _value_phrase(record: dict[str, Any]) -> str:
    """ "`status` = 'chargeback' marks 18 of 20 positive training rows (precision 1.00)"."""
    value = record["value"]
    shown = _MISSING if value is None or pd.isna(value) else repr(str(value))
    positives = int(record["positives"])
    total = round(positives / float(record["share"]))
    return (
        f"`{record['column']}` = {shown} marks {positives} of {total} positive training "
        f"rows (precision {float(record['precision']):.2f})"
    )


def _value_warning(record: dict[str, Any]) -> str:
    name = str(record["column"])
    return (
        f"{_value_phrase(record)}: a value marking most positives and almost only positives "
        "is usually recorded after the outcome or derived from the label; if so, exclude the "
        f"column with `columns: {{{_spec_name(name)}: ignore}}` in the pipeline spec; if it "
        "is a genuine measurement, this value alone nearly decides the label."
    )


def _spec_name(name: str) -> str:
    """``name`` as written in the spec's YAML mapping (quoted unless plain)."""
    return name if _PLAIN_NAME.match(name) else json.dumps(name)


def _warning(name: str, figure: float) -> str:
    spec_name = _spec_name(name)
    return (
        f"Column {name!r} alone predicts the target almost perfectly (average "
        f"precision {figure:.3f} on the training rows): if it is derived from the label or "
        "recorded after the outcome, exclude it with "
        f"`columns: {{{spec_name}: ignore}}` in the pipeline spec; if it is a genuine "
        "measurement, the task is easy and no resampling is needed."
    )
