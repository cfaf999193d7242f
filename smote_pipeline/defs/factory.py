"""The pipeline factory: one prefixed asset graph, job and schedule per spec."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from smote_pipeline.core.spec import NAME_PATTERN, PipelineSpec
from smote_pipeline.defs import automation, serve
from smote_pipeline.defs.assets import IO_MANAGER_KEY, build_assets, build_checks, settings_key
from smote_pipeline.defs.executors import ExecutorSetting, executor_definition
from smote_pipeline.defs.io_manager import PipelineIOManager
from smote_pipeline.defs.loading import SpecError
from smote_pipeline.defs.sensors import build_source_sensor
from smote_pipeline.defs.settings import PipelineSettings


def job_name(spec: PipelineSpec) -> str:
    """Name of the job that materializes every asset of a pipeline."""
    return f"{spec.name}_pipeline"


def build_pipeline_defs(spec: PipelineSpec, executor: str = "in_process") -> dg.Definitions:
    """Assets, checks, settings, job, (stopped) schedule and source sensor of one pipeline;
    with a ``score_source`` also the score job, score sensor and drift sensor.

    ``executor`` is the name of the executor its steps run on.
    """
    selection = dg.AssetSelection.key_prefixes(spec.name)  # not the scored batches
    scoring = spec.scoring_source is not None
    job = dg.define_asset_job(
        job_name(spec),
        selection=selection,
        description=spec.description
        or f"Every asset of pipeline {spec.name!r}"
        + (" but the scored batches (the score job's)." if scoring else "."),
    )
    schedule = dg.ScheduleDefinition(
        name=f"{spec.name}_schedule",
        job=job,
        cron_schedule=spec.schedule,
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    jobs, sensors = [job], [build_source_sensor(spec, job, automation.automated(spec))]
    if scoring:
        score_job = serve.build_score_job(spec)
        jobs.append(score_job)
        sensors += [
            serve.build_score_sensor(spec, score_job, automation.automated(spec)),
            serve.build_drift_sensor(spec, job),
        ]
    if scoring:
        selection = selection | dg.AssetSelection.assets(serve.scored_key(spec))
    sensors += automation.automation_sensor(spec, selection)
    return dg.Definitions(
        assets=automation.automate(spec, build_assets(spec, executor)),
        asset_checks=build_checks(spec),
        jobs=jobs,
        schedules=[schedule],
        sensors=sensors,
        resources={settings_key(spec): PipelineSettings.from_options(spec.options)},
    )


def invalid_spec_asset(error: SpecError) -> dg.AssetsDefinition:
    """A placeholder that shows a skipped pipeline entry in the UI and fails with its error.

    The pipelines file's other entries load as usual; this asset
    (``<name>/invalid_spec``, group ``invalid_pipelines``) carries the message
    in its description, and materializing it raises it.
    """
    prefix = error.name if NAME_PATTERN.match(error.name) else "invalid_pipeline"

    @dg.asset(
        key=dg.AssetKey([prefix, "invalid_spec"]),
        group_name="invalid_pipelines",
        description=f"This pipeline was not built: {error.message}",
    )
    def invalid_spec() -> None:
        raise ValueError(error.message)

    return invalid_spec


def build_definitions(
    specs: Sequence[PipelineSpec],
    storage: str | Path,
    errors: Sequence[SpecError] = (),
    executor: ExecutorSetting | None = None,
) -> dg.Definitions:
    """Definitions for several pipelines sharing one storage folder and executor.

    ``executor`` (default ``in_process``: one process per run, since every step
    imports scikit-learn and GX, which costs seconds per step under the
    multiprocess executor on a small machine) is where steps run, see
    :mod:`smote_pipeline.defs.executors`.

    ``errors`` are pipeline entries that could not be built: each becomes an
    :func:`invalid_spec_asset`, so the others still load.

    Raises
    ------
    ValueError
        If two specs share a name, or one is named like the scored batches of another
        (``<name>_serve``).
    """
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Pipeline names must be unique; repeated: {duplicates}.")
    serving = {serve.scored_key(s).path[0]: s.name for s in specs if s.scoring_source}
    clash = sorted(set(serving) & set(names))
    if clash:
        raise ValueError(
            f"Pipeline name(s) {clash} are the key prefix of the scored batches of "
            f"{[serving[c] for c in clash]}: rename them."
        )
    executor = executor or ExecutorSetting()
    shared = dg.Definitions(
        resources={IO_MANAGER_KEY: PipelineIOManager(base_dir=str(storage))},
        executor=executor_definition(executor),
    )
    taken = set(names)
    placeholders = [invalid_spec_asset(e) for e in errors if e.name not in taken]
    unique = {a.key: a for a in placeholders}
    return dg.Definitions.merge(
        shared,
        dg.Definitions(assets=list(unique.values())),
        *(build_pipeline_defs(s, executor.name) for s in specs),
    )
