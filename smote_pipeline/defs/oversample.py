"""Oversample group: minority clusters, synthetic rows, their realism, the augmented
training set, and the checks on the synthetic rows (GX expectations, realism gates).

Each builder returns one definition of a pipeline; each asset calls the function
of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

from dataclasses import asdict

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import IS_SYNTHETIC, REASON
from smote_pipeline.core.oversample import expectations, oversampling
from smote_pipeline.core.oversample.realism import gating
from smote_pipeline.core.oversample.realism.report import GATE_REGISTRY, Gate, RealismSummary
from smote_pipeline.core.oversample.space_choice import OversamplingSpace
from smote_pipeline.defs.metadata import frame_metadata, table_metadata
from smote_pipeline.defs.scope import Scope

GROUP = "oversample"


def oversampling_space_asset(s: Scope) -> dg.AssetsDefinition:
    """The `oversampling_space` asset of the pipeline ``s.spec``."""

    @s.asset(
        "oversampling_space",
        GROUP,
        ins=("denoised_training_set",),
        kinds={"scikit-learn", "json"},
        description="Where every oversampling step of the run interpolates (the original "
        "space, or a PCA space when `auto_reduce` finds the minority's distances concentrated), "
        "decided once for the clusters, the synthetic rows and the cross-validated "
        "cluster_smote.",
    )
    def oversampling_space(
        context: dg.AssetExecutionContext, denoised_training_set: pd.DataFrame
    ) -> dg.MaterializeResult:
        found = pipeline.oversampling_space(denoised_training_set, s.target, s.options(context))
        return dg.MaterializeResult(
            value=found,
            metadata={
                "space": found.text,
                "n_components": str(found.n_components),
                "relative_contrast": "not measured"
                if found.relative_contrast is None
                else found.relative_contrast,
            },
        )

    return oversampling_space


def minority_clusters_asset(s: Scope) -> dg.AssetsDefinition:
    """The `minority_clusters` asset of the pipeline ``s.spec``."""
    target = s.target

    @s.asset(
        "minority_clusters",
        GROUP,
        ins=("denoised_training_set", "oversampling_space"),
        kinds={"pandas", "scikit-learn"},
        description="Cluster id of every real minority row: the clusters the sampler "
        "interpolates in, separated where the distance to the next group jumps.",
    )
    def minority_clusters(
        context: dg.AssetExecutionContext,
        denoised_training_set: pd.DataFrame,
        oversampling_space: OversamplingSpace,
    ) -> dg.MaterializeResult:
        options = s.options(context)
        found = pipeline.minority_clusters(
            denoised_training_set, target, options, oversampling_space
        )
        return dg.MaterializeResult(
            value=found.assignments,
            metadata={
                "n_clusters": len(found.sizes),
                "cluster_sizes": {str(k): v for k, v in found.sizes.items()},
                "clusterer": found.clusterer,
                "separation": dg.MetadataValue.json(found.separation),
            },
        )

    return minority_clusters


def synthetic_samples_asset(s: Scope) -> dg.AssetsDefinition:
    """The `synthetic_samples` asset of the pipeline ``s.spec``."""
    target = s.target

    @s.asset(
        "synthetic_samples",
        GROUP,
        ins=("denoised_training_set", "minority_clusters", "oversampling_space"),
        kinds={"pandas", "parquet"},
        description="Synthetic minority rows, each interpolated inside one cluster between "
        "parents whose segment the bridge guard allows, with their parents.",
    )
    def synthetic_samples(
        context: dg.AssetExecutionContext,
        denoised_training_set: pd.DataFrame,
        minority_clusters: pd.DataFrame,
        oversampling_space: OversamplingSpace,
    ) -> dg.MaterializeResult:
        options = s.options(context)
        rows = pipeline.synthetic_samples(
            denoised_training_set, minority_clusters, target, options, oversampling_space
        )
        synthetic = rows.frame
        per_cluster = synthetic["cluster_id"].value_counts().sort_index()
        return dg.MaterializeResult(
            value=synthetic,
            metadata={
                "rows": len(synthetic),
                "per_cluster": {str(k): int(v) for k, v in per_cluster.items()},
                "candidate_pairs": rows.n_pairs,
                "rejected_pairs": rows.n_rejected_pairs,
                "rejected_pairs_by_reason": dict(rows.rejected_pairs),
                "rows_from_checked_pairs": rows.n_checked_rows,
                "bridge_guard": rows.guard_text(),
                "sampling_strategy": options.sampling_strategy,
                "ratio": oversampling.ratio_note(denoised_training_set, target, options),
                "relative_contrast": "not measured"
                if rows.relative_contrast is None
                else rows.relative_contrast,
                "n_components": str(rows.n_components),
                "preview": table_metadata(synthetic.head(10)),
            },
        )

    return synthetic_samples


def synthetic_realism_asset(s: Scope) -> dg.AssetsDefinition:
    """The `synthetic_realism` asset of the pipeline ``s.spec``."""
    target = s.target

    @s.asset(
        "synthetic_realism",
        GROUP,
        ins=("denoised_training_set", "synthetic_samples"),
        kinds={"pandas", "json"},
        description="How realistic the synthetic rows are against the real training rows of "
        "their class: per-column and correlation similarity, real-vs-synthetic detection AUC, "
        "distance to the closest real record, majority intrusion, domain validity, and the "
        "rows that fail a row-level check. Gated by the checks on this asset.",
    )
    def synthetic_realism(
        context: dg.AssetExecutionContext,
        denoised_training_set: pd.DataFrame,
        synthetic_samples: pd.DataFrame,
    ) -> dg.MaterializeResult:
        options = s.options(context)
        found = pipeline.synthetic_realism(
            denoised_training_set, synthetic_samples, target, options
        )
        summary = found.summary()
        worst = found.columns.sort_values("similarity").head(20)
        return dg.MaterializeResult(
            value=summary,
            metadata={
                "passed": found.passed,
                "failed_gates": ", ".join(found.failed_gates) or "none",
                "warned_gates": ", ".join(found.warned_gates) or "none",
                "rows_to_drop": len(summary.rows_to_drop),
                "scores": dg.MetadataValue.json(summary.scores),
                "gates": table_metadata(pd.DataFrame(map(asdict, summary.gates))),
                "worst_columns": table_metadata(worst),
                "clusters": table_metadata(found.clusters),
                "recommendations": "\n".join(found.recommendations) or "none",
            },
        )

    return synthetic_realism


def augment_asset(s: Scope) -> dg.AssetsDefinition:
    """The `augment` multi-asset (`augmented_training_set`, `rejected_synthetic_samples`)."""
    target = s.target
    outs = {
        "augmented_training_set": s.frame_out(
            "augmented_training_set",
            GROUP,
            "Denoised real rows plus accepted synthetic rows (`is_synthetic`).",
        ),
        "rejected_synthetic_samples": s.frame_out(
            "rejected_synthetic_samples",
            GROUP,
            "Synthetic rows dropped by a row-level realism check, with the reason.",
        ),
    }

    @s.multi_asset(
        "augment", outs, ins=("denoised_training_set", "synthetic_samples", "synthetic_realism")
    )
    def augment(
        context: dg.AssetExecutionContext,
        denoised_training_set: pd.DataFrame,
        synthetic_samples: pd.DataFrame,
        synthetic_realism: RealismSummary,
    ):
        augmented, rejected = pipeline.augment(
            denoised_training_set, synthetic_samples, synthetic_realism.drop_table()
        )
        yield from s.selected(
            context,
            "augmented_training_set",
            augmented,
            {
                **frame_metadata(augmented, target),
                "synthetic_rows": int(augmented[IS_SYNTHETIC].sum()),
                "rejected_synthetic_rows": len(rejected),
            },
        )
        reasons = rejected[REASON].value_counts()
        yield from s.selected(
            context,
            "rejected_synthetic_samples",
            rejected,
            {
                "dagster/row_count": len(rejected),
                "by_reason": {str(k): int(v) for k, v in reasons.items()},
            },
        )

    return augment


def synthetic_expectations_check(s: Scope) -> dg.AssetChecksDefinition:
    """The blocking `synthetic_expectations` check (GX suite) on `synthetic_samples`."""

    @dg.asset_check(
        asset=s.key("synthetic_samples"),
        name="synthetic_expectations",
        blocking=True,
        additional_ins={"denoised_training_set": dg.AssetIn(key=s.key("denoised_training_set"))},
        description="great-expectations suite learnt from the real minority training rows "
        "(per-column bounds, categorical value sets, no nulls), validated on every synthetic row.",
    )
    def synthetic_expectations(
        synthetic_samples: pd.DataFrame, denoised_training_set: pd.DataFrame
    ) -> dg.AssetCheckResult:
        suite = pipeline.synthetic_suite(denoised_training_set, s.target, s.name)
        outcome = expectations.validate_frame(synthetic_samples, suite, s.target)
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

    return synthetic_expectations


def realism_gates_check(s: Scope) -> dg.AssetChecksDefinition:
    """One check per realism gate of the registry on `synthetic_realism`.

    Blocking gates fail with ERROR severity; the others warn. A failed blocking
    gate does not stop the run: ``augment`` then keeps every synthetic row out of
    training (``RealismReport.rows_to_drop``), so the run ships a model trained
    on real rows and says why. A gate that was not measured on this data passes,
    saying so.
    """
    realism_key = s.key("synthetic_realism")

    @dg.multi_asset_check(
        name=f"{s.name}__realism_gates",
        specs=[
            dg.AssetCheckSpec(
                name=gate,
                asset=realism_key,
                description=GATE_REGISTRY[gate].description
                + (
                    " Blocking: when it fails, no synthetic row reaches training (the run "
                    "goes on with the real rows)."
                    if gate in gating.BLOCKING_GATES
                    else ""
                ),
            )
            for gate in gating.GATES
        ],
        ins={"synthetic_realism": dg.AssetIn(key=realism_key)},
    )
    def realism_gates(synthetic_realism: RealismSummary):
        gates = {g.name: g for g in synthetic_realism.gates}
        for name in gating.GATES:
            yield _gate_result(realism_key, name, gates.get(name))

    return realism_gates


def _gate_result(asset: dg.AssetKey, name: str, gate: Gate | None) -> dg.AssetCheckResult:
    """The check result of realism gate ``name`` (``gate``: its measured record, if any)."""
    if gate is None:
        return dg.AssetCheckResult(
            asset_key=asset,
            check_name=name,
            passed=True,
            metadata={"measured": "not measured on this data"},
        )
    blocking = name in gating.BLOCKING_GATES
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=name,
        passed=gate.passed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "value": gate.value,
            "threshold": gate.threshold,
            "limit": gate.direction,
        },
    )
