"""Asset checks: hold-out isolation and synthetic-data expectations (GX 1.x)."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.holdout import evaluation, isolation
from smote_pipeline.core.oversample import expectations, gating
from smote_pipeline.core.oversample.realism_report import GATE_REGISTRY
from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs.assets import IO_MANAGER_KEY
from smote_pipeline.defs.metadata import table_metadata

#: Training-side assets the isolation check inspects.
TRAINING_SIDE = (
    "training_set",
    "denoised_training_set",
    "synthetic_samples",
    "augmented_training_set",
)


def build_checks(spec: PipelineSpec) -> list[dg.AssetChecksDefinition]:
    """The asset checks of one pipeline."""
    p, target = spec.name, spec.target

    def key(asset: str) -> dg.AssetKey:
        return dg.AssetKey([p, asset])

    @dg.multi_asset_check(
        name=f"{p}__holdout_isolation",
        specs=[
            dg.AssetCheckSpec(
                name="holdout_isolation",
                asset=key("holdout_set"),
                blocking=True,
                additional_deps=[key(name) for name in TRAINING_SIDE],
                description="No hold-out row (by content hash of real rows or by row id), nor "
                "a synthetic row with a hold-out parent, appears on the training side. Skipped "
                "(with the reason in the run log) while a training-side asset has never been "
                "materialized.",
            )
        ],
        can_subset=True,
        required_resource_keys={IO_MANAGER_KEY},
    )
    def holdout_isolation(context):  # AssetCheckExecutionContext (string annotations are refused)
        store = getattr(context.resources, IO_MANAGER_KEY)
        holdout_set = store.load_stored(key("holdout_set"))
        sides = {name: store.load_stored(key(name)) for name in TRAINING_SIDE}
        absent = [name for name, value in sides.items() if value is None]
        if holdout_set is None or absent:
            context.log.warning(
                "holdout_isolation skipped: "
                + ", ".join(absent or ["holdout_set"])
                + " not materialized yet; it runs with the rest of the pipeline."
            )
            return
        found = isolation.check_isolation(holdout_set, sides, target)
        yield dg.AssetCheckResult(
            asset_key=key("holdout_set"),
            check_name="holdout_isolation",
            passed=found.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "holdout_rows": found.holdout_rows,
                "rows_with_holdout_content": found.leaked_content,
                "rows_with_holdout_ids": found.leaked_ids,
                "synthetic_rows_with_holdout_parents": found.leaked_parents,
                "synthetic_rows_equal_to_a_holdout_row": found.synthetic_coincidences,
            },
        )

    @dg.asset_check(
        asset=key("leakage_screen"),
        name="target_leak",
        description="Warns when a single column predicts the target almost perfectly on the "
        "training rows (a target leak, or an easy task).",
    )
    def target_leak(leakage_screen: dict) -> dg.AssetCheckResult:
        suspected = leakage_screen.get("suspected", [])
        columns = pd.DataFrame(
            leakage_screen.get("columns", []), columns=["column", "average_precision", "suspected"]
        ).sort_values("average_precision", ascending=False)
        return dg.AssetCheckResult(
            passed=not suspected,
            severity=dg.AssetCheckSeverity.WARN,
            description=" ".join(leakage_screen.get("warnings", []))
            or "No column alone predicts the target almost perfectly.",
            metadata={
                "suspected_columns": ", ".join(suspected) or "none",
                "columns": table_metadata(columns.head(50)),
            },
        )

    @dg.asset_check(
        asset=key("synthetic_samples"),
        name="synthetic_expectations",
        blocking=True,
        additional_ins={"denoised_training_set": dg.AssetIn(key=key("denoised_training_set"))},
        description="great-expectations suite learnt from the real minority training rows "
        "(per-column bounds, categorical value sets, no nulls), validated on every synthetic row.",
    )
    def synthetic_expectations(
        synthetic_samples: pd.DataFrame, denoised_training_set: pd.DataFrame
    ) -> dg.AssetCheckResult:
        suite = pipeline.synthetic_suite(denoised_training_set, target, p)
        outcome = expectations.validate_frame(synthetic_samples, suite, target)
        failed = pd.DataFrame(outcome.failed, columns=["expectation", "column", "unexpected_count"])
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "expectations": len(outcome.results),
                "failed_expectations": len(outcome.failed),
                "failures": table_metadata(failed.head(50)),
                "suite": dg.MetadataValue.json(outcome.suite),
            },
        )

    @dg.asset_check(
        asset=key("holdout_evaluation"),
        name="smote_helped",
        description="Warns when no oversampling strategy beat the best non-resampling strategy "
        "on the real hold-out (paired bootstrap interval of the average-precision "
        "difference above zero, simultaneous 95% over all resampling strategies compared).",
    )
    def smote_helped(holdout_evaluation: dict) -> dg.AssetCheckResult:
        verdicts = pd.DataFrame(holdout_evaluation["verdicts"])
        return dg.AssetCheckResult(
            passed=bool(evaluation.smote_helped(holdout_evaluation)),
            severity=dg.AssetCheckSeverity.WARN,
            description=evaluation.verdict_summary(holdout_evaluation)["text"],
            metadata={"verdicts": table_metadata(verdicts.head(20))},
        )

    realism_key = key("synthetic_realism")

    @dg.multi_asset_check(
        name=f"{p}__realism_gates",
        specs=[
            dg.AssetCheckSpec(
                name=gate,
                asset=realism_key,
                blocking=gate in gating.BLOCKING_GATES,
                description=GATE_REGISTRY[gate].description,
            )
            for gate in gating.GATES
        ],
        ins={"synthetic_realism": dg.AssetIn(key=realism_key)},
    )
    def realism_gates(synthetic_realism: dict):
        gates = {g["name"]: g for g in synthetic_realism["gates"]}
        for name in gating.GATES:
            gate = gates.get(name)
            hard = name in gating.BLOCKING_GATES
            if gate is None:
                yield dg.AssetCheckResult(
                    asset_key=realism_key,
                    check_name=name,
                    passed=True,
                    metadata={"measured": "not measured on this data"},
                )
                continue
            yield dg.AssetCheckResult(
                asset_key=realism_key,
                check_name=name,
                passed=bool(gate["passed"]),
                severity=dg.AssetCheckSeverity.ERROR if hard else dg.AssetCheckSeverity.WARN,
                metadata={
                    "value": gate["value"],
                    "threshold": gate["threshold"],
                    "limit": gate["direction"],
                },
            )

    return [holdout_isolation, target_leak, synthetic_expectations, smote_helped, realism_gates]
