"""Declarative automation, freshness policies and the training pool, read from the
definitions and acted on in a real instance."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import dagster as dg
import pandas as pd
import pytest

from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs.factory import build_definitions

from .conftest import small_spec

TRAINING_LABELS = ["eager", "all_deps_blocking_checks_passed"]


def _defs(tmp_path, **fields) -> tuple[PipelineSpec, dg.Definitions]:
    spec = dataclasses.replace(small_spec(tmp_path, strategies=("no_resampling",)), **fields)
    return spec, build_definitions([spec], tmp_path / "storage")


def _materializable(defs: dg.Definitions) -> dict[str, dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    return {k.path[-1]: k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}


def _sensors(defs: dg.Definitions) -> dict[str, dg.SensorDefinition]:
    return {s.name: s for s in defs.get_repository_def().sensor_defs}


def _labels(condition: dg.AutomationCondition) -> list[str]:
    return [c.get_label() for c in condition.children]


def test_without_automation_runs_start_only_from_the_stopped_schedule_and_sensors(tmp_path):
    _, defs = _defs(tmp_path, score_source=str(tmp_path))
    graph = defs.resolve_asset_graph()
    assert all(graph.get(k).automation_condition is None for k in _materializable(defs).values())
    sensors = _sensors(defs)
    assert set(sensors) == {"small_source_sensor", "small_score_sensor", "small_drift_sensor"}
    assert {s.default_status for s in sensors.values()} == {dg.DefaultSensorStatus.STOPPED}
    assert graph.get(dg.AssetKey(["small", "promoted_model"])).freshness_policy is None


def test_eager_automates_training_and_scoring_with_a_running_sensor(tmp_path):
    _, defs = _defs(tmp_path, automation="eager", score_source=str(tmp_path))
    graph, keys = defs.resolve_asset_graph(), _materializable(defs)
    assert keys["scored_batch"] == dg.AssetKey(["small_serve", "scored_batch"])
    for name, key in keys.items():
        condition = graph.get(key).automation_condition
        if name == "scored_batch":
            assert condition.get_label() == "on_missing"
        else:
            assert _labels(condition) == TRAINING_LABELS, name
    sensors = _sensors(defs)
    automation = sensors["small_automation_sensor"]
    assert automation.default_status == dg.DefaultSensorStatus.RUNNING
    assert automation.asset_selection.resolve(graph) >= set(keys.values())
    assert sensors["small_source_sensor"].default_status == dg.DefaultSensorStatus.RUNNING
    for name in ("promoted_model", "scored_batch"):
        policy = graph.get(keys[name]).freshness_policy
        assert policy.fail_window.to_timedelta() == timedelta(days=30)
        assert policy.warn_window.to_timedelta() == timedelta(days=15)
    assert graph.get(keys["raw_dataset"]).freshness_policy is None


def test_on_cron_waits_for_the_schedule_and_its_freshness_follows_it(tmp_path):
    _, defs = _defs(tmp_path, automation="on_cron", schedule="0 3 * * 1")
    graph, keys = defs.resolve_asset_graph(), _materializable(defs)
    condition = graph.get(keys["candidate_models"]).automation_condition
    assert _labels(condition) == ["on_cron(0 3 * * 1, UTC)", TRAINING_LABELS[1]]
    policy = graph.get(keys["promoted_model"]).freshness_policy
    assert policy.fail_window.to_timedelta() == timedelta(weeks=3)


def test_freshness_can_be_set_or_switched_off(tmp_path):
    _, given = _defs(tmp_path, freshness="36h")
    policy = given.resolve_asset_graph().get(dg.AssetKey(["small", "promoted_model"]))
    assert policy.freshness_policy.fail_window.to_timedelta() == timedelta(hours=36)
    _, off = _defs(tmp_path, automation="eager", freshness="none")
    graph = off.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["small", "promoted_model"])).freshness_policy is None
    with pytest.raises(ValueError, match="`freshness` 'soon' is not a duration"):
        _defs(tmp_path, freshness="soon")
    with pytest.raises(ValueError, match="`automation` 'always' is not one of"):
        _defs(tmp_path, automation="always")


def test_the_heavy_training_steps_share_a_pool(tmp_path):
    _, defs = _defs(tmp_path)
    keys = _materializable(defs)
    pools = {name: defs.get_assets_def(key).op.pool for name, key in keys.items()}
    assert pools["candidate_screen"] == pools["candidate__no_resampling"] == "smote_training"
    assert pools["raw_dataset"] is None
    _, unpooled = _defs(tmp_path, pool="")
    assert unpooled.get_assets_def(keys["candidate_screen"]).op.pool is None


def _tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursors: dict):
    """One look of the source and score sensors (their observation and partitions
    recorded, as the daemon does), then one evaluation of the automation conditions;
    ``cursors`` carries the sensors' and the evaluation's cursors from tick to tick."""
    looks = {}
    for name in ("small_source_sensor", "small_score_sensor"):
        context = dg.build_sensor_context(instance=instance, cursor=cursors.get(name))
        looks[name] = defs.get_sensor_def(name)(context)
        cursors[name] = looks[name].cursor
    seen, batches = looks.values()
    for event in seen.asset_events:
        instance.report_runless_asset_event(event)
    assert not batches.run_requests  # new batches: partitions only, scored by their condition
    for added in batches.dynamic_partitions_requests:
        instance.add_dynamic_partitions(added.partitions_def_name, list(added.partition_keys))
    evaluation = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, cursor=cursors.get("automation")
    )
    cursors["automation"] = evaluation.cursor
    return seen, evaluation


def test_a_changed_source_leads_to_a_run_without_a_schedule(tmp_path):
    (tmp_path / "new_rows").mkdir()
    spec, defs = _defs(tmp_path, automation="eager", score_source=str(tmp_path / "new_rows"))
    scored = dg.AssetKey(["small_serve", "scored_batch"])
    keys = set(_materializable(defs).values()) - {scored}
    job = defs.resolve_implicit_global_asset_job_def()
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        cursors = {}
        seen, first = _tick(defs, instance, cursors)
        assert len(seen.asset_events) == 1  # the first look records the source's version
        assert first.total_requested == 0  # the first version is trained by hand
        assert job.execute_in_process(instance=instance, asset_selection=list(keys)).success
        seen, quiet = _tick(defs, instance, cursors)
        assert not seen.asset_events and quiet.total_requested == 0
        frame = pd.read_csv(spec.source, index_col=0)
        frame.head(40).drop(columns="label").to_csv(tmp_path / "new_rows" / "monday.csv")
        seen, batch = _tick(defs, instance, cursors)
        assert batch.get_requested_partitions(scored) == {"monday.csv"}
        assert not seen.asset_events and batch.total_requested == 1
        pd.concat([frame, frame.head(30)]).to_csv(spec.source)  # new rows arrive
        seen, changed = _tick(defs, instance, cursors)
        assert len(seen.asset_events) == 1
        requested = {k for k in keys if changed.get_num_requested(k)}
        assert requested == keys
        run = job.execute_in_process(instance=instance, asset_selection=list(requested))
        assert run.success
        raw = instance.fetch_materializations(dg.AssetKey(["small", "raw_dataset"]), limit=5)
        assert len(raw.records) == 2
        assert raw.records[0].asset_materialization.metadata["dagster/row_count"].value == 630
