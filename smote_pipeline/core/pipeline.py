"""The pipeline, written once and free of Dagster: one function per asset.

Each function has the name of its asset and takes that asset's inputs (a step
whose code lives in its group under another name is that function, by alias: the
asset is one hop from its code); the Dagster assets
(:mod:`smote_pipeline.defs.assets`), the benchmarks and the tests call exactly
these, and :func:`run` chains them in the order of the asset graph, from the
source table to the promoted model. Every decision the pipeline makes is made once, in
its own step (the ``auto_reduce`` switch to a PCA space: :data:`oversampling_space`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import pandas as pd

from smote_pipeline.core.clean import noise
from smote_pipeline.core.clean.noise import NoiseResult
from smote_pipeline.core.columns import (
    CLUSTER_ID,
    MAJORITY_POSITIVE,
    REASON,
    ROW_ID,
    TIME_KEY,
    entity_codes,
    feature_columns,
)
from smote_pipeline.core.holdout import evaluation, subpopulations
from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.ingest import ingestion, leakage, split, time_split
from smote_pipeline.core.ingest.leakage import LeakScreen
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.oversample import clustering, expectations, oversampling, space_choice
from smote_pipeline.core.oversample.clustering import MinorityClusters
from smote_pipeline.core.oversample.oversampling import SyntheticRows
from smote_pipeline.core.oversample.realism import gating
from smote_pipeline.core.oversample.realism.report import RealismReport
from smote_pipeline.core.oversample.space_choice import OversamplingSpace
from smote_pipeline.core.records import plain_fields
from smote_pipeline.core.serve import profile, promotion, scoring
from smote_pipeline.core.serve.profile import ScoringProfile
from smote_pipeline.core.train import training
from smote_pipeline.core.train.records import Candidate, Champion, Race

# Steps whose code lives in their group under another name: the asset calls it
# through these names, one hop away.
#: ``raw_dataset``: validate the source table, decide column roles, encode the target.
raw_dataset = ingestion.ingest
#: ``denoised_training_set`` / ``noise_quarantine``: the noise filter's result.
filter_noise = noise.filter_noise
#: ``oversampling_space``: where every oversampling step interpolates, decided once.
oversampling_space = space_choice.choose_space
#: ``synthetic_realism``: how realistic the synthetic rows are, with the rows to drop.
synthetic_realism = gating.assess_synthetic
#: ``candidate__<strategy>``: one strategy's candidates, finished and refitted.
candidate_strategy = training.candidate_strategy
#: ``candidate_models``: every strategy's candidates and their ensemble.
gather_candidates = training.gather_candidates
#: ``champion_model``: the model chosen on training data only, with its record.
champion_model = training.champion_record


def split_holdout(
    raw: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    ledger: split.HoldoutLedger | None = None,
    earlier: Callable[[], split.EarlierSides] | None = None,
) -> split.Split:
    """The hold-out, split off first; rows an earlier run split (``ledger``) keep their
    side, matched through the ``earlier`` sides when a column is gone. With a
    ``time_column`` it is the latest rows instead
    (:func:`~smote_pipeline.core.ingest.time_split.split_by_time`)."""
    if TIME_KEY in raw.columns:
        return time_split.split_by_time(raw, target, options.holdout_fraction)
    return split.split_holdout(
        raw,
        target,
        holdout_fraction=options.holdout_fraction,
        random_state=options.random_state,
        ledger=ledger,
        earlier=earlier,
    )


def leakage_screen(training_set: pd.DataFrame, target: str, options: PipelineOptions) -> LeakScreen:
    """Columns that alone predict the target on the training rows."""
    return leakage.screen_leaks(training_set, target, random_state=options.random_state)


def minority_clusters(
    denoised: pd.DataFrame, target: str, options: PipelineOptions, space: OversamplingSpace
) -> MinorityClusters:
    """Cluster of every real minority row, in the run's oversampling ``space``."""
    return clustering.cluster_minority(denoised, target, space.applied(options))


def synthetic_samples(
    denoised: pd.DataFrame,
    clusters: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    space: OversamplingSpace,
) -> SyntheticRows:
    """Synthetic minority rows, each interpolated inside one cluster, with parents,
    and how the sampler drew them (pairs the bridge guard rejected, the space)."""
    rows = oversampling.generate_synthetic(denoised, clusters, target, space.applied(options))
    return replace(rows, relative_contrast=space.relative_contrast)


def synthetic_suite(denoised: pd.DataFrame, target: str, pipeline_name: str) -> Any:
    """The great-expectations suite the synthetic rows must meet (the blocking
    ``synthetic_expectations`` check, and the Data Docs of ``cli.data_docs``):
    learnt from the real minority rows of the denoised training set."""
    real = denoised[denoised[target] == 1]
    return expectations.build_suite(
        real, target, name=f"{pipeline_name}_synthetic_realism", integer_columns="auto"
    )


def augment(
    denoised: pd.DataFrame, synthetic: pd.DataFrame, rows_to_drop: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(augmented_training_set, rejected_synthetic_samples)``.

    ``rows_to_drop`` holds ``row_id`` and ``reason`` of the synthetic rows the
    realism checks reject (``RealismReport.rows_to_drop()``).
    """
    accepted, rejected = gating.split_accepted(synthetic, rows_to_drop[[ROW_ID, REASON]])
    return oversampling.augment(denoised, accepted), rejected


def candidate_screen(
    training_set: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    space: OversamplingSpace,
    n_jobs: int | None = None,
) -> Race:
    """Every candidate raced on the small rungs of the search plan; the cross-validated
    ``cluster_smote`` works in the ``space`` the synthetic rows were made in.

    Raises
    ------
    ValueError
        ``false_negative_cost`` is set while the positive label is the majority: the
        cost of a missed positive then names the class the pipeline does not treat as
        class 1 (:data:`~smote_pipeline.core.columns.MAJORITY_POSITIVE`).
    """
    majority = training_set.attrs.get(MAJORITY_POSITIVE)
    if majority and options.false_negative_cost is not None:
        raise ValueError(
            f"Option false_negative_cost={options.false_negative_cost} prices a missed "
            f"{majority['positive_label']!r}, but that positive label is the majority "
            f"({majority['positive_rows']} of {majority['rows']} rows), so the pipeline "
            "treats the rarer class as class 1 and tunes thresholds for it. Remove "
            "false_negative_cost (its default prices errors by the class ratio), or make the "
            "rarer label the positive one."
        )
    return training.screen_candidates(training_set, target, space.applied(options), n_jobs=n_jobs)


def candidate_models(
    training_set: pd.DataFrame,
    augmented: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    space: OversamplingSpace,
    skipped: dict[str, str] | None = None,
    n_jobs: int | None = None,
) -> dict[str, Candidate]:
    """The whole candidate search in one call, chained as the assets run it:
    :func:`candidate_screen`, :func:`candidate_strategy` per strategy (a strategy
    that shares another's models after it), :func:`gather_candidates` (see
    :mod:`~smote_pipeline.core.train.training`). ``skipped`` is filled with the
    candidates left out, and why."""
    skipped = {} if skipped is None else skipped
    screen = candidate_screen(training_set, target, options, space, n_jobs=n_jobs)
    skipped.update(screen.skipped)
    parts: dict[str, dict[str, Candidate]] = {}
    for strategy in options.strategies:
        shared = parts.get(training.shared_strategy(strategy, options.strategies) or "")
        parts[strategy], left_out = candidate_strategy(
            strategy, training_set, augmented, target, screen, shared=shared, n_jobs=n_jobs
        )
        skipped.update(left_out)
    return gather_candidates(list(parts.values()), training_set, target, screen)


def holdout_evaluation(
    holdout: pd.DataFrame,
    candidates: dict[str, Candidate],
    target: str,
    options: PipelineOptions,
    clusters: pd.DataFrame | None = None,
    denoised: pd.DataFrame | None = None,
) -> HoldoutEvaluation:
    """Every candidate on the real hold-out, against the best non-resampling one.

    The baseline is chosen by cross-validation, see
    :func:`~smote_pipeline.core.holdout.evaluation.best_baseline`. With the minority
    ``clusters`` and the ``denoised`` training rows they were found in, the
    champion's recall is also counted per subpopulation
    (:mod:`~smote_pipeline.core.holdout.subpopulations`).
    """
    per_cluster = None
    if clusters is not None and denoised is not None:
        sizes = clusters[CLUSTER_ID].value_counts().sort_index()
        per_cluster = (
            subpopulations.nearest_cluster(denoised, clusters, holdout, target),
            {int(c): int(n) for c, n in sizes.items()},
        )
    return evaluation.evaluate_on_holdout(
        candidates,
        holdout,
        target,
        options=options,
        baseline=evaluation.best_baseline(candidates),
        subpopulations=per_cluster,
    )


def promoted_model(
    previous: promotion.ModelRegistry | None,
    champion: Champion,
    evaluation: HoldoutEvaluation,
    holdout: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    scoring: ScoringProfile | None = None,
) -> promotion.ModelRegistry:
    """The kept champion versions after this run, and the promoted one: the gate
    compares the champion with ``previous``'s promoted version on the real ``holdout``.

    ``scoring`` (:func:`scoring_profile`) is what the new version keeps to score batches.
    With a ``time_column``, the gate compares the two models only on hold-out rows
    later than the promoted version's training rows (the new model's all are earlier).
    """
    if previous is not None and previous.promoted_version.profile is not None:
        holdout = profile.later_than(holdout, previous.promoted_version.profile.trained_until)
    X = holdout[feature_columns(holdout, target)]
    y = holdout[target].to_numpy().astype(int)
    held = (X, y, entity_codes(holdout))  # entities resampled, as in the evaluation
    return promotion.register(previous, champion, evaluation, held, options, profile=scoring)


def scoring_profile(
    roles: list[dict[str, Any]] | None,
    training_set: pd.DataFrame,
    holdout: HoldoutEvaluation,
    target: ingestion.TargetSpec,
    options: PipelineOptions,
) -> ScoringProfile | None:
    """The champion's input schema (from the column ``roles`` of ingestion) and the
    drift references (its training rows; its scores on the hold-out); None without
    roles (a raw dataset stored before they were kept)."""
    if roles is None:
        return None
    return profile.build_profile(
        roles,
        training_set,
        holdout.champion_scores,
        holdout.champion_positive_rate,
        target.column,
        target.positive_label,
        options.random_state,
    )


def scored_batch(
    batch: pd.DataFrame,
    registry: promotion.ModelRegistry,
    options: PipelineOptions,
) -> scoring.ScoredBatch:
    """A batch scored by the promoted version, with its drift against that version's
    training data (see :mod:`~smote_pipeline.core.serve.scoring`)."""
    return scoring.score_batch(batch, registry.promoted_version, options)


@dataclass
class TrainingSets:
    """The data half of a run (:func:`training_sets`), by asset name."""

    raw_dataset: pd.DataFrame
    column_roles: list[dict[str, Any]]
    training_set: pd.DataFrame
    holdout_set: pd.DataFrame
    leakage_screen: LeakScreen
    noise: NoiseResult
    oversampling_space: OversamplingSpace
    minority_clusters: MinorityClusters
    synthetic_samples: SyntheticRows
    synthetic_realism: RealismReport
    augmented_training_set: pd.DataFrame
    rejected_synthetic_samples: pd.DataFrame


@dataclass
class PipelineRun(TrainingSets):
    """Every value of one run of :func:`run`, by asset name."""

    candidate_models: dict[str, Candidate]
    champion_model: Champion
    holdout_evaluation: HoldoutEvaluation
    promoted_model: promotion.ModelRegistry
    skipped: dict[str, str] = field(default_factory=dict)


def training_sets(
    table: pd.DataFrame,
    target: ingestion.TargetSpec,
    options: PipelineOptions,
    columns: dict[str, str] | None = None,
) -> TrainingSets:
    """The pipeline from the source table to the augmented training set, in the order
    of the asset graph. Gating included: the synthetic rows a realism check rejects
    never reach training, as in a Dagster run."""
    ingested = raw_dataset(table, target, columns)
    name = target.column
    parts = split_holdout(ingested.frame, name, options)
    found = filter_noise(parts.training, name, options)
    space = oversampling_space(found.denoised, name, options)
    clusters = minority_clusters(found.denoised, name, options, space)
    synthetic = synthetic_samples(found.denoised, clusters.assignments, name, options, space)
    realism = synthetic_realism(found.denoised, synthetic.frame, name, options)
    augmented, rejected = augment(found.denoised, synthetic.frame, realism.rows_to_drop())
    return TrainingSets(
        raw_dataset=ingested.frame,
        column_roles=[plain_fields(r) for r in ingested.roles],
        training_set=parts.training,
        holdout_set=parts.holdout,
        leakage_screen=leakage_screen(parts.training, name, options),
        noise=found,
        oversampling_space=space,
        minority_clusters=clusters,
        synthetic_samples=synthetic,
        synthetic_realism=realism,
        augmented_training_set=augmented,
        rejected_synthetic_samples=rejected,
    )


def run(
    table: pd.DataFrame,
    target: ingestion.TargetSpec,
    options: PipelineOptions,
    columns: dict[str, str] | None = None,
    previous: promotion.ModelRegistry | None = None,
) -> PipelineRun:
    """The whole pipeline on a table, in the order of the asset graph, from the source
    table to the promoted model (``previous``: the registry of an earlier run):
    :func:`training_sets`, then the candidates, the champion, the hold-out and the
    promotion gate."""
    sets = training_sets(table, target, options, columns)
    name, denoised = target.column, sets.noise.denoised
    skipped: dict[str, str] = {}
    candidates = candidate_models(
        sets.training_set,
        sets.augmented_training_set,
        name,
        options,
        sets.oversampling_space,
        skipped=skipped,
    )
    champion = champion_model(candidates, options)
    evaluation = holdout_evaluation(
        sets.holdout_set, candidates, name, options, sets.minority_clusters.assignments, denoised
    )
    served = scoring_profile(sets.column_roles, sets.training_set, evaluation, target, options)
    registry = promoted_model(
        previous, champion, evaluation, sets.holdout_set, name, options, served
    )
    return PipelineRun(
        **{f.name: getattr(sets, f.name) for f in fields(TrainingSets)},
        candidate_models=candidates,
        champion_model=champion,
        holdout_evaluation=evaluation,
        promoted_model=registry,
        skipped=skipped,
    )
