"""Racing candidates over repeats of the K-fold split: clear losers stop early.

Every candidate is scored on the first repeats (the first *rung*); one that is
clearly behind the best there, by more than :data:`RACE_MARGIN` corrected
standard errors of the paired difference, is not scored on the remaining
repeats. The survivors are scored on every split. The number of fits then
grows with the candidates that matter instead of with all candidates x
repeats: on real data the losers are often whole model families (a linear
model on non-linear data) or strategies the data cannot carry.

Honest as before: training data only, every candidate on the same splits (a
dropped candidate's scores are those of the first rung, paired with the
best's first-rung scores).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from smote_pipeline.core.train.selection import (
    CLEARLY_WORSE_SE,
    corrected_standard_error,
    greater_is_better,
)

__all__ = ["RACE_MARGIN", "Scored", "first_rung_repeats", "race"]

#: Standard errors behind the best after the first rung that drop a candidate.
#: Two is well beyond the one-standard-error set, so a candidate that could
#: still join an average is very rarely dropped.
RACE_MARGIN = CLEARLY_WORSE_SE

Splits = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Scored:
    """Fold scores and out-of-fold probabilities of one candidate.

    Attributes
    ----------
    scores : list of float
        One per split scored (all splits, or the first rung's when dropped).
    oof : ndarray of shape (n_repeats_scored, n_samples)
        Out-of-fold probabilities of each scored repeat.
    dropped : str or None
        Why the candidate stopped after the first rung; None when it ran every split.
    error : str or None
        Why it could not be scored at all (a ``ValueError`` in a fold); then
        ``scores`` is empty.
    """

    scores: list[float]
    oof: np.ndarray
    dropped: str | None = None
    error: str | None = None


def first_rung_repeats(n_repeats: int) -> int:
    """Repeats of the first rung: half of them (rounded down); 0 means no race."""
    return n_repeats // 2 if n_repeats >= 2 else 0


def race(
    evaluate: Callable[[Any, Splits], tuple[list[float], np.ndarray]],
    estimators: dict[str, Any],
    splits: Splits,
    *,
    n_folds: int,
    metric: str,
) -> dict[str, Scored]:
    """Score every estimator, dropping the clearly worse after the first rung.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(estimator, splits) -> (fold_scores, oof)`` (cross-validation
        on those splits; ``oof`` has one row per repeat).
    estimators : dict of str to estimator
        Key -> unfitted estimator (keys identify distinct estimators).
    splits : list of (train_idx, test_idx)
        All splits, ``n_folds`` per repeat, in repeat order.
    n_folds : int
        Splits per repeat.
    metric : str
        The selection metric the scores are in (direction-aware).

    Returns
    -------
    dict of str to Scored
        An estimator whose ``evaluate`` raised ``ValueError`` gets its message
        in ``error`` and takes no part in the race.
    """
    n_repeats = len(splits) // n_folds
    first = first_rung_repeats(n_repeats) * n_folds or len(splits)
    rung, result = {}, {}
    for key, estimator in estimators.items():
        try:
            rung[key] = evaluate(estimator, splits[:first])
        except ValueError as error:
            result[key] = Scored([], np.empty((0, 0)), error=f"{type(error).__name__}: {error}")
    if first == len(splits) or not rung:
        return {**result, **{k: Scored(*v) for k, v in rung.items()}}
    dropped = _losers(rung, splits[0], metric)
    for key, (scores, oof) in rung.items():
        if key in dropped:
            result[key] = Scored(scores, oof, dropped[key])
            continue
        try:
            rest_scores, rest_oof = evaluate(estimators[key], splits[first:])
        except ValueError as error:
            result[key] = Scored([], np.empty((0, 0)), error=f"{type(error).__name__}: {error}")
            continue
        result[key] = Scored([*scores, *rest_scores], np.vstack([oof, rest_oof]))
    return result


def _losers(
    rung: dict[str, tuple[list[float], np.ndarray]],
    split: tuple[np.ndarray, np.ndarray],
    metric: str,
) -> dict[str, str]:
    """Candidates more than :data:`RACE_MARGIN` paired standard errors behind the best."""
    sign = 1.0 if greater_is_better(metric) else -1.0
    means = {k: sign * float(np.mean(s)) for k, (s, _) in rung.items()}
    best = max(means, key=means.get)
    ratio = len(split[1]) / len(split[0])
    reference = np.asarray(rung[best][0])
    losers = {}
    for key, (scores, _) in rung.items():
        difference = means[key] - means[best]
        se = corrected_standard_error(sign * (np.asarray(scores) - reference), ratio)
        if difference < -RACE_MARGIN * se - 1e-12:
            losers[key] = (
                f"dropped after the first {len(scores)} splits: {metric} "
                f"{difference:+.4f} behind the best, beyond {RACE_MARGIN:g} paired standard "
                f"errors ({se:.4f})"
            )
    return losers
