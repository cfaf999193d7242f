from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.ingest.datasets import DIGITS_POSITIVE, DIGITS_TARGET, rare_digits
from smote_pipeline.core.ingest.ingestion import (
    MISSING_CATEGORY,
    TargetSpec,
    describe_dataset,
    ingest,
    prepare_dataset,
    read_source,
)
from smote_pipeline_tests.conftest import make_frame


def test_prepare_encodes_target_and_adds_row_ids(frame):
    out = prepare_dataset(frame, TargetSpec("label", "yes"))
    assert list(out.columns) == ["row_id", "a", "b", "c", "label"]
    assert out["row_id"].tolist() == list(range(len(frame)))
    assert out["label"].sum() == 30
    assert set(out["label"].unique()) == {0, 1}


def test_positive_label_matches_numbers_given_as_text():
    frame = make_frame(label_values=(0, 1))
    out = prepare_dataset(frame, TargetSpec("label", "1"))
    assert out["label"].sum() == 30


def test_missing_target_column_is_named(frame):
    with pytest.raises(ValueError, match=r"Target column 'outcome' is not in the data"):
        prepare_dataset(frame, TargetSpec("outcome", "yes"))


def test_single_class_is_refused(frame):
    with pytest.raises(ValueError, match="single class"):
        prepare_dataset(frame.assign(label="yes"), TargetSpec("label", "yes"))


def test_unknown_positive_label_lists_the_values(frame):
    with pytest.raises(ValueError, match=r"Positive label 'maybe' does not occur.*'no', 'yes'"):
        prepare_dataset(frame, TargetSpec("label", "maybe"))


def test_more_than_two_classes_needs_one_vs_rest(frame):
    frame.loc[:9, "label"] = "other"
    with pytest.raises(ValueError, match="one_vs_rest"):
        prepare_dataset(frame, TargetSpec("label", "yes"))
    out = prepare_dataset(frame, TargetSpec("label", "yes", one_vs_rest=True))
    assert out["label"].sum() == 30


def test_reserved_column_names_are_refused(frame):
    with pytest.raises(ValueError, match=r"\['row_id'\].*rename"):
        prepare_dataset(frame.assign(row_id=1), TargetSpec("label", "yes"))


def test_infinite_values_are_read_as_missing_counted_and_named(tmp_path, frame):
    """`inf` and `-inf` in a CSV: the rows stay, the values become missing, and the
    count per column is in the ingestion's record and its warnings."""
    frame.loc[3, "b"] = np.nan
    frame.loc[4, "c"] = np.inf
    frame.loc[5, "c"] = -np.inf
    path = tmp_path / "infinite.csv"
    frame.to_csv(path, index=False)
    ingested = ingest(read_source(str(path)), TargetSpec("label", "yes"))
    assert len(ingested.frame) == len(frame) and ingested.infinite == {"c": 2}
    assert ingested.frame.loc[[4, 5], "c"].isna().all() and ingested.frame["c"].notna().sum() == 328
    assert ingested.frame.loc[3, "b"] != ingested.frame.loc[3, "b"]  # missing stays missing
    (warning,) = [w for w in ingested.warnings() if "infinite" in w]
    assert "Column 'c' has 2 infinite value(s)" in warning


def test_missing_values_are_kept(frame):
    frame["colour"] = np.where(frame["a"] > 0, "red", "blue").astype(object)
    frame.loc[3, "b"] = np.nan
    frame.loc[[4, 7], "colour"] = None
    prepared = prepare_dataset(frame, TargetSpec("label", "yes"))
    assert np.isnan(prepared.loc[3, "b"]) and prepared["b"].isna().sum() == 1
    assert list(prepared.loc[[4, 7], "colour"]) == [MISSING_CATEGORY] * 2
    assert prepared["colour"].notna().all()


def test_fewer_positive_rows_than_the_split_needs_are_refused(frame):
    """Ingestion and the split state one minimum: 2 positives pass neither."""
    with pytest.raises(ValueError, match=r"Only 2 row\(s\) .* at least 3 are needed \(2 for"):
        prepare_dataset(frame.iloc[:302], TargetSpec("label", "yes"))
    assert prepare_dataset(frame.iloc[:303], TargetSpec("label", "yes"))["label"].sum() == 3


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_read_source_round_trips_files(tmp_path, frame, suffix):
    path = tmp_path / f"data{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    read = read_source(str(path))
    assert read.shape == frame.shape
    np.testing.assert_allclose(read["a"].to_numpy(), frame["a"].to_numpy())


def test_read_source_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_source(str(tmp_path / "nope.csv"))
    (tmp_path / "data.xlsx").write_text("x")
    with pytest.raises(ValueError, match=r"Unsupported file type '.xlsx'"):
        read_source(str(tmp_path / "data.xlsx"))
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="empty"):
        read_source(str(tmp_path / "empty.csv"))
    with pytest.raises(ValueError, match="Unknown embedded dataset 'iris'"):
        read_source("embedded:iris")


def test_embedded_demo_has_two_rare_subpopulations():
    data = rare_digits()
    rare = data[DIGITS_TARGET] == DIGITS_POSITIVE
    assert rare.sum() == 80
    assert len(data) == 1517
    assert data.drop(columns=DIGITS_TARGET).dtypes.eq(np.int64).all()
    pd.testing.assert_frame_equal(data, rare_digits())


def test_mixed_types_and_booleans_become_text_categories(frame):
    frame["mixed"] = [1, "1", "a"] * 110
    frame["flag"] = [True, False] * 165
    out = prepare_dataset(frame, TargetSpec("label", "yes"))
    assert sorted(out["mixed"].unique()) == ["1", "a"]
    assert sorted(out["flag"].unique()) == ["False", "True"]


def test_labels_are_trimmed_and_case_variants_are_refused(frame):
    spaced = frame.assign(label=frame["label"].where(frame.index % 2 == 0, frame["label"] + " "))
    out = prepare_dataset(spaced, TargetSpec("label", " yes"))
    assert out["label"].sum() == 30  # 'yes ' and ' yes' are 'yes'
    mixed = frame.copy()
    mixed.loc[mixed.index[-3:], "label"] = "Yes"
    with pytest.raises(ValueError, match=r"differ only in letter case: \[\['Yes', 'yes'\]\]"):
        prepare_dataset(mixed, TargetSpec("label", "yes", one_vs_rest=True))


def test_a_yaml_boolean_label_gets_a_hint(frame):
    with pytest.raises(ValueError, match=r"does not occur.*quote the label"):
        prepare_dataset(frame, TargetSpec("label", True))


def test_a_majority_positive_label_makes_the_rarer_class_class_1(frame):
    prepared = prepare_dataset(frame, TargetSpec("label", "no"))
    assert int(prepared["label"].sum()) == 30  # the `yes` rows: the rarer class
    assert prepared.attrs["positive_is_majority"]["positive_rows"] == 300


@pytest.mark.parametrize("blank", ["", "   ", "?", "NA", "null"])
@pytest.mark.parametrize("one_vs_rest", [False, True])
def test_every_spelling_of_no_label_is_refused_with_its_rows(tmp_path, frame, blank, one_vs_rest):
    """A CSV whose target has a few cells without a label (empty, spaces, a marker), read
    as the CLI reads it: the rows are named, never turned into a class or a negative."""
    labels = frame["label"].astype(object)
    labels.iloc[[3, 40, 325]] = blank  # 325: a positive row of the source system
    path = tmp_path / "blank_labels.csv"
    frame.assign(label=labels, kind=np.where(frame.index % 3, "x", "y")).to_csv(path, index=False)
    table = read_source(str(path))
    with pytest.raises(ValueError) as info:
        prepare_dataset(table, TargetSpec("label", "yes", one_vs_rest=one_vs_rest))
    message = str(info.value)
    assert "has 3 row(s) without a label" in message and "data rows 4, 41, 326" in message
    assert "one_vs_rest" in message and "'label'" in message


def test_a_marker_that_is_the_positive_label_is_a_label(frame):
    labelled = frame.assign(label=frame["label"].replace({"yes": "NA"}))
    out = prepare_dataset(labelled, TargetSpec("label", "NA"))
    assert out["label"].sum() == 30


def test_groups_of_identical_rows_with_both_labels_are_counted(frame):
    """Three negative rows copied with the positive label, one of them twice."""
    prepared = prepare_dataset(frame, TargetSpec("label", "yes"))
    copies = prepared.iloc[[0, 1, 2, 2]].assign(label=1)
    summary = describe_dataset(pd.concat([prepared, copies], ignore_index=True), "label")
    assert summary["conflicting_groups"] == 3 and summary["rows_in_conflicting_groups"] == 7
    assert describe_dataset(prepared, "label")["conflicting_groups"] == 0


@pytest.mark.parametrize("one_vs_rest", [False, True])
def test_a_header_line_repeated_inside_the_data_is_dropped_and_said(tmp_path, frame, one_vs_rest):
    """Two exports joined into one file: the second's header line sits among the data. It
    is dropped with its data row named, never read as a row or as a third label (which
    one_vs_rest would have made a negative)."""
    path = tmp_path / "joined.csv"
    first, second = frame.iloc[:100], frame.iloc[100:]
    path.write_text(first.to_csv(index=False) + second.to_csv(index=False), encoding="utf-8")
    ingested = ingest(read_source(str(path)), TargetSpec("label", "yes", one_vs_rest=one_vs_rest))
    assert len(ingested.frame) == len(frame)
    assert ingested.repeated_headers == (101,)
    assert ingested.frame.attrs["negative_labels"] == {"no": 300}
    np.testing.assert_allclose(ingested.frame["a"], frame["a"])
    (warning,) = [w for w in ingested.warnings() if "header" in w]
    assert "1 row(s) repeat the header line (data rows 101)" in warning


def test_the_conflicting_groups_travel_with_the_rows_to_the_report(tmp_path, frame):
    """Counted once at ingestion on a file's rows and kept in the frame's attrs, which the
    split's sides (and the hold-out's report) carry."""
    copies = frame.iloc[[0, 1, 2, 2]].assign(label="yes")
    path = tmp_path / "conflicting.csv"
    pd.concat([frame, copies], ignore_index=True).to_csv(path, index=False)
    ingested = ingest(read_source(str(path)), TargetSpec("label", "yes"))
    assert ingested.frame.attrs["conflicting_duplicates"] == {"groups": 3, "rows": 7}
    assert describe_dataset(ingested.frame, "label")["conflicting_groups"] == 3


def test_a_target_or_label_that_differs_only_in_case_gets_a_hint(frame):
    with pytest.raises(ValueError, match=r"did you mean 'label'\? names are matched exactly"):
        prepare_dataset(frame, TargetSpec("Label", "yes"))
    capital = frame.assign(label=frame["label"].str.capitalize())
    with pytest.raises(ValueError, match=r"Did you mean 'Yes'\? Labels are matched exactly"):
        prepare_dataset(capital, TargetSpec("label", "yes"))
