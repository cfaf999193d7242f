"""Train group: the race, one asset per candidate strategy, the candidates and the champion.

``candidate_screen`` races every candidate on the small rungs of the search
plan; ``candidate__<strategy>`` (one asset per strategy of the spec, so an
executor can run them side by side, on other machines too) finishes that
strategy's candidates and refits them; the light ``candidate_models`` gathers
them and builds the ensemble from their stored out-of-fold predictions. Each
asset calls the function of the same name in :mod:`smote_pipeline.core.pipeline`.
"""

from typing import Any

import dagster as dg
import numpy as np
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.oversample.space_choice import OversamplingSpace
from smote_pipeline.core.train.plan import SearchPlan
from smote_pipeline.core.train.records import Candidate, Race, Scored
from smote_pipeline.core.train.training import shared_strategy
from smote_pipeline.defs.metadata import table_metadata
from smote_pipeline.defs.scope import Scope, strategy_asset_name

GROUP = "train"

#: The dagster-celery tag that sends a step to a Celery queue.
QUEUE_TAG = "dagster-celery/queue"


def candidate_screen_asset(s: Scope) -> dg.AssetsDefinition:
    """The `candidate_screen` asset of the pipeline ``s.spec``."""

    @s.asset(
        "candidate_screen",
        GROUP,
        ins=("training_set", "oversampling_space"),
        kinds={"scikit-learn"},
        description="Every candidate raced by cross-validation on growing stratified "
        "subsamples of the training rows; the clearly worse stop early.",
        pool=s.spec.pool or None,
    )
    def candidate_screen(
        context: dg.AssetExecutionContext,
        training_set: pd.DataFrame,
        oversampling_space: OversamplingSpace,
    ) -> dg.MaterializeResult:
        options = s.options(context)
        missing = sorted(set(options.strategies) - set(s.spec.options.strategies))
        if missing:
            raise ValueError(
                f"Run option strategies names {missing}, which have no candidate__<strategy> "
                f"asset in pipeline {s.name!r}: add them to options.strategies in its spec "
                f"(now {list(s.spec.options.strategies)})."
            )
        n_jobs = s.cv_n_jobs(context)
        screen = pipeline.candidate_screen(
            training_set, s.target, options, oversampling_space, n_jobs=n_jobs
        )
        return dg.MaterializeResult(
            value=screen, metadata={**_screen_metadata(screen), "cv_n_jobs": n_jobs}
        )

    return candidate_screen


def _screen_metadata(screen: Race) -> dict[str, Any]:
    rows = [
        _race_row(name, screen.scored.get(entry["key"]), screen.plan)
        for name, entry in screen.candidates.items()
    ]
    return {
        "rungs": dg.MetadataValue.json(screen.plan.to_dict()["rungs"]),
        "race": table_metadata(pd.DataFrame(rows)),
        "skipped_strategies": dg.MetadataValue.json(screen.skipped),
        "training_fingerprint": screen.training_fingerprint,
    }


def _race_row(name: str, scored: Scored | None, plan: SearchPlan) -> dict[str, Any]:
    """One candidate's line of the race table (``scored`` None: a single-rung plan)."""
    if scored is None:
        return {"candidate": name, "rung_rows": None, "splits": 0, "cv_mean": None,
                "status": "goes on", "note": ""}  # fmt: skip
    status = "skipped" if scored.error else "dropped" if scored.dropped else "goes on"
    return {
        "candidate": name,
        "rung_rows": plan.rungs[max(scored.rung, 0)].rows,
        "splits": len(scored.scores),
        "cv_mean": round(float(np.mean(scored.scores)), 4) if scored.scores else None,
        "status": status,
        "note": scored.error or scored.dropped or "",
    }


def candidate_strategy_assets(s: Scope) -> list[dg.AssetsDefinition]:
    """One `candidate__<strategy>` asset per strategy of the spec."""
    return [_strategy_asset(s, strategy) for strategy in s.spec.options.strategies]


def _strategy_asset(s: Scope, strategy: str) -> dg.AssetsDefinition:
    shared = shared_strategy(strategy, s.spec.options.strategies)
    ins = ["training_set", "augmented_training_set", "candidate_screen"]
    if shared:
        ins.append(strategy_asset_name(shared))
    queue = s.spec.queues.get(strategy)

    @s.asset(
        strategy_asset_name(strategy),
        GROUP,
        ins=ins,
        kinds={"scikit-learn", "skops"},
        description=f"The candidates of strategy {strategy!r} (one per model family): "
        "scored on the last rung of the race and refitted on all training rows."
        + (f" Shares its model with {shared!r}." if shared else ""),
        op_tags={QUEUE_TAG: queue} if queue else None,
        pool=s.spec.pool or None,
    )
    def candidate_strategy(
        context: dg.AssetExecutionContext, **inputs: Any
    ) -> dg.MaterializeResult:
        screen: Race = inputs["candidate_screen"]
        if strategy not in screen.options.strategies:
            return dg.MaterializeResult(
                value={}, metadata={"note": f"{strategy!r} is not compared in this run"}
            )
        n_jobs = s.cv_n_jobs(context)
        fitted, skipped = pipeline.candidate_strategy(
            strategy,
            inputs["training_set"],
            inputs["augmented_training_set"],
            s.target,
            screen,
            shared=inputs.get(strategy_asset_name(shared)) if shared else None,
            n_jobs=n_jobs,
        )
        if skipped:
            context.log.warning(f"Candidates skipped: {skipped}")
        return dg.MaterializeResult(
            value=fitted,
            metadata={**_candidates_metadata(fitted, skipped, screen), "cv_n_jobs": n_jobs},
        )

    return candidate_strategy


def candidate_models_asset(s: Scope) -> dg.AssetsDefinition:
    """The `candidate_models` asset of the pipeline ``s.spec``: gathers the strategies."""
    parts = [strategy_asset_name(x) for x in s.spec.options.strategies]

    @s.asset(
        "candidate_models",
        GROUP,
        ins=("training_set", "candidate_screen", *parts),
        kinds={"scikit-learn", "skops"},
        description="Every candidate (model family x imbalance strategy) with its CV scores, "
        "and the soft-voting ensemble built from their out-of-fold predictions.",
    )
    def candidate_models(context: dg.AssetExecutionContext, **inputs: Any) -> dg.MaterializeResult:
        screen: Race = inputs["candidate_screen"]
        candidates = pipeline.gather_candidates(
            [inputs[p] for p in parts], inputs["training_set"], s.target, screen
        )
        return dg.MaterializeResult(
            value=candidates,
            metadata=_candidates_metadata(candidates, screen.skipped, screen),
        )

    return candidate_models


def _candidates_metadata(
    candidates: dict[str, Candidate], skipped: dict[str, str], screen: Race
) -> dict[str, Any]:
    """The cross-validation table of the candidates, and what every candidate shares."""
    options = screen.options
    rows = pd.DataFrame(
        [
            {
                "strategy": n,
                f"cv_{options.selection_metric}": round(c.cv_mean, 4),
                "cv_sem": round(c.cv_sem, 4),
                "cv_rows": c.cv_rows,
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
        ],
        columns=["strategy", f"cv_{options.selection_metric}", "cv_sem", "cv_rows", "threshold",
                 "fit_on", "fit_rows", "synthetic_rows", "recalibration", "cv_brier", "note"],
    )  # fmt: skip
    first = next(iter(candidates.values()), None)
    return {
        "cross_validation": table_metadata(rows),
        "models": ", ".join(options.models),
        "selection_metric": options.selection_metric,
        "cv_splits": len(first.cv_scores) if first else 0,
        "skipped_strategies": dg.MetadataValue.json(skipped),
        "training_fingerprint": screen.training_fingerprint,
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
