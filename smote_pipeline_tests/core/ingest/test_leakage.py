from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from smote_pipeline.core.ingest.leakage import (
    LEAK_AVERAGE_PRECISION,
    LEAK_VALUE_PRECISION_BOUND,
    LeakScreen,
    screen_leaks,
)


def _sorted_by_label(n: int = 1000, positives: int = 200, seed: int = 0) -> pd.DataFrame:
    """A frame sorted by label (positives first), as some exports are."""
    rng = np.random.default_rng(seed)
    label = np.zeros(n, dtype=np.int8)
    label[:positives] = 1
    return pd.DataFrame(
        {
            "row_id": np.arange(n),
            "position": np.arange(n),
            "noisy": rng.normal(size=n) + 0.5 * label,
            "label": label,
        }
    )


def _figures(screen) -> dict[str, float]:
    return dict(zip(screen.columns["column"], screen.columns["average_precision"], strict=True))


def test_id_of_a_file_sorted_by_label_is_suspected_and_a_noisy_feature_is_not():
    screen = screen_leaks(_sorted_by_label(), "label")
    figures = _figures(screen)
    assert figures["position"] > LEAK_AVERAGE_PRECISION
    assert figures["noisy"] < 0.6
    assert screen.suspected == ["position"]
    assert list(screen.columns.columns) == ["column", "average_precision", "suspected"]
    assert screen.columns["suspected"].dtype == bool
    assert screen.threshold == LEAK_AVERAGE_PRECISION
    assert screen.rows_used == 1000


def test_categorical_copy_of_the_label_is_suspected():
    rng = np.random.default_rng(1)
    n = 800
    label = (rng.uniform(size=n) < 0.25).astype(np.int8)
    copy = np.where(label == 1, "p", "n").astype(object)
    copy[rng.choice(n, size=12, replace=False)] = "<missing>"
    frame = pd.DataFrame(
        {
            "row_id": np.arange(n),
            "outcome_code": copy,
            "colour": rng.choice(["red", "green", "blue"], size=n),
            "label": label,
        }
    )
    screen = screen_leaks(frame, "label")
    figures = _figures(screen)
    assert screen.suspected == ["outcome_code"]
    assert figures["outcome_code"] > 0.99
    assert figures["colour"] < 0.5


def test_non_monotone_separation_is_caught_by_the_bins():
    rng = np.random.default_rng(2)
    n = 2000
    value = rng.uniform(0.0, 100.0, size=n)
    label = ((value > 35.0) & (value < 65.0)).astype(np.int8)
    frame = pd.DataFrame({"row_id": np.arange(n), "middle": value, "label": label})
    # Not monotone: the raw value alone ranks the positives poorly.
    assert average_precision_score(label, value) < 0.5
    assert average_precision_score(label, -value) < 0.5
    screen = screen_leaks(frame, "label")
    assert _figures(screen)["middle"] > LEAK_AVERAGE_PRECISION
    assert screen.suspected == ["middle"]


def test_pure_noise_is_not_suspected_and_the_summary_is_json():
    rng = np.random.default_rng(3)
    n = 1000
    label = (rng.uniform(size=n) < 0.3).astype(np.int8)
    noise = rng.normal(size=n)
    noise[rng.choice(n, size=50, replace=False)] = np.nan
    frame = pd.DataFrame(
        {
            "row_id": np.arange(n),
            "noise": noise,
            "small_ints": rng.integers(0, 5, size=n),
            "constant": 7.0,
            "label": label,
        }
    )
    screen = screen_leaks(frame, "label")
    figures = _figures(screen)
    assert screen.suspected == []
    assert screen.warnings == []
    assert screen.message() == ""
    assert figures["noise"] < 0.5
    # A constant column ranks nothing: its figure is the positive rate.
    assert figures["constant"] == pytest.approx(round(label.mean(), 4))
    summary = json.loads(json.dumps(screen.to_dict()))
    assert summary["suspected"] == []
    assert summary["rows_used"] == n
    assert summary["threshold"] == LEAK_AVERAGE_PRECISION
    assert [record["column"] for record in summary["columns"]] == [
        "noise",
        "small_ints",
        "constant",
    ]
    assert all(record["suspected"] is False for record in summary["columns"])


def test_fewer_than_two_positives_gives_an_empty_screen():
    frame = _sorted_by_label(n=100, positives=1)
    screen = screen_leaks(frame, "label")
    assert screen.suspected == []
    assert screen.columns.empty
    assert list(screen.columns.columns) == ["column", "average_precision", "suspected"]
    assert screen.rows_used == 0
    assert screen.message() == ""
    assert json.loads(json.dumps(screen.to_dict()))["columns"] == []


def test_large_frame_is_sampled_and_the_leak_is_still_flagged():
    rng = np.random.default_rng(4)
    n = 50_000
    label = (rng.uniform(size=n) < 0.1).astype(np.int8)
    frame = pd.DataFrame(
        {
            "row_id": np.arange(n),
            # Recorded after the outcome: days until refund, 0 when there was none.
            "refund_days": np.where(label == 1, rng.integers(1, 30, size=n), 0),
            "noise": rng.normal(size=n),
            "label": label,
        }
    )
    screen = screen_leaks(frame, "label", max_rows=5_000)
    assert screen.rows_used == 5000
    assert screen.suspected == ["refund_days"]
    assert _figures(screen)["noise"] < 0.3


def test_message_names_the_column_and_the_spec_option():
    screen = screen_leaks(_sorted_by_label(), "label")
    (warning,) = screen.warnings
    assert "Column 'position' alone predicts the target almost perfectly" in warning
    assert "(average precision 1.000 on the training rows" in warning
    assert "`columns: {position: ignore}`" in warning
    assert screen.message() == warning


def test_suspected_columns_are_ordered_by_average_precision():
    frame = _sorted_by_label()
    frame["status"] = np.where(frame["label"] == 1, "closed", "open")
    # one negative row shares the positives' position range: still a leak, a little weaker
    frame.loc[frame.index[-1], "position"] = -1
    screen = screen_leaks(frame, "label")
    figures = _figures(screen)
    assert figures["status"] > figures["position"] >= LEAK_AVERAGE_PRECISION
    assert screen.suspected == ["status", "position"]
    assert len(screen.warnings) == 2
    assert "`columns: {status: ignore}`" in screen.warnings[0]


def test_screen_is_deterministic_for_a_fixed_seed():
    frame = _sorted_by_label()
    first = screen_leaks(frame, "label", random_state=7, max_rows=600)
    second = screen_leaks(frame, "label", random_state=7, max_rows=600)
    pd.testing.assert_frame_equal(first.columns, second.columns)
    assert first.rows_used == second.rows_used == 600


def test_target_must_be_encoded_zero_one():
    frame = _sorted_by_label().assign(label=lambda f: f["label"] * 2)
    with pytest.raises(ValueError, match="0/1"):
        screen_leaks(frame, "label")


def test_a_sorted_id_is_caught_when_positives_are_rare():
    """The binned figure alone misses it at 2% positives; the ranking does not."""
    n = 5000
    y = np.r_[np.ones(100), np.zeros(n - 100)].astype(np.int8)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"row_id": np.arange(n), "order": np.arange(n) * 3.0, "noise": rng.normal(size=n), "y": y}
    )
    screen = screen_leaks(frame, "y", random_state=0)
    assert screen.suspected == ["order"]


# --- The category-value screen ---------------------------------------------------------


def _claims(
    n: int = 200, positives: int = 20, marked: int = 18, marked_negatives: int = 0, seed: int = 0
) -> pd.DataFrame:
    """``status`` is ``chargeback`` on ``marked`` positives and ``marked_negatives``
    negatives, otherwise open/closed/pending at random; rows shuffled."""
    rng = np.random.default_rng(seed)
    label = np.zeros(n, dtype=np.int8)
    label[:positives] = 1
    status = rng.choice(["open", "closed", "pending"], size=n).astype(object)
    status[:marked] = "chargeback"
    status[positives : positives + marked_negatives] = "chargeback"
    frame = pd.DataFrame(
        {"amount": rng.normal(size=n) + 0.3 * label, "status": status, "label": label}
    )
    frame = frame.iloc[rng.permutation(n)].reset_index(drop=True)
    return frame.assign(row_id=np.arange(n))[["row_id", "amount", "status", "label"]]


def _values(screen) -> list[tuple]:
    table = screen.leaking_values
    return list(
        zip(table["column"], table["value"], table["positives"], table["rows"], strict=True)
    )


def test_a_value_marking_most_positives_is_flagged_though_the_column_figure_is_not():
    """The issue's case: `status` = 'chargeback' on 18 of 20 positives and no negative."""
    screen = screen_leaks(_claims(), "label")
    assert _figures(screen)["status"] < LEAK_AVERAGE_PRECISION
    assert screen.average_precision_suspects == []
    assert _values(screen) == [("status", "chargeback", 18, 18)]
    (record,) = screen.leaking_values.to_dict(orient="records")
    assert record["share"] == pytest.approx(0.9)
    assert record["precision"] == 1.0
    assert LEAK_VALUE_PRECISION_BOUND <= record["precision_bound"] < 1.0
    assert screen.suspected == ["status"]
    (warning,) = screen.warnings
    assert warning.startswith(
        "`status` = 'chargeback' marks 18 of 20 positive training rows (precision 1.00): "
    )
    assert "`columns: {status: ignore}`" in warning
    assert screen.value_findings == [warning.split(": ", 1)[0]]
    assert screen.message() == warning


def test_a_value_on_almost_no_negative_is_flagged():
    screen = screen_leaks(_claims(n=400, positives=40, marked=38, marked_negatives=1), "label")
    (record,) = screen.leaking_values.to_dict(orient="records")
    assert (record["positives"], record["rows"]) == (38, 39)
    assert record["precision"] == pytest.approx(38 / 39)
    assert "marks 38 of 40 positive training rows (precision 0.97)" in screen.message()


@pytest.mark.parametrize(
    ("n", "positives", "marked", "marked_negatives", "why"),
    [
        (200, 20, 16, 11, "precision 0.59: informative, not a leak"),
        (200, 20, 18, 2, "precision 0.90: below 0.95"),
        (500, 50, 10, 0, "perfect precision on only 20% of the positives"),
        (60, 4, 2, 0, "2 positives: too little support"),
        (120, 10, 8, 0, "8 rows: the Wilson bound stays below 0.75"),
    ],
)
def test_values_that_are_not_leaks_are_not_flagged(n, positives, marked, marked_negatives, why):
    screen = screen_leaks(_claims(n, positives, marked, marked_negatives), "label")
    assert screen.leaking_values.empty, why
    assert "status" not in screen.suspected, why
    assert screen.message() == "", why
    assert list(screen.leaking_values.columns) == [
        "column",
        "value",
        "positives",
        "rows",
        "share",
        "precision",
        "precision_bound",
    ]


def test_nine_rows_of_positives_are_enough_support():
    """The bound's minimum support: 9 positive rows and no negative (8 are not: above)."""
    screen = screen_leaks(_claims(n=120, positives=10, marked=9), "label")
    assert _values(screen) == [("status", "chargeback", 9, 9)]
    assert screen.leaking_values["precision_bound"].iloc[0] == pytest.approx(0.7689, abs=1e-4)


def test_a_numeric_code_is_screened_as_before_and_its_text_form_by_value():
    """The value screen reads categorical columns only; a numeric column keeps its figure."""
    frame = _claims()
    codes = {"chargeback": 3, "open": 0, "closed": 1, "pending": 2}
    numeric = frame.assign(status=frame["status"].map(codes).astype(np.int64))
    as_numbers = screen_leaks(numeric, "label")
    assert as_numbers.leaking_values.empty
    assert as_numbers.suspected == []
    without = screen_leaks(numeric.drop(columns="status"), "label")
    pd.testing.assert_frame_equal(
        as_numbers.columns[as_numbers.columns["column"] == "amount"].reset_index(drop=True),
        without.columns,
    )
    as_text = screen_leaks(numeric.assign(status=numeric["status"].astype(str)), "label")
    assert _values(as_text) == [("status", "3", 18, 18)]


@pytest.mark.parametrize("dtype", ["object", "category", "string"])
def test_every_categorical_dtype_is_screened(dtype):
    frame = _claims()
    screen = screen_leaks(frame.assign(status=frame["status"].astype(dtype)), "label")
    assert _values(screen) == [("status", "chargeback", 18, 18)]


def test_a_boolean_flag_is_screened_by_value():
    frame = _claims()
    flag = frame["status"].eq("chargeback")
    screen = screen_leaks(frame.drop(columns="status").assign(refunded=flag), "label")
    assert _values(screen) == [("refunded", "True", 18, 18)]
    assert "`refunded` = 'True' marks 18 of 20" in screen.message()


def test_many_levels_flag_only_the_leaking_value():
    rng = np.random.default_rng(5)
    n = 3000
    frame = _claims(n=n, positives=150, marked=120, seed=5)
    # 400 merchants: each positive row's merchant is rare, none marks half the positives
    frame["merchant"] = rng.integers(0, 400, size=n).astype(str)
    # a near-unique reference: every value on one or two rows
    frame["reference"] = [f"r{i // 2}" for i in rng.permutation(n)]
    frame["status"] = frame["status"].where(frame["status"] == "chargeback", frame["merchant"])
    screen = screen_leaks(frame, "label")
    assert _values(screen) == [("status", "chargeback", 120, 120)]
    assert screen.suspected == ["status"]


def test_missing_values_count_as_rows_and_missingness_itself_can_leak():
    frame = _claims(seed=6)
    rng = np.random.default_rng(6)
    # missing cells scattered over both classes do not hide the leaking value
    gaps = rng.choice(np.flatnonzero(frame["status"] != "chargeback"), size=40, replace=False)
    with_gaps = frame.assign(status=frame["status"].where(~frame.index.isin(gaps)))
    assert with_gaps["status"].isna().sum() == 40
    assert _values(screen_leaks(with_gaps, "label")) == [("status", "chargeback", 18, 18)]
    # a field left empty on 18 of 20 positives, and filled on every negative
    empty = frame.assign(status=frame["status"].where(frame["status"] != "chargeback"))
    screen = screen_leaks(empty, "label")
    assert _values(screen) == [("status", None, 18, 18)]
    assert screen.message().startswith("`status` = <missing> marks 18 of 20 positive")


def test_a_leaking_value_of_a_column_already_suspected_is_kept_but_not_repeated():
    rng = np.random.default_rng(1)
    label = (rng.uniform(size=800) < 0.25).astype(np.int8)
    copy = pd.Series(np.where(label == 1, "p", "n"))
    frame = pd.DataFrame({"row_id": np.arange(800), "outcome_code": copy, "label": label})
    screen = screen_leaks(frame, "label")
    assert screen.average_precision_suspects == ["outcome_code"]
    assert list(screen.leaking_values["column"]) == ["outcome_code"]
    assert screen.leaking_values["value"].tolist() == ["p"]
    assert screen.value_findings == []
    (warning,) = screen.warnings
    assert warning.startswith("Column 'outcome_code' alone predicts the target")


def test_category_values_use_the_screened_sample():
    frame = _claims(n=50_000, positives=5_000, marked=4_000, seed=8)
    screen = screen_leaks(frame, "label", max_rows=5_000)
    assert screen.rows_used == 5_000
    (record,) = screen.leaking_values.to_dict(orient="records")
    assert record["rows"] == record["positives"] < 5_000
    assert round(record["positives"] / record["share"]) == 500
    assert record["share"] == pytest.approx(0.8, abs=0.05)


def test_leaking_values_round_trip_and_old_files_have_none():
    frame = _claims()
    frame["refund_note"] = frame["status"].where(frame["status"] != "chargeback")
    screen = screen_leaks(frame.drop(columns="status"), "label")
    assert _values(screen) == [("refund_note", None, 18, 18)]
    stored = json.loads(json.dumps(screen.to_dict()))
    assert stored["leaking_values"][0]["value"] is None
    assert stored["suspected"] == ["refund_note"]
    again = LeakScreen.from_dict(stored)
    pd.testing.assert_frame_equal(again.leaking_values, screen.leaking_values)
    assert again.columns.to_dict(orient="records") == screen.columns.to_dict(orient="records")
    assert again.warnings == screen.warnings == stored["warnings"]
    old = {k: v for k, v in stored.items() if k != "leaking_values"}
    before = LeakScreen.from_dict(old)
    assert before.leaking_values.empty
    assert before.leaking_values.dtypes.to_dict() == screen.leaking_values.dtypes.to_dict()
    assert before.suspected == [] and before.message() == ""


def test_too_few_rows_give_no_leaking_values():
    frame = _claims(n=100, positives=1, marked=1)
    screen = screen_leaks(frame, "label")
    assert screen.leaking_values.empty and screen.rows_used == 0
    assert json.loads(json.dumps(screen.to_dict()))["leaking_values"] == []
