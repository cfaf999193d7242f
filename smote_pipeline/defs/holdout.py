"""Hold-out group: evaluation on the untouched real hold-out and the report.

Each builder returns one asset definition of a pipeline; each asset calls the
function of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

from typing import Any

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.holdout import evaluation, report
from smote_pipeline.defs.metadata import table_metadata
from smote_pipeline.defs.scope import IO_MANAGER_KEY, Scope, options_of


def holdout_evaluation_asset(s: Scope) -> dg.AssetsDefinition:
    """The `holdout_evaluation` asset of the pipeline ``s.spec``."""
    p, target, spec, key, ins, common = s.p, s.target, s.spec, s.key, s.ins, s.common

    @dg.asset(
        key=key("holdout_evaluation"),
        group_name=f"{p}_holdout",
        io_manager_key=IO_MANAGER_KEY,
        ins=ins("holdout_set", "candidate_models"),
        kinds={"scikit-learn", "json"},
        description="Every candidate scored on the real hold-out, with bootstrap intervals "
        "and the verdict on oversampling.",
        **common,
    )
    def holdout_evaluation(
        context: dg.AssetExecutionContext,
        holdout_set: pd.DataFrame,
        candidate_models: dict[str, Any],
    ) -> dg.MaterializeResult:
        options = options_of(context, spec)
        result = pipeline.holdout_evaluation(holdout_set, candidate_models, target, options)
        table = evaluation.metrics_table(result)
        numeric = {
            f"{r.strategy}/{m}": float(round(getattr(r, m), 4))
            for r in table.itertuples()
            for m in ("average_precision", "roc_auc", "brier")
        }
        return dg.MaterializeResult(
            value=result,
            metadata={
                "smote_helped": result["smote_helped"],
                "verdict": result["summary"]["text"],
                "holdout_metrics": table_metadata(report.holdout_table(result)),
                "thresholded_metrics": table_metadata(report.threshold_table(result)),
                "calibration": table_metadata(report.calibration_table(result)),
                "verdicts": table_metadata(pd.DataFrame(result["verdicts"])),
                **numeric,
            },
        )

    return holdout_evaluation


def smote_report_asset(s: Scope) -> dg.AssetsDefinition:
    """The `smote_report` asset of the pipeline ``s.spec``."""
    p, target, spec, key, ins, common = s.p, s.target, s.spec, s.key, s.ins, s.common

    @dg.asset(
        key=key("smote_report"),
        group_name=f"{p}_holdout",
        io_manager_key=IO_MANAGER_KEY,
        ins=ins(
            "holdout_evaluation",
            "champion_model",
            "augmented_training_set",
            "minority_clusters",
            "synthetic_realism",
            "noise_quarantine",
            "leakage_screen",
        ),
        kinds={"markdown"},
        description="Markdown report: did SMOTE help here, and what to ship.",
        **common,
    )
    def smote_report(
        context: dg.AssetExecutionContext,
        holdout_evaluation: dict[str, Any],
        champion_model: dict[str, Any],
        augmented_training_set: pd.DataFrame,
        minority_clusters: pd.DataFrame,
        synthetic_realism: dict[str, Any],
        noise_quarantine: pd.DataFrame,
        leakage_screen: dict[str, Any],
    ) -> dg.MaterializeResult:
        text = report.build_report(
            pipeline=p,
            positive_label=spec.positive_label,
            evaluation=holdout_evaluation,
            champion=champion_model["strategy"],
            augmented=augmented_training_set,
            clusters=minority_clusters,
            target=target,
            champion_info=champion_model,
            realism=synthetic_realism,
            quarantine=noise_quarantine,
            leaks=leakage_screen,
        )
        return dg.MaterializeResult(
            value=text,
            metadata={
                "report": dg.MetadataValue.md(text),
                "smote_helped": holdout_evaluation["smote_helped"],
                "ship": champion_model["strategy"],
            },
        )

    return smote_report
