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


def _split(frame, fraction=0.25, seed=1, ledger=None):
    return split_holdout(
        frame, "label", holdout_fraction=fraction, random_state=seed, ledger=ledger
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
    assert later.reset is None and later.known_rows == len(prepared)
    assert set(later.holdout[ROW_ID]) == set(earlier.holdout[ROW_ID])
    assert later.ledger.columns == ("a", "b")


def test_a_ledger_whose_column_is_gone_is_reset_with_the_reason(prepared):
    earlier = _split(prepared)
    later = _split(prepared.drop(columns="c"), ledger=earlier.ledger)
    assert "no longer are its key (c:" in later.reset
    assert later.known_rows == 0 and later.ledger.columns == ("a", "b")


def test_when_every_positive_shares_its_row_with_a_negative_the_error_counts_them(prepared):
    """21 positive rows, each identical in its features to a negative row: the split
    cannot stratify them, and its error says how many positives there are, and why."""
    negatives = prepared[prepared["label"] == 0].reset_index(drop=True)
    copies = negatives.head(21).assign(label=1)
    mixed = pd.concat([negatives, copies], ignore_index=True).assign(row_id=lambda f: f.index)
    with pytest.raises(ValueError) as info:
        _split(mixed)
    message = str(info.value)
    assert "300 groups of identical rows" in message
    assert "21 positive rows in 21 groups, 21 of them also holding negative rows" in message
