from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.columns import ROW_ID, feature_columns, row_hashes
from smote_pipeline.core.ingest.ingestion import TargetSpec, prepare_dataset
from smote_pipeline.core.ingest.split import HoldoutLedger, split_holdout
from smote_pipeline_tests.conftest import make_frame


@pytest.fixture
def prepared(frame):
    return prepare_dataset(frame, TargetSpec("label", "yes"))


def _split(frame, fraction=0.25, seed=1, ledger=None, earlier=None):
    return split_holdout(
        frame,
        "label",
        holdout_fraction=fraction,
        random_state=seed,
        ledger=ledger,
        earlier=earlier,
    )


def _hashes(frame):
    return set(row_hashes(frame, feature_columns(frame, "label")).tolist())


def test_split_is_disjoint_exactly_stratified_and_seeded(prepared):
    parts = _split(prepared)
    train, holdout = parts.training, parts.holdout
    assert len(train) + len(holdout) == len(prepared)
    assert not set(train[ROW_ID]) & set(holdout[ROW_ID])
    assert holdout["label"].sum() == round(0.25 * 30)
    assert (holdout["label"] == 0).sum() == round(0.25 * 300)
    assert train.equals(_split(prepared).training)
    assert not train[ROW_ID].equals(_split(prepared, seed=2).training[ROW_ID])
    assert (parts.known_rows, parts.new_rows) == (0, len(prepared))


def test_duplicate_rows_stay_on_one_side(prepared):
    duplicated = prepared.copy()
    features = ["a", "b", "c"]
    duplicated.loc[10:59, features] = duplicated.loc[0:49, features].to_numpy()
    parts = _split(duplicated, fraction=0.3, seed=0)
    train_rows = {tuple(r) for r in parts.training[features].to_numpy()}
    holdout_rows = {tuple(r) for r in parts.holdout[features].to_numpy()}
    assert not train_rows & holdout_rows


def test_the_side_of_a_row_does_not_depend_on_its_position(prepared):
    shuffled = prepared.sample(frac=1.0, random_state=3)
    assert _hashes(_split(shuffled).holdout) == _hashes(_split(prepared).holdout)


def test_appended_rows_never_move_an_earlier_holdout_row_into_training():
    first = prepare_dataset(make_frame(200, 12, seed=0), TargetSpec("label", "yes"))
    earlier = _split(first)
    grown = prepare_dataset(
        pd.concat([make_frame(200, 12, seed=0), make_frame(400, 30, seed=5)], ignore_index=True),
        TargetSpec("label", "yes"),
    )
    later = _split(grown, ledger=HoldoutLedger.from_frame(earlier.ledger.to_frame()))
    assert _hashes(earlier.holdout) <= _hashes(later.holdout)
    assert _hashes(earlier.training) <= _hashes(later.training)
    assert (later.known_rows, later.new_rows) == (len(first), len(grown) - len(first))
    positives = later.holdout["label"].sum() / grown["label"].sum()
    assert abs(positives - 0.25) < 0.05  # the new rows refill the class share
    # Without the ledger the rank rule alone would have moved some of them.
    fresh = _split(grown)
    assert _hashes(earlier.holdout) - _hashes(fresh.holdout)


def test_a_changed_fraction_applies_to_new_rows_only(prepared):
    earlier = _split(prepared)
    again = _split(prepared, fraction=0.5, ledger=earlier.ledger)
    assert _hashes(again.holdout) == _hashes(earlier.holdout)


def test_too_few_positives_names_holdout_fraction(prepared):
    tiny = prepared[(prepared["label"] == 0) | (prepared.index.isin(np.arange(300, 302)))]
    with pytest.raises(ValueError, match="holdout_fraction"):
        _split(tiny, fraction=0.5, seed=0)


def test_a_ledger_that_leaves_training_too_few_positives_says_so(prepared):
    earlier = _split(prepared)
    held = prepared[(prepared["label"] == 0) | prepared[ROW_ID].isin(earlier.holdout[ROW_ID])]
    with pytest.raises(ValueError, match="delete it to split every row afresh"):
        _split(held, ledger=earlier.ledger)


def test_the_ledger_reads_back_what_it_stored(prepared):
    ledger = _split(prepared).ledger
    back = HoldoutLedger.from_frame(ledger.to_frame().iloc[::-1])
    np.testing.assert_array_equal(back.hashes, ledger.hashes)
    np.testing.assert_array_equal(back.holdout, ledger.holdout)
    assert len(HoldoutLedger.from_frame(None)) == 0


def test_a_column_that_becomes_a_feature_later_keeps_every_side(prepared):
    earlier = _split(prepared.drop(columns="c"))
    later = _split(prepared, ledger=earlier.ledger)
    assert later.rekeyed is None and later.known_rows == len(prepared)
    assert set(later.holdout[ROW_ID]) == set(earlier.holdout[ROW_ID])
    assert later.ledger.columns == ("a", "b")


def _with_duplicate_pairs(prepared):
    """``prepared`` plus, for 40 rows, a copy that differs only in column ``c``."""
    twins = prepared.iloc[::8].assign(c=lambda f: f["c"] + 1.0)
    grown = pd.concat([prepared, twins], ignore_index=True)
    return grown.assign(**{ROW_ID: np.arange(len(grown))})


def test_a_dropped_column_matches_earlier_rows_on_the_columns_they_share(prepared):
    """Column ``c`` disappears from the source. Rows that differed only in ``c`` are now
    identical; every row an earlier run held out stays in the hold-out, with the rows
    that now equal it, and the rest keep their sides."""
    grown = _with_duplicate_pairs(prepared)
    earlier = _split(grown, seed=3)
    sides = (earlier.holdout, earlier.training)
    later = _split(grown.drop(columns="c"), ledger=earlier.ledger, earlier=lambda: sides)
    held_before = set(earlier.holdout[ROW_ID])
    assert held_before <= set(later.holdout[ROW_ID])
    moved = set(later.holdout[ROW_ID]) - held_before
    assert moved  # twins split across sides before now share one: the hold-out's
    shared = ["a", "b"]
    holdout_content = set(row_hashes(later.holdout, shared).tolist())
    assert not set(row_hashes(later.training, shared).tolist()) & holdout_content
    assert set(later.training[ROW_ID]) == set(earlier.training[ROW_ID]) - moved
    assert later.ledger.columns == ("a", "b") and later.known_rows == len(grown)
    assert f"{len(moved)} training groups now equal to a hold-out row" in later.rekeyed
    assert "matched on the 2 columns they still share" in later.rekeyed


@pytest.mark.parametrize("stored", [False, True])
def test_when_earlier_rows_cannot_be_matched_the_split_is_refused(prepared, stored):
    """Without the earlier sides, or when the unit changes to entities, no earlier row
    can be matched: the split refuses and names the reset command."""
    earlier = _split(prepared)
    sides = (earlier.holdout, earlier.training) if stored else (None, None)
    changed = prepared.drop(columns="c")
    if stored:  # the unit changes: rows are now kept whole per entity
        changed = changed.assign(group_key=changed[ROW_ID] // 3)
    with pytest.raises(ValueError) as info:
        _split(changed, ledger=earlier.ledger, earlier=lambda: sides)
    message = str(info.value)
    assert "'c'" in message and "cli.ledger PIPELINE --reset" in message
    reason = "unit changed" if stored else "stored sides are missing"
    assert reason in message


def _repeat(frame, row, times, positives):
    """``frame`` plus ``times`` copies of its ``row`` (features), the first ``positives``
    of them labelled 1, with fresh row ids."""
    copies = pd.concat([frame.iloc[[row]]] * times, ignore_index=True)
    copies["label"] = [1] * positives + [0] * (times - positives)
    grown = pd.concat([frame, copies], ignore_index=True)
    return grown.assign(**{ROW_ID: np.arange(len(grown))})


@pytest.mark.parametrize("seed", range(6))
def test_a_large_group_of_identical_rows_with_both_labels_does_not_swell_the_holdout(
    prepared, seed
):
    """One row occurring 40 times, 20 of them positive: whichever side it lands on,
    each class's hold-out holds holdout_fraction of its rows, within one row."""
    grown = _repeat(prepared, 0, 40, 20)
    parts = _split(grown, seed=seed)
    for label, total in ((1, 30 + 20), (0, 300 + 20)):
        held = int((parts.holdout["label"] == label).sum())
        assert abs(held - 0.25 * total) <= 1, (label, held, total)
    assert abs(parts.facts["holdout_share_positive"] - 0.25) <= 1 / 50
    assert "holdout_share_note" not in parts.facts
    assert len(parts.holdout) + len(parts.training) == len(grown)


def test_a_share_that_whole_groups_cannot_keep_is_stated_with_the_reason(prepared):
    """Twelve positive rows: a row six times, another five times, one alone. Training
    needs two positive groups, so the hold-out can only take the single row: 1 of 12
    (8%), not 25%, and the split says so, and why, in its facts and on the hold-out
    (where the report reads it)."""
    negatives = prepared[prepared["label"] == 0].reset_index(drop=True)
    positives = prepared[prepared["label"] == 1].head(3).reset_index(drop=True)
    base = pd.concat([negatives, positives], ignore_index=True)  # positives at 300-302
    grown = _repeat(_repeat(base, 300, 5, 5), 301, 4, 4)
    assert grown["label"].sum() == 12
    parts = _split(grown)
    note = parts.facts["holdout_share_note"]
    assert int(parts.holdout["label"].sum()) == 1
    assert "1 of the 12 positive rows (8%, not holdout_fraction 25%)" in note
    assert "the largest group has 6 of these rows" in note
    assert parts.holdout.attrs["split_note"] == note


def test_positive_rows_that_share_their_features_with_negatives_are_still_stratified(prepared):
    """21 positive rows, each identical in its features to a negative row: a group with
    a positive row is of the positive class, so the hold-out still gets its share of
    them (previously the split refused)."""
    negatives = prepared[prepared["label"] == 0].reset_index(drop=True)
    copies = negatives.head(21).assign(label=1)
    mixed = pd.concat([negatives, copies], ignore_index=True).assign(row_id=lambda f: f.index)
    parts = _split(mixed)
    assert int(parts.holdout["label"].sum()) == round(0.25 * 21)
    assert abs(int((parts.holdout["label"] == 0).sum()) - 0.25 * 300) <= 1


def test_when_too_few_positive_groups_remain_the_error_counts_them(prepared):
    """Three positive rows in two groups, both also holding a negative row: no
    stratified split exists, and the error counts rows, groups and mixed groups."""
    negatives = prepared[prepared["label"] == 0].reset_index(drop=True)
    mixed = _repeat(_repeat(negatives, 0, 2, 2), 1, 1, 1)
    with pytest.raises(ValueError) as info:
        _split(mixed)
    message = str(info.value)
    assert "3 positive rows in 2 groups, 2 of them also holding negative rows" in message
