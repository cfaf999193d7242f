"""Fitting candidate models and choosing the champion, on training data only.

The candidate search runs in three steps (chained once, in
:func:`smote_pipeline.core.pipeline.candidate_models`): :func:`screen_candidates`
(``candidate_screen``), :func:`candidate_strategy` per strategy (``candidate__<strategy>``)
and :func:`gather_candidates` (``candidate_models``).

The candidates are :func:`~smote_pipeline.core.vocabulary.candidate_grid` of
``models`` and ``strategies``, named ``family/strategy``. A candidate that cannot
work on this data (SMOTE when a training fold holds a single positive row,
``random_undersampling`` below :data:`MIN_UNDERSAMPLED_POSITIVES` positives per
fold) is left out and its reason put in ``skipped``; imbalanced-learn's SMOTE uses
fewer neighbours when a fold has fewer positive rows than ``k_neighbors + 1``. It is
an error when no candidate can be fitted.

Each candidate (with its recalibration, if any) is scored by repeated stratified
cross-validation on the real training rows, raced on the growing subsamples of the
:class:`~smote_pipeline.core.train.plan.SearchPlan` (its samplers run inside the
folds; every candidate sees the same subsamples and splits, so scores are paired).
Its threshold is read off the out-of-fold predictions (F1-maximising;
``cost_sensitive_threshold``: least expected cost, on its model's predictions), and
survivors are refitted on all training rows; the ``cluster_smote`` candidate is
refitted on ``augmented`` (denoised real rows plus the synthetic rows that passed
the quality gates) unless it is recalibrated with ``sigmoid`` / ``isotonic``, which
needs real folds. For an averaging ``selection_rule`` (or with ``ensemble_top >=
2``) a soft-voting ensemble is added under
:data:`~smote_pipeline.core.train.strategies.ENSEMBLE`, from the stored out-of-fold
predictions (:mod:`~smote_pipeline.core.train.ensemble`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import TunedThresholdClassifierCV
from threadpoolctl import threadpool_limits

from smote_pipeline.core.columns import (
    IS_SYNTHETIC,
    categorical_columns,
    feature_columns,
    missing_numeric_columns,
    row_hashes,
)
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.calibration import recalibrate
from smote_pipeline.core.train.cores import fit_on_cores
from smote_pipeline.core.train.crossval import cross_validate, split_scores
from smote_pipeline.core.train.ensemble import ensemble_members, soft_voting
from smote_pipeline.core.train.plan import SearchPlan, auto_repeats, cv_splits, plan_search
from smote_pipeline.core.train.racing import finish, race
from smote_pipeline.core.train.records import Candidate, Champion, Race, Scored
from smote_pipeline.core.train.selection import brier_check, select_champion, selection_table
from smote_pipeline.core.train.strategies import (
    ENSEMBLE,
    build_classifier,
    build_strategy,
    trained_minority_ratio,
)
from smote_pipeline.core.train.thresholds import cost_threshold, f1_threshold, summary
from smote_pipeline.core.vocabulary import candidate_grid, candidate_name, family_of

__all__ = [
    "auto_repeats",
    "champion_record",
    "cross_validate",
    "cv_splits",
    "candidate_strategy",
    "gather_candidates",
    "screen_candidates",
    "screening_estimator",
    "select_champion",
    "selection_table",
    "shared_strategy",
    "split_scores",
    "training_fingerprint",
]


def training_fingerprint(training: pd.DataFrame, target: str) -> str:
    """SHA-256 of the training rows' content (features and target), order-independent.

    Identifies the data version a model was trained on; it never involves the
    hold-out.
    """
    columns = [*feature_columns(training, target), target]
    hashes = np.sort(row_hashes(training, columns))
    return hashlib.sha256(hashes.tobytes()).hexdigest()


def _scoring_estimator(estimator: Any) -> Any:
    """What cross-validation scores: the probabilities of a threshold tuner are its model's."""
    if isinstance(estimator, TunedThresholdClassifierCV):
        return estimator.estimator
    return estimator


def _fit_final(
    family: str,
    name: str,
    estimator: Any,
    data: _Data,
    augmented: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    n_jobs: int = 1,
) -> tuple[Any, dict[str, Any]]:
    """Refit on all training data; returns the model and the fit facts.

    A threshold tuner is refitted as its model only: its threshold comes from
    the out-of-fold predictions. Forests build their trees on ``n_jobs``
    threads (:func:`~smote_pipeline.core.train.cores.fit_on_cores`: the same
    model as on one core).
    """
    features = list(data.X.columns)
    if name == "cluster_smote" and options.recalibration in ("none", "prior"):
        augmented_y = augmented[target].to_numpy()
        clf = build_classifier(
            family,
            features,
            data.categorical,
            random_state=options.random_state,
            missing=missing_numeric_columns(augmented, target),
            size=(len(augmented), int(augmented_y.sum())),
        )
        model = recalibrate(clf, name, options, prior_ratio=data.prior_ratio)
        fit_on_cores(model, augmented[features], augmented_y.astype(np.int64), n_jobs)
        facts = {
            "fit_rows": len(augmented),
            "synthetic_rows": int(augmented[IS_SYNTHETIC].sum()),
            "fit_on": "augmented_training_set",
        }
        return model, facts
    fitted = fit_on_cores(clone(_scoring_estimator(estimator)), data.X, data.y, n_jobs)
    return fitted, {"fit_rows": len(data.y), "synthetic_rows": 0, "fit_on": "training_set"}


#: Strategy -> the strategy whose fitted candidates it reuses (same model, other threshold).
SHARES_MODEL_WITH = {"cost_sensitive_threshold": "no_resampling"}


def shared_strategy(strategy: str, strategies: tuple[str, ...]) -> str | None:
    """The strategy whose candidates ``strategy`` reuses, when both are compared."""
    other = SHARES_MODEL_WITH.get(strategy)
    return other if other in strategies else None


#: Fewest positive rows per training fold for ``random_undersampling``: below
#: it a balanced fold holds fewer than 50 rows, too few for any model family
#: to learn from once the majority is discarded (an average precision of 0.08
#: was seen for HistGradientBoosting on balanced folds of about 20 rows).
MIN_UNDERSAMPLED_POSITIVES = 25


def _fold_options(name: str, options: PipelineOptions, min_fold_positives: int) -> PipelineOptions:
    """Options for one strategy fitted to the folds, or ValueError when it cannot work.

    imbalanced-learn SMOTE's ``k_neighbors`` is lowered to the fold's positives;
    ``random_undersampling`` is skipped below :data:`MIN_UNDERSAMPLED_POSITIVES`.
    """
    if name == "random_undersampling" and min_fold_positives < MIN_UNDERSAMPLED_POSITIVES:
        raise ValueError(
            f"a training fold holds {min_fold_positives} positive row(s), so a balanced fold "
            f"holds {2 * min_fold_positives} rows (fewer than {2 * MIN_UNDERSAMPLED_POSITIVES}): "
            "too few to learn from once the majority is discarded"
        )
    if name == "smote" and options.k_neighbors >= min_fold_positives:
        if min_fold_positives < 2:
            raise ValueError(
                f"a training fold holds {min_fold_positives} positive row(s); SMOTE needs 2"
            )
        return options.updated({"k_neighbors": min_fold_positives - 1})
    return options


def _key(estimator: Any) -> str:
    """Identity of what cross-validation scores (a threshold tuner shares its model's)."""
    return joblib.hash(_scoring_estimator(estimator))


@dataclass(frozen=True)
class _Data:
    """The training rows as the fits see them."""

    X: pd.DataFrame
    y: np.ndarray
    categorical: list[str]
    missing: list[str]

    @property
    def prior_ratio(self) -> float:
        return float(self.y.sum()) / max(len(self.y) - int(self.y.sum()), 1)


def _data(training: pd.DataFrame, target: str, race: Race | None = None) -> _Data:
    """The training rows as the search uses them, with the columns the ``race``
    decided (decided here when it has none: for the race itself, or one stored before)."""
    columns = race.columns if race is not None else {}
    if not columns:
        columns = {
            "features": feature_columns(training, target),
            "categorical": categorical_columns(training, target),
            "missing": missing_numeric_columns(training, target),
        }
    return _Data(
        X=training[columns["features"]],
        y=training[target].to_numpy().astype(np.int64),
        categorical=list(columns["categorical"]),
        missing=list(columns["missing"]),
    )


#: One candidate before fitting: (family, strategy, its options).
Spec = tuple[str, str, PipelineOptions]


def _estimator(data: _Data, spec: Spec, rows: int, positives: int) -> Any:
    """The candidate's estimator, hyperparameters scaled to the rows it is fitted on."""
    family, strategy, strategy_options = spec
    built = build_strategy(
        strategy,
        model=family,
        features=list(data.X.columns),
        categorical=data.categorical,
        options=strategy_options,
        missing=data.missing,
        size=(rows, positives),
    )
    return recalibrate(built, strategy, strategy_options)


def _grid(data: _Data, options: PipelineOptions, plan: SearchPlan) -> tuple[dict[str, Spec], dict]:
    """Candidate name -> its spec, and the candidates that cannot work on the plan's folds."""
    smallest = plan.rungs[0]
    rows = plan.rows(data.y, smallest)
    y_small, groups = data.y[rows], None if plan.groups is None else plan.groups[rows]
    splits = cv_splits(
        y_small, n_folds=plan.n_folds, n_repeats=1, random_state=plan.random_state, groups=groups
    )
    min_fold_positives = min(int(y_small[train].sum()) for train, _ in splits)
    grid, skipped = {}, {}
    for family, strategy in candidate_grid(options.models, options.strategies):
        name = candidate_name(family, strategy)
        try:
            spec = (family, strategy, _fold_options(strategy, options, min_fold_positives))
            _estimator(data, spec, len(data.y), int(data.y.sum()))
        except ValueError as error:
            skipped[name] = f"{type(error).__name__}: {error}"
            continue
        grid[name] = spec
    return grid, skipped


#: Share of a random forest's trees fitted on the rungs below the last. A forest's
#: score rises with its trees in a flat curve, the same for every strategy it is
#: crossed with, so a quarter of them ranks the clear losers at a quarter of the
#: cost; every score the selection reads (the last rung) is of the full forest.
SCREEN_TREE_SHARE = 0.25


def screening_estimator(estimator: Any) -> Any:
    """``estimator`` with every random forest in it cut to :data:`SCREEN_TREE_SHARE` of its trees.

    Forests nested in pipelines and wrappers are found through ``get_params``;
    imbalanced-learn's balanced random forest is one too. Other estimators are
    returned unchanged.
    """
    found = {"": estimator, **estimator.get_params(deep=True)}
    cut = {
        f"{key}__n_estimators" if key else "n_estimators": max(
            1, round(value.n_estimators * SCREEN_TREE_SHARE)
        )
        for key, value in found.items()
        if isinstance(value, RandomForestClassifier)
    }
    return clone(estimator).set_params(**cut) if cut else estimator


def _jobs(n_jobs: int | None, options: PipelineOptions) -> int:
    """Cores for folds and refits: ``n_jobs``, else ``options.cv_n_jobs``, else 1 (-1: all)."""
    jobs = n_jobs if n_jobs is not None else (options.cv_n_jobs or 1)
    return int(joblib.effective_n_jobs(jobs))


def _evaluator(
    data: _Data, options: PipelineOptions, n_jobs: int | None, full_rows: int | None = None
) -> Any:
    """``evaluate(spec, rows, splits)`` for the race: cross-validation on a subsample.

    ``n_jobs`` (None: ``options.cv_n_jobs``, else 1) folds are fitted at once.
    On a subsample of fewer than ``full_rows`` rows (a rung below the last) the
    estimator is the :func:`screening_estimator`.
    """
    n_jobs = _jobs(n_jobs, options)

    def evaluate(spec: Spec, rows: np.ndarray, splits: list) -> tuple[list, np.ndarray, Any]:
        y = data.y[rows]
        estimator = _scoring_estimator(_estimator(data, spec, len(rows), int(y.sum())))
        if full_rows is not None and len(rows) < full_rows:
            estimator = screening_estimator(estimator)
        X = data.X if len(rows) == len(data.y) else data.X.iloc[rows]
        return cross_validate(
            estimator, X, y, splits=splits, metric=options.selection_metric, n_jobs=n_jobs
        )

    return evaluate


def screen_candidates(
    training: pd.DataFrame, target: str, options: PipelineOptions, n_jobs: int | None = None
) -> Race:
    """Race every candidate on the rungs of the search plan but the last.

    Candidates that share what cross-validation scores (a threshold variant
    and its model) are scored once. Native thread pools are limited to one
    thread (see :func:`candidate_strategy`).

    Returns
    -------
    Race
        The plan, each candidate's scoring key, the scores where each stopped
        (survivors: the last screened rung; dropped: the rung that dropped
        them, with the model of its last fold) and the skipped candidates.
    """
    data = _data(training, target)
    plan = plan_search(
        data.y,
        n_folds=options.cv_folds,
        cv_repeats=options.cv_repeats,
        random_state=options.random_state,
    ).for_rows(training)
    with threadpool_limits(1):
        grid, skipped = _grid(data, options, plan)
        keys = {
            n: _key(_estimator(data, s, len(data.y), int(data.y.sum()))) for n, s in grid.items()
        }
        specs = {keys[n]: s for n, s in reversed(grid.items())}  # the first of a key wins
        evaluate = _evaluator(data, options, n_jobs, full_rows=plan.final.rows)
        families = {keys[n]: family_of(n) or n for n in grid}
        scored = race(evaluate, specs, plan, data.y, options.selection_metric, families)
    return Race(
        plan=plan,
        options=options,
        candidates={n: {"family": s[0], "strategy": s[1], "key": keys[n]} for n, s in grid.items()},
        scored=scored,
        skipped=skipped,
        training_fingerprint=training_fingerprint(training, target),
        columns={
            "features": list(data.X.columns),
            "categorical": list(data.categorical),
            "missing": list(data.missing),
        },
    )


def candidate_strategy(
    strategy: str,
    training: pd.DataFrame,
    augmented: pd.DataFrame,
    target: str,
    screen: Race,
    shared: dict[str, Candidate] | None = None,
    n_jobs: int | None = None,
) -> tuple[dict[str, Candidate], dict[str, str]]:
    """The candidates of one strategy: last-rung scores, threshold and final model.

    A survivor of the screen is finished on the last rung
    (:func:`~smote_pipeline.core.train.racing.finish`) and refitted on every
    training row. A candidate the race dropped as clearly behind keeps its
    scores and the model of the last fold of the rung that dropped it (no
    refit); one halved on a subsample keeps that rung's scores and is refitted. A candidate whose
    scored model is one of ``shared`` (``cost_sensitive_threshold`` and
    ``no_resampling``) takes that candidate's model and scores and gets its
    own threshold. Native thread pools (OpenMP, BLAS) are limited to one
    thread while folds are scored: parallelism comes from the folds
    (``cv_n_jobs``) and from the executor running strategies side by side. A
    refit on every training row, one fit, builds a forest's trees on the same
    ``cv_n_jobs`` cores (threads; the model does not change).

    Returns
    -------
    candidates : dict of str to Candidate
        By candidate name.
    skipped : dict of str to str
        Candidates that could not be scored or fitted, and why.
    """
    options, plan = screen.options, screen.plan.for_rows(training)
    data = _data(training, target, screen)
    by_key = {c.scoring_key: c for c in (shared or {}).values()}
    candidates, skipped = {}, {}
    with threadpool_limits(1):
        grid, _ = _grid(data, options, plan)
        for name in screen.of_strategy(strategy):
            key = screen.candidates[name]["key"]
            # none when the plan has a single rung
            scored = screen.scored.get(key) or Scored([], np.empty((0, 0)), rung=-1)
            try:
                if scored.error is not None:
                    raise ValueError(scored.error)
                if key in by_key:
                    candidates[name] = _rethreshold(by_key[key], strategy, data, plan, options)
                    continue
                candidates[name] = _candidate(
                    name, grid[name], scored, data, augmented, target, plan, options, screen,
                    n_jobs,
                )  # fmt: skip
            except ValueError as error:
                skipped[name] = str(error) if scored.error else f"{type(error).__name__}: {error}"
    return candidates, skipped


def _candidate(
    name: str,
    spec: Spec,
    scored: Scored,
    data: _Data,
    augmented: pd.DataFrame,
    target: str,
    plan: SearchPlan,
    options: PipelineOptions,
    screen: Race,
    n_jobs: int | None,
) -> Candidate:
    """One candidate from its screen entry: finished and refitted, or as dropped."""
    family, strategy, strategy_options = spec
    rung = plan.rungs[scored.rung]
    if scored.dropped is None or scored.halved:
        if scored.dropped is None:
            scored = finish(_evaluator(data, options, n_jobs), spec, plan, data.y, scored)
            rung = plan.final
        estimator = _estimator(data, spec, len(data.y), int(data.y.sum()))
        model, facts = _fit_final(
            family, strategy, estimator, data, augmented, target, strategy_options,
            _jobs(n_jobs, options),
        )  # fmt: skip
    else:
        model = scored.model
        fold_rows = round(rung.rows * (plan.n_folds - 1) / plan.n_folds)
        facts = {
            "fit_rows": fold_rows,
            "synthetic_rows": 0,
            "fit_on": f"one training fold of the {rung.rows}-row subsample (raced out, "
            "not refitted"
            + ("; a forest has a quarter of its trees)" if rung.rows < plan.final.rows else ")"),
        }
    y_cv = data.y[plan.rows(data.y, rung)]
    splits = plan.splits(data.y, rung)[: len(scored.scores)]
    trained = trained_minority_ratio(strategy, options)
    if trained is not None:  # nothing is generated where the data is above the ratio
        trained = max(trained, data.prior_ratio)
    return Candidate(
        model=model,
        threshold=_threshold(strategy, y_cv, scored.oof, options),
        threshold_source=_THRESHOLD_SOURCES.get(strategy, _F1_SOURCE),
        cv_metric=options.selection_metric,
        **summary(scored.scores, splits),
        cv_brier_scores=tuple(split_scores("brier", y_cv, scored.oof, splits)),
        **facts,
        recalibration=options.recalibration if trained is not None else "none",
        trained_ratio=trained,
        prior_ratio=data.prior_ratio,
        training_fingerprint=screen.training_fingerprint,
        dropped=scored.dropped,
        oof=scored.oof,
        cv_rows=len(y_cv),
        scoring_key=screen.candidates[name]["key"],
    )


_F1_SOURCE = "maximum F1 on out-of-fold training predictions"
_THRESHOLD_SOURCES = {
    "cost_sensitive_threshold": "least expected cost on out-of-fold training predictions "
    "(a missed positive costs false_negative_cost false alarms)"
}


def _threshold(strategy: str, y: np.ndarray, oof: np.ndarray, options: PipelineOptions) -> float:
    y_all, proba = np.tile(y, len(oof)), oof.ravel()
    if strategy == "cost_sensitive_threshold":
        return cost_threshold(y_all, proba, options.false_negative_cost)
    return f1_threshold(y_all, proba)


def _rethreshold(
    base: Candidate, strategy: str, data: _Data, plan: SearchPlan, options: PipelineOptions
) -> Candidate:
    """``base``'s model and scores with ``strategy``'s threshold (from the same rung's rows)."""
    rung = next(r for r in reversed(plan.rungs) if r.rows == base.cv_rows)
    y_cv = data.y[plan.rows(data.y, rung)]
    return replace(
        base,
        threshold=_threshold(strategy, y_cv, base.oof, options),
        threshold_source=_THRESHOLD_SOURCES.get(strategy, _F1_SOURCE),
    )


def gather_candidates(
    parts: Iterable[dict[str, Candidate]],
    training: pd.DataFrame,
    target: str,
    screen: Race,
) -> dict[str, Candidate]:
    """Every strategy's candidates, in grid order, plus the soft-voting ensemble.

    The ensemble is built from the members' stored out-of-fold predictions on
    the last rung (:func:`~smote_pipeline.core.train.ensemble.soft_voting`);
    nothing is refitted.

    Raises
    ------
    ValueError
        When no candidate could be fitted.
    """
    found = {name: c for part in parts for name, c in part.items()}
    candidates = {n: found[n] for n in screen.candidates if n in found}
    if not candidates:
        raise ValueError(
            f"No strategy could be fitted on this training set: {screen.skipped}. Provide "
            "more positive rows or lower cv_folds."
        )
    options, plan = screen.options, screen.plan.for_rows(training)
    members = ensemble_members(candidates, options)
    if len(members) >= 2:
        y = training[target].to_numpy().astype(np.int64)
        y_cv, splits = y[plan.rows(y, plan.final)], plan.splits(y, plan.final)
        candidates[ENSEMBLE] = soft_voting(
            members, candidates, y_cv, splits, options, screen.training_fingerprint
        )
    return candidates


def champion_record(candidates: dict[str, Candidate], options: PipelineOptions) -> Champion:
    """The champion with what a user needs to trust and reproduce it.

    Everything comes from the candidates (training data only); the hold-out is
    not an input, so the champion cannot depend on it.

    Parameters
    ----------
    candidates : dict of str to Candidate
        Output of :func:`smote_pipeline.core.pipeline.candidate_models`.
    options : PipelineOptions
        ``selection_rule`` and the options recorded with the model.

    Returns
    -------
    Champion
        The chosen candidate's model, threshold and scores, the selection table
        (see :func:`~smote_pipeline.core.train.selection.selection_table`), the
        model's top-level parameters as text, and the run's options.
    """
    name = select_champion(candidates, options.selection_rule)
    chosen = candidates[name]
    parameters = {k: repr(v) for k, v in sorted(chosen.model.get_params(deep=False).items())}
    return Champion(
        strategy=name,
        model=chosen.model,
        threshold=float(chosen.threshold),
        threshold_source=chosen.threshold_source,
        cv_metric=chosen.cv_metric,
        cv_mean=float(chosen.cv_mean),
        cv_sem=float(chosen.cv_sem),
        selection_rule=options.selection_rule,
        selection=tuple(selection_table(candidates)),
        parameters=parameters,
        training_fingerprint=chosen.training_fingerprint,
        fit_on=chosen.fit_on,
        fit_rows=int(chosen.fit_rows),
        members=chosen.members,
        options=options.to_dict(),
        brier_check=brier_check(candidates, name),
    )
