"""A sensor per pipeline that starts a run when its source changes."""

from __future__ import annotations

import dagster as dg

from smote_pipeline.core.ingest.sources import fingerprint
from smote_pipeline.core.spec import PipelineSpec


def build_source_sensor(
    spec: PipelineSpec, job: dg.UnresolvedAssetJobDefinition, automated: bool = False
) -> dg.SensorDefinition:
    """Sensor ``<name>_source_sensor``: runs ``job`` when the source fingerprint changes.

    The cursor is the last fingerprint seen (file content hash, or the result
    of the spec's ``change_query`` for a database). The run key is the
    fingerprint itself, so a given version of the data never triggers twice,
    even if the cursor is reset. The first evaluation records the current
    fingerprint without running (the schedule or a user materializes the first
    version). Created stopped.

    ``automated`` (the spec's ``automation`` is not ``none``): created running, and
    instead of a run it records the new fingerprint as an observation (data
    version) of ``<name>/source``, which the automation conditions act on; the
    first evaluation records it when the instance holds another version or none.
    """
    key = dg.AssetKey([spec.name, "source"])

    @dg.sensor(
        name=f"{spec.name}_source_sensor",
        job=job,
        minimum_interval_seconds=spec.sensor_interval,
        default_status=dg.DefaultSensorStatus.RUNNING
        if automated
        else dg.DefaultSensorStatus.STOPPED,
        description=(
            f"Records a new version of the source of pipeline {spec.name!r}; its automation "
            "conditions start the runs."
            if automated
            else f"Runs {job.name} when the source of pipeline {spec.name!r} changes."
        ),
    )
    def source_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        current = fingerprint(spec.data_source, spec.change_query)
        if automated:
            if current == _recorded_version(context.instance, key):
                return dg.SensorResult(skip_reason="Source unchanged.", cursor=current)
            observed = dg.AssetObservation(key, tags={DATA_VERSION_TAG: current})
            return dg.SensorResult(asset_events=[observed], cursor=current)
        if context.cursor is None:
            return dg.SensorResult(
                skip_reason="First look at the source: recorded its version.", cursor=current
            )
        if current == context.cursor:
            return dg.SensorResult(skip_reason="Source unchanged.", cursor=current)
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=f"{spec.name}:{current}",
                    tags={"smote_pipeline/source_version": current},
                )
            ],
            cursor=current,
        )

    return source_sensor


#: The tag of an observation that holds its data version (Dagster's own name).
DATA_VERSION_TAG = "dagster/data_version"


def _recorded_version(instance: dg.DagsterInstance, key: dg.AssetKey) -> str | None:
    """The data version last recorded for the source ``key``, None when there is none."""
    record = instance.get_latest_data_version_record(key, is_source=True)
    observation = record.asset_observation if record else None
    return observation.tags.get(DATA_VERSION_TAG) if observation else None
