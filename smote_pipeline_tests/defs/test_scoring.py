"""Batch scoring through real Dagster runs: the sensor, partitions, drift checks, retraining."""

from __future__ import annotations

import dataclasses

import dagster as dg
import pandas as pd
import pytest

from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs.storage import decode
from smote_pipeline_tests.conftest import make_frame

from .conftest import messy_columns, run_pipeline, small_spec


def _batch(seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Rows of the training distribution (another seed), ``b`` shifted by ``shift``."""
    frame = messy_columns(make_frame(270, 30, seed=seed, categorical=True), seed=seed)
    return frame.assign(b=frame["b"] + shift)


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoring")
    folder = root / "new_rows"
    (folder / "2026-12").mkdir(parents=True)
    _batch(11).drop(columns="label").to_csv(folder / "2026-12" / "monday.csv", index=True)
    _batch(12, shift=2.5).to_csv(folder / "2026-12" / "tuesday.csv", index=True)
    (folder / "_staging.csv").write_text("ignored: starts with an underscore\n")
    spec = dataclasses.replace(
        small_spec(root, strategies=("no_resampling",)), score_source=str(folder)
    )
    return run_pipeline(spec, root), folder


def _score(run, key: str, **kwargs) -> dg.ExecuteInProcessResult:
    return run.defs.resolve_job_def("small_score").execute_in_process(
        instance=run.instance, partition_key=key, **kwargs
    )


def test_the_sensor_adds_a_partition_per_batch_and_scores_only_what_changed(trained):
    run, folder = trained
    assert run.result.success  # the training job leaves the partitioned batches out
    sensor = run.defs.get_sensor_def("small_score_sensor")
    first = sensor(dg.build_sensor_context(instance=run.instance))
    keys = ["2026-12/monday.csv", "2026-12/tuesday.csv"]
    assert [r.partition_key for r in first.run_requests] == keys
    (added,) = first.dynamic_partitions_requests
    assert list(added.partition_keys) == keys
    run.instance.add_dynamic_partitions("small_score_batches", keys)
    again = sensor(dg.build_sensor_context(instance=run.instance, cursor=first.cursor))
    assert not again.run_requests
    _batch(13).to_csv(folder / "wednesday.csv", index=True)
    later = sensor(dg.build_sensor_context(instance=run.instance, cursor=first.cursor))
    assert [r.partition_key for r in later.run_requests] == ["wednesday.csv"]


def test_a_batch_is_scored_by_the_promoted_version_without_dropping_a_row(trained):
    run, folder = trained
    run.instance.add_dynamic_partitions("small_score_batches", ["2026-12/monday.csv"])
    result = _score(run, "2026-12/monday.csv")
    assert result.success
    scores = decode(run.storage / "small_serve" / "scored_batch" / "2026-12%2Fmonday.csv.parquet")
    batch = pd.read_csv(folder / "2026-12" / "monday.csv")
    registry = decode(run.stored("promoted_model"))
    assert len(scores) == len(batch) == 300
    assert list(scores.columns) == [
        "row_id",
        "",
        "customer_id",
        "probability",
        "decision",
        "model_version",
        "model_fingerprint",
    ]
    assert scores["customer_id"].tolist() == batch["customer_id"].tolist()
    assert set(scores["model_version"]) == {registry["promoted"]}
    checks = _checks(result)
    assert checks["feature_drift"].passed and checks["score_drift"].passed, checks
    assert checks["label_performance"].passed
    assert checks["label_performance"].metadata["evaluated"].value is False


def test_a_drifted_batch_fails_its_drift_checks_and_asks_for_a_retraining(trained):
    run, _ = trained
    run.instance.add_dynamic_partitions("small_score_batches", ["2026-12/tuesday.csv"])
    result = _score(run, "2026-12/tuesday.csv")
    assert result.success
    checks = _checks(result)
    feature = checks["feature_drift"]
    assert not feature.passed and feature.severity == dg.AssetCheckSeverity.WARN
    assert feature.metadata["drifted_features"].value == "b"
    assert not checks["score_drift"].passed
    assert checks["label_performance"].metadata["evaluated"].value is True
    drift = run.defs.get_sensor_def("small_drift_sensor")
    context = dg.build_sensor_context(
        instance=run.instance, repository_def=run.defs.get_repository_def()
    )
    (request,) = drift(context)
    assert request.tags["smote_pipeline/retrain_reason"] == "drift in batch 2026-12/tuesday.csv"


def test_a_batch_without_a_column_the_model_needs_names_it(trained):
    run, folder = trained
    _batch(14).drop(columns=["a", "label"]).to_csv(folder / "broken.csv", index=True)
    run.instance.add_dynamic_partitions("small_score_batches", ["broken.csv"])
    result = _score(run, "broken.csv", raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "lacks column(s) ['a']" in failure.step_failure_data.error.cause.message


def test_a_spec_without_a_score_source_has_no_scoring(tmp_path):
    from smote_pipeline.defs.factory import build_definitions

    spec = small_spec(tmp_path)
    defs = build_definitions([spec], tmp_path / "storage")
    keys = {k.path[-1] for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert "scored_batch" not in keys and "promoted_model" in keys
    with pytest.raises(ValueError, match="need a `score_source`"):
        PipelineSpec(name="x", source="a.csv", target="t", positive_label=1, retrain_on_drift=True)


def test_an_sql_score_source_scores_each_new_result_into_a_table(tmp_path):
    from sqlalchemy import create_engine, text

    from smote_pipeline_tests.services import fresh_postgres_database, postgres_url

    with fresh_postgres_database() as database:
        url = postgres_url(database)
        engine = create_engine(url)
        batch = _batch(21)
        batch.to_sql("new_rows", engine, index=False)
        spec = dataclasses.replace(
            small_spec(tmp_path, strategies=("no_resampling",)),
            score_source=url,
            score_query="new_rows",
            score_change_query="SELECT count(*) FROM new_rows",
            score_table="scores",
        )
        run = run_pipeline(spec, tmp_path)
        sensor = run.defs.get_sensor_def("small_score_sensor")
        first = sensor(dg.build_sensor_context(instance=run.instance))
        (request,) = first.run_requests
        key = request.partition_key
        assert key.startswith("batch-")
        run.instance.add_dynamic_partitions("small_score_batches", [key])
        assert _score(run, key).success
        assert _score(run, key).success  # a rescore replaces the batch's rows
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT batch, count(*) FROM scores GROUP BY 1"))
            assert rows.fetchall() == [(key, len(batch))]
        _batch(22).to_sql("new_rows", engine, index=False, if_exists="append")
        later = sensor(dg.build_sensor_context(instance=run.instance, cursor=first.cursor))
        assert [r.partition_key for r in later.run_requests] != [key]
        engine.dispose()
