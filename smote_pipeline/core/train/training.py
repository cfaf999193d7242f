"""Fitting candidate models and choosing the champion, on training data only."""

from __future__ import annotations

import hashlib
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import precision_recall_curve
from sklearn.model_selection import RepeatedStratifiedKFold, TunedThresholdClassifierCV
from threadpoolctl import threadpool_limits

from smote_pipeline.core.columns import (
    IS_SYNTHETIC,
    categorical_columns,
    feature_columns,
    missing_numeric_columns,
    row_hashes,
)
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.calibration import fit_logistic_map, recalibrate
from smote_pipeline.core.train.estimators import SoftVotingEnsemble, logistic_map, prior_correct
from smote_pipeline.core.train.racing import race
from smote_pipeline.core.train.records import Candidate, Champion
from smote_pipeline.core.train.selection import (
    AVERAGE_RULE,
    FAMILY_RULE,
    brier_check,
    family_members,
    greater_is_better,
    one_standard_error_set,
    score,
    select_champion,
    selection_table,
)
from smote_pipeline.core.train.strategies import (
    ENSEMBLE,
    build_classifier,
    build_strategy,
    trained_minority_ratio,
)
from smote_pipeline.core.vocabulary import candidate_grid, candidate_name

__all__ = [
    "cross_validate",
    "fit_candidates",
    "champion_record",
    "select_champion",
    "selection_table",
    "training_fingerprint",
    "tune_threshold",
]


def tune_threshold(y_true: np.ndarray, proba: np.ndarray) -> float:
    """Decision threshold that maximises F1 on out-of-fold training predictions.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,)
        0/1 labels.
    proba : ndarray of shape (n_samples,)
        Out-of-fold positive-class probabilities.

    Returns
    -------
    float
        The threshold; 0.5 when no positive is predicted at any threshold.
    """
    precision, recall, thresholds = precision_recall_curve(y_true, proba)
    if len(thresholds) == 0:
        return 0.5
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[int(np.argmax(f1))])


def cv_splits(
    y: np.ndarray, *, n_folds: int, n_repeats: int, random_state: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Repeated stratified K-fold splits, the same for every candidate.

    ``n_folds`` is lowered to the positive count when there are fewer positives.

    Raises
    ------
    ValueError
        With fewer than 2 positive (or negative) rows.
    """
    n_folds = min(n_folds, int(np.bincount(y, minlength=2).min()))
    if n_folds < 2:
        raise ValueError(
            "Cross-validation needs at least 2 positive training rows per fold; the training "
            f"set has {int(y.sum())} positive row(s). Provide more positive rows."
        )
    splitter = RepeatedStratifiedKFold(
        n_splits=n_folds, n_repeats=n_repeats, random_state=random_state
    )
    return list(splitter.split(np.zeros(len(y)), y))


def cross_validate(
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    splits: list[tuple[np.ndarray, np.ndarray]],
    metric: str = "average_precision",
) -> tuple[list[float], np.ndarray]:
    """Fold scores and out-of-fold probabilities over repeated splits.

    The estimator (whose samplers act only in ``fit``) is cloned and fitted on
    each training fold, so resampling never sees the scoring fold.

    Parameters
    ----------
    estimator : estimator
        Unfitted strategy.
    X : pandas.DataFrame of shape (n_samples, n_features)
        Real training rows.
    y : ndarray of shape (n_samples,)
        0/1 labels.
    splits : list of (train_idx, test_idx)
        From :func:`cv_splits`; consecutive groups of ``n_folds`` splits
        partition the rows once per repeat.
    metric : str
        Selection metric (see :data:`~smote_pipeline.core.train.selection.SELECTION_METRICS`).

    Returns
    -------
    fold_scores : list of float
        ``metric`` on each scoring fold.
    oof : ndarray of shape (n_repeats, n_samples)
        Out-of-fold positive-class probabilities of each repeat.
    """
    n_test = sum(len(test) for _, test in splits)
    n_repeats = max(n_test // len(y), 1)
    per_repeat = len(splits) // n_repeats
    oof = np.zeros((n_repeats, len(y)), dtype=np.float64)
    scores = []
    for i, (train_idx, test_idx) in enumerate(splits):
        fitted = clone(estimator).fit(X.iloc[train_idx], y[train_idx])
        proba = fitted.predict_proba(X.iloc[test_idx])[:, 1]
        oof[i // per_repeat, test_idx] = proba
        scores.append(score(metric, y[test_idx], proba))
    return scores, oof


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


def _summary(scores: list[float], splits: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, Any]:
    train, test = splits[0]
    return {
        "cv_scores": tuple(float(s) for s in scores),
        "cv_mean": float(np.mean(scores)),
        "cv_sem": float(np.std(scores, ddof=1) / np.sqrt(len(scores))) if len(scores) > 1 else 0.0,
        "cv_test_train_ratio": len(test) / len(train),
    }


def _fit_final(
    family: str,
    name: str,
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    augmented: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    categorical: list[str],
) -> tuple[Any, float | None, dict[str, Any]]:
    """Refit on all training data; returns model, threshold override and fit facts."""
    features = list(X.columns)
    if name == "cluster_smote" and options.recalibration in ("none", "prior"):
        prior_ratio = float(y.sum()) / max(len(y) - int(y.sum()), 1)
        augmented_y = augmented[target].to_numpy()
        clf = build_classifier(
            family,
            features,
            categorical,
            random_state=options.random_state,
            missing=missing_numeric_columns(augmented, target),
            size=(len(augmented), int(augmented_y.sum())),
        )
        model = recalibrate(clf, name, options, prior_ratio=prior_ratio)
        model.fit(augmented[features], augmented_y.astype(np.int64))
        facts = {
            "fit_rows": len(augmented),
            "synthetic_rows": int(augmented[IS_SYNTHETIC].sum()),
            "fit_on": "augmented_training_set",
        }
        return model, None, facts
    fitted = clone(estimator).fit(X, y)
    facts = {"fit_rows": len(X), "synthetic_rows": 0, "fit_on": "training_set"}
    if isinstance(fitted, TunedThresholdClassifierCV):
        return fitted.estimator_, float(fitted.best_threshold_), facts
    return fitted, None, facts


def fit_candidates(
    training: pd.DataFrame,
    augmented: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    skipped: dict[str, str] | None = None,
) -> dict[str, Candidate]:
    """Cross-validate and refit every candidate: each model family x strategy.

    The candidates are :func:`~smote_pipeline.core.vocabulary.candidate_grid`
    of ``models`` and ``strategies``, named ``family/strategy``. A candidate
    that cannot work on this data (SMOTE when a training fold holds a single
    positive row, ``random_undersampling`` below
    :data:`MIN_UNDERSAMPLED_POSITIVES` positives per fold) is left out and its
    reason put in ``skipped``; imbalanced-learn's SMOTE uses fewer neighbours
    when a fold has fewer positive rows than ``k_neighbors + 1``. It is an
    error when no candidate can be fitted.

    Native thread pools (OpenMP, BLAS) are limited to one thread meanwhile:
    on data of this size the models gain nothing from more, and spinning
    OpenMP threads slow to a crawl on a busy machine.

    Each candidate (with its recalibration, if any) is scored by repeated
    stratified cross-validation on the real training set (``cv_repeats``, or
    :func:`auto_repeats` of the rows; its samplers run inside the folds; every
    candidate sees the same splits, so scores are paired), raced
    (:func:`~smote_pipeline.core.train.racing.race`: one clearly behind after
    the first half of the repeats is not scored on the rest), and its
    F1-maximising threshold is tuned on the out-of-fold
    predictions (``cost_sensitive_threshold`` keeps the expected-cost threshold
    of its ``TunedThresholdClassifierCV``). It is then refitted on all training
    data; the ``cluster_smote`` candidate is refitted on ``augmented``
    (denoised real rows plus the synthetic rows that passed the quality gates)
    unless it is recalibrated with ``sigmoid`` / ``isotonic``, which needs real
    folds. For an averaging ``selection_rule`` (or with ``ensemble_top >= 2``)
    a soft-voting ensemble is added under
    :data:`~smote_pipeline.core.train.strategies.ENSEMBLE` (see
    :func:`_ensemble_members`, :func:`ensemble_calibration`).

    Parameters
    ----------
    training : pandas.DataFrame
        Real training rows.
    augmented : pandas.DataFrame
        The ``augmented_training_set``.
    target : str
        Target column (0/1).
    options : PipelineOptions
        ``strategies``, ``models``, ``cv_folds``, ``cv_repeats``,
        ``selection_metric``, ``recalibration``, ``ensemble_top``, seed and
        sampler options.

    Returns
    -------
    dict of str to Candidate
        Candidate name -> its :class:`~smote_pipeline.core.train.records.Candidate`.
    """
    with threadpool_limits(1):
        return _fit_candidates(
            training, augmented, target, options, {} if skipped is None else skipped
        )


#: Fewest positive rows per training fold for ``random_undersampling``: below
#: it a balanced fold holds fewer than 50 rows, too few for any model family
#: to learn from once the majority is discarded (an average precision of 0.08
#: was seen for HistGradientBoosting on balanced folds of about 20 rows).
MIN_UNDERSAMPLED_POSITIVES = 25

#: Training rows up to which ``cv_repeats=None`` repeats the K-fold split the
#: most (:func:`auto_repeats`); the repeats shrink as rows grow past it.
REPEAT_BUDGET_ROWS = 20_000


def auto_repeats(n_rows: int) -> int:
    """Repeats of the K-fold split when ``cv_repeats`` is None: more on small data.

    ``REPEAT_BUDGET_ROWS // n_rows``, between 2 and 5: fold scores on small
    data are noisy and fits are cheap, so more repeats narrow the paired
    standard errors the selection rule reads; on large data two repeats
    already give tight ones, and every repeat costs a fit per candidate.
    """
    return int(np.clip(REPEAT_BUDGET_ROWS // max(n_rows, 1), 2, 5))


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


def _build(
    training: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    splits: list[tuple[np.ndarray, np.ndarray]],
    skipped: dict[str, str],
) -> dict[str, tuple[str, str, PipelineOptions, Any]]:
    """Candidate name -> (family, strategy, its options, unfitted estimator).

    A strategy that cannot work on these folds is put in ``skipped`` with the reason.
    """
    features = feature_columns(training, target)
    categorical = categorical_columns(training, target)
    missing = missing_numeric_columns(training, target)
    y = training[target].to_numpy().astype(np.int64)
    min_fold_positives = min(int(y[train].sum()) for train, _ in splits)
    built = {}
    for family, strategy_name in candidate_grid(options.models, options.strategies):
        name = candidate_name(family, strategy_name)
        try:
            strategy_options = _fold_options(strategy_name, options, min_fold_positives)
            strategy = build_strategy(
                strategy_name,
                model=family,
                features=features,
                categorical=categorical,
                options=strategy_options,
                missing=missing,
                size=(len(y), int(y.sum())),
            )
        except ValueError as error:
            skipped[name] = f"{type(error).__name__}: {error}"
            continue
        estimator = recalibrate(strategy, strategy_name, strategy_options)
        built[name] = (family, strategy_name, strategy_options, estimator)
    return built


def _fit_candidates(
    training: pd.DataFrame,
    augmented: pd.DataFrame,
    target: str,
    options: PipelineOptions,
    skipped: dict[str, str],
) -> dict[str, Candidate]:
    features = feature_columns(training, target)
    categorical = categorical_columns(training, target)
    X, y = training[features], training[target].to_numpy().astype(np.int64)
    repeats = options.cv_repeats or auto_repeats(len(y))
    splits = cv_splits(
        y, n_folds=options.cv_folds, n_repeats=repeats, random_state=options.random_state
    )
    metric = options.selection_metric
    prior_ratio = float(y.sum()) / max(len(y) - int(y.sum()), 1)
    fingerprint = training_fingerprint(training, target)
    built = _build(training, target, options, splits, skipped)
    scoring = {_key(b[3]): _scoring_estimator(b[3]) for b in built.values()}
    raced = race(
        lambda e, s: cross_validate(e, X, y, splits=s, metric=metric),
        scoring,
        splits,
        n_folds=len(splits) // repeats,
        metric=metric,
    )
    oofs: dict[str, np.ndarray] = {}
    candidates: dict[str, Candidate] = {}
    for name, (family, strategy_name, strategy_options, estimator) in built.items():
        scored = raced[_key(estimator)]
        if scored.error is not None:
            skipped[name] = scored.error
            continue
        try:
            model, threshold, facts = _fit_final(
                family, strategy_name, estimator, X, y, augmented, target, strategy_options,
                categorical,
            )  # fmt: skip
        except ValueError as error:
            skipped[name] = f"{type(error).__name__}: {error}"
            continue
        oof = scored.oof
        oofs[name] = oof
        trained = trained_minority_ratio(strategy_name, options)
        if trained is not None:  # nothing is generated where the data is above the ratio
            trained = max(trained, prior_ratio)
        candidates[name] = Candidate(
            model=model,
            threshold=threshold
            if threshold is not None
            else tune_threshold(np.tile(y, len(oof)), oof.ravel()),
            threshold_source="TunedThresholdClassifierCV (minimum expected cost)"
            if threshold is not None
            else "maximum F1 on out-of-fold training predictions",
            cv_metric=metric,
            **_summary(scored.scores, splits),
            cv_brier_scores=tuple(split_scores("brier", y, oof, splits[: len(scored.scores)])),
            **facts,
            recalibration=options.recalibration if trained is not None else "none",
            trained_ratio=trained,
            prior_ratio=prior_ratio,
            training_fingerprint=fingerprint,
            dropped=scored.dropped,
        )
    if not candidates:
        raise ValueError(
            f"No strategy could be fitted on this training set: {skipped}. Provide more "
            "positive rows or lower cv_folds."
        )
    members = _ensemble_members(candidates, oofs, options)
    if len(members) >= 2:
        candidates[ENSEMBLE] = _soft_voting(
            members, candidates, oofs, y, splits, options, fingerprint
        )
    return candidates


def _ensemble_members(
    candidates: dict[str, Candidate], oofs: dict[str, np.ndarray], options: PipelineOptions
) -> list[str]:
    """Members of the soft-voting ensemble, best cross-validated score first.

    With ``family_average``, the best candidate of each family
    (:func:`~smote_pipeline.core.train.selection.family_members`); with
    ``one_standard_error_average``, the one-standard-error set (both capped at
    ``ensemble_top`` when that is >= 2); otherwise the ``ensemble_top`` best
    candidates the race kept, or none. Members whose out-of-fold probabilities
    duplicate a better member's (a threshold tuner and its model) are skipped.
    """
    if options.selection_rule == FAMILY_RULE:
        ranked, cap = family_members(candidates), options.ensemble_top
    elif options.selection_rule == AVERAGE_RULE:
        ranked, cap = one_standard_error_set(candidates), options.ensemble_top
    elif options.ensemble_top >= 2:
        sign = 1.0 if greater_is_better(options.selection_metric) else -1.0
        kept = [n for n, c in candidates.items() if c.dropped is None]
        ranked = sorted(kept, key=lambda n: -sign * candidates[n].cv_mean)
        cap = options.ensemble_top
    else:
        return []
    members: list[str] = []
    for name in ranked:
        if not any(np.array_equal(oofs[name], oofs[m]) for m in members):
            members.append(name)
    return members[:cap] if cap >= 2 else members


def _soft_voting(
    members: list[str],
    candidates: dict[str, Candidate],
    oofs: dict[str, np.ndarray],
    y: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    options: PipelineOptions,
    fingerprint: str,
) -> Candidate:
    """Soft-voting ensemble of ``members``, scored on their out-of-fold output.

    A member that learnt from a changed class balance and is not recalibrated
    votes with prior-corrected probabilities (odds times ``prior_ratio /
    trained_ratio``), so that members speak on one probability scale and the
    average's Brier score stays near the best single candidate's
    (``benchmarks/bench_quality.py`` prints both). Its cross-validated score is
    slightly optimistic: the members were chosen on the same folds.
    """
    metric = options.selection_metric
    factors = {m: _odds_factor(candidates[m]) for m in members}
    oof = np.mean([prior_correct(oofs[m], factors[m]) for m in members], axis=0)
    calibration, oof = ensemble_calibration(oof, y, splits)
    voting = SoftVotingEnsemble(
        [(m, candidates[m].model) for m in members],
        [factors[m] for m in members],
        calibration=calibration,
    ).fit()
    corrected = [m for m, f in factors.items() if f != 1.0]
    fit_on = f"members: {', '.join(members)}"
    if corrected:
        fit_on += f" (prior-corrected: {', '.join(corrected)})"
    if calibration is not None:
        fit_on += f"; logistic map on out-of-fold average (slope {calibration[0]:.3f})"
    return Candidate(
        model=voting,
        threshold=tune_threshold(np.tile(y, len(oof)), oof.ravel()),
        threshold_source="maximum F1 on out-of-fold training predictions",
        cv_metric=metric,
        **_summary(split_scores(metric, y, oof, splits), splits),
        cv_brier_scores=tuple(split_scores("brier", y, oof, splits)),
        fit_rows=len(y),
        synthetic_rows=0,
        fit_on=fit_on,
        members=tuple(members),
        selection_rule=options.selection_rule,
        recalibration="none" if calibration is None else "logistic map (out-of-fold)",
        trained_ratio=None,
        prior_ratio=candidates[members[0]].prior_ratio,
        training_fingerprint=fingerprint,
    )


def split_scores(
    metric: str, y: np.ndarray, oof: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]]
) -> list[float]:
    """``metric`` on each split's scoring fold, from out-of-fold probabilities per repeat."""
    per_repeat = len(splits) // len(oof)
    return [
        score(metric, y[test], oof[i // per_repeat, test]) for i, (_, test) in enumerate(splits)
    ]


#: Inverse L2 strength (``C``) of the ensemble's logistic map: weak, yet the
#: slope stays finite where the out-of-fold probabilities separate the classes.
MAP_PENALTY = 1.0


def ensemble_calibration(
    oof: np.ndarray, y: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[tuple[float, float] | None, np.ndarray]:
    """A logistic map of the averaged probabilities, kept only where it lowers the Brier score.

    Averaging shrinks probabilities towards the middle (members disagree on the
    rare positives), so an average of calibrated members is itself not always
    calibrated. The map (:func:`~smote_pipeline.core.train.calibration.fit_logistic_map`)
    is judged honestly: for every split it is fitted on the out-of-fold
    probabilities of the other folds of the same repeat and applied to the
    scoring fold. It is kept when these cross-fitted probabilities have a lower
    mean Brier score than the plain average and its slope is positive; then it
    is refitted on all out-of-fold probabilities (always with a weak L2 penalty,
    :data:`MAP_PENALTY`). A map with a positive slope
    keeps the order of the probabilities, so the average precision and the ROC
    AUC do not change.

    Returns
    -------
    calibration : (float, float) or None
        ``(slope, intercept)``, or None when the map does not help.
    oof : ndarray of shape (n_repeats, n_samples)
        The cross-fitted mapped probabilities, or the input when not kept.
    """
    per_repeat = len(splits) // len(oof)
    mapped = np.empty_like(oof)
    for i, (train, test) in enumerate(splits):
        row = oof[i // per_repeat]
        if y[train].min() == y[train].max():
            return None, oof
        slope, intercept = fit_logistic_map(y[train], row[train], penalty=MAP_PENALTY)
        mapped[i // per_repeat, test] = logistic_map(row[test], slope, intercept)
    slope, intercept = fit_logistic_map(np.tile(y, len(oof)), oof.ravel(), penalty=MAP_PENALTY)
    plain = np.mean(split_scores("brier", y, oof, splits))
    if slope <= 0 or np.mean(split_scores("brier", y, mapped, splits)) >= plain:
        return None, oof
    return (slope, intercept), mapped


def _odds_factor(candidate: Candidate) -> float:
    """Odds correction of a member's probabilities (1.0: already on the real scale)."""
    trained = candidate.trained_ratio
    if trained is None or candidate.recalibration != "none" or candidate.prior_ratio is None:
        return 1.0
    return float(candidate.prior_ratio) / float(trained)


def champion_record(candidates: dict[str, Candidate], options: PipelineOptions) -> Champion:
    """The champion with what a user needs to trust and reproduce it.

    Everything comes from the candidates (training data only); the hold-out is
    not an input, so the champion cannot depend on it.

    Parameters
    ----------
    candidates : dict of str to Candidate
        Output of :func:`fit_candidates`.
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
