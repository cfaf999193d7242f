from __future__ import annotations

import json

import great_expectations as gx
import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.oversample.expectations import (
    build_suite,
    save_suite,
    suite_to_json,
    validate_frame,
)


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


def _failed(result):
    return {(r["expectation"], r["column"]) for r in result.failed}


def test_default_suite_keeps_its_shape():
    suite = build_suite(_real(), "label")
    assert len(suite.expectations) == 4
    assert not any(e.meta for e in suite.expectations)


def test_integer_columns_accept_integral_floats_and_refuse_fractions():
    suite = build_suite(_real(), "label", integer_columns="auto")
    ok = pd.DataFrame({"row_id": [-1], "x": [3.0], "colour": ["red"], "label": [1]})
    assert validate_frame(ok, suite, "label").success
    fraction = pd.DataFrame(
        {"row_id": [-1, -2], "x": [3.0, 2.5], "colour": ["red", "blue"], "label": [1, 1]}
    )
    result = validate_frame(fraction, suite, "label")
    assert _failed(result) == {("expect_column_values_to_be_between", "x")}
    failure = result.failed[0]
    assert failure["unexpected_count"] == 1
    assert "integers" in failure["description"]


def test_integer_columns_explicit_and_invalid():
    suite = build_suite(_real(), "label", integer_columns=["x"])
    assert sum("__integer_residual" in e.column for e in suite.expectations) == 1
    with pytest.raises(ValueError, match="integer_columns"):
        build_suite(_real(), "label", integer_columns="all")
    with pytest.raises(ValueError, match=r"\['nope'\]"):
        build_suite(_real(), "label", integer_columns=["nope"])


def _normal_frame(n, loc, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"row_id": np.arange(n), "v": rng.normal(loc, 1.0, n), "label": np.ones(n, int)}
    )


def test_quantile_bounds_catch_a_shifted_distribution():
    real = _normal_frame(2000, 0.0, 0)
    suite = build_suite(real, "label", quantile_tolerance=0.1)
    same = _normal_frame(1000, 0.0, 1)
    same["v"] = same["v"].clip(real["v"].min(), real["v"].max())
    assert validate_frame(same, suite, "label").success
    shifted = _normal_frame(1000, 0.8, 2)
    shifted["v"] = shifted["v"].clip(real["v"].min(), real["v"].max())
    result = validate_frame(shifted, suite, "label")
    assert _failed(result) == {("expect_column_quantile_values_to_be_between", "v")}


def test_no_copy_expectation_against_a_reference():
    real = _real()
    reference = pd.concat(
        [real, real.assign(row_id=[10, 11, 12, 13, 14, 15], x=real["x"] + 0.5)],
        ignore_index=True,
    )
    suite = build_suite(real, "label", forbid_copies=True, copy_reference=reference)
    copy_of_other = pd.DataFrame({"row_id": [-1], "x": [0.5], "colour": ["red"], "label": [1]})
    result = validate_frame(copy_of_other, suite, "label")
    assert _failed(result) == {("expect_column_values_to_not_be_in_set", "__row_hash__")}
    # an integer-typed copy hashes like its float original
    int_copy = pd.DataFrame({"row_id": [-1], "x": [2], "colour": ["red"], "label": [1]})
    assert not validate_frame(int_copy, suite, "label").success


def test_suite_json_save_and_load_round_trip(tmp_path):
    suite = build_suite(_real(), "label", integer_columns="auto", forbid_copies=True)
    text = suite_to_json(suite)
    payload = json.loads(text)
    assert payload["name"] == "synthetic_realism"
    assert len(payload["expectations"]) == 6
    path = save_suite(suite, tmp_path / "suites" / "synthetic.json")
    assert path.read_text() == text
    assert [p.name for p in path.parent.iterdir()] == ["synthetic.json"]  # no temp file left
    loaded = gx.ExpectationSuite(**json.loads(path.read_text()))  # GX reads it back
    frame = pd.DataFrame(
        {"row_id": [-1, -2], "x": [0.0, 2.5], "colour": ["red", "blue"], "label": [1, 1]}
    )
    assert validate_frame(frame, loaded, "label").results == (
        validate_frame(frame, suite, "label").results
    )


def test_the_null_allowance_widens_for_a_small_minority():
    from smote_pipeline.core.oversample.expectations import _not_null

    small, large = _not_null("x", 2 / 18, 18), _not_null("x", 0.11, 10_000)
    # 3 binomial standard errors of 2/18 over 18 rows: 0.22 more than the real share
    assert small.mostly == pytest.approx(1 - (2 / 18 + 3 * np.sqrt(2 / 18 * 16 / 18 / 18)))
    assert large.mostly == pytest.approx(1 - 0.22)
    assert _not_null("x", 0.0, 18).mostly == 1.0
