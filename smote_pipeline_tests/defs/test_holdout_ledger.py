"""The hold-out survives schema changes and lopsided duplicates, run as a user runs it:
the source is a CSV file that changes between materializations."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import numpy as np
import pandas as pd

from smote_pipeline.cli import ledger
from smote_pipeline.core.columns import feature_columns, row_hashes
from smote_pipeline.core.spec import demo_spec
from smote_pipeline.defs.factory import build_definitions
from smote_pipeline_tests.readme import ROOT, bash_with

from .conftest import small_spec

SPLIT = ("raw_dataset", "training_set", "holdout_set")


def _split(spec, storage, instance) -> dg.ExecuteInProcessResult:
    """Materialize the source and the split of ``spec`` (nothing downstream)."""
    defs = build_definitions([spec], storage)
    keys = [dg.AssetKey([spec.name, a]) for a in SPLIT]
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, asset_selection=keys, raise_on_error=False)


def _stored(storage, asset: str) -> pd.DataFrame:
    return pd.read_parquet(storage / "small" / f"{asset}.parquet")


def _hashes(frame: pd.DataFrame, columns: list[str]) -> set[int]:
    return set(row_hashes(frame, columns).tolist())


def _metadata(instance, asset: str) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(["small", asset]))
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def _failure(result: dg.ExecuteInProcessResult) -> str:
    (event,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error, messages = event.step_failure_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)


def test_a_dropped_column_keeps_every_earlier_holdout_row_out_of_training(tmp_path):
    """Column `b` leaves the source: earlier hold-out rows are matched on the columns
    they still share and stay held out. Then `c` leaves too while the earlier sides are
    gone: the split refuses and names the reset; after the reset it runs."""
    spec, storage = small_spec(tmp_path), tmp_path / "storage"
    (tmp_path / "home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "home"))
    assert _split(spec, storage, instance).success
    before = _stored(storage, "holdout_set")
    table = pd.read_csv(spec.source, index_col=0)
    table.drop(columns="b").to_csv(spec.source, index=True)
    assert _split(spec, storage, instance).success
    shared = [c for c in feature_columns(before, "label") if c != "b"]
    held_before = _hashes(before, shared)
    assert held_before <= _hashes(_stored(storage, "holdout_set"), shared)
    assert not _hashes(_stored(storage, "training_set"), shared) & held_before
    assert "matched on the" in _metadata(instance, "holdout_set")["ledger_rekeyed"]

    (storage / "small" / "training_set.parquet").unlink()
    table.drop(columns=["b", "c"]).to_csv(spec.source, index=True)
    refused = _split(spec, storage, instance)
    assert not refused.success
    message = _failure(refused)
    assert "'c'" in message and "python -m smote_pipeline.cli.ledger PIPELINE --reset" in message
    retired = ledger.reset(storage / "small" / "holdout_ledger.parquet")
    assert retired is not None and retired.exists()
    assert _split(spec, storage, instance).success


def test_a_row_repeated_with_both_labels_does_not_swell_the_holdout(tmp_path):
    """One row occurs 60 times in the file, 30 of them positive (the source system
    recorded both outcomes): the hold-out still holds about a quarter of each class,
    and the metadata says so."""
    spec, storage = small_spec(tmp_path), tmp_path / "storage"
    table = pd.read_csv(spec.source, index_col=0)
    repeated = pd.concat([table.iloc[[0]]] * 60, ignore_index=True)
    repeated["label"] = np.where(np.arange(60) < 30, "yes", "no")
    grown = pd.concat([table, repeated], ignore_index=True)
    grown["customer_id"] = [f"C{i:06d}" for i in range(len(grown))]
    grown.to_csv(spec.source, index=True)
    (tmp_path / "home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "home"))
    assert _split(spec, storage, instance).success
    holdout = _stored(storage, "holdout_set")
    positives, negatives = (grown["label"] == "yes").sum(), (grown["label"] == "no").sum()
    assert abs(holdout["label"].sum() - 0.25 * positives) <= 1
    assert abs((holdout["label"] == 0).sum() - 0.25 * negatives) <= 1
    metadata = _metadata(instance, "holdout_set")
    assert abs(metadata["holdout_share_positive"] - 0.25) <= 1 / positives


def test_the_readme_ledger_commands_run_verbatim(tmp_path):
    """The README's ledger block, as written, on the demo pipeline after a split."""
    storage = tmp_path / "storage"
    (tmp_path / "home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "home"))
    spec = demo_spec()
    defs = build_definitions([spec], storage)
    keys = [dg.AssetKey([spec.name, a]) for a in SPLIT]
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(instance=instance, asset_selection=keys).success
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SMOTE_PIPELINE_")}
    environment["SMOTE_PIPELINE_STORAGE"] = str(storage)
    script = "set -e\n" + bash_with("smote_pipeline.cli.ledger")
    script = script.replace(".venv/bin/python ", f"{sys.executable} ")
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "in the hold-out, keyed by" in output and "retired to" in output
    assert not (storage / "demo" / "holdout_ledger.parquet").exists()
    assert list((storage / "demo").glob("holdout_ledger.retired-*.parquet"))
