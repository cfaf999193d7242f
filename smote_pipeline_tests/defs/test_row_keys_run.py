"""Real materializations with ``group_column``, ``time_column`` and ``segment_columns``:
what is stored, what the UI and the report show, and the isolation check, across a
rerun on appended rows."""

from __future__ import annotations

from dataclasses import replace

import dagster as dg
import numpy as np
import pandas as pd

from smote_pipeline.core.columns import GROUP_KEY, TIME_KEY, feature_columns
from smote_pipeline.defs.storage import decode

from ..conftest import make_frame
from .conftest import run_pipeline, small_spec


def _table(seed: int) -> pd.DataFrame:
    """600 rows of 120 customers (1-15 rows each) over a year."""
    rng = np.random.default_rng(seed)
    frame = make_frame(540, 60, seed=seed, categorical=True).sample(frac=1.0, random_state=seed)
    return frame.assign(
        customer=[f"k{c}" for c in rng.integers(0, 120, len(frame))],
        day=(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, len(frame)), "D"))
        .strftime("%d/%m/%Y")
        .to_numpy(),
    )


def _metadata(run, asset: str) -> dict:
    key = dg.AssetKey([run.spec.name, asset])
    event = run.instance.get_latest_materialization_event(key)
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def _isolation_passed(run) -> bool:
    (found,) = [
        c for c in run.result.get_asset_check_evaluations() if c.check_name == "holdout_isolation"
    ]
    return found.passed


def test_group_column_keeps_every_customer_on_one_side_across_runs(tmp_path):
    source = tmp_path / "rows.csv"
    table = _table(7)
    table.iloc[:450].to_csv(source, index=False)
    spec = replace(small_spec(tmp_path, "grouped"), source=str(source), group_column="customer")
    first = run_pipeline(spec, tmp_path)
    training, holdout = (decode(first.stored(a)) for a in ("training_set", "holdout_set"))
    assert not set(training[GROUP_KEY]) & set(holdout[GROUP_KEY])
    assert "customer" not in feature_columns(training, "label")
    shown = _metadata(first, "holdout_set")
    assert shown["split_by"].startswith("entity") and shown["holdout_entities"] > 0
    assert _isolation_passed(first)
    table.to_csv(source, index=False)  # 150 rows appended, many of known customers
    again = run_pipeline(spec, tmp_path)
    training2, holdout2 = (decode(again.stored(a)) for a in ("training_set", "holdout_set"))
    assert not set(training2[GROUP_KEY]) & set(holdout2[GROUP_KEY])
    assert set(holdout[GROUP_KEY]) <= set(holdout2[GROUP_KEY])
    assert _isolation_passed(again)


def test_time_column_holds_out_the_latest_rows(tmp_path):
    source = tmp_path / "rows_with_days.csv"
    _table(8).to_csv(source, index=False)
    spec = replace(
        small_spec(tmp_path, "timed", segment_columns=["colour"]),
        source=str(source),
        time_column="day",
    )
    run = run_pipeline(spec, tmp_path)
    training, holdout = (decode(run.stored(a)) for a in ("training_set", "holdout_set"))
    assert training[TIME_KEY].max() < holdout[TIME_KEY].min()
    shown = _metadata(run, "holdout_set")
    assert (
        shown["split_by"].startswith("time")
        and pd.Timestamp(shown["cut"]) == holdout[TIME_KEY].min()
    )
    assert _isolation_passed(run)
    report = decode(run.stored("smote_report"))
    assert "Split off by time (time_column)" in report
    assert "### Quality per segment" in report and "`colour`" not in report.split("###")[0]
    assert "by_segment" in _metadata(run, "holdout_evaluation")
