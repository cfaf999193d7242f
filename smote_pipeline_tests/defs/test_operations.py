"""Schedules, sensors and PostgreSQL-backed Dagster storage, on real parts."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import psycopg
import pytest

from smote_pipeline.defs.factory import build_definitions
from smote_pipeline_tests.services import (
    POSTGRES_HOST,
    POSTGRES_PORT,
    POSTGRES_USER,
    fresh_postgres_database,
)

from .conftest import small_spec

REPOSITORY = Path(__file__).resolve().parents[2]


def test_schedule_requests_the_whole_pipeline(tmp_path):
    spec = small_spec(tmp_path)
    defs = build_definitions([spec], tmp_path / "storage")
    schedule = defs.resolve_schedule_def("small_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.job_name == "small_pipeline"
    context = dg.build_schedule_context(scheduled_execution_time=pd.Timestamp("2026-11-29 03:00"))
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.job_name in (None, "small_pipeline")


def test_source_sensor_runs_once_per_change(tmp_path):
    spec = small_spec(tmp_path)
    defs = build_definitions([spec], tmp_path / "storage")
    sensor = defs.resolve_sensor_def("small_source_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    with dg.instance_for_test() as instance:
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert not first.run_requests and first.cursor
        same = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert not same.run_requests
        data = pd.read_csv(spec.source)
        data.iloc[:-5].to_csv(spec.source, index=False)
        changed = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=first.cursor)
        )
        (request,) = changed.run_requests
        assert request.run_key == f"small:{changed.cursor}"
        assert changed.cursor != first.cursor
        again = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=changed.cursor)
        )
        assert not again.run_requests


@pytest.fixture
def postgres_home(tmp_path, monkeypatch):
    """A DAGSTER_HOME whose dagster.yaml is the README's example, on a fresh database."""
    with fresh_postgres_database() as name:
        home = tmp_path / "home"
        home.mkdir()
        shutil.copy(REPOSITORY / "dagster.postgres.yaml", home / "dagster.yaml")
        monkeypatch.setenv("DAGSTER_PG_HOST", POSTGRES_HOST)
        monkeypatch.setenv("DAGSTER_PG_USER", POSTGRES_USER)
        monkeypatch.setenv("DAGSTER_PG_PASSWORD", "")
        monkeypatch.setenv("DAGSTER_PG_DB", name)
        yield home, name


def test_runs_events_and_schedules_live_in_postgres(postgres_home, tmp_path):
    home, database = postgres_home
    spec = small_spec(tmp_path)
    defs = build_definitions([spec], tmp_path / "storage")
    job = dg.define_asset_job(
        "ingest_only", selection=dg.AssetSelection.assets(dg.AssetKey(["small", "raw_dataset"]))
    )
    defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        result = defs.resolve_job_def("ingest_only").execute_in_process(instance=instance)
        assert result.success
        key = dg.AssetKey(["small", "raw_dataset"])
        event = instance.get_latest_materialization_event(key)
        assert event.asset_materialization.metadata["dagster/row_count"].value == 600
        assert instance.schedule_storage.all_instigator_state() == []
    finally:
        instance.dispose()
    with (
        psycopg.connect(
            host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, dbname=database
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT count(*) FROM runs WHERE status = 'SUCCESS'")
        assert cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
        )
        assert cursor.fetchone()[0] == 1
