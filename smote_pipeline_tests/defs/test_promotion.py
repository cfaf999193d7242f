"""Champion versions and the promotion gate, through real runs on one storage."""

from __future__ import annotations

import dataclasses

import dagster as dg
import numpy as np
import pandas as pd

from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.storage import decode

from .conftest import run_pipeline, small_spec


def _write_labels(path, labels: pd.Series) -> None:
    table = pd.read_csv(path, index_col=0)
    table["label"] = labels.to_numpy()
    table.to_csv(path, index=True)


def _gate(run) -> dg.AssetCheckEvaluation:
    (gate,) = [
        e for e in run.result.get_asset_check_evaluations() if e.check_name == "promotion_gate"
    ]
    return gate


def test_a_worse_champion_is_not_promoted_and_a_clearly_better_one_is(tmp_path):
    spec = small_spec(tmp_path, strategies=("no_resampling",))
    true_labels = pd.read_csv(spec.source, index_col=0)["label"]
    shuffled = pd.Series(np.random.default_rng(0).permutation(true_labels.to_numpy()))

    _write_labels(spec.source, shuffled)  # version 1 learns noise: promoted, being the first
    first = run_pipeline(spec, tmp_path)
    assert first.result.success and _gate(first).passed

    _write_labels(spec.source, true_labels)  # version 2 learns the real labels
    second = run_pipeline(spec, tmp_path)
    registry = decode(second.stored("promoted_model"))
    assert registry["promoted"] == 2 and _gate(second).passed
    comparison = registry["comparison"]
    assert comparison["against_version"] == 1 and comparison["low"] > 0.2
    assert "is promoted" in registry["decision"]

    # version 3 learns shuffled training labels again; the hold-out keeps its real ones
    training = decode(second.stored("training_set"))["row_id"].to_numpy()
    labels = true_labels.copy()
    labels.iloc[training] = np.random.default_rng(1).permutation(labels.iloc[training])
    _write_labels(spec.source, labels)
    third = run_pipeline(spec, tmp_path)
    assert third.result.success
    registry = decode(third.stored("promoted_model"))
    assert registry["promoted"] == 2 and [v["version"] for v in registry["versions"]] == [1, 2, 3]
    gate = _gate(third)
    assert not gate.passed and gate.severity == dg.AssetCheckSeverity.WARN
    assert "version 3 is not promoted" in gate.description and "version 2 stays" in gate.description
    assert registry["comparison"]["high"] < 0
    assert "promotion" not in decode(third.stored("holdout_evaluation"))  # no hidden input

    # a pin rolls back to version 1 (only the version asset is rematerialized)
    pinned = dataclasses.replace(spec, options=spec.options.updated({"promoted_version": 1}))
    defs = build_definitions([pinned], tmp_path / "storage")
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=third.instance, asset_selection=[dg.AssetKey(["small", "promoted_model"])]
    )
    registry = decode(third.stored("promoted_model"))
    assert result.success and registry["promoted"] == 1
    assert registry["decision"] == "version 1 is pinned by promoted_version"
