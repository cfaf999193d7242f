"""Ingest group: the observed source, the validated raw dataset, the hold-out split,
the leakage screen and its ``target_leak`` check.

Each builder returns one definition of a pipeline; each asset calls the function
of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

from typing import Any

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import CONFLICTING, NEGATIVE_LABELS, content_hash
from smote_pipeline.core.ingest import ingestion, sources, split
from smote_pipeline.core.ingest.leakage import LeakScreen
from smote_pipeline.core.records import plain_fields
from smote_pipeline.defs.metadata import frame_metadata, table_metadata
from smote_pipeline.defs.scope import IO_MANAGER_KEY, Scope

GROUP = "ingest"

#: Name of the stored hold-out ledger (not an asset: the split's own record).
LEDGER = "holdout_ledger"

#: Name of the stored column roles of the last ingestion (not an asset: what
#: ``promoted_model`` keeps as a new version's input schema).
ROLES = "column_roles"


def source_asset(s: Scope) -> dg.AssetsDefinition:
    """The `source` asset of the pipeline ``s.spec``."""
    spec = s.spec

    @dg.observable_source_asset(
        key=s.key("source"),
        group_name=s.group(GROUP),
        description=f"The source table ({sources.describe(spec.data_source)}), observed by "
        "content fingerprint so the UI marks everything downstream stale when it changes.",
    )
    def source() -> dg.DataVersion:
        return dg.DataVersion(sources.fingerprint(spec.data_source, spec.change_query))

    return source


def raw_dataset_asset(s: Scope) -> dg.AssetsDefinition:
    """The `raw_dataset` asset of the pipeline ``s.spec``."""
    spec, target = s.spec, s.target

    @s.asset(
        "raw_dataset",
        GROUP,
        deps=[s.key("source")],
        kinds={"pandas", "parquet"},
        resources=(IO_MANAGER_KEY,),
        description=f"Validated source table; target `{target}` as 1 = "
        f"{spec.positive_label!r}, 0 = other.",
    )
    def raw_dataset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        options = s.options(context)
        try:
            table = ingestion.read_source(spec.data_source)
        except Exception as error:
            if sources.is_transient(error):
                raise dg.RetryRequested(max_retries=3, seconds_to_wait=2) from error
            raise
        ingested = pipeline.raw_dataset(
            table,
            ingestion.TargetSpec(
                target,
                spec.positive_label,
                options.one_vs_rest,
                spec.group_column,
                spec.time_column,
            ),
            spec.columns,
        )
        getattr(context.resources, IO_MANAGER_KEY).save_stored(
            s.key(ROLES), [plain_fields(r) for r in ingested.roles]
        )
        for message in ingested.warnings():
            context.log.warning(message)
        negatives = ingested.frame.attrs.get(NEGATIVE_LABELS, {})
        if len(negatives) > 1:
            shown = ", ".join(f"{label!r}: {count}" for label, count in negatives.items())
            context.log.info(f"raw_dataset: one_vs_rest made these labels negative: {shown}.")
        return dg.MaterializeResult(
            value=ingested.frame,
            data_version=dg.DataVersion(content_hash(ingested.frame)),
            metadata=_raw_metadata(ingested, target, sources.describe(spec.data_source)),
        )

    return raw_dataset


def _raw_metadata(ingested: ingestion.Ingested, target: str, source: str) -> dict[str, Any]:
    """What the UI shows of the ingested table: size, balance, column roles, how numbers
    written as text were read."""
    frame, roles = ingested.frame, ingested.roles_table()
    summary = ingestion.describe_dataset(frame, target, frame.attrs.get(CONFLICTING))
    excluded = roles.loc[roles["becomes"] == "excluded", ["column", "role"]]
    return {
        **frame_metadata(frame, target),
        "imbalance_ratio": summary["imbalance_ratio"],
        "conflicting_duplicate_groups": summary["conflicting_groups"],
        "rows_in_conflicting_groups": summary["rows_in_conflicting_groups"],
        "negative_labels": dg.MetadataValue.json(summary["negative_labels"]),
        "repeated_header_rows": len(ingested.repeated_headers),
        "infinite_values_read_as_missing": ingested.infinite or "none",
        "categorical_features": summary["categorical_features"],
        "column_roles": table_metadata(roles),
        "number_format": f"{ingested.numbers.describe()} ({ingested.numbers.reason})",
        "non_number_cells": {r.column: r.non_numbers for r in ingested.roles if r.non_numbers},
        "excluded_columns": ", ".join(f"{c} ({r})" for c, r in excluded.itertuples(index=False))
        or "none",
        "missing_values_per_column": {
            r.column: r.missing for r in ingested.roles if not r.excluded
        },
        "source": source,
    }


def split_holdout_asset(s: Scope) -> dg.AssetsDefinition:
    """The `split_holdout` multi-asset (`training_set`, `holdout_set`) of ``s.spec``.

    It keeps the hold-out ledger (every row group split so far and its side) as
    ``holdout_ledger.parquet`` beside the hold-out, read before and written after
    each split, so that rows an earlier run split keep their side. When a column the
    ledger hashed is gone, it reads its own last stored sides to match earlier rows
    on the columns they still share.
    """
    target = s.target
    outs = {
        "training_set": s.frame_out(
            "training_set", GROUP, "Real rows for training (everything except the hold-out)."
        ),
        "holdout_set": s.frame_out(
            "holdout_set",
            "holdout",
            "Untouched real hold-out, split off first; read only by evaluation. A row (with "
            "group_column: an entity) keeps its side across runs as the data grows (the "
            "hold-out ledger); with time_column it is the latest rows.",
        ),
    }
    ledger_key = s.key(LEDGER)

    @s.multi_asset("split_holdout", outs, ins=("raw_dataset",), resources=(IO_MANAGER_KEY,))
    def split_holdout(context: dg.AssetExecutionContext, raw_dataset: pd.DataFrame):
        options = s.options(context)
        store = getattr(context.resources, IO_MANAGER_KEY)
        earlier = split.HoldoutLedger.from_frame(store.load_stored(ledger_key))
        parts = pipeline.split_holdout(
            raw_dataset,
            target,
            options,
            earlier,
            lambda: tuple(store.load_stored(s.key(k)) for k in ("holdout_set", "training_set")),
        )
        for warning in (parts.rekeyed, parts.facts.get("holdout_share_note")):
            if warning:
                context.log.warning(f"holdout_set: {warning}.")
        files = store.save_stored(ledger_key, parts.ledger.to_frame())
        yield from s.selected(
            context, "training_set", parts.training, frame_metadata(parts.training, target)
        )
        metadata = _holdout_metadata(parts, target, options.holdout_fraction)
        yield from s.selected(
            context, "holdout_set", parts.holdout, {**metadata, "ledger": files["path"]}
        )

    return split_holdout


def _holdout_metadata(parts: split.Split, target: str, fraction: float) -> dict[str, Any]:
    """What the UI shows of the hold-out: size, balance, how it was split, the ledger."""
    return {
        **frame_metadata(parts.holdout, target),
        "holdout_fraction": fraction,
        "split_by": {
            "rows": "identical rows kept together",
            "groups": "entity (group_column)",
            "time": "time (time_column)",
        }[parts.kind],
        **parts.facts,
        "rows_split_by_earlier_runs": parts.known_rows,
        "rows_split_now": parts.new_rows,
        "ledger_groups": len(parts.ledger),
        "ledger_rekeyed": parts.rekeyed or "no",
    }


def leakage_screen_asset(s: Scope) -> dg.AssetsDefinition:
    """The `leakage_screen` asset of the pipeline ``s.spec``."""

    @s.asset(
        "leakage_screen",
        GROUP,
        ins=("training_set",),
        kinds={"pandas", "json"},
        description="Columns that alone predict the target almost perfectly on the training "
        "rows (a target leak, or an easy task); warned by the `target_leak` check.",
    )
    def leakage_screen(
        context: dg.AssetExecutionContext, training_set: pd.DataFrame
    ) -> dg.MaterializeResult:
        screen = pipeline.leakage_screen(training_set, s.target, s.options(context))
        for message in screen.warnings:
            context.log.warning(message)
        return dg.MaterializeResult(
            value=screen,
            metadata={
                "suspected_columns": ", ".join(screen.suspected) or "none",
                "threshold": screen.threshold,
                "rows_used": screen.rows_used,
                "columns": table_metadata(
                    screen.columns.sort_values("average_precision", ascending=False).head(50)
                ),
                "leaking_values": table_metadata(screen.leaking_values.head(50)),
            },
        )

    return leakage_screen


def target_leak_check(s: Scope) -> dg.AssetChecksDefinition:
    """The `target_leak` check (WARN) on `leakage_screen`."""

    @dg.asset_check(
        asset=s.key("leakage_screen"),
        name="target_leak",
        description="Warns when a single column predicts the target almost perfectly on the "
        "training rows (a target leak, or an easy task).",
    )
    def target_leak(leakage_screen: LeakScreen) -> dg.AssetCheckResult:
        suspected = leakage_screen.suspected
        columns = leakage_screen.columns.sort_values("average_precision", ascending=False)
        return dg.AssetCheckResult(
            passed=not suspected,
            severity=dg.AssetCheckSeverity.WARN,
            description=leakage_screen.message()
            or "No column alone predicts the target almost perfectly.",
            metadata={
                "suspected_columns": ", ".join(suspected) or "none",
                "columns": table_metadata(columns.head(50)),
            },
        )

    return target_leak
