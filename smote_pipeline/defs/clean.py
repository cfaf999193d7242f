"""Clean group: label-noise filtering of the training rows.

Each builder returns one definition of a pipeline; each asset calls the function
of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

import dagster as dg
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import REASON
from smote_pipeline.defs.metadata import frame_metadata, table_metadata
from smote_pipeline.defs.scope import Scope

GROUP = "clean"


def filter_noise_asset(s: Scope) -> dg.AssetsDefinition:
    """The `filter_noise` multi-asset (`denoised_training_set`, `noise_quarantine`)."""
    target = s.target
    outs = {
        "denoised_training_set": s.frame_out(
            "denoised_training_set", GROUP, "Training rows kept by the label-noise filter."
        ),
        "noise_quarantine": s.frame_out(
            "noise_quarantine",
            GROUP,
            "Training rows removed as suspected label noise, with the reason.",
        ),
    }

    @s.multi_asset("filter_noise", outs, ins=("training_set",))
    def filter_noise(context: dg.AssetExecutionContext, training_set: pd.DataFrame):
        options = s.options(context)
        found = pipeline.filter_noise(training_set, target, options)
        denoised, quarantine = found.denoised, found.quarantine
        for message in found.warnings:
            context.log.warning(message)
        yield from s.selected(
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
        yield from s.selected(
            context,
            "noise_quarantine",
            quarantine,
            {
                **frame_metadata(quarantine, target),
                "removed_positives": int(quarantine[target].sum()),
                "reasons": table_metadata(quarantine[[REASON]].head(50)),
            },
        )

    return filter_noise
