"""Asset checks: hold-out isolation and synthetic-data expectations (GX 1.x)."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from smote_pipeline.core import expectations, isolation
from smote_pipeline.core.spec import PipelineSpec
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

    @dg.asset_check(
        asset=key("holdout_set"),
        name="holdout_isolation",
        blocking=True,
        additional_ins={name: dg.AssetIn(key=key(name)) for name in TRAINING_SIDE},
        description="No hold-out row (by content hash or row id), nor a synthetic row with a "
        "hold-out parent, appears on the training side.",
    )
    def holdout_isolation(
        holdout_set: pd.DataFrame,
        training_set: pd.DataFrame,
        denoised_training_set: pd.DataFrame,
        synthetic_samples: pd.DataFrame,
        augmented_training_set: pd.DataFrame,
    ) -> dg.AssetCheckResult:
        found = isolation.check_isolation(
            holdout_set,
            {
                "training_set": training_set,
                "denoised_training_set": denoised_training_set,
                "synthetic_samples": synthetic_samples,
                "augmented_training_set": augmented_training_set,
            },
            target,
        )
        return dg.AssetCheckResult(
            passed=found.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "holdout_rows": found.holdout_rows,
                "rows_with_holdout_content": found.leaked_content,
                "rows_with_holdout_ids": found.leaked_ids,
                "synthetic_rows_with_holdout_parents": found.leaked_parents,
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
        real = denoised_training_set[denoised_training_set[target] == 1]
        suite = expectations.build_suite(real, target, name=f"{p}_synthetic_realism")
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

    return [holdout_isolation, synthetic_expectations]
