"""A great-expectations 1.x suite derived from real rows, validated on synthetic rows.

The frame-level counterpart of the row flags in
:mod:`smote_pipeline.core.oversample.realism`: the same domain (range, categories,
integer values, no nulls) and "no exact copy" rule, as GX expectations that can be
inspected, saved and run in a Dagster asset check.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import categorical_columns, feature_columns, row_hashes
from smote_pipeline.core.oversample.realism.space import INTEGER, learn_domain

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def _context() -> Any:
    """A fresh ephemeral GX context (nothing written to disk), quiet."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return context


@dataclass(frozen=True)
class SuiteResult:
    """Outcome of validating one frame against a suite."""

    success: bool
    results: list[dict[str, Any]]
    suite: dict[str, Any]

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The expectations that failed."""
        return [r for r in self.results if not r["success"]]


#: Key under which an expectation's ``meta`` describes a derived column.
DERIVED_META_KEY = "smote_pipeline_derived"

#: Derived column holding each row's content hash (see :func:`row_hash_texts`).
ROW_HASH_COLUMN = "__row_hash__"

#: Suffix of the derived column holding a value's distance to the nearest integer.
INTEGER_RESIDUAL_SUFFIX = "__integer_residual"

#: Largest relative distance to an integer still accepted as an integer
#: (floating-point error of ``round``-then-arithmetic, not a real fraction).
INTEGER_TOLERANCE = 1e-9

#: Quantiles compared by the quantile expectation.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def row_hash_texts(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Row content hashes (:func:`smote_pipeline.core.columns.row_hashes`) as decimal
    text, what the no-copy expectation compares: unsigned 64-bit integers do not
    survive JSON round trips."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)  # wide frames
        return row_hashes(frame, columns).astype(str).astype(object)


def integer_residual(values: pd.Series) -> np.ndarray:
    """Distance of each value to the nearest integer, relative to ``max(1, |value|)``."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return np.abs(numbers - np.round(numbers)) / np.maximum(1.0, np.abs(numbers))


def _integer_columns(
    real: pd.DataFrame, target: str, integer_columns: Sequence[str] | str | None
) -> list[str]:
    """Resolve ``integer_columns`` ("auto": every numeric column whose real values are integers)."""
    if integer_columns is None:
        return []
    if isinstance(integer_columns, str):
        if integer_columns != "auto":
            raise ValueError(
                f"integer_columns must be 'auto', a list of column names or None, "
                f"got {integer_columns!r}"
            )
        return [d.name for d in learn_domain(real, target) if d.kind == INTEGER]
    features = feature_columns(real, target)
    unknown = [c for c in integer_columns if c not in features]
    if unknown:
        raise ValueError(f"integer_columns {unknown} are not feature columns of real")
    return list(integer_columns)


def _quantile_ranges(values: pd.Series, tolerance: float) -> dict[str, list]:
    """Real quantile ranges: synthetic quantile ``q`` must lie between real ``q -/+ tolerance``."""
    numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=np.float64)
    ranges = [
        [
            float(np.quantile(numbers, max(0.0, q - tolerance))),
            float(np.quantile(numbers, min(1.0, q + tolerance))),
        ]
        for q in QUANTILES
    ]
    return {"quantiles": list(QUANTILES), "value_ranges": ranges}


def _not_null(column: str, real_null_share: float, real_rows: int) -> Any:
    """No nulls where the real rows have none; else at most about the real share.

    With real null share ``p > 0`` over ``n`` real rows, synthetic rows may miss values
    in up to ``p + max(p, 0.1, 3 * sqrt(p * (1 - p) / n))`` of rows (twice the real
    share, at least ten points more, and three binomial standard errors of ``p``): a
    faithful generator stays within, a broken one does not. The last term is for small
    minorities: a synthetic row copies a missing value from its nearer parent, so with
    a few dozen real rows one hub parent with a gap can carry many synthetic rows.
    """
    import great_expectations as gx

    if real_null_share <= 0:
        return gx.expectations.ExpectColumnValuesToNotBeNull(column=column)
    p = real_null_share
    allowed = min(1.0, p + max(p, 0.1, 3.0 * float(np.sqrt(p * (1.0 - p) / max(real_rows, 1)))))
    return gx.expectations.ExpectColumnValuesToNotBeNull(
        column=column,
        mostly=max(0.0, 1.0 - allowed),
        description=f"{column}: at most {allowed:.0%} missing (real rows: {real_null_share:.0%})",
    )


def _add_column_expectations(
    suite: Any, real: pd.DataFrame, column: str, categorical: bool, quantile_tolerance: float | None
) -> None:
    """The per-column expectations of :func:`build_suite`."""
    import great_expectations as gx

    suite.add_expectation(_not_null(column, float(real[column].isna().mean()), len(real)))
    if categorical:
        values = sorted(str(v) for v in real[column].dropna().unique())
        suite.add_expectation(
            gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=values)
        )
        return
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(
            column=column, min_value=float(real[column].min()), max_value=float(real[column].max())
        )
    )
    if quantile_tolerance is not None and real[column].notna().any():
        suite.add_expectation(
            gx.expectations.ExpectColumnQuantileValuesToBeBetween(
                column=column,
                quantile_ranges=_quantile_ranges(real[column], quantile_tolerance),
                description=f"quantiles of {column} within +/-{quantile_tolerance} "
                "quantile rank of the real ones",
            )
        )


def _add_integer_expectation(suite: Any, column: str) -> None:
    """Values of ``column`` must be integers, via a derived residual column."""
    import great_expectations as gx

    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(
            column=f"{column}{INTEGER_RESIDUAL_SUFFIX}",
            min_value=0.0,
            max_value=INTEGER_TOLERANCE,
            description=f"{column} holds integers, like every real value",
            meta={DERIVED_META_KEY: {"kind": "integer_residual", "source": column}},
        )
    )


def _add_no_copy_expectation(suite: Any, reference: pd.DataFrame, columns: list[str]) -> None:
    """No row may equal a reference row in every feature, via a derived hash column."""
    import great_expectations as gx

    hashes = sorted(set(row_hash_texts(reference, columns)))
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToNotBeInSet(
            column=ROW_HASH_COLUMN,
            value_set=hashes,
            description="no synthetic row is an exact copy of a real row",
            meta={DERIVED_META_KEY: {"kind": "row_hash", "columns": columns}},
        )
    )


def build_suite(
    real: pd.DataFrame,
    target: str,
    name: str = "synthetic_realism",
    *,
    integer_columns: Sequence[str] | str | None = None,
    quantile_tolerance: float | None = None,
    forbid_copies: bool = False,
    copy_reference: pd.DataFrame | None = None,
) -> Any:
    """Expectations that every synthetic row must meet, learnt from real rows.

    For each feature: no nulls where the real rows have none (else a null share near
    the real one, :func:`_not_null`); numeric columns within the real minimum and
    maximum; categorical columns only values seen in the real rows. The stricter
    expectations below are off by default.

    Parameters
    ----------
    real : pandas.DataFrame
        Real rows of the class the synthetic rows belong to (training side only).
    target, name : str
        Target column; suite name.
    integer_columns : "auto", list of str or None, default=None
        Columns that must hold integers (``3.0`` is fine, ``3.4`` is not); "auto"
        takes every numeric column whose real values are all integers. GX 1.x has no
        type-agnostic "is integer" expectation, so the suite expects a derived column
        ``<column>__integer_residual`` (:func:`validate_frame` computes it) to be 0.
    quantile_tolerance : float or None, default=None
        The synthetic 5/25/50/75/95% quantiles of each numeric column must lie
        between the real quantiles at ``q - tolerance`` and ``q + tolerance`` (a KS
        distance below ``tolerance`` guarantees it). None: no quantile expectation.
    forbid_copies : bool, default=False
        No synthetic row may equal a real row in every feature: the suite stores the
        real row hashes and expects a derived column ``__row_hash__`` not to take them.
    copy_reference : pandas.DataFrame or None
        Rows synthetic rows must not copy (default ``real``).

    Returns
    -------
    great_expectations.ExpectationSuite
    """
    import great_expectations as gx

    _context()
    suite = gx.ExpectationSuite(name=name)
    categorical = set(categorical_columns(real, target))
    features = feature_columns(real, target)
    for column in features:
        _add_column_expectations(suite, real, column, column in categorical, quantile_tolerance)
    for column in _integer_columns(real, target, integer_columns):
        _add_integer_expectation(suite, column)
    if forbid_copies:
        reference = real if copy_reference is None else copy_reference
        _add_no_copy_expectation(suite, reference, features)
    return suite


def _derived(suite: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(column, spec)`` of every derived column the suite's expectations need."""
    specs = ((e.column, (e.meta or {}).get(DERIVED_META_KEY)) for e in suite.expectations)
    return [(column, spec) for column, spec in specs if spec]


def suite_frame(frame: pd.DataFrame, suite: Any, target: str) -> pd.DataFrame:
    """``frame``'s features as ``suite`` reads them: categorical columns as text (as the
    suite stores them), plus the derived columns (integer residuals, row hashes) it
    refers to."""
    data = frame[feature_columns(frame, target)].copy()
    for column in categorical_columns(frame, target):
        data[column] = data[column].astype(str)
    extra = {}
    for column, spec in _derived(suite):
        if spec["kind"] == "integer_residual":
            extra[column] = integer_residual(frame[spec["source"]])
        elif spec["kind"] == "row_hash":
            extra[column] = row_hash_texts(frame, list(spec["columns"]))
    if not extra:
        return data
    return pd.concat([data, pd.DataFrame(extra, index=data.index)], axis=1)


def validate_frame(frame: pd.DataFrame, suite: Any, target: str) -> SuiteResult:
    """Validate ``frame`` against ``suite`` with an ephemeral GX context.

    Categorical columns are compared as text, as the suite stores them; derived columns
    the suite refers to are computed first (:func:`suite_frame`).

    Returns
    -------
    SuiteResult
        Overall success, one record per expectation (type, column, success, unexpected
        count, a few unexpected values, description), and the suite as JSON. For
        derived columns, ``column`` names the source column (or ``__row_hash__``).
    """
    batch = (
        _context()
        .data_sources.add_pandas("synthetic")
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": suite_frame(frame, suite, target)})
    )
    outcome = batch.validate(suite)
    results = []
    for item in outcome.results:
        config = item.expectation_config
        details = item.result or {}
        spec = (config.meta or {}).get(DERIVED_META_KEY) or {}
        results.append(
            {
                "expectation": config.type,
                "column": spec.get("source", config.kwargs.get("column")),
                "success": bool(item.success),
                "unexpected_count": int(details.get("unexpected_count") or 0),
                "unexpected_examples": [
                    str(v) for v in (details.get("partial_unexpected_list") or [])[:5]
                ],
                "description": config.description or "",
            }
        )
    return SuiteResult(bool(outcome.success), results, suite.to_json_dict())


def suite_to_json(suite: Any) -> str:
    """The suite as indented, key-sorted JSON text, for people to read or diff."""
    return json.dumps(suite.to_json_dict(), indent=2, sort_keys=True)


def save_suite(suite: Any, path: str | os.PathLike[str]) -> Path:
    """Write :func:`suite_to_json` to ``path`` atomically (temporary file, then rename).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", text=True)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(suite_to_json(suite))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
