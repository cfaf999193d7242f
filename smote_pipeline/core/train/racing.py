"""Racing candidates over the rungs of a search plan: clear losers stop early.

Every candidate is scored on the first rung of the
:class:`~smote_pipeline.core.train.plan.SearchPlan`; one that is clearly behind
the best there, by more than :data:`RACE_MARGIN` corrected standard errors of
the paired difference, is not scored on the next rung, and so on
(:func:`race`). The survivors get their final scores on the last rung
(:func:`finish`), whose repeats stop once the standard error of the mean score
is below :data:`SE_TARGET_SHARE` of it. On real data the losers are often
whole model families (a linear model on non-linear data) or strategies the
data cannot carry, so the fits grow with the candidates that matter.

Honest as before: training data only, every candidate on the same subsamples
and splits (a dropped candidate's scores are those of the rung that dropped
it, paired there with the best's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from smote_pipeline.core.train.plan import RUNG_GROWTH, SearchPlan, Splits
from smote_pipeline.core.train.records import Scored
from smote_pipeline.core.train.selection import (
    CLEARLY_WORSE_SE,
    corrected_standard_error,
    greater_is_better,
)

__all__ = ["RACE_MARGIN", "SE_TARGET_SHARE", "finish", "race"]

#: Standard errors behind the best at a rung that drop a candidate. Two is well
#: beyond the one-standard-error set, so a candidate that could still join an
#: average is very rarely dropped.
RACE_MARGIN = CLEARLY_WORSE_SE

#: The last rung's repeats stop once the corrected standard error of the mean
#: score is at most this share of the mean (0.008 at an average precision of
#: 0.8), below the 0.01 differences the benchmarks treat as meaningful. The
#: corrected error shrinks little with repeats (its ``test/train`` term stays),
#: so on small, noisy data every repeat runs; on large data one often suffices.
SE_TARGET_SHARE = 0.01

#: ``evaluate(estimator, rows, splits) -> (fold_scores, oof, last_model)``:
#: cross-validation on the training rows at positions ``rows``.
Evaluate = Callable[[Any, np.ndarray, Splits], tuple[list[float], np.ndarray, Any]]


def _failed(error: ValueError, rung: int) -> Scored:
    return Scored([], np.empty((0, 0)), rung=rung, error=f"{type(error).__name__}: {error}")


def race(
    evaluate: Evaluate,
    estimators: dict[str, Any],
    plan: SearchPlan,
    y: np.ndarray,
    metric: str,
    families: dict[str, str] | None = None,
) -> dict[str, Scored]:
    """Race every estimator over the plan's rungs but the last.

    At each rung a candidate stops when it is clearly behind the best
    (:func:`_losers`). When the rung is a subsample smaller than the last, the
    others are then halved (:func:`_halved`): only the best
    ``1/RUNG_GROWTH`` of them and the best of each family go on.

    Parameters
    ----------
    evaluate : callable
        See :data:`Evaluate`.
    estimators : dict of str to estimator
        Key -> unfitted estimator (keys identify distinct estimators).
    plan : SearchPlan
        The rungs.
    y : ndarray of shape (n_samples,)
        0/1 training labels.
    metric : str
        The selection metric the scores are in (direction-aware).
    families : dict of str to str or None
        Key -> model family; None: every estimator is its own family (no halving).

    Returns
    -------
    dict of str to Scored
        The last rung each estimator was scored on: ``dropped`` says why it
        stopped there, ``error`` why it could not be scored (it takes no part
        in the race); the others are the survivors, to be finished.
    """
    alive, result = dict(estimators), {}
    for index, rung in enumerate(plan.rungs[:-1]):
        rows, splits = plan.rows(y, rung), plan.splits(y, rung)
        scored = _score_rung(evaluate, alive, rows, splits, index, result)
        losers = _losers(scored, splits[0], metric, rung.rows)
        halved = {}
        if families is not None and rung.rows < plan.final.rows:
            rest = {k: v for k, v in scored.items() if k not in losers}
            halved = _halved(rest, metric, families, rung.rows)
        for key, entry in scored.items():
            if key in halved:
                result[key] = replace(entry, dropped=halved[key], model=None, halved=True)
                continue
            reason = losers.get(key)
            result[key] = replace(entry, dropped=reason, model=entry.model if reason else None)
        alive = {k: alive[k] for k in scored if k not in losers and k not in halved}
    return result


def _score_rung(
    evaluate: Evaluate,
    alive: dict[str, Any],
    rows: np.ndarray,
    splits: list,
    index: int,
    failed: dict[str, Scored],
) -> dict[str, Scored]:
    """Every live estimator scored on one rung; one that cannot be goes to ``failed``."""
    scored = {}
    for key, estimator in alive.items():
        try:
            scores, oof, model = evaluate(estimator, rows, splits)
        except ValueError as error:
            failed[key] = _failed(error, index)
            continue
        scored[key] = Scored(scores, oof, rung=index, model=model)
    return scored


def _halved(
    rung: dict[str, Scored], metric: str, families: dict[str, str], rows: int
) -> dict[str, str]:
    """Successive halving: all but the best ``ceil(n / RUNG_GROWTH)`` and each family's best.

    The family bests go on because the champion averages them; the rest are
    not clearly worse, only not needed to find the best on more rows.
    """
    sign = 1.0 if greater_is_better(metric) else -1.0
    ranked = sorted(rung, key=lambda k: -sign * float(np.mean(rung[k].scores)))
    keep = set(ranked[: -(-len(ranked) // RUNG_GROWTH)])
    for key in ranked:
        if all(families[key] != families[k] for k in keep):
            keep.add(key)
    return {
        key: f"halved after {len(rung[key].scores)} splits of a {rows}-row subsample: not "
        f"among the best 1/{RUNG_GROWTH} nor its family's best, refitted with these scores"
        for key in ranked
        if key not in keep
    }


def finish(
    evaluate: Evaluate,
    estimator: Any,
    plan: SearchPlan,
    y: np.ndarray,
    previous: Scored | None = None,
) -> Scored:
    """A survivor's scores on the last rung.

    When the rung before scored the same rows (small data), its repeats are
    reused and only the rest are scored. With ``plan.bounded``, repeats stop
    once the corrected standard error of the mean score is at most
    :data:`SE_TARGET_SHARE` of its absolute value.

    Raises
    ------
    ValueError
        From a fold that cannot be fitted.
    """
    last = len(plan.rungs) - 1
    rung = plan.final
    rows, splits = plan.rows(y, rung), plan.splits(y, rung)
    per_repeat = len(splits) // rung.repeats
    scores: list[float] = []
    oofs: list[np.ndarray] = []
    reusable = last > 0 and plan.rungs[last - 1].rows == rung.rows
    if previous is not None and previous.rung == last - 1 and reusable and previous.scores:
        scores, oofs = list(previous.scores), [previous.oof]
    ratio = len(splits[0][1]) / len(splits[0][0])
    for repeat in range(len(scores) // per_repeat, rung.repeats):
        if plan.bounded and scores and _precise(scores, ratio):
            break
        part = splits[repeat * per_repeat : (repeat + 1) * per_repeat]
        fold_scores, oof, _ = evaluate(estimator, rows, part)
        scores.extend(fold_scores)
        oofs.append(oof)
    return Scored(scores, np.vstack(oofs), rung=last)


def _precise(scores: list[float], ratio: float) -> bool:
    """Whether the mean score's corrected standard error is within :data:`SE_TARGET_SHARE`."""
    se = corrected_standard_error(np.asarray(scores), ratio)
    return len(scores) >= 2 and se <= SE_TARGET_SHARE * abs(float(np.mean(scores)))


def _losers(
    rung: dict[str, Scored],
    split: tuple[np.ndarray, np.ndarray],
    metric: str,
    rows: int,
) -> dict[str, str]:
    """Candidates more than :data:`RACE_MARGIN` paired standard errors behind the best."""
    if not rung:
        return {}
    sign = 1.0 if greater_is_better(metric) else -1.0
    means = {k: sign * float(np.mean(s.scores)) for k, s in rung.items()}
    best = max(means, key=means.get)
    ratio = len(split[1]) / len(split[0])
    reference = np.asarray(rung[best].scores)
    losers = {}
    for key, entry in rung.items():
        difference = means[key] - means[best]
        se = corrected_standard_error(sign * (np.asarray(entry.scores) - reference), ratio)
        if difference < -RACE_MARGIN * se - 1e-12:
            losers[key] = (
                f"dropped after {len(entry.scores)} splits of a {rows}-row subsample: {metric} "
                f"{difference:+.4f} behind the best, beyond {RACE_MARGIN:g} paired standard "
                f"errors ({se:.4f})"
            )
    return losers
