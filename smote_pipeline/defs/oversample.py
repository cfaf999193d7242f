"""Oversample group: minority clusters, synthetic rows, their realism and the
augmented training set.

Each builder returns one asset definition of a pipeline; each asset calls the
function of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

from typing import Any

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import IS_SYNTHETIC, REASON, ROW_ID
from smote_pipeline.core.oversample import oversampling
from smote_pipeline.defs.metadata import frame_metadata, table_metadata
from smote_pipeline.defs.scope import IO_MANAGER_KEY, Scope, options_of


def minority_clusters_asset(s: Scope) -> dg.AssetsDefinition:
    """The `minority_clusters` asset of the pipeline ``s.spec``."""
    p, target, spec, key, ins, common = s.p, s.target, s.spec, s.key, s.ins, s.common

    @dg.asset(
        key=key("minority_clusters"),
        group_name=f"{p}_oversample",
        io_manager_key=IO_MANAGER_KEY,
        ins=ins("denoised_training_set"),
        kinds={"pandas", "scikit-learn"},
        description="Cluster id of every real minority row (k chosen by silhouette).",
        **common,
    )
    def minority_clusters(
        context: dg.AssetExecutionContext, denoised_training_set: pd.DataFrame
    ) -> dg.MaterializeResult:
        options = options_of(context, spec)
        found = pipeline.minority_clusters(denoised_training_set, target, options)
        return dg.MaterializeResult(
            value=found.assignments,
            metadata={
                "n_clusters": len(found.sizes),
                "cluster_sizes": {str(k): v for k, v in found.sizes.items()},
                "silhouette_by_k": {
                    str(k): round(v, 4) for k, v in found.silhouette_scores.items()
                },
            },
        )

    return minority_clusters


def synthetic_samples_asset(s: Scope) -> dg.AssetsDefinition:
    """The `synthetic_samples` asset of the pipeline ``s.spec``."""
    p, target, spec, key, ins, common = s.p, s.target, s.spec, s.key, s.ins, s.common

    @dg.asset(
        key=key("synthetic_samples"),
        group_name=f"{p}_oversample",
        io_manager_key=IO_MANAGER_KEY,
        ins=ins("denoised_training_set", "minority_clusters"),
        kinds={"pandas", "parquet"},
        description="Synthetic minority rows, each interpolated inside one cluster, with parents.",
        **common,
    )
    def synthetic_samples(
        context: dg.AssetExecutionContext,
        denoised_training_set: pd.DataFrame,
        minority_clusters: pd.DataFrame,
    ) -> dg.MaterializeResult:
        options = options_of(context, spec)
        synthetic = pipeline.synthetic_samples(
            denoised_training_set, minority_clusters, target, options
        )
        # the contrast is measured for every run by synthetic_realism; here only for auto_reduce
        options, contrast = pipeline.oversampling_options(denoised_training_set, target, options)
        per_cluster = synthetic["cluster_id"].value_counts().sort_index()
        return dg.MaterializeResult(
            value=synthetic,
            metadata={
                "rows": len(synthetic),
                "per_cluster": {str(k): int(v) for k, v in per_cluster.items()},
                "sampling_strategy": options.sampling_strategy,
                "ratio": oversampling.ratio_note(denoised_training_set, target, options),
                "relative_contrast": "not measured" if contrast is None else contrast,
                "n_components": str(options.n_components),
                "preview": table_metadata(synthetic.head(10)),
            },
        )

    return synthetic_samples


def synthetic_realism_asset(s: Scope) -> dg.AssetsDefinition:
    """The `synthetic_realism` asset of the pipeline ``s.spec``."""
    p, target, spec, key, ins, common = s.p, s.target, s.spec, s.key, s.ins, s.common

    @dg.asset(
        key=key("synthetic_realism"),
        group_name=f"{p}_oversample",
        io_manager_key=IO_MANAGER_KEY,
        ins=ins("denoised_training_set", "synthetic_samples"),
        kinds={"pandas", "json"},
        description="How realistic the synthetic rows are against the real training rows of "
        "their class: per-column and correlation similarity, real-vs-synthetic detection AUC, "
        "distance to the closest real record, majority intrusion, domain validity, and the "
        "rows that fail a row-level check. Gated by the checks on this asset.",
        **common,
    )
    def synthetic_realism(
        context: dg.AssetExecutionContext,
        denoised_training_set: pd.DataFrame,
        synthetic_samples: pd.DataFrame,
    ) -> dg.MaterializeResult:
        options = options_of(context, spec)
        found = pipeline.synthetic_realism(
            denoised_training_set, synthetic_samples, target, options
        )
        summary = found.to_dict()
        drop = found.rows_to_drop()
        summary["rows_to_drop"] = drop.to_dict(orient="records")
        worst = found.columns.sort_values("similarity").head(20)
        return dg.MaterializeResult(
            value=summary,
            metadata={
                "passed": found.passed,
                "failed_gates": ", ".join(found.failed_gates) or "none",
                "warned_gates": ", ".join(found.warned_gates) or "none",
                "rows_to_drop": len(drop),
                "scores": dg.MetadataValue.json(summary["scores"]),
                "gates": table_metadata(pd.DataFrame(summary["gates"])),
                "worst_columns": table_metadata(worst),
                "clusters": table_metadata(found.clusters),
                "recommendations": "\n".join(found.recommendations) or "none",
            },
        )

    return synthetic_realism


def augment_asset(s: Scope) -> dg.AssetsDefinition:
    """The `augment` asset of the pipeline ``s.spec``."""
    p, target, ins, common, selected = s.p, s.target, s.ins, s.common, s.selected

    @dg.multi_asset(
        name=f"{p}__augment",
        outs={
            "augmented_training_set": s.frame_out(
                "augmented_training_set",
                "oversample",
                "Denoised real rows plus accepted synthetic rows (`is_synthetic`).",
            ),
            "rejected_synthetic_samples": s.frame_out(
                "rejected_synthetic_samples",
                "oversample",
                "Synthetic rows dropped by a row-level realism check, with the reason.",
            ),
        },
        ins=ins("denoised_training_set", "synthetic_samples", "synthetic_realism"),
        can_subset=True,
        **common,
    )
    def augment(
        context: dg.AssetExecutionContext,
        denoised_training_set: pd.DataFrame,
        synthetic_samples: pd.DataFrame,
        synthetic_realism: dict[str, Any],
    ):
        to_drop = pd.DataFrame(synthetic_realism["rows_to_drop"], columns=[ROW_ID, REASON])
        augmented, rejected = pipeline.augment(denoised_training_set, synthetic_samples, to_drop)
        yield from selected(
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
        yield from selected(
            context,
            "rejected_synthetic_samples",
            rejected,
            {
                "dagster/row_count": len(rejected),
                "by_reason": {str(k): int(v) for k, v in reasons.items()},
            },
        )

    return augment
