"""Declarative automation, freshness and the training pool of one pipeline.

The spec's ``automation`` decides what starts runs:

- ``none`` (default): the schedule and the sensors, created stopped, as before.
- ``eager``: the source sensor (running) records a new version of the source as an
  observation of ``<name>/source``; every training asset carries
  ``AutomationCondition.eager()`` and ``all_deps_blocking_checks_passed()``, so the
  sensor ``<name>_automation_sensor`` (running) requests the whole graph after a
  change, and never an asset downstream of a blocking check that failed. The score
  sensor (running) adds a partition per new batch; ``scored_batch`` carries
  ``on_missing()``, so each new partition is scored once.
- ``on_cron``: as ``eager``, but a training asset runs at most once per tick of
  ``schedule``, after the source changed (``AutomationCondition.on_cron``).

``freshness`` gives ``promoted_model`` and ``scored_batch`` a time-window
``FreshnessPolicy`` (warned at half the window, failed at the window).
"""

from __future__ import annotations

import time
from datetime import timedelta

import dagster as dg

from smote_pipeline.core.spec import PipelineSpec, freshness_seconds

#: The assets that get a freshness policy (the model in use, and its scores).
FRESH = ("promoted_model", "scored_batch")
#: Default window with ``eager`` (the source has no rhythm of its own).
EAGER_WINDOW = timedelta(days=30)


def automated(spec: PipelineSpec) -> bool:
    """Whether declarative automation starts this pipeline's runs."""
    return spec.automation != "none"


def training_condition(spec: PipelineSpec) -> dg.AutomationCondition | None:
    """The condition of every training asset (None without automation)."""
    blocked_by_nothing = dg.AutomationCondition.all_deps_blocking_checks_passed()
    if spec.automation == "eager":
        return dg.AutomationCondition.eager() & blocked_by_nothing
    if spec.automation == "on_cron":
        return dg.AutomationCondition.on_cron(spec.schedule) & blocked_by_nothing
    return None


def scoring_condition(spec: PipelineSpec) -> dg.AutomationCondition | None:
    """The condition of ``scored_batch``: a new partition (batch) is scored once."""
    return dg.AutomationCondition.on_missing() if automated(spec) else None


def schedule_period(cron: str) -> timedelta:
    """Time between two ticks of ``cron`` (the shortest gap of the next few)."""
    from dagster._utils.schedules import cron_string_iterator

    ticks = cron_string_iterator(time.time(), cron, "UTC")
    stamps = [next(ticks).timestamp() for _ in range(4)]
    return timedelta(seconds=min(b - a for a, b in zip(stamps, stamps[1:], strict=False)))


def freshness_window(spec: PipelineSpec) -> timedelta | None:
    """How old ``promoted_model`` may get: ``freshness``, or its default (three
    schedule periods with ``on_cron``, 30 days with ``eager``, none otherwise)."""
    if spec.freshness == "none":
        return None
    if spec.freshness:
        return timedelta(seconds=freshness_seconds(spec.freshness) or 0)
    if spec.automation == "on_cron":
        return 3 * schedule_period(spec.schedule)
    return EAGER_WINDOW if spec.automation == "eager" else None


def freshness_policy(spec: PipelineSpec) -> dg.FreshnessPolicy | None:
    """The time-window policy of ``promoted_model`` and ``scored_batch``."""
    window = freshness_window(spec)
    if window is None:
        return None
    warn = window / 2 if window >= timedelta(minutes=2) else None
    return dg.FreshnessPolicy.time_window(fail_window=window, warn_window=warn)


def automate(spec: PipelineSpec, assets: list[dg.AssetsDefinition]) -> list:
    """``assets`` with the spec's automation conditions and freshness policies."""
    training, scoring = training_condition(spec), scoring_condition(spec)
    policy = freshness_policy(spec)

    def with_policy(asset: dg.AssetSpec) -> dg.AssetSpec:
        name = asset.key.path[-1]
        return asset.replace_attributes(
            automation_condition=scoring if name == "scored_batch" else training,
            freshness_policy=policy if name in FRESH else asset.freshness_policy,
        )

    if training is None and policy is None:
        return assets
    # the observable `source` is observed by the source sensor, not automated
    return [
        a if isinstance(a, dg.SourceAsset) else dg.map_asset_specs(with_policy, [a])[0]
        for a in assets
    ]


def automation_sensor(spec: PipelineSpec, selection: dg.AssetSelection) -> list:
    """``<name>_automation_sensor``, running, over the pipeline's assets (none without
    automation: Dagster's default sensor, stopped, is then not created either)."""
    if not automated(spec):
        return []
    return [
        dg.AutomationConditionSensorDefinition(
            f"{spec.name}_automation_sensor",
            target=selection,
            default_status=dg.DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=spec.sensor_interval,
            description=f"Materializes the assets of pipeline {spec.name!r} whose automation "
            f"condition ({spec.automation}) is true.",
        )
    ]
