"""Serve group: the champion versions and the promotion gate; new batches scored by
the promoted version, and their drift checks.

``promoted_model`` keeps every trained champion as a version and names the one
in use: a new champion is compared with the promoted version on the real hold-out
(its declared input) and promoted only if not worse by more than
``promotion_margin``; the `promotion_gate` check (WARN) says when it was not, and
why.

``scored_batch`` is built only for a pipeline whose spec names a ``score_source``.
It has one dynamic partition per batch (:mod:`smote_pipeline.core.serve.batches`);
the score sensor adds a partition and requests its run when a batch arrives or
changes. Every materialization also evaluates three WARN checks,
``feature_drift``, ``score_drift`` and ``label_performance``, on the batch just
scored; the drift sensor requests a run of the whole pipeline (a retraining)
when one of them fails. Each asset calls the function of the same name in
:mod:`smote_pipeline.core.pipeline`.
"""

import json
from typing import Any

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import feature_columns
from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.ingest import sources
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.serve import batches, tracking
from smote_pipeline.core.serve.promotion import ModelRegistry, promotion_text
from smote_pipeline.core.serve.scoring import ScoredBatch
from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.core.train.records import Champion
from smote_pipeline.defs.ingest import ROLES
from smote_pipeline.defs.metadata import table_metadata
from smote_pipeline.defs.scope import IO_MANAGER_KEY, Scope

GROUP = "serve"
#: The asset that keeps the champion versions.
PROMOTED = "promoted_model"
SCORED = "scored_batch"


def scored_key(spec: PipelineSpec) -> dg.AssetKey:
    """``<name>_serve/scored_batch``: outside the ``<name>/`` prefix, so that selecting
    ``key:"<name>/*"`` (the training graph) never includes the partitioned batches."""
    return dg.AssetKey([f"{spec.name}_{GROUP}", SCORED])


#: What `promoted_model` logs to MLflow beside the model (with ``mlflow_tracking_uri``).
DOCUMENTS = ("smote_report", "model_card")


def promoted_model_asset(s: Scope) -> dg.AssetsDefinition:
    """The `promoted_model` asset of the pipeline ``s.spec``."""
    documents = DOCUMENTS if s.spec.mlflow_tracking_uri else ()

    @s.asset(
        PROMOTED,
        GROUP,
        ins=("champion_model", "holdout_evaluation", "training_set", "holdout_set", *documents),
        deps=[s.key("raw_dataset")],  # the column roles it keeps beside the raw table
        kinds={"scikit-learn", "skops"},
        resources=(IO_MANAGER_KEY,),
        description="Every trained champion as a version, and the promoted one: a new champion "
        "replaces it only if the real hold-out shows it is not worse by more than "
        "`promotion_margin` (paired bootstrap); `promoted_version` pins one. Each version "
        "keeps its input schema and a sample of its training rows, to score new batches "
        "and judge their drift.",
    )
    def promoted_model(
        context: dg.AssetExecutionContext,
        champion_model: Champion,
        holdout_evaluation: HoldoutEvaluation,
        training_set: pd.DataFrame,
        holdout_set: pd.DataFrame,
        **texts: str,
    ) -> dg.MaterializeResult:
        store = getattr(context.resources, IO_MANAGER_KEY)
        options = s.options(context)
        scoring = pipeline.scoring_profile(
            store.load_stored(s.key(ROLES)),
            training_set,
            holdout_evaluation,
            TargetSpec(s.target, s.spec.positive_label, options.one_vs_rest),
            options,
        )
        registry = pipeline.promoted_model(
            store.load_stored(s.key(PROMOTED)),  # its own previous value
            champion_model,
            holdout_evaluation,
            holdout_set,
            s.target,
            options,
            scoring,
        )
        context.log.info(registry.decision)
        return dg.MaterializeResult(
            value=registry,
            metadata={
                **_registry_metadata(registry),
                **_tracking(context, s, registry, holdout_evaluation, training_set, texts),
            },
        )

    return promoted_model


def _registry_metadata(registry: ModelRegistry) -> dict[str, Any]:
    promoted = registry.promoted_version
    return {
        "promoted_version": promoted.version,
        "promoted_strategy": promoted.strategy,
        "latest_version": registry.latest.version,
        "decision": registry.decision,
        "against_promoted_version": promotion_text(registry.comparison),
        "versions": table_metadata(registry.table()),
        "training_fingerprint": promoted.training_fingerprint,
        "model_fingerprint": promoted.fingerprint,
        "can_score_batches": promoted.profile is not None,
    }


def _tracking(
    context: dg.AssetExecutionContext,
    s: Scope,
    registry: ModelRegistry,
    evaluation: HoldoutEvaluation,
    training_set: pd.DataFrame,
    texts: dict[str, str],
) -> dict[str, Any]:
    """Log the newest version to MLflow when the spec names a tracking URI; its metadata
    (the run's link, the registered versions, or why nothing was logged)."""
    uri = s.spec.mlflow_tracking_uri
    if not uri:
        return {}
    example = training_set[feature_columns(training_set, s.target)].head(5)
    documents = {f"{name}.md": texts[name] for name in DOCUMENTS}
    tracked = tracking.track_versions(
        uri, s.name, registry, evaluation, s.options(context), documents, example
    )
    (context.log.warning if tracked.error else context.log.info)(f"MLflow: {tracked.text()}")
    shown = {
        "mlflow_run": dg.MetadataValue.url(tracked.run_url) if tracked.run_url else None,
        "mlflow_model_version": tracked.model_version,
        "mlflow_champion_version": tracked.champion_version,
        "mlflow_error": tracked.error,
    }
    return {"mlflow_logged": tracked.logged, **{k: v for k, v in shown.items() if v}}


def promotion_gate_check(s: Scope) -> dg.AssetChecksDefinition:
    """The `promotion_gate` check (WARN) on `promoted_model`."""

    @dg.asset_check(
        asset=s.key(PROMOTED),
        name="promotion_gate",
        description="Warns when the newest champion was not promoted (the real hold-out could "
        "not show it is not worse than the promoted version), or a pin holds another version.",
    )
    def promotion_gate(promoted_model: ModelRegistry) -> dg.AssetCheckResult:
        comparison = promoted_model.comparison or {}
        return dg.AssetCheckResult(
            passed=promoted_model.promoted == promoted_model.latest.version,
            severity=dg.AssetCheckSeverity.WARN,
            description=promoted_model.decision,
            metadata={
                "promoted_version": promoted_model.promoted,
                "latest_version": promoted_model.latest.version,
                **{
                    k: float(v)
                    for k, v in comparison.items()
                    if k in ("difference", "low", "high", "margin")
                },
            },
        )

    return promotion_gate


#: The checks every scored batch gets, with what they watch.
CHECKS = {
    "feature_drift": "Warns when a feature of the batch has drifted from the promoted "
    "version's training rows (KS or total-variation distance of at least `drift_threshold`, "
    "significant after Bonferroni).",
    "score_drift": "Warns when the batch's scores, or its share of positive decisions, have "
    "moved away from the model's scores on the real hold-out of the run that trained it.",
    "label_performance": "Where batch rows carry the target, warns when their realised average "
    "precision is clearly below the version's hold-out figure, or the probabilities are "
    "miscalibrated (bootstrap intervals).",
}


def partitions(spec: PipelineSpec) -> dg.DynamicPartitionsDefinition:
    """The dynamic partitions of a pipeline's batches (``<name>_score_batches``)."""
    return dg.DynamicPartitionsDefinition(name=f"{spec.name}_score_batches")


def score_job_name(spec: PipelineSpec) -> str:
    """Name of the job that scores one batch."""
    return f"{spec.name}_score"


def scored_batch_asset(s: Scope) -> list[dg.AssetsDefinition]:
    """The `scored_batch` asset of ``s.spec`` (none without a ``score_source``)."""
    spec = s.spec
    source = spec.scoring_source
    if source is None:
        return []

    @s.asset(
        SCORED,
        GROUP,
        key=scored_key(spec),
        ins=(PROMOTED,),
        kinds={"pandas", "parquet"},
        partitions_def=partitions(spec),
        check_specs=[
            dg.AssetCheckSpec(name, asset=scored_key(spec), description=text)
            for name, text in CHECKS.items()
        ],
        description=f"One batch of {sources.describe(source)} scored by the promoted model: "
        "row_id, identifiers, probability, decision at the tuned threshold, model version "
        "and fingerprint (and the label where the batch has the target). No row is dropped.",
    )
    def scored_batch(context: dg.AssetExecutionContext, promoted_model: ModelRegistry):
        options = s.options(context)
        key = context.partition_key
        try:
            batch = batches.read_batch(source, key)
        except Exception as error:
            if sources.is_transient(error):
                raise dg.RetryRequested(max_retries=3, seconds_to_wait=2) from error
            raise
        scored = pipeline.scored_batch(batch, promoted_model, options)
        written = None
        if spec.score_table:
            written = batches.write_scores_table(
                spec.score_source, spec.score_table, scored.frame, key
            )
        for column, count in scored.unknown_categories.items():
            context.log.warning(
                f"{count} row(s) of batch {key!r} have a category of {column!r} the model never "
                "saw; they are scored by the model's rule for unknown categories."
            )
        for column, count in scored.infinite_values.items():
            context.log.warning(f"{count} infinite value(s) of {column!r} read as missing.")
        yield dg.MaterializeResult(value=scored.frame, metadata=_metadata(scored, key, written))
        yield from _checks(scored)

    return [scored_batch]


def _metadata(scored: ScoredBatch, key: str, written: int | None) -> dict[str, Any]:
    frame = scored.frame
    return {
        "batch": key,
        "dagster/row_count": len(frame),
        "predicted_positives": int(frame["decision"].sum()),
        "mean_probability": float(frame["probability"].mean()),
        "model_version": scored.version,
        "model_fingerprint": str(frame["model_fingerprint"].iloc[0]),
        "unknown_categories": scored.unknown_categories or "none",
        "infinite_values_read_as_missing": scored.infinite_values or "none",
        "ignored_columns": ", ".join(scored.ignored_columns) or "none",
        "drift_detected": scored.drift_detected,
        "drifted_features": ", ".join(scored.drifted_features) or "none",
        "labelled_rows": 0 if scored.labels is None else scored.labels["labelled_rows"],
        **({"rows_written_to_table": written} if written is not None else {}),
    }


def _checks(scored: ScoredBatch) -> list[dg.AssetCheckResult]:
    """The three drift checks' results for a scored batch."""
    return [_feature_check(scored), _score_check(scored), _label_check(scored)]


def _feature_check(scored: ScoredBatch) -> dg.AssetCheckResult:
    features, drifted = scored.features, scored.drifted_features
    return dg.AssetCheckResult(
        check_name="feature_drift",
        passed=not drifted,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"Drifted from the training rows: {', '.join(drifted)}."
            if drifted
            else "No feature drifted from the training rows."
        ),
        metadata={
            "drifted_features": ", ".join(drifted) or "none",
            "largest_distance": float(features["distance"].max()) if len(features) else 0.0,
            "features": table_metadata(features.head(50)),
        },
    )


def _score_check(scored: ScoredBatch) -> dg.AssetCheckResult:
    scores = scored.scores
    return dg.AssetCheckResult(
        check_name="score_drift",
        passed=not scores["drifted"],
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"Scores: KS distance {scores['score_distance']:.3f} from the model's scores "
            f"on its hold-out; positive decisions {scores['positive_rate']:.1%} against "
            f"{scores['expected_positive_rate']:.1%} there."
        ),
        metadata={k: float(v) for k, v in scores.items()},
    )


def _label_check(scored: ScoredBatch) -> dg.AssetCheckResult:
    labels = scored.labels
    if labels is None:
        return dg.AssetCheckResult(
            check_name="label_performance",
            passed=True,
            severity=dg.AssetCheckSeverity.WARN,
            description="Not evaluated: the batch has too few labelled rows of each class "
            "(the target column, where known).",
            metadata={"evaluated": False},
        )
    return dg.AssetCheckResult(
        check_name="label_performance",
        passed=not (labels["worse"] or labels["miscalibrated"]),
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"Realised average precision {labels['average_precision']:.3f} "
            f"[{labels['average_precision_low']:.3f}, {labels['average_precision_high']:.3f}] "
            f"on {labels['labelled_rows']} labelled rows against "
            f"{labels['expected_average_precision']:.3f} on the hold-out; observed rate "
            f"{labels['observed_rate']:.1%}, mean probability {labels['mean_probability']:.1%}."
        ),
        metadata={"evaluated": True, **{k: float(v) for k, v in labels.items()}},
    )


def build_score_job(spec: PipelineSpec) -> "dg.UnresolvedAssetJobDefinition":
    """The job that scores one batch (one partition of `scored_batch`)."""
    return dg.define_asset_job(
        score_job_name(spec),
        selection=dg.AssetSelection.assets(scored_key(spec)),
        description=f"Scores one batch of pipeline {spec.name!r} with its promoted model.",
    )


def build_score_sensor(
    spec: PipelineSpec, job: "dg.UnresolvedAssetJobDefinition", automated: bool = False
) -> dg.SensorDefinition:
    """Sensor ``<name>_score_sensor``: a new or changed batch gets a partition and a run.

    The cursor maps each batch key to the token it had (size and modification
    time of a file; the change query's result for a database). The run key is
    the key and token, so one version of a batch is scored once. Created stopped.

    ``automated`` (the spec's ``automation`` is not ``none``): created running; a new
    batch only gets its partition (the ``on_missing`` condition of `scored_batch`
    scores it), a changed one a run.
    """
    source = spec.scoring_source
    batches_def = partitions(spec)

    @dg.sensor(
        name=f"{spec.name}_score_sensor",
        job=job,
        minimum_interval_seconds=spec.sensor_interval,
        default_status=dg.DefaultSensorStatus.RUNNING
        if automated
        else dg.DefaultSensorStatus.STOPPED,
        description=f"Scores each new or changed batch of {sources.describe(source)} with the "
        f"promoted model of pipeline {spec.name!r}.",
    )
    def score_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        seen = json.loads(context.cursor) if context.cursor else {}
        current = batches.batch_versions(source, spec.score_change_query)
        changed = sorted(k for k, token in current.items() if seen.get(k) != token)
        if not changed:
            return dg.SensorResult(skip_reason="No new or changed batch.", cursor=context.cursor)
        known = set(context.instance.get_dynamic_partitions(batches_def.name))
        new = [k for k in changed if k not in known]
        rerun = [k for k in changed if k in known] if automated else changed
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(partition_key=k, run_key=f"{spec.name}:{k}:{current[k]}")
                for k in rerun
            ],
            dynamic_partitions_requests=[batches_def.build_add_request(new)] if new else [],
            cursor=json.dumps({**seen, **current}, sort_keys=True),
        )

    return score_sensor


def build_drift_sensor(
    spec: PipelineSpec, pipeline_job: "dg.UnresolvedAssetJobDefinition"
) -> dg.SensorDefinition:
    """Sensor ``<name>_drift_sensor``: a scored batch whose drift checks fail requests a
    run of the whole pipeline (a retraining on the source as it is then).

    Running from the start when the spec sets ``retrain_on_drift``; stopped otherwise.
    """

    @dg.asset_sensor(
        asset_key=scored_key(spec),
        name=f"{spec.name}_drift_sensor",
        job=pipeline_job,
        minimum_interval_seconds=spec.sensor_interval,
        default_status=dg.DefaultSensorStatus.RUNNING
        if spec.retrain_on_drift
        else dg.DefaultSensorStatus.STOPPED,
        description=f"Retrains pipeline {spec.name!r} when a scored batch drifts.",
    )
    def drift_sensor(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
        materialization = asset_event.asset_materialization
        drift = materialization.metadata.get("drift_detected") if materialization else None
        if drift is None or not drift.value:
            return dg.SkipReason("The latest scored batch did not drift.")
        batch = materialization.metadata["batch"].value
        return dg.RunRequest(
            run_key=f"{spec.name}:drift:{asset_event.run_id}",
            tags={"smote_pipeline/retrain_reason": f"drift in batch {batch}"},
        )

    return drift_sensor
