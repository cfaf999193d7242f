"""Choosing the champion from cross-validated fold scores (training data only).

Picking the raw best mean over many candidates on small data mostly picks
noise (the winner's curse), and on real imbalanced data it barely beats a
fixed strong default. The rules therefore read *paired* fold-wise differences
to the best candidate with their standard error: within one standard error,
the training data cannot tell a candidate apart from the best; beyond
:data:`CLEARLY_WORSE_SE`, it is clearly worse. The standard error of the paired differences is
corrected for the overlap of training sets across repeated K-fold splits
(Nadeau & Bengio, 2003), which the naive ``std / sqrt(n_folds)`` understates.

Rules (see :data:`SELECTION_RULES`):

``"family_average"`` (default)
    A soft-voting average of the best candidate of each model family by
    cross-validation (random forest, HistGradientBoosting, logistic regression;
    the balanced forest counts as a random forest). A family whose best is more
    than :data:`CLEARLY_WORSE_SE` paired standard errors behind the overall best
    is left out. Families err differently, so their average ranks better than
    any one of them, while the one-standard-error set of one family mostly
    averages near-copies of one model. Measured through the pipeline users run:
    on the 30 ``keel-dev`` sets (``benchmarks/bench_corpus.py``) mean hold-out
    average precision 0.780 against 0.746 for the best fixed strategy (a random
    forest), on the 39 cases of ``benchmarks/bench_quality.py`` 0.778 against
    0.756 (the best fixed candidate in hindsight) and 0.774 for ``"max"``, at
    a lower Brier score in both.
``"one_standard_error_average"``
    A soft-voting average of the one-standard-error set's members (identical
    predictors counted once); a single member when the best is clearly ahead.
    Averaging candidates the data cannot rank spreads the bet instead of staking
    it on the noisiest winner.
``"one_standard_error"``
    The simplest strategy of the set (earliest in
    :data:`~smote_pipeline.core.train.strategies.STRATEGY_NAMES`).
``"max"``
    The best mean score (naive, for comparison).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    roc_auc_score,
)

from smote_pipeline.core.train.records import Candidate
from smote_pipeline.core.vocabulary import (
    AVERAGE_RULE,
    AVERAGING_RULES,
    ENSEMBLE,
    FAMILY_RULE,
    SELECTION_RULES,
    STRATEGY_NAMES,
    family_of,
    strategy_of,
)

#: Metric name -> (function of (y, proba), greater is better).
SELECTION_METRICS: dict[str, tuple[Any, bool]] = {
    "average_precision": (average_precision_score, True),
    "roc_auc": (roc_auc_score, True),
    "brier": (brier_score_loss, False),
    "log_loss": (lambda y, p: log_loss(y, p, labels=[0, 1]), False),
}

#: Complexity order used to break near-ties: configured strategies, then the ensemble.
COMPLEXITY_ORDER: tuple[str, ...] = (*STRATEGY_NAMES, ENSEMBLE)

#: Paired standard errors behind the best that make a candidate clearly worse:
#: the race drops it (:mod:`~smote_pipeline.core.train.racing`) and the family
#: average leaves its family out.
CLEARLY_WORSE_SE = 2.0

__all__ = [
    "AVERAGE_RULE",
    "CLEARLY_WORSE_SE",
    "FAMILY_RULE",
    "COMPLEXITY_ORDER",
    "SELECTION_METRICS",
    "SELECTION_RULES",
]


def score(metric: str, y: np.ndarray, proba: np.ndarray) -> float:
    """Value of a selection metric (natural direction, see :data:`SELECTION_METRICS`)."""
    return float(SELECTION_METRICS[metric][0](y, proba))


def greater_is_better(metric: str) -> bool:
    """Whether larger values of ``metric`` are better."""
    return SELECTION_METRICS[metric][1]


def corrected_standard_error(differences: np.ndarray, test_train_ratio: float) -> float:
    """Standard error of a mean of paired fold differences from repeated K-fold.

    Parameters
    ----------
    differences : ndarray of shape (n_splits,)
        Per-split score differences between two candidates (same splits).
    test_train_ratio : float
        Rows scored / rows fitted in one split (``1 / (n_folds - 1)``).

    Returns
    -------
    float
        ``sqrt((1 / n_splits + test_train_ratio) * var(differences))``; 0 with
        fewer than two splits.
    """
    differences = np.asarray(differences, dtype=np.float64)
    if len(differences) < 2:
        return 0.0
    variance = float(np.var(differences, ddof=1))
    return float(np.sqrt((1.0 / len(differences) + test_train_ratio) * variance))


def _rank(name: str) -> int:
    """Complexity rank of a candidate: that of its strategy, whatever its family."""
    strategy = strategy_of(name)
    return (
        COMPLEXITY_ORDER.index(strategy) if strategy in COMPLEXITY_ORDER else len(COMPLEXITY_ORDER)
    )


def signed_score(candidate: Candidate) -> float:
    """The mean cross-validated score, signed so that greater is better for every metric."""
    sign = 1.0 if greater_is_better(candidate.cv_metric) else -1.0
    return sign * candidate.cv_mean


def best_by_cv(candidates: dict[str, Candidate]) -> str:
    """The candidate with the best mean cross-validated score (naive choice).

    Candidates dropped by the race (scored on the first repeats only) are not
    eligible, unless every candidate was.
    """
    eligible = [n for n, c in candidates.items() if c.dropped is None] or list(candidates)
    return max(eligible, key=lambda n: (signed_score(candidates[n]), -_rank(n)))


def selection_table(candidates: dict[str, Candidate]) -> list[dict[str, Any]]:
    """How every candidate compares with the best one under the 1-SE rule.

    Returns
    -------
    list of dict
        One record per candidate: ``strategy``, ``cv_mean``,
        ``difference_to_best`` (signed so that negative is worse),
        ``standard_error`` (of that difference), ``within_one_se`` and
        ``note`` (why the race dropped it, or empty).
    """
    best = best_by_cv(candidates)
    reference = candidates[best]
    paired = all(c.paired for c in candidates.values())
    rows = []
    for name, candidate in candidates.items():
        sign = 1.0 if greater_is_better(candidate.cv_metric) else -1.0
        difference = signed_score(candidate) - signed_score(reference)
        if paired:  # on the splits both were scored on (a raced-out one: the first ones)
            n = min(len(candidate.cv_scores), len(reference.cv_scores))
            diffs = sign * (
                np.asarray(candidate.cv_scores[:n]) - np.asarray(reference.cv_scores[:n])
            )
            difference = float(np.mean(diffs))
            se = corrected_standard_error(diffs, reference.cv_test_train_ratio)
        else:  # classic rule: the best candidate's own standard error
            se = float(reference.cv_sem)
        rows.append(
            {
                "strategy": name,
                "cv_mean": float(candidate.cv_mean),
                "difference_to_best": float(difference),
                "standard_error": se,
                "within_one_se": bool(difference >= -se - 1e-12) and candidate.dropped is None,
                "note": candidate.dropped or "",
            }
        )
    return rows


def brier_check(candidates: dict[str, Candidate], name: str) -> dict[str, Any] | None:
    """How the out-of-fold Brier score of ``name`` compares with the best single candidate's.

    The paired difference on the splits both were scored on, with its
    corrected standard error; ``no_worse`` is true when the difference is at
    most one standard error (the champion is chosen on average precision; its
    probabilities must not be paid for with calibration).

    Returns
    -------
    dict or None
        ``shipped_brier``, ``best_single``, ``best_single_brier``,
        ``difference``, ``standard_error`` and ``no_worse``; None when the
        candidates carry no out-of-fold Brier scores (older runs).
    """
    shipped = candidates[name]
    singles = {
        n: c
        for n, c in candidates.items()
        if n != ENSEMBLE and c.cv_brier_scores and c.dropped is None
    }
    if not shipped.cv_brier_scores or not singles:
        return None
    best = min(singles, key=lambda n: float(np.mean(singles[n].cv_brier_scores)))
    n = min(len(shipped.cv_brier_scores), len(singles[best].cv_brier_scores))
    diffs = np.asarray(shipped.cv_brier_scores[:n]) - np.asarray(singles[best].cv_brier_scores[:n])
    se = corrected_standard_error(diffs, shipped.cv_test_train_ratio or 0.0)
    return {
        "shipped_brier": float(np.mean(shipped.cv_brier_scores)),
        "best_single": best,
        "best_single_brier": float(np.mean(singles[best].cv_brier_scores)),
        "difference": float(np.mean(diffs)),
        "standard_error": se,
        "no_worse": bool(np.mean(diffs) <= se + 1e-12),
    }


def family_table(selection: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per model family, its best candidate and how far it is from the overall best.

    Parameters
    ----------
    selection : list of dict
        Rows of :func:`selection_table`.

    Returns
    -------
    list of dict
        One row per family, best first: ``family``, ``best`` (its best
        candidate), ``cv_mean``, ``difference_to_best``, ``standard_error`` (of
        that paired difference), ``within_one_se`` (candidates of the family
        inside the one-standard-error set) and ``candidates``. The ensemble
        belongs to no family and is left out.
    """
    families: dict[str, list[dict[str, Any]]] = {}
    for row in selection:
        family = family_of(row["strategy"])
        if family is not None:
            families.setdefault(family, []).append(row)
    table = []
    for family, rows in families.items():
        best = max(rows, key=lambda r: r["difference_to_best"])
        table.append(
            {
                "family": family,
                "best": best["strategy"],
                "cv_mean": best["cv_mean"],
                "difference_to_best": best["difference_to_best"],
                "standard_error": best["standard_error"],
                "within_one_se": sum(bool(r["within_one_se"]) for r in rows),
                "candidates": len(rows),
            }
        )
    return sorted(table, key=lambda r: -r["difference_to_best"])


def family_members(candidates: dict[str, Candidate]) -> list[str]:
    """The best candidate of each model family, best first, for the family average.

    A family whose best candidate is more than :data:`CLEARLY_WORSE_SE` paired
    standard errors behind the overall best is left out (a linear model on data
    it cannot fit), as are candidates the race dropped and the ensemble.
    """
    singles = {n: c for n, c in candidates.items() if n != ENSEMBLE and c.dropped is None}
    if not singles:
        return []
    rows = {r["strategy"]: r for r in selection_table(singles)}
    best: dict[str, str] = {}
    for name in sorted(singles, key=lambda n: (-signed_score(singles[n]), _rank(n))):
        best.setdefault(str(family_of(name) or name), name)
    return [
        n
        for n in best.values()
        if rows[n]["difference_to_best"] >= -CLEARLY_WORSE_SE * rows[n]["standard_error"] - 1e-12
    ]


def one_standard_error_set(candidates: dict[str, Candidate]) -> list[str]:
    """Candidates within one standard error of the best, best cross-validated score first.

    The ensemble candidate, if any, is left out: the set is what it is built from.
    """
    singles = {n: c for n, c in candidates.items() if n != ENSEMBLE}
    table = selection_table(singles)
    inside = [r["strategy"] for r in table if r["within_one_se"]]
    return sorted(inside, key=lambda n: (-signed_score(singles[n]), _rank(n)))


def select_champion(candidates: dict[str, Candidate], rule: str) -> str:
    """Name of the champion strategy.

    Parameters
    ----------
    candidates : dict of str to Candidate
        Strategy name -> candidate with ``cv_mean`` and ``cv_sem``, and for the
        paired rule ``cv_scores`` (same splits for every candidate),
        ``cv_metric`` and ``cv_test_train_ratio`` (as made by
        :func:`smote_pipeline.core.pipeline.candidate_models`). Without fold
        scores the classic rule is used: the bar is one standard error of the
        best candidate's mean below it.
    rule : {"family_average", "one_standard_error_average", "one_standard_error", "max"}
        See the module docstring (the pipeline's default is
        ``PipelineOptions.selection_rule``). The averaging rules name the
        ensemble candidate when :func:`~smote_pipeline.core.pipeline.candidate_models`
        built it for that rule (``members`` of two or more), else the single
        member.

    Returns
    -------
    str
        The champion's strategy name.
    """
    if rule == "max":
        return best_by_cv(candidates)
    if rule in AVERAGING_RULES:
        ensemble = candidates.get(ENSEMBLE)
        if ensemble is not None and ensemble.selection_rule == rule:
            return ENSEMBLE
        if rule == FAMILY_RULE:
            return (family_members(candidates) or [best_by_cv(candidates)])[0]
        return one_standard_error_set(candidates)[0]
    if rule != "one_standard_error":
        raise ValueError(
            f"Unknown selection rule {rule!r}; expected one of {list(SELECTION_RULES)}."
        )
    eligible = [r["strategy"] for r in selection_table(candidates) if r["within_one_se"]]
    return min(eligible, key=_rank)
