"""The asset graph of one pipeline. Each asset reads settings, calls the function of
the same name in :mod:`smote_pipeline.core.pipeline`, attaches metadata and returns.
"""

from typing import Any

import dagster as dg
import pandas as pd

from smote_pipeline.core import evaluation, ingestion, oversampling, pipeline, report, sources
from smote_pipeline.core.columns import IS_SYNTHETIC, REASON, ROW_ID, content_hash
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs.metadata import frame_metadata, table_metadata

IO_MANAGER_KEY = "smote_io_manager"


def settings_key(spec: PipelineSpec) -> str:
    """Resource key of a pipeline's :class:`PipelineSettings`."""
    return f"{spec.name}_settings"


def _options(context: dg.AssetExecutionContext, spec: PipelineSpec) -> PipelineOptions:
    return getattr(context.resources, settings_key(spec)).options()


def build_assets(spec: PipelineSpec) -> list[dg.AssetsDefinition]:
    """Every asset of the pipeline described by ``spec``, under its name as key prefix.

    Groups: ``<name>_ingest``, ``<name>_clean``, ``<name>_oversample``,
    ``<name>_train`` (training lineage) and ``<name>_holdout`` (the hold-out
    lineage, which nothing on the training side reads).
    """
    p, target = spec.name, spec.target
    key = lambda asset: dg.AssetKey([p, asset])  # noqa: E731
    common = {
        "required_resource_keys": {settings_key(spec)},
    }

    def ins(*names: str) -> dict[str, dg.AssetIn]:
        return {n: dg.AssetIn(key=key(n)) for n in names}

    def selected(
        context: dg.AssetExecutionContext, name: str, value: Any, metadata: dict[str, Any]
    ) -> list[dg.MaterializeResult]:
        """The result of output ``name`` of a subsettable multi-asset, if it was selected."""
        if key(name) not in context.selected_asset_keys:
            return []
        return [dg.MaterializeResult(asset_key=key(name), value=value, metadata=metadata)]

    @dg.observable_source_asset(
        key=key("source"),
        group_name=f"{p}_ingest",
        description=f"The source table ({sources.describe(spec.data_source)}), observed by "
        "content fingerprint so the UI marks everything downstream stale when it changes.",
    )
    def source() -> dg.DataVersion:
        return dg.DataVersion(sources.fingerprint(spec.data_source, spec.change_query))

    @dg.asset(
        key=key("raw_dataset"),
        deps=[key("source")],
        group_name=f"{p}_ingest",
        io_manager_key=IO_MANAGER_KEY,
        kinds={"pandas", "parquet"},
        description=f"Validated source table; target `{target}` as 1 = "
        f"{spec.positive_label!r}, 0 = other.",
        **common,
    )
    def raw_dataset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        options = _options(context, spec)
        try:
            table = ingestion.read_source(spec.data_source)
        except Exception as error:
            if sources.is_transient(error):
                raise dg.RetryRequested(max_retries=3, seconds_to_wait=2) from error
            raise
        ingested = pipeline.raw_dataset(
            table,
            ingestion.TargetSpec(target, spec.positive_label, options.one_vs_rest),
            spec.columns,
        )
        frame, roles = ingested.frame, ingested.roles_table()
        summary = ingestion.describe_dataset(frame, target)
        excluded = roles.loc[roles["becomes"] == "excluded", ["column", "role"]]
        return dg.MaterializeResult(
            value=frame,
            data_version=dg.DataVersion(content_hash(frame)),
            metadata={
                **frame_metadata(frame, target),
                "imbalance_ratio": summary["imbalance_ratio"],
                "categorical_features": summary["categorical_features"],
                "column_roles": table_metadata(roles),
                "excluded_columns": ", ".join(
                    f"{c} ({r})" for c, r in excluded.itertuples(index=False)
                )
                or "none",
                "missing_values_per_column": {
                    r.column: r.missing for r in ingested.roles if not r.excluded
                },
                "source": sources.describe(spec.data_source),
            },
        )

    @dg.multi_asset(
        name=f"{p}__split_holdout",
        outs={
            "training_set": dg.AssetOut(
                is_required=False,
                key=key("training_set"),
                group_name=f"{p}_ingest",
                io_manager_key=IO_MANAGER_KEY,
                description="Real rows for training (everything except the hold-out).",
                kinds={"pandas", "parquet"},
            ),
            "holdout_set": dg.AssetOut(
                is_required=False,
                key=key("holdout_set"),
                group_name=f"{p}_holdout",
                io_manager_key=IO_MANAGER_KEY,
                description="Untouched real hold-out, split off first; read only by evaluation.",
                kinds={"pandas", "parquet"},
            ),
        },
        ins=ins("raw_dataset"),
        can_subset=True,
        **common,
    )
    def split_holdout(context: dg.AssetExecutionContext, raw_dataset: pd.DataFrame):
        options = _options(context, spec)
        training_set, holdout_set = pipeline.split_holdout(raw_dataset, target, options)
        yield from selected(
            context, "training_set", training_set, frame_metadata(training_set, target)
        )
        yield from selected(
            context,
            "holdout_set",
            holdout_set,
            {
                **frame_metadata(holdout_set, target),
                "holdout_fraction": options.holdout_fraction,
            },
        )

    @dg.asset(
        key=key("leakage_screen"),
        group_name=f"{p}_ingest",
        io_manager_key=IO_MANAGER_KEY,
        ins=ins("training_set"),
        kinds={"pandas", "json"},
        description="Columns that alone predict the target almost perfectly on the training "
        "rows (a target leak, or an easy task); warned by the `target_leak` check.",
        **common,
    )
    def leakage_screen(
        context: dg.AssetExecutionContext, training_set: pd.DataFrame
    ) -> dg.MaterializeResult:
        options = _options(context, spec)
        screen = pipeline.leakage_screen(training_set, target, options)
        for message in screen.warnings:
            context.log.warning(message)
        return dg.MaterializeResult(
            value=screen.to_dict(),
            metadata={
                "suspected_columns": ", ".join(screen.suspected) or "none",
                "threshold": screen.threshold,
                "rows_used": screen.rows_used,
                "columns": table_metadata(
                    screen.columns.sort_values("average_precision", ascending=False).head(50)
                ),
            },
        )

    @dg.multi_asset(
        name=f"{p}__filter_noise",
        outs={
            "denoised_training_set": dg.AssetOut(
                is_required=False,
                key=key("denoised_training_set"),
                group_name=f"{p}_clean",
                io_manager_key=IO_MANAGER_KEY,
                kinds={"pandas", "parquet"},
                description="Training rows kept by the label-noise filter.",
            ),
            "noise_quarantine": dg.AssetOut(
                is_required=False,
                key=key("noise_quarantine"),
                group_name=f"{p}_clean",
                io_manager_key=IO_MANAGER_KEY,
                kinds={"pandas", "parquet"},
                description="Training rows removed as suspected label noise, with the reason.",
            ),
        },
        ins=ins("training_set"),
        can_subset=True,
        **common,
    )
    def filter_noise(context: dg.AssetExecutionContext, training_set: pd.DataFrame):
        options = _options(context, spec)
        found = pipeline.filter_noise(training_set, target, options)
        denoised, quarantine = found.denoised, found.quarantine
        for message in found.warnings:
            context.log.warning(message)
        yield from selected(
            context,
            "denoised_training_set",
            denoised,
            {
                **frame_metadata(denoised, target),
                "noise_method": options.noise_method,
                "noise_warnings": "\n".join(found.warnings) or "none",
                "kept_suspects": len(found.kept_suspects),
                "kept_suspects_table": table_metadata(found.kept_suspects.head(50)),
            },
        )
        yield from selected(
            context,
            "noise_quarantine",
            quarantine,
            {
                **frame_metadata(quarantine, target),
                "removed_positives": int(quarantine[target].sum()),
                "reasons": table_metadata(quarantine[[REASON]].head(50)),
            },
        )

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
        options = _options(context, spec)
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
        options = _options(context, spec)
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
        options = _options(context, spec)
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

    @dg.multi_asset(
        name=f"{p}__augment",
        outs={
            "augmented_training_set": dg.AssetOut(
                is_required=False,
                key=key("augmented_training_set"),
                group_name=f"{p}_oversample",
                io_manager_key=IO_MANAGER_KEY,
                kinds={"pandas", "parquet"},
                description="Denoised real rows plus accepted synthetic rows (`is_synthetic`).",
            ),
            "rejected_synthetic_samples": dg.AssetOut(
                is_required=False,
                key=key("rejected_synthetic_samples"),
                group_name=f"{p}_oversample",
                io_manager_key=IO_MANAGER_KEY,
                kinds={"pandas", "parquet"},
                description="Synthetic rows dropped by a row-level realism check, with the reason.",
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

    @dg.asset(
        key=key("candidate_models"),
        group_name=f"{p}_train",
        io_manager_key=IO_MANAGER_KEY,
        ins=ins("training_set", "denoised_training_set", "augmented_training_set"),
        kinds={"scikit-learn", "skops"},
        description="One fitted model per imbalance strategy, scored by CV on training data.",
        **common,
    )
    def candidate_models(
        context: dg.AssetExecutionContext,
        training_set: pd.DataFrame,
        denoised_training_set: pd.DataFrame,
        augmented_training_set: pd.DataFrame,
    ) -> dg.MaterializeResult:
        options = _options(context, spec)
        skipped: dict[str, str] = {}
        candidates = pipeline.candidate_models(
            training_set,
            denoised_training_set,
            augmented_training_set,
            target,
            options,
            skipped=skipped,
        )
        if skipped:
            context.log.warning(f"Strategies skipped on this data: {skipped}")
        rows = pd.DataFrame(
            [
                {
                    "strategy": n,
                    f"cv_{options.selection_metric}": round(c["cv_mean"], 4),
                    "cv_sem": round(c["cv_sem"], 4),
                    "threshold": round(c["threshold"], 4),
                    "fit_on": c["fit_on"],
                    "fit_rows": c["fit_rows"],
                    "synthetic_rows": c["synthetic_rows"],
                    "recalibration": c["recalibration"],
                }
                for n, c in candidates.items()
            ]
        )
        first = next(iter(candidates.values()))
        return dg.MaterializeResult(
            value=candidates,
            metadata={
                "cross_validation": table_metadata(rows),
                "model": options.model,
                "selection_metric": options.selection_metric,
                "cv_splits": len(first["cv_scores"]),
                "skipped_strategies": dg.MetadataValue.json(skipped),
                "training_fingerprint": first["training_fingerprint"],
            },
        )

    @dg.asset(
        key=key("champion_model"),
        group_name=f"{p}_train",
        io_manager_key=IO_MANAGER_KEY,
        ins=ins("candidate_models"),
        kinds={"scikit-learn", "skops"},
        description="The model chosen by cross-validation on training data (by default the "
        "average of the strategies within one standard error of the best), refitted on all "
        "training data. Independent of the hold-out.",
        **common,
    )
    def champion_model(
        context: dg.AssetExecutionContext, candidate_models: dict[str, Any]
    ) -> dg.MaterializeResult:
        options = _options(context, spec)
        champion = pipeline.champion_model(candidate_models, options)
        return dg.MaterializeResult(
            value=champion,
            metadata={
                "strategy": champion["strategy"],
                f"cv_{champion['cv_metric']}": round(champion["cv_mean"], 4),
                "cv_sem": round(champion["cv_sem"], 4),
                "threshold": round(champion["threshold"], 4),
                "selection_rule": champion["selection_rule"],
                "members": ", ".join(champion["members"]) or champion["strategy"],
                "training_fingerprint": champion["training_fingerprint"],
                "fit_on": champion["fit_on"],
                "parameters": dg.MetadataValue.json(champion["parameters"]),
                "selection": table_metadata(pd.DataFrame(champion["selection"])),
            },
        )

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
        options = _options(context, spec)
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

    return [
        source,
        raw_dataset,
        split_holdout,
        leakage_screen,
        filter_noise,
        minority_clusters,
        synthetic_samples,
        synthetic_realism,
        augment,
        candidate_models,
        champion_model,
        holdout_evaluation,
        smote_report,
    ]
