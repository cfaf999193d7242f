from __future__ import annotations

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import PARENT_A, PARENT_B, row_hashes
from smote_pipeline.core.holdout.isolation import check_isolation
from smote_pipeline.core.ingest.ingestion import TargetSpec, prepare_dataset
from smote_pipeline.core.ingest.split import split_holdout


def _split(frame):
    prepared = prepare_dataset(frame, TargetSpec("label", "yes"))
    parts = split_holdout(prepared, "label", holdout_fraction=0.25, random_state=0)
    return parts.training, parts.holdout


def test_row_hashes_ignore_integer_vs_float():
    ints = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    floats = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    np.testing.assert_array_equal(row_hashes(ints, ["x", "y"]), row_hashes(floats, ["x", "y"]))
    assert row_hashes(ints, ["x", "y"])[0] != row_hashes(ints, ["x", "y"])[1]


def test_clean_split_passes(frame):
    train, holdout = _split(frame)
    assert check_isolation(holdout, {"training_set": train}, "label").passed


def test_copied_holdout_row_is_caught_by_content(frame):
    train, holdout = _split(frame)
    leaked = holdout.iloc[[0]].assign(row_id=10_000)
    report = check_isolation(holdout, {"training_set": pd.concat([train, leaked])}, "label")
    assert not report.passed
    assert report.leaked_content == {"training_set": 1}
    assert report.leaked_ids == {"training_set": 0}


def test_holdout_id_and_parent_are_caught(frame):
    train, holdout = _split(frame)
    synthetic = train.iloc[:3].copy()
    synthetic["a"] += 100.0
    synthetic["row_id"] = [-1, -2, -3]
    synthetic[PARENT_A] = train["row_id"].iloc[:3].to_numpy()
    synthetic[PARENT_B] = [
        train["row_id"].iloc[3],
        holdout["row_id"].iloc[0],
        train["row_id"].iloc[4],
    ]
    moved = train.iloc[[5]].assign(row_id=holdout["row_id"].iloc[1])
    report = check_isolation(
        holdout,
        {"synthetic_samples": synthetic, "training_set": pd.concat([train, moved])},
        "label",
    )
    assert report.leaked_parents == {"synthetic_samples": 1}
    assert report.leaked_ids["training_set"] == 1
    assert not report.passed


def test_synthetic_row_equal_to_a_holdout_row_is_a_coincidence_not_a_leak(frame):
    # discrete data: interpolating training parents can land on a hold-out row's values
    train, holdout = _split(frame)
    synthetic = holdout.iloc[[0]].copy()
    synthetic["row_id"] = [-1]
    synthetic[PARENT_A] = train["row_id"].iloc[[0]].to_numpy()
    synthetic[PARENT_B] = train["row_id"].iloc[[1]].to_numpy()
    report = check_isolation(holdout, {"synthetic_samples": synthetic}, "label")
    assert report.synthetic_coincidences == {"synthetic_samples": 1}
    assert report.leaked_content == {"synthetic_samples": 0}
    assert report.passed
    # the same values on a real training row are a leak
    real = synthetic.assign(row_id=10_000)
    assert not check_isolation(holdout, {"training_set": real}, "label").passed


def test_a_row_an_earlier_run_held_out_is_caught_with_the_ledger(frame):
    prepared = prepare_dataset(frame, TargetSpec("label", "yes"))
    earlier = split_holdout(prepared, "label", holdout_fraction=0.25, random_state=0)
    # split afresh with another seed, as if the ledger had been lost
    fresh = split_holdout(prepared, "label", holdout_fraction=0.25, random_state=7)
    sides = {"training_set": fresh.training}
    assert check_isolation(fresh.holdout, sides, "label").passed
    report = check_isolation(fresh.holdout, sides, "label", ledger=earlier.ledger)
    moved = set(earlier.holdout["row_id"]) - set(fresh.holdout["row_id"])
    assert report.leaked_earlier == {"training_set": len(moved)} and moved
    assert report.ledger_holdout_groups == int(earlier.ledger.holdout.sum())
    assert not report.passed
    # the ledger this split wrote agrees with it
    assert check_isolation(fresh.holdout, sides, "label", ledger=fresh.ledger).passed


def test_a_ledger_whose_key_columns_are_gone_fails_the_check(frame):
    """A column the ledger hashed is missing from the training side (a stale ledger, the
    split never re-keyed it): no real row can be cleared, so the check fails."""
    prepared = prepare_dataset(frame, TargetSpec("label", "yes"))
    parts = split_holdout(prepared, "label", holdout_fraction=0.25, random_state=0)
    training, holdout = parts.training.drop(columns="c"), parts.holdout.drop(columns="c")
    report = check_isolation(holdout, {"training_set": training}, "label", parts.ledger)
    assert report.unmatched_by_ledger == {"training_set": len(training)}
    assert not report.passed
