"""MLflow tracking from a real Dagster run: a local SQLite store, then an unreachable one."""

from __future__ import annotations

import dataclasses

import dagster as dg
import mlflow

from smote_pipeline.defs.factory import build_definitions

from .conftest import run_pipeline, small_spec


def test_a_run_logs_its_champion_to_mlflow_and_an_unreachable_store_only_warns(tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    spec = dataclasses.replace(
        small_spec(tmp_path, strategies=("no_resampling",)), mlflow_tracking_uri=uri
    )
    run = run_pipeline(spec, tmp_path)
    (materialized,) = run.result.asset_materializations_for_node("small__promoted_model")
    metadata = materialized.metadata
    assert metadata["mlflow_logged"].value is True
    assert metadata["mlflow_model_version"].value == metadata["mlflow_champion_version"].value
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    (logged,) = client.search_runs(
        [client.get_experiment_by_name("smote_pipeline/small").experiment_id]
    )
    evaluation = run.result.output_for_node("small__holdout_evaluation")
    champion = evaluation.metrics_of(evaluation.champion)
    assert logged.data.metrics["holdout_average_precision"] == champion["average_precision"]
    artifacts = {a.path for a in client.list_artifacts(logged.info.run_id)}
    assert {"smote_report.md", "model_card.md"} <= artifacts
    alias = client.get_model_version_by_alias("small", "champion")
    assert str(alias.version) == metadata["mlflow_model_version"].value
    assert alias.tags["smote_pipeline_version"] == str(metadata["promoted_version"].value)

    unreachable = dataclasses.replace(spec, mlflow_tracking_uri="http://127.0.0.1:9")
    defs = build_definitions([unreachable], tmp_path / "storage")
    again = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=run.instance, asset_selection=[dg.AssetKey(["small", "promoted_model"])]
    )
    assert again.success
    (event,) = again.asset_materializations_for_node("small__promoted_model")
    assert event.metadata["mlflow_logged"].value is False
    assert "http://127.0.0.1:9" in event.metadata["mlflow_error"].value
