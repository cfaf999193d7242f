"""Selecting part of the graph works on fresh storage: each output of a step alone,
and a check whose inputs were never materialized is skipped, not failed."""

from __future__ import annotations

import dagster as dg

from smote_pipeline.defs.factory import build_definitions

from .conftest import small_spec


def _materialize(defs: dg.Definitions, instance: dg.DagsterInstance, *assets: str):
    job = defs.resolve_implicit_global_asset_job_def()
    selection = [dg.AssetKey(["small", a]) for a in assets]
    return job.execute_in_process(instance=instance, asset_selection=selection)


def _materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        e.event_specific_data.materialization.asset_key.path[-1]
        for e in result.get_asset_materialization_events()
    }


def test_each_output_of_the_split_can_be_materialized_alone(tmp_path):
    spec = small_spec(tmp_path)
    defs = build_definitions([spec], tmp_path / "storage")
    with dg.instance_for_test() as instance:
        assert _materialize(defs, instance, "raw_dataset").success
        holdout = _materialize(defs, instance, "holdout_set")
        assert holdout.success and _materialized(holdout) == {"holdout_set"}
        # holdout_isolation needs the training side, which does not exist yet: skipped
        assert holdout.get_asset_check_evaluations() == []
        check = dg.AssetCheckKey(dg.AssetKey(["small", "holdout_set"]), "holdout_isolation")
        (record,) = instance.event_log_storage.get_asset_check_execution_history(check, limit=1)
        assert record.status.value == "PLANNED"  # shown as skipped once the run is over
        logs = [
            e.message
            for e in instance.all_logs(holdout.run_id)
            if "holdout_isolation skipped" in (e.message or "")
        ]
        assert logs and "training_set" in logs[0]
        training = _materialize(defs, instance, "training_set")
        assert training.success and _materialized(training) == {"training_set"}
        quarantine = _materialize(defs, instance, "noise_quarantine")
        assert quarantine.success and _materialized(quarantine) == {"noise_quarantine"}


def test_auto_reduce_through_the_asset_graph(tmp_path):
    from smote_pipeline.core.options import PipelineOptions
    from smote_pipeline.core.spec import PipelineSpec
    from smote_pipeline_tests.core.test_pipeline import _concentrated

    path = tmp_path / "wide.csv"
    _concentrated().to_csv(path, index=False)
    spec = PipelineSpec(
        name="small",
        source=str(path),
        target="label",
        positive_label="yes",
        options=PipelineOptions().updated({"auto_reduce": True, "noise_method": "none"}),
    )
    defs = build_definitions([spec], tmp_path / "storage")
    with dg.instance_for_test() as instance:
        steps = ("raw_dataset", "training_set", "denoised_training_set", "oversampling_space")
        assert _materialize(
            defs, instance, *steps, "minority_clusters", "synthetic_samples"
        ).success
        for asset in ("oversampling_space", "synthetic_samples"):  # decided once, carried
            event = instance.get_latest_materialization_event(dg.AssetKey(["small", asset]))
            metadata = event.asset_materialization.metadata
            assert metadata["n_components"].value == "0.9"
            assert metadata["relative_contrast"].value < 0.5
