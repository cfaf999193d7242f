"""The asset graph of one pipeline, built from one module per UI group.

``defs/ingest.py``, ``clean.py``, ``oversample.py``, ``train.py``,
``holdout.py`` and ``serve.py`` hold one
builder per asset and check of the group of that name;
each asset calls the function of the same name in
:mod:`smote_pipeline.core.pipeline`.
"""

import warnings

import dagster as dg

from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs import clean, holdout, ingest, oversample, serve, train
from smote_pipeline.defs.scope import IO_MANAGER_KEY, Scope, settings_key

__all__ = ["BUILDERS", "CHECK_BUILDERS", "IO_MANAGER_KEY", "build_assets", "build_checks"]
__all__ += ["settings_key"]

#: One builder per asset, in the order of the graph.
BUILDERS = (
    ingest.source_asset,
    ingest.raw_dataset_asset,
    ingest.split_holdout_asset,
    ingest.leakage_screen_asset,
    clean.filter_noise_asset,
    oversample.oversampling_space_asset,
    oversample.minority_clusters_asset,
    oversample.synthetic_samples_asset,
    oversample.synthetic_realism_asset,
    oversample.augment_asset,
    train.candidate_screen_asset,
    train.candidate_strategy_assets,
    train.candidate_models_asset,
    train.champion_model_asset,
    holdout.holdout_evaluation_asset,
    holdout.smote_report_asset,
    holdout.model_card_asset,
    serve.promoted_model_asset,
    serve.scored_batch_asset,
)

#: One builder per asset check (or multi-check), by group.
CHECK_BUILDERS = (
    ingest.target_leak_check,
    oversample.synthetic_expectations_check,
    oversample.realism_gates_check,
    holdout.holdout_isolation_check,
    holdout.smote_helped_check,
    serve.promotion_gate_check,
)


def build_assets(spec: PipelineSpec, executor: str = "in_process") -> list[dg.AssetsDefinition]:
    """Every asset of the pipeline described by ``spec``, under its name as key prefix.

    Groups: ``<name>_ingest``, ``<name>_clean``, ``<name>_oversample``,
    ``<name>_train`` (training lineage) and ``<name>_holdout`` (the hold-out
    lineage, which nothing on the training side reads). Each definition links
    to its source code in the UI. A builder returns one asset or a list
    (``candidate__<strategy>``, one per strategy). ``executor`` (the name of the
    executor steps run on) decides how many folds a step fits at once.
    """
    scope = Scope(spec, executor)
    built: list[dg.AssetsDefinition] = []
    for build in BUILDERS:
        made = build(scope)
        built.extend(made if isinstance(made, list) else [made])
    with warnings.catch_warnings():  # only the beta notices of the code references
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.with_source_code_references(built)


def build_checks(spec: PipelineSpec) -> list[dg.AssetChecksDefinition]:
    """Every asset check of the pipeline described by ``spec``."""
    scope = Scope(spec)
    return [build(scope) for build in CHECK_BUILDERS]
