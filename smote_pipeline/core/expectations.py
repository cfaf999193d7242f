"""A great-expectations 1.x suite derived from real rows, validated on synthetic rows."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from smote_pipeline.core.columns import categorical_columns, feature_columns

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


def build_suite(real: pd.DataFrame, target: str, name: str = "synthetic_realism") -> Any:
    """Expectations that every synthetic row must meet, learnt from real rows.

    For each feature: no nulls; numeric columns stay within the real minimum
    and maximum; categorical columns only take values seen in the real rows.

    Parameters
    ----------
    real : pandas.DataFrame
        Real rows of the class the synthetic rows belong to (training side only).
    target : str
        Target column.
    name : str
        Suite name.

    Returns
    -------
    great_expectations.ExpectationSuite
    """
    import great_expectations as gx

    _context()
    suite = gx.ExpectationSuite(name=name)
    categorical = set(categorical_columns(real, target))
    for column in feature_columns(real, target):
        suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column=column))
        if column in categorical:
            values = sorted(str(v) for v in real[column].dropna().unique())
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=values)
            )
        else:
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=column,
                    min_value=float(real[column].min()),
                    max_value=float(real[column].max()),
                )
            )
    return suite


def validate_frame(frame: pd.DataFrame, suite: Any, target: str) -> SuiteResult:
    """Validate ``frame`` against ``suite`` with an ephemeral GX context.

    Categorical columns are compared as text, as the suite stores them.

    Returns
    -------
    SuiteResult
        Overall success, one record per expectation (type, column, success,
        unexpected count and a few unexpected values), and the suite as JSON.
    """
    data = frame[feature_columns(frame, target)].copy()
    for column in categorical_columns(frame, target):
        data[column] = data[column].astype(str)
    batch = (
        _context()
        .data_sources.add_pandas("synthetic")
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": data})
    )
    outcome = batch.validate(suite)
    results = []
    for item in outcome.results:
        config = item.expectation_config
        details = item.result or {}
        results.append(
            {
                "expectation": config.type,
                "column": config.kwargs.get("column"),
                "success": bool(item.success),
                "unexpected_count": int(details.get("unexpected_count") or 0),
                "unexpected_examples": [
                    str(v) for v in (details.get("partial_unexpected_list") or [])[:5]
                ],
            }
        )
    return SuiteResult(bool(outcome.success), results, suite.to_json_dict())
