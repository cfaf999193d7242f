"""A sensor per pipeline that starts a run when its source changes."""

from __future__ import annotations

import dagster as dg

from smote_pipeline.core.ingest.sources import fingerprint
from smote_pipeline.core.spec import PipelineSpec


def build_source_sensor(
    spec: PipelineSpec, job: dg.UnresolvedAssetJobDefinition
) -> dg.SensorDefinition:
    """Sensor ``<name>_source_sensor``: runs ``job`` when the source fingerprint changes.

    The cursor is the last fingerprint seen (file content hash, or the result
    of the spec's ``change_query`` for a database). The run key is the
    fingerprint itself, so a given version of the data never triggers twice,
    even if the cursor is reset. The first evaluation records the current
    fingerprint without running (the schedule or a user materializes the first
    version). Created stopped.
    """

    @dg.sensor(
        name=f"{spec.name}_source_sensor",
        job=job,
        minimum_interval_seconds=spec.sensor_interval,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=f"Runs {job.name} when the source of pipeline {spec.name!r} changes.",
    )
    def source_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        current = fingerprint(spec.data_source, spec.change_query)
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
