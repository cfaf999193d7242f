"""With one_vs_rest, the user sees which labels became negative, and how many rows each."""

from __future__ import annotations

import dagster as dg
import numpy as np
import pandas as pd

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs.factory import build_definitions
from smote_pipeline_tests.conftest import make_frame

from .test_holdout_ledger import SPLIT, _metadata


def test_labels_made_negative_are_counted_in_metadata_log_and_report(tmp_path):
    """A CSV whose target has three labels: `yes` is positive and `one_vs_rest` makes
    `no` and `maybe` negative. raw_dataset's metadata and the run log count each, the
    hold-out carries the counts to the evaluation (whose report shows them: see
    ``test_evaluation``)."""
    frame = make_frame(270, 30, seed=5)
    labels = frame["label"].to_numpy(dtype=object)
    labels[np.flatnonzero(labels == "no")[::3]] = "maybe"
    path = tmp_path / "three.csv"
    frame.assign(label=labels).to_csv(path, index=False)
    spec = PipelineSpec(
        name="small",
        source=str(path),
        target="label",
        positive_label="yes",
        options=PipelineOptions().updated({"one_vs_rest": True}),
    )
    (tmp_path / "home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "home"))
    defs = build_definitions([spec], tmp_path / "storage")
    keys = [dg.AssetKey(["small", a]) for a in SPLIT]
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance, asset_selection=keys)
    expected = {"no": 180, "maybe": 90}
    assert _metadata(instance, "raw_dataset")["negative_labels"] == expected
    logs = [e.message for e in instance.all_logs(result.run_id) if e.message]
    assert any("one_vs_rest made these labels negative: 'no': 180, 'maybe': 90" in m for m in logs)
    holdout = pd.read_parquet(tmp_path / "storage" / "small" / "holdout_set.parquet")
    assert holdout.attrs["negative_labels"] == expected
