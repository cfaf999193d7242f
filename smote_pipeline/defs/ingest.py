"""Ingest group: the observed source, the validated raw dataset, the hold-out split
and the leakage screen.

Each builder returns one asset definition of a pipeline; each asset calls the
function of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import content_hash
from smote_pipeline.core.ingest import ingestion, sources
from smote_pipeline.defs.metadata import frame_metadata, table_metadata
from smote_pipeline.defs.scope import IO_MANAGER_KEY, Scope, options_of


def source_asset(s: Scope) -> dg.AssetsDefinition:
    """The `source` asset of the pipeline ``s.spec``."""
    p, spec, key = s.p, s.spec, s.key

    @dg.observable_source_asset(
        key=key("source"),
        group_name=f"{p}_ingest",
        description=f"The source table ({sources.describe(spec.data_source)}), observed by "
        "content fingerprint so the UI marks everything downstream stale when it changes.",
    )
    def source() -> dg.DataVersion:
        return dg.DataVersion(sources.fingerprint(spec.data_source, spec.change_query))

    return source


def raw_dataset_asset(s: Scope) -> dg.AssetsDefinition:
    """The `raw_dataset` asset of the pipeline ``s.spec``."""
    p, target, spec, key, common = s.p, s.target, s.spec, s.key, s.common

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
        options = options_of(context, spec)
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

    return raw_dataset


def split_holdout_asset(s: Scope) -> dg.AssetsDefinition:
    """The `split_holdout` asset of the pipeline ``s.spec``."""
    p, target, spec, ins, common, selected = s.p, s.target, s.spec, s.ins, s.common, s.selected

    @dg.multi_asset(
        name=f"{p}__split_holdout",
        outs={
            "training_set": s.frame_out(
                "training_set", "ingest", "Real rows for training (everything except the hold-out)."
            ),
            "holdout_set": s.frame_out(
                "holdout_set",
                "holdout",
                "Untouched real hold-out, split off first; read only by evaluation.",
            ),
        },
        ins=ins("raw_dataset"),
        can_subset=True,
        **common,
    )
    def split_holdout(context: dg.AssetExecutionContext, raw_dataset: pd.DataFrame):
        options = options_of(context, spec)
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

    return split_holdout


def leakage_screen_asset(s: Scope) -> dg.AssetsDefinition:
    """The `leakage_screen` asset of the pipeline ``s.spec``."""
    p, target, spec, key, ins, common = s.p, s.target, s.spec, s.key, s.ins, s.common

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
        options = options_of(context, spec)
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

    return leakage_screen
