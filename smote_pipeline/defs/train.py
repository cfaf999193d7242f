"""Train group: candidate models by cross-validation and the champion.

Each builder returns one definition of a pipeline; each asset calls the function
of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

from typing import Any

import dagster as dg
import numpy as np
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.records import Candidate
from smote_pipeline.defs.metadata import table_metadata
from smote_pipeline.defs.scope import Scope

GROUP = "train"


def candidate_models_asset(s: Scope) -> dg.AssetsDefinition:
    """The `candidate_models` asset of the pipeline ``s.spec``."""

    @s.asset(
        "candidate_models",
        GROUP,
        ins=("training_set", "denoised_training_set", "augmented_training_set"),
        kinds={"scikit-learn", "skops"},
        description="One fitted model per model family x imbalance strategy, scored by CV on "
        "training data.",
    )
    def candidate_models(
        context: dg.AssetExecutionContext,
        training_set: pd.DataFrame,
        denoised_training_set: pd.DataFrame,
        augmented_training_set: pd.DataFrame,
    ) -> dg.MaterializeResult:
        options = s.options(context)
        skipped: dict[str, str] = {}
        candidates = pipeline.candidate_models(
            training_set,
            denoised_training_set,
            augmented_training_set,
            s.target,
            options,
            skipped=skipped,
        )
        if skipped:
            context.log.warning(f"Strategies skipped on this data: {skipped}")
        return dg.MaterializeResult(
            value=candidates, metadata=_candidates_metadata(candidates, skipped, options)
        )

    return candidate_models


def _candidates_metadata(
    candidates: dict[str, Candidate], skipped: dict[str, str], options: PipelineOptions
) -> dict[str, Any]:
    """The cross-validation table of the candidates, and what every candidate shares."""
    rows = pd.DataFrame(
        [
            {
                "strategy": n,
                f"cv_{options.selection_metric}": round(c.cv_mean, 4),
                "cv_sem": round(c.cv_sem, 4),
                "threshold": round(c.threshold, 4),
                "fit_on": c.fit_on,
                "fit_rows": c.fit_rows,
                "synthetic_rows": c.synthetic_rows,
                "recalibration": c.recalibration,
                "cv_brier": round(float(np.mean(c.cv_brier_scores)), 4)
                if c.cv_brier_scores
                else None,
                "note": c.dropped or "",
            }
            for n, c in candidates.items()
        ]
    )
    first = next(iter(candidates.values()))
    return {
        "cross_validation": table_metadata(rows),
        "models": ", ".join(options.models),
        "selection_metric": options.selection_metric,
        "cv_splits": len(first.cv_scores),
        "skipped_strategies": dg.MetadataValue.json(skipped),
        "training_fingerprint": first.training_fingerprint,
    }


def champion_model_asset(s: Scope) -> dg.AssetsDefinition:
    """The `champion_model` asset of the pipeline ``s.spec``."""

    @s.asset(
        "champion_model",
        GROUP,
        ins=("candidate_models",),
        kinds={"scikit-learn", "skops"},
        description="The model chosen by cross-validation on training data (by default the "
        "average of the best candidate of each model family), refitted on all training data. "
        "Independent of the hold-out.",
    )
    def champion_model(
        context: dg.AssetExecutionContext, candidate_models: dict[str, Candidate]
    ) -> dg.MaterializeResult:
        champion = pipeline.champion_model(candidate_models, s.options(context))
        return dg.MaterializeResult(
            value=champion,
            metadata={
                "strategy": champion.strategy,
                f"cv_{champion.cv_metric}": round(champion.cv_mean, 4),
                "cv_sem": round(champion.cv_sem, 4),
                "threshold": round(champion.threshold, 4),
                "selection_rule": champion.selection_rule,
                "members": ", ".join(champion.members) or champion.strategy,
                "training_fingerprint": champion.training_fingerprint,
                "fit_on": champion.fit_on,
                "parameters": dg.MetadataValue.json(champion.parameters or {}),
                "selection": table_metadata(pd.DataFrame(list(champion.selection))),
                "brier_check": dg.MetadataValue.json(champion.brier_check or {}),
            },
        )

    return champion_model
