"""The soft-voting ensemble of candidates, built from their stored out-of-fold predictions.

Nothing is refitted: the members are fitted candidates, and the ensemble's
cross-validated scores, its calibration map and its threshold come from the
members' out-of-fold probabilities on the same splits.
"""

from __future__ import annotations

import numpy as np

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.calibration import fit_logistic_map
from smote_pipeline.core.train.crossval import split_scores
from smote_pipeline.core.train.estimators import SoftVotingEnsemble, logistic_map, prior_correct
from smote_pipeline.core.train.records import Candidate
from smote_pipeline.core.train.selection import (
    AVERAGE_RULE,
    FAMILY_RULE,
    family_members,
    greater_is_better,
    one_standard_error_set,
)
from smote_pipeline.core.train.thresholds import f1_threshold, summary

__all__ = ["MAP_PENALTY", "ensemble_calibration", "ensemble_members", "soft_voting"]

Splits = list[tuple[np.ndarray, np.ndarray]]


def ensemble_members(candidates: dict[str, Candidate], options: PipelineOptions) -> list[str]:
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
    for name in (n for n in ranked if candidates[n].dropped is None):
        oof = candidates[name].oof
        if oof is not None and not any(np.array_equal(oof, candidates[m].oof) for m in members):
            members.append(name)
    return members[:cap] if cap >= 2 else members


def soft_voting(
    members: list[str],
    candidates: dict[str, Candidate],
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
    repeats = min(len(candidates[m].oof) for m in members)  # the repeats all were scored on
    splits = splits[: repeats * _folds_per_repeat(splits, len(y))]
    oof = np.mean([prior_correct(candidates[m].oof[:repeats], factors[m]) for m in members], 0)
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
        threshold=f1_threshold(np.tile(y, len(oof)), oof.ravel()),
        threshold_source="maximum F1 on out-of-fold training predictions",
        cv_metric=metric,
        **summary(split_scores(metric, y, oof, splits), splits),
        cv_brier_scores=tuple(split_scores("brier", y, oof, splits)),
        fit_rows=max(candidates[m].fit_rows for m in members),
        synthetic_rows=0,
        fit_on=fit_on,
        members=tuple(members),
        selection_rule=options.selection_rule,
        recalibration="none" if calibration is None else "logistic map (out-of-fold)",
        trained_ratio=None,
        prior_ratio=candidates[members[0]].prior_ratio,
        training_fingerprint=fingerprint,
        oof=oof,
        cv_rows=len(y),
    )


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


def _folds_per_repeat(splits: list[tuple[np.ndarray, np.ndarray]], n_rows: int) -> int:
    """Splits of one repeat: the first ones whose scoring folds cover every row once."""
    covered = np.cumsum([len(test) for _, test in splits])
    return int(np.searchsorted(covered, n_rows)) + 1


def _odds_factor(candidate: Candidate) -> float:
    """Odds correction of a member's probabilities (1.0: already on the real scale)."""
    trained = candidate.trained_ratio
    if trained is None or candidate.recalibration != "none" or candidate.prior_ratio is None:
        return 1.0
    return float(candidate.prior_ratio) / float(trained)
