"""A scheduled retrain on grown data never trains on a row an earlier run held out."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from smote_pipeline.core.columns import feature_columns, row_hashes
from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.holdout import TRAINING_SIDE
from smote_pipeline_tests.conftest import make_frame

from .conftest import messy_columns, small_spec


def _features(storage) -> list[str]:
    return feature_columns(pd.read_parquet(storage / "small" / "holdout_set.parquet"), "label")


def _hashes(storage, asset: str, columns: list[str]) -> set[int]:
    frame = pd.read_parquet(storage / "small" / f"{asset}.parquet")
    return set(row_hashes(frame, columns).tolist())


def _append_rows(path) -> tuple[int, int]:
    table = pd.read_csv(path, index_col=0)
    new = messy_columns(make_frame(270, 30, seed=9, categorical=True), seed=1)
    new.index = range(len(table), len(table) + len(new))
    pd.concat([table, new]).to_csv(path, index=True)
    return len(table), len(new)


def test_a_scheduled_retrain_on_appended_rows_keeps_every_earlier_holdout_row(tmp_path):
    spec = small_spec(tmp_path)
    storage = tmp_path / "storage"
    defs = build_definitions([spec], storage)
    schedule = defs.resolve_schedule_def("small_schedule")
    job = defs.resolve_job_def(schedule.job_name)
    # the split and the whole training side the isolation check reads, not training
    wanted = [dg.AssetKey(["small", a]) for a in ("holdout_set", *TRAINING_SIDE)]
    selection = list(
        dg.AssetSelection.assets(*wanted).upstream().resolve(defs.resolve_asset_graph())
    )
    check = dg.AssetCheckKey(dg.AssetKey(["small", "holdout_set"]), "holdout_isolation")
    # a lasting instance (a temporary one leaves Dagster's current defs-state storage
    # pointing at a deleted folder for the tests that run after it)
    (tmp_path / "dagster_home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home"))
    assert job.execute_in_process(instance=instance, asset_selection=selection).success
    columns = _features(storage)
    earlier_holdout = _hashes(storage, "holdout_set", columns)
    earlier_training = _hashes(storage, "training_set", columns)
    old_rows, new_rows = _append_rows(spec.source)
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=pd.Timestamp("2026-12-03 03:00")
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    again = job.execute_in_process(instance=instance, asset_selection=selection, tags=request.tags)
    assert again.success
    # The appended ids repeat earlier ones, so `customer_id` is no longer an
    # identifier but a feature: rows are still matched on the first run's columns.
    assert set(_features(storage)) - set(columns) == {"customer_id"}
    holdout = _hashes(storage, "holdout_set", columns)
    assert earlier_holdout <= holdout
    assert earlier_training <= _hashes(storage, "training_set", columns)
    assert len(holdout) > len(earlier_holdout)  # new rows joined the hold-out too
    for asset in TRAINING_SIDE:
        assert not _hashes(storage, asset, columns) & earlier_holdout, asset
    (evaluation,) = [e for e in again.get_asset_check_evaluations() if e.asset_check_key == check]
    assert evaluation.passed
    assert evaluation.metadata["ledger_holdout_groups"].value == len(holdout)
    event = instance.get_latest_materialization_event(dg.AssetKey(["small", "holdout_set"]))
    metadata = event.asset_materialization.metadata
    assert metadata["rows_split_by_earlier_runs"].value == old_rows
    assert metadata["rows_split_now"].value == new_rows
