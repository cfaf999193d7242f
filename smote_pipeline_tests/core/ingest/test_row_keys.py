"""Entities and time: the promises in the user's words.

- "every row of an entity is on one side", on entity tables drawn adversarially
  (one-row entities, entities with dozens of rows, rows without an entity, the
  positives packed in a few entities), and still after rows are appended;
- "every hold-out row is later than every training row", with many rows per
  timestamp, rows without a time and the positives all early;
- cross-validation folds never split an entity or a block of time;
- the bad inputs get an error naming the column and the fix, or a defined behaviour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import GROUP_KEY, TIME_KEY, feature_columns
from smote_pipeline.core.holdout import evaluation, isolation
from smote_pipeline.core.ingest.ingestion import TargetSpec, ingest
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.plan import cv_groups, cv_splits

OPTIONS = PipelineOptions()


def _entity_table(seed: int, n_entities: int, lone_rows: int = 0) -> pd.DataFrame:
    """Entities with 1 to 40 rows (heavy-tailed), a per-entity effect, a few entities
    holding most positives, and ``lone_rows`` rows without an entity."""
    rng = np.random.default_rng(seed)
    sizes = np.minimum(rng.geometric(0.15, n_entities), 40)
    entity = np.repeat(np.arange(n_entities), sizes)
    risky = rng.random(n_entities) < 0.2
    y = rng.random(len(entity)) < np.where(risky[entity], 0.5, 0.02)
    frame = pd.DataFrame(
        {
            "customer": [f"c{e}" for e in entity],
            "x": rng.normal(size=len(entity)) + 2 * risky[entity],
            "noise": rng.normal(size=len(entity)),
            "label": np.where(y, "yes", "no"),
        }
    )
    if lone_rows:
        lone = frame.sample(lone_rows, random_state=seed).assign(customer=None)
        frame = pd.concat([frame, lone], ignore_index=True)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _split(frame: pd.DataFrame, ledger=None, **keys):
    raw = ingest(frame, TargetSpec("label", "yes", **keys)).frame
    return raw, pipeline.split_holdout(raw, "label", OPTIONS, ledger)


def _shared_entities(parts) -> set:
    return set(parts.training[GROUP_KEY].dropna()) & set(parts.holdout[GROUP_KEY].dropna())


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), n_entities=st.integers(30, 120), lone=st.integers(0, 15))
def test_no_entity_is_on_both_sides_even_after_rows_are_appended(seed, n_entities, lone):
    frame = _entity_table(seed, n_entities, lone)
    first = frame.iloc[: len(frame) * 2 // 3]
    _, before = _split(first, group_column="customer")
    assert not _shared_entities(before)
    _, after = _split(frame, before.ledger, group_column="customer")
    assert not _shared_entities(after)
    held_before = set(before.holdout[GROUP_KEY].dropna())
    assert held_before <= set(after.holdout[GROUP_KEY].dropna())  # an entity keeps its side
    assert not feature_columns(after.training, "label").count("customer")


def test_identical_rows_of_two_entities_are_two_rows_and_the_check_agrees():
    """Two customers with the same values are two rows: the split may put them on both
    sides, and the isolation check does not call that a leak; an entity on both sides
    it does."""
    frame = _entity_table(0, 80)
    twins = frame.assign(customer=frame["customer"] + "-twin")
    raw, parts = _split(pd.concat([frame, twins], ignore_index=True), group_column="customer")
    report = isolation.check_isolation(parts.holdout, {"t": parts.training}, "label", parts.ledger)
    assert report.passed, report
    moved = parts.holdout.iloc[:3].assign(row_id=lambda f: f["row_id"] + 10**6)
    leaky = pd.concat([parts.training, moved], ignore_index=True)
    report = isolation.check_isolation(parts.holdout, {"t": leaky}, "label", parts.ledger)
    assert not report.passed and report.leaked_entities["t"] >= 3


def _timed_table(seed: int, n: int, days: int, undated: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day = rng.integers(0, days, n)  # many rows share each day
    y = rng.random(n) < 0.1
    frame = pd.DataFrame(
        {
            "when": (pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D")).astype(str),
            "x": rng.normal(size=n) + y,
            "label": np.where(y, "yes", "no"),
        }
    )
    frame.loc[frame.index[:undated], "when"] = None
    return frame


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), days=st.integers(3, 200), undated=st.integers(0, 20))
def test_every_holdout_row_is_later_than_every_training_row(seed, days, undated):
    frame = _timed_table(seed, 400, days, undated)
    raw, parts = _split(frame, time_column="when")
    assert parts.training[TIME_KEY].max() < parts.holdout[TIME_KEY].min()
    dated = raw[TIME_KEY].notna()
    assert len(parts.training) + len(parts.holdout) == dated.sum()  # undated: neither side
    assert parts.facts["rows_without_time"] == len(raw) - dated.sum()
    cut = pd.Timestamp(parts.facts["cut"])
    assert (raw.loc[dated, TIME_KEY] >= cut).sum() == len(parts.holdout)  # a whole timestamp


def test_the_cut_moves_back_when_the_latest_rows_hold_no_positive():
    frame = _timed_table(1, 400, 100)
    late = pd.to_datetime(frame["when"]) >= pd.Timestamp("2024-03-15")
    frame.loc[late, "label"] = "no"
    _, parts = _split(frame, time_column="when")
    assert parts.holdout["label"].sum() >= 1
    assert "moved back" in parts.facts["cut_moved"]
    assert parts.training[TIME_KEY].max() < parts.holdout[TIME_KEY].min()


def test_time_and_entity_together_keep_both_promises_or_say_why_not():
    frame = _entity_table(2, 150)
    rng = np.random.default_rng(2)
    frame["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 300, len(frame)), "D"
    )
    first_seen = frame.groupby("customer")["when"].transform("min")
    frame["when"] = first_seen + (frame["when"] - first_seen) / 20  # entities arrive over time
    _, parts = _split(frame, group_column="customer", time_column="when")
    assert parts.training[TIME_KEY].max() < parts.holdout[TIME_KEY].min()
    assert not _shared_entities(parts) and parts.facts["entities_on_both_sides"] == 0
    fixed = frame.assign(
        when=pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(frame)), "h")
    )
    _, parts = _split(fixed.assign(customer=fixed["customer"].str[:2]), group_column="customer",
                      time_column="when")  # fmt: skip
    assert parts.facts["entities_on_both_sides"] > 0  # a fixed population: said, not hidden
    assert parts.training[TIME_KEY].max() < parts.holdout[TIME_KEY].min()


def test_folds_never_split_an_entity_or_a_block_of_time():
    raw, parts = _split(_entity_table(3, 100), group_column="customer")
    groups = cv_groups(parts.training, 5)
    y = parts.training["label"].to_numpy()
    splits = cv_splits(y, n_folds=5, n_repeats=2, random_state=0, groups=groups)
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
    assert not np.array_equal(splits[0][1], splits[len(splits) // 2][1])  # repeats reshuffle
    _, timed = _split(_timed_table(4, 500, 30), time_column="when")
    blocks = cv_groups(timed.training, 5)
    times = timed.training[TIME_KEY].to_numpy()
    for block in np.unique(blocks):  # a block is a contiguous stretch of time
        inside = times[blocks == block]
        outside = times[blocks != block]
        between = (outside >= inside.min()) & (outside <= inside.max())
        assert not between.any()


def test_few_positive_entities_make_the_verdict_say_the_evidence_is_too_small():
    holdout = pd.DataFrame(
        {GROUP_KEY: ["a"] * 30 + ["b"] * 30 + ["c"] * 40, "label": [1] * 60 + [0] * 40}
    )
    assert evaluation.positive_units(holdout, "label") == (2, "entities with a positive row")
    summary = evaluation.verdict_summary(
        [{"strategy": "random_forest/smote", "difference": 0.1, "verdict": "helped"}],
        *evaluation.positive_units(holdout, "label"),
        baseline="random_forest/no_resampling",
    )
    assert summary["overall"] == evaluation.UNDECIDED and "2 entities" in summary["text"]


@pytest.mark.parametrize(
    ("keys", "change", "words"),
    [
        ({"time_column": "when"}, lambda f: f.assign(when=["2024-01-01", "soon", *f["when"][2:]]),
         ["time_column", "'when'", "soon"]),
        ({"time_column": "when"}, lambda f: f.assign(when="2024-05-05"),
         ["time_column", "same time", "Remove"]),
        ({"group_column": "label"}, lambda f: f, ["group_column", "target column"]),
        ({"group_column": "client"}, lambda f: f, ["group_column", "'client'", "not a column"]),
        ({"group_column": "when", "time_column": "when"}, lambda f: f, ["both name"]),
    ],
)  # fmt: skip
def test_bad_keys_are_refused_naming_the_column_and_the_fix(keys, change, words):
    frame = change(_timed_table(5, 200, 50))
    with pytest.raises(ValueError) as error:
        _split(frame, **keys)
    for word in words:
        assert word in str(error.value)


def test_a_key_column_is_a_feature_only_when_the_user_says_so():
    frame = _timed_table(6, 200, 50).assign(shop=lambda f: np.where(f.index % 2, "a", "b"))
    plain = ingest(frame, TargetSpec("label", "yes", group_column="shop")).frame
    assert "shop" not in plain.columns and plain[GROUP_KEY].nunique() == 2
    chosen = ingest(frame, TargetSpec("label", "yes", group_column="shop"), {"shop": "categorical"})
    assert "shop" in feature_columns(chosen.frame, "label")
    everyone_positive = frame.assign(shop=np.where(frame["label"] == "yes", "p", "n"))
    with pytest.raises(ValueError) as error:  # every positive in one entity: said, with the fix
        _split(everyone_positive, group_column="shop")
    assert "1 with a positive row" in str(error.value) and "group_column" in str(error.value)


def test_the_gate_compares_two_models_only_on_rows_later_than_both_trained_on():
    """The promoted model trained until late (a small hold-out); the next run cuts
    earlier (a larger one). Hold-out rows before the promoted model's last training
    row are rows it saw: the gate leaves them out."""
    options = PipelineOptions().updated(
        {"models": ["logistic_regression"], "strategies": ["no_resampling", "smote"],
         "cv_folds": 3, "n_bootstrap": 200, "holdout_fraction": 0.15}
    )  # fmt: skip
    frame = _timed_table(9, 900, 300)
    target = TargetSpec("label", "yes", time_column="when")
    first = pipeline.run(frame, target, options)
    until = pd.Timestamp(first.promoted_model.promoted_version.profile.trained_until)
    assert until == first.training_set[TIME_KEY].max()
    wider = options.updated({"holdout_fraction": 0.4})
    second = pipeline.run(frame, target, wider, previous=first.promoted_model)
    later = int((second.holdout_set[TIME_KEY] > until).sum())
    assert second.training_set[TIME_KEY].max() < second.holdout_set[TIME_KEY].min()
    assert 0 < later < len(second.holdout_set)
    assert second.promoted_model.comparison["holdout_rows"] == later
