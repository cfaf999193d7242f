"""Hold-out group: evaluation on the untouched real hold-out, the report, and the
checks of this lineage (hold-out isolation, whether SMOTE helped).

Each builder returns one definition of a pipeline; each asset calls the function
of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

from typing import Any

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.holdout import evaluation, isolation, model_card, report
from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.holdout.segments import segment_table
from smote_pipeline.core.ingest import split
from smote_pipeline.core.ingest.leakage import LeakScreen
from smote_pipeline.core.oversample.realism.report import RealismSummary
from smote_pipeline.core.train.records import Candidate, Champion, Race
from smote_pipeline.defs.ingest import LEDGER
from smote_pipeline.defs.metadata import table_metadata
from smote_pipeline.defs.scope import IO_MANAGER_KEY, Scope

GROUP = "holdout"

#: Training-side assets the isolation check inspects.
TRAINING_SIDE = (
    "training_set",
    "denoised_training_set",
    "synthetic_samples",
    "augmented_training_set",
)


def holdout_evaluation_asset(s: Scope) -> dg.AssetsDefinition:
    """The `holdout_evaluation` asset of the pipeline ``s.spec``."""

    @s.asset(
        "holdout_evaluation",
        GROUP,
        ins=("holdout_set", "candidate_models", "minority_clusters", "denoised_training_set"),
        kinds={"scikit-learn", "json"},
        description="Every candidate scored on the real hold-out, with bootstrap intervals "
        "and the verdict on oversampling; the champion's recall per minority subpopulation.",
    )
    def holdout_evaluation(
        context: dg.AssetExecutionContext,
        holdout_set: pd.DataFrame,
        candidate_models: dict[str, Candidate],
        minority_clusters: pd.DataFrame,
        denoised_training_set: pd.DataFrame,
    ) -> dg.MaterializeResult:
        result = pipeline.holdout_evaluation(
            holdout_set,
            candidate_models,
            s.target,
            s.options(context),
            clusters=minority_clusters,
            denoised=denoised_training_set,
        )
        table = evaluation.metrics_table(result)
        numeric = {
            f"{r.strategy}/{m}": float(round(getattr(r, m), 4))
            for r in table.itertuples()
            for m in ("average_precision", "roc_auc", "brier")
        }
        return dg.MaterializeResult(
            value=result,
            metadata={
                "smote_helped": result.smote_helped,
                "verdict": result.summary["text"],
                "holdout_metrics": table_metadata(report.holdout_table(result)),
                "thresholded_metrics": table_metadata(report.threshold_table(result)),
                "calibration": table_metadata(report.calibration_table(result)),
                "verdicts": table_metadata(pd.DataFrame(list(result.verdicts))),
                "recall_by_subpopulation": table_metadata(report.subpopulation_table(result)),
                "split": result.split,
                **(
                    {"by_segment": table_metadata(segment_table(result.segments))}
                    if result.segments
                    else {}
                ),
                **numeric,
            },
        )

    return holdout_evaluation


def smote_report_asset(s: Scope) -> dg.AssetsDefinition:
    """The `smote_report` asset of the pipeline ``s.spec``."""
    inputs = (
        "holdout_evaluation",
        "champion_model",
        "augmented_training_set",
        "minority_clusters",
        "synthetic_realism",
        "noise_quarantine",
        "leakage_screen",
        "candidate_screen",
    )

    @s.asset(
        "smote_report",
        GROUP,
        ins=inputs,
        deps=[s.key("synthetic_samples")],  # the bridge guard's figures: its metadata
        kinds={"markdown"},
        description="Markdown report: did SMOTE help here, and what to ship.",
    )
    def smote_report(
        context: dg.AssetExecutionContext,
        holdout_evaluation: HoldoutEvaluation,
        champion_model: Champion,
        augmented_training_set: pd.DataFrame,
        minority_clusters: pd.DataFrame,
        synthetic_realism: RealismSummary,
        noise_quarantine: pd.DataFrame,
        leakage_screen: LeakScreen,
        candidate_screen: Race,
    ) -> dg.MaterializeResult:
        text = report.build_report(
            pipeline=s.name,
            positive_label=s.spec.positive_label,
            evaluation=holdout_evaluation,
            champion=champion_model,
            augmented=augmented_training_set,
            clusters=minority_clusters,
            target=s.target,
            realism=synthetic_realism,
            quarantine=noise_quarantine,
            leaks=leakage_screen,
            guard=_latest_metadata(context, s.key("synthetic_samples"), "bridge_guard"),
            screen=candidate_screen,
        )
        return dg.MaterializeResult(
            value=text,
            metadata={
                "report": dg.MetadataValue.md(text),
                "smote_helped": holdout_evaluation.smote_helped,
                "ship": champion_model.strategy,
            },
        )

    return smote_report


def model_card_asset(s: Scope) -> dg.AssetsDefinition:
    """The `model_card` asset of the pipeline ``s.spec``: the shipped model described."""

    @s.asset(
        "model_card",
        GROUP,
        ins=(
            "champion_model",
            "holdout_evaluation",
            "training_set",
            "augmented_training_set",
            "leakage_screen",
        ),
        kinds={"markdown"},
        description="Model card of the shipped model: intended use, training data, how it "
        "was chosen, its quality on the real hold-out with intervals, calibration, the share "
        "of synthetic rows and known limitations.",
    )
    def model_card_(
        champion_model: Champion,
        holdout_evaluation: HoldoutEvaluation,
        training_set: pd.DataFrame,
        augmented_training_set: pd.DataFrame,
        leakage_screen: LeakScreen,
    ) -> dg.MaterializeResult:
        text = model_card.build_model_card(
            pipeline=s.name,
            target=s.target,
            positive_label=s.spec.positive_label,
            champion=champion_model,
            evaluation=holdout_evaluation,
            training=training_set,
            augmented=augmented_training_set,
            leaks=leakage_screen,
        )
        return dg.MaterializeResult(
            value=text,
            metadata={
                "card": dg.MetadataValue.md(text),
                "strategy": champion_model.strategy,
                "training_fingerprint": champion_model.training_fingerprint,
                "synthetic_share": round(model_card.synthetic_share(augmented_training_set), 4),
            },
        )

    return model_card_


def _latest_metadata(context: dg.AssetExecutionContext, key: dg.AssetKey, name: str) -> str | None:
    """Metadata ``name`` of the latest materialization of ``key`` (the stored value's).

    The report quotes what the sampler said while drawing the stored synthetic rows
    (the bridge guard's rejected pairs), which the rows themselves do not carry.
    """
    event = context.instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return None
    value = event.asset_materialization.metadata.get(name)
    return None if value is None else str(value.value)


def holdout_isolation_check(s: Scope) -> dg.AssetChecksDefinition:
    """The blocking `holdout_isolation` check on `holdout_set`.

    It reads the stored training-side assets itself (it is subsettable), and
    yields nothing, so Dagster marks it skipped, while one was never materialized.
    """
    holdout_key = s.key("holdout_set")

    @dg.multi_asset_check(
        name=f"{s.name}__holdout_isolation",
        specs=[
            dg.AssetCheckSpec(
                name="holdout_isolation",
                asset=holdout_key,
                blocking=True,
                additional_deps=[s.key(name) for name in TRAINING_SIDE],
                description="No hold-out row (by content hash of real rows or by row id), nor "
                "a real row any earlier run held out (the hold-out ledger), nor a synthetic row "
                "with a hold-out parent, appears on the training side; with group_column no "
                "hold-out entity, with time_column no row as late as the hold-out. Skipped "
                "(with the reason in the run log) while a training-side asset has never been "
                "materialized.",
            )
        ],
        can_subset=True,
        required_resource_keys={IO_MANAGER_KEY},
    )
    def holdout_isolation(context):  # AssetCheckExecutionContext (string annotations are refused)
        store = getattr(context.resources, IO_MANAGER_KEY)
        holdout_set = store.load_stored(holdout_key)
        sides = {name: store.load_stored(s.key(name)) for name in TRAINING_SIDE}
        absent = [name for name, value in sides.items() if value is None]
        if holdout_set is None or absent:
            context.log.warning(
                "holdout_isolation skipped: "
                + ", ".join(absent or ["holdout_set"])
                + " not materialized yet; it runs with the rest of the pipeline."
            )
            return
        ledger = split.HoldoutLedger.from_frame(store.load_stored(s.key(LEDGER)))
        found = isolation.check_isolation(holdout_set, sides, s.target, ledger)
        yield dg.AssetCheckResult(
            asset_key=holdout_key,
            check_name="holdout_isolation",
            passed=found.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=_isolation_metadata(found),
        )

    return holdout_isolation


def _isolation_metadata(found: isolation.IsolationReport) -> dict[str, Any]:
    """The counts of the isolation report, named for the UI."""
    return {
        "holdout_rows": found.holdout_rows,
        "rows_with_holdout_content": found.leaked_content,
        "rows_with_holdout_ids": found.leaked_ids,
        "synthetic_rows_with_holdout_parents": found.leaked_parents,
        "synthetic_rows_equal_to_a_holdout_row": found.synthetic_coincidences,
        "rows_held_out_by_any_run": found.leaked_earlier,
        "ledger_holdout_groups": found.ledger_holdout_groups,
        "training_rows_of_holdout_entities": found.leaked_entities,
        "training_rows_not_earlier_than_holdout": found.not_earlier,
        "rows_the_ledger_cannot_match": found.unmatched_by_ledger,
    }


def smote_helped_check(s: Scope) -> dg.AssetChecksDefinition:
    """The `smote_helped` check (WARN) on `holdout_evaluation`."""

    @dg.asset_check(
        asset=s.key("holdout_evaluation"),
        name="smote_helped",
        description="Warns when no oversampling strategy beat the best non-resampling strategy "
        "on the real hold-out (paired bootstrap interval of the average-precision "
        "difference above zero, simultaneous 95% over all resampling strategies compared).",
    )
    def smote_helped(holdout_evaluation: HoldoutEvaluation) -> dg.AssetCheckResult:
        verdicts = pd.DataFrame(list(holdout_evaluation.verdicts))
        return dg.AssetCheckResult(
            passed=bool(holdout_evaluation.smote_helped),
            severity=dg.AssetCheckSeverity.WARN,
            description=holdout_evaluation.summary["text"],
            metadata={"verdicts": table_metadata(verdicts.head(20))},
        )

    return smote_helped
