from __future__ import annotations

import pandas as pd

from smote_pipeline.core.expectations import build_suite, validate_frame


def _real():
    return pd.DataFrame(
        {
            "row_id": range(6),
            "x": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            "colour": ["red", "blue", "red", "blue", "red", "blue"],
            "label": [1] * 6,
        }
    )


def test_realistic_rows_pass():
    suite = build_suite(_real(), "label")
    synthetic = pd.DataFrame(
        {"row_id": [-1, -2], "x": [0.5, 4.5], "colour": ["red", "blue"], "label": [1, 1]}
    )
    result = validate_frame(synthetic, suite, "label")
    assert result.success, result.failed
    assert len(result.results) == 4


def test_out_of_range_and_unknown_category_fail():
    suite = build_suite(_real(), "label")
    synthetic = pd.DataFrame(
        {"row_id": [-1, -2], "x": [0.5, 9.0], "colour": ["red", "purple"], "label": [1, 1]}
    )
    result = validate_frame(synthetic, suite, "label")
    assert not result.success
    failed = {(r["expectation"], r["column"]): r for r in result.failed}
    assert set(failed) == {
        ("expect_column_values_to_be_between", "x"),
        ("expect_column_values_to_be_in_set", "colour"),
    }
    assert failed[("expect_column_values_to_be_in_set", "colour")]["unexpected_examples"] == [
        "purple"
    ]


def test_nulls_fail():
    suite = build_suite(_real(), "label")
    synthetic = pd.DataFrame({"row_id": [-1], "x": [None], "colour": ["red"], "label": [1]})
    result = validate_frame(synthetic, suite, "label")
    assert ("expect_column_values_to_not_be_null", "x") in {
        (r["expectation"], r["column"]) for r in result.failed
    }
