"""Serve group: the champion versions and the promotion gate.

``promoted_model`` keeps every trained champion as a version and names the one
in use; its `promotion_gate` check (WARN) says when a new champion was not
promoted, and why. Each asset calls the function of the same name in
:mod:`smote_pipeline.core.pipeline`.
"""

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.holdout.promotion import ModelRegistry
from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.train.records import Champion
from smote_pipeline.defs.holdout import PROMOTED
from smote_pipeline.defs.ingest import ROLES
from smote_pipeline.defs.metadata import table_metadata
from smote_pipeline.defs.scope import IO_MANAGER_KEY, Scope

GROUP = "serve"


def promoted_model_asset(s: Scope) -> dg.AssetsDefinition:
    """The `promoted_model` asset of the pipeline ``s.spec``."""

    @s.asset(
        PROMOTED,
        GROUP,
        ins=("champion_model", "holdout_evaluation", "training_set"),
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
            store.load_stored(s.key(PROMOTED)), champion_model, holdout_evaluation, options, scoring
        )
        context.log.info(registry.decision)
        promoted = registry.promoted_version
        return dg.MaterializeResult(
            value=registry,
            metadata={
                "promoted_version": promoted.version,
                "promoted_strategy": promoted.strategy,
                "latest_version": registry.latest.version,
                "decision": registry.decision,
                "versions": table_metadata(registry.table()),
                "training_fingerprint": promoted.training_fingerprint,
                "model_fingerprint": promoted.fingerprint,
                "can_score_batches": promoted.profile is not None,
            },
        )

    return promoted_model


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
