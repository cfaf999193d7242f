"""The search plan: growing stratified subsamples (rungs) the candidates are raced on.

Scoring every candidate by repeated K-fold on every training row costs rows x
candidates x folds x repeats fits. Most of that is spent on candidates that are
clearly worse already on a small sample, and on rows that no longer change a
score's standard error. The plan therefore scores candidates on nested,
stratified subsamples that grow by :data:`RUNG_GROWTH` (successive halving):
every candidate on the smallest, only those not clearly behind on the next
(:mod:`~smote_pipeline.core.train.racing`), up to the last rung of at most
:data:`CV_MAX_ROWS` rows, where the survivors get their final scores. The final
models are refitted on every training row; only the scores come from the
subsample, which is an unbiased sample of the training rows, paired across
candidates.

The smallest rung holds :data:`MIN_RUNG_POSITIVES` positive rows, the fewest
that still rank candidates (and at least :data:`MIN_RUNG_ROWS` rows), and each
rung below the last at most :data:`SCREEN_REPEATS` repeats: the rungs below the
last only have to find the clear losers. Fits there are cheaper too (a forest with
:data:`~smote_pipeline.core.train.training.SCREEN_TREE_SHARE` of its trees,
see :func:`~smote_pipeline.core.train.training.screening_estimator`).

On data too small for a rung of :data:`MIN_RUNG_POSITIVES` positive rows and
at most half the last rung's rows, both rungs hold every row: the first
scores half the repeats (with the full models, so the last reuses them), the
last all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedGroupKFold

from smote_pipeline.core.columns import GROUP_KEY, TIME_KEY, entity_codes
from smote_pipeline.core.ingest.split import MIN_TRAINING_GROUPS

__all__ = [
    "CV_MAX_ROWS",
    "MIN_RUNG_POSITIVES",
    "MIN_RUNG_ROWS",
    "RUNG_GROWTH",
    "SCREEN_REPEATS",
    "Rung",
    "SearchPlan",
    "auto_repeats",
    "cv_groups",
    "cv_splits",
    "plan_search",
]

#: Rows of the largest cross-validation subsample (the last rung). Above it the
#: standard error of a fold score is already small (at 2% positives, 2,000
#: positive rows), and each fit costs seconds while the race needs dozens.
CV_MAX_ROWS = 100_000

#: Fewest positive rows of a rung below the last (a training fold of 5 then
#: holds 80, enough for SMOTE's neighbours and a balanced fold).
MIN_RUNG_POSITIVES = 100

#: Fewest rows of a rung below the last, whatever the class balance: on a few
#: hundred rows a flexible family (trees with 20-row leaves) is judged in its
#: small-sample regime, where a linear model wins that it loses on more rows.
MIN_RUNG_ROWS = 2_000

#: Each rung holds this many times the rows of the one before.
RUNG_GROWTH = 4

#: Most repeats of a rung below the last (5 splits with 5 folds). One: the
#: rungs below the last only drop the clear losers, and a second repeat cost
#: about a fifth of the whole run at 100,000 rows (the screen took 45.3 s with
#: two, 27.3 s with one), while the champion's hold-out average precision was
#: the same (0.9038) and within 0.0004 of the unraced search
#: (``bench_scale.py --rows 100000``, ``bench_race.py --rows 100000``). The
#: corrected standard error of 5 splits is larger than that of 10, so the drop
#: margin widens with it; its estimate is noisier (4 degrees of freedom).
SCREEN_REPEATS = 1

#: Training rows up to which ``cv_repeats=None`` repeats the K-fold split the
#: most (:func:`auto_repeats`); the repeats shrink as rows grow past it.
REPEAT_BUDGET_ROWS = 20_000

Splits = list[tuple[np.ndarray, np.ndarray]]

#: Blocks of time per fold when a ``time_column`` is set (:func:`cv_groups`).
TIME_BLOCKS_PER_FOLD = 4


def cv_groups(training: pd.DataFrame, n_folds: int) -> np.ndarray | None:
    """What a cross-validation fold keeps whole, as one code per training row.

    With a ``group_column``, the entity (a row without one is its own); else with
    a ``time_column``, blocked folds: the rows in time order cut into
    ``n_folds x`` :data:`TIME_BLOCKS_PER_FOLD` contiguous blocks (a timestamp never
    split), so a fold never holds rows next in time to its training rows but at
    block edges; else None (rows are independent).
    """
    if GROUP_KEY in training.columns:
        return entity_codes(training)
    if TIME_KEY in training.columns:
        times = training[TIME_KEY].to_numpy()
        ranks = pd.Series(times).rank(method="min").to_numpy() - 1
        return (ranks * (n_folds * TIME_BLOCKS_PER_FOLD) // max(len(times), 1)).astype(int)
    return None


def auto_repeats(n_rows: int) -> int:
    """Repeats of the K-fold split when ``cv_repeats`` is None: more on small data.

    ``REPEAT_BUDGET_ROWS // n_rows``, between 2 and 5: fold scores on small
    data are noisy and fits are cheap, so more repeats narrow the paired
    standard errors the selection rule reads; on large data two repeats
    already give tight ones, and every repeat costs a fit per candidate.
    """
    return int(np.clip(REPEAT_BUDGET_ROWS // max(n_rows, 1), 2, 5))


def cv_splits(
    y: np.ndarray,
    *,
    n_folds: int,
    n_repeats: int,
    random_state: int,
    groups: np.ndarray | None = None,
) -> Splits:
    """Repeated stratified K-fold splits, the same for every candidate.

    ``n_folds`` is lowered to the positive count when there are fewer positives.
    The first ``r`` repeats do not depend on ``n_repeats``, so more repeats
    extend a shorter list. With ``groups`` (:func:`cv_groups`), each repeat is a
    ``StratifiedGroupKFold`` reshuffling the groups (seed ``random_state + r``):
    no group is on both sides of a fold; ``n_folds`` is then lowered to the
    groups holding a positive row. Its cost grows with groups x folds.

    Raises
    ------
    ValueError
        With fewer than 2 positive (or negative) rows.
    """
    if groups is not None:
        return _group_splits(y, groups, n_folds, n_repeats, random_state)
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


def _group_splits(
    y: np.ndarray, groups: np.ndarray, n_folds: int, n_repeats: int, random_state: int
) -> Splits:
    per_class = [len(np.unique(groups[y == label])) for label in (0, 1)]
    n_folds = min(n_folds, *per_class)
    if n_folds < 2:
        raise ValueError(
            f"Cross-validation keeps each entity (or block of time) whole, and the training "
            f"rows hold {per_class[1]} with a positive row; at least {MIN_TRAINING_GROUPS} are "
            "needed. Provide "
            "more positive entities, or remove group_column / time_column from the spec."
        )
    zeros = np.zeros(len(y))
    return [
        split
        for repeat in range(n_repeats)
        for split in StratifiedGroupKFold(
            n_splits=n_folds, shuffle=True, random_state=random_state + repeat
        ).split(zeros, y, groups)
    ]


@dataclass(frozen=True)
class Rung:
    """One stage of the race.

    Attributes
    ----------
    rows : int
        Training rows of the stratified subsample scored at this rung.
    repeats : int
        Repeats of the K-fold split on it (the most, at the last rung).
    """

    rows: int
    repeats: int


@dataclass(frozen=True)
class SearchPlan:
    """Rungs, and the subsamples and splits they score on; the same for every candidate.

    Attributes
    ----------
    rungs : tuple of Rung
        Growing subsamples; the last one gives the final scores.
    n_folds : int
        Folds of each K-fold split.
    random_state : int
        Seed of the subsamples and the splits.
    bounded : bool
        Whether the last rung's repeats stop once the standard error is small
        (``cv_repeats`` not set by the user).
    groups : ndarray or None
        What each fold keeps whole, per training row (:func:`cv_groups`). Not
        stored: :meth:`for_rows` derives it again from the training rows.
    """

    rungs: tuple[Rung, ...]
    n_folds: int
    random_state: int
    bounded: bool = True
    groups: np.ndarray | None = field(default=None, compare=False, repr=False)

    def for_rows(self, training: pd.DataFrame) -> SearchPlan:
        """This plan with the fold groups of ``training`` (the rows it was made for)."""
        return replace(self, groups=cv_groups(training, self.n_folds))

    @property
    def final(self) -> Rung:
        """The last rung."""
        return self.rungs[-1]

    def rows(self, y: np.ndarray, rung: Rung) -> np.ndarray:
        """Sorted positions of the rung's subsample in the training rows.

        Nested and stratified: each class is shuffled once (seeded) and every
        rung takes the first rows of each, in proportion to the class sizes.
        """
        if rung.rows >= len(y):
            return np.arange(len(y))
        rng = np.random.default_rng(self.random_state)
        positives, negatives = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        positives, negatives = rng.permutation(positives), rng.permutation(negatives)
        n_pos = max(int(round(rung.rows * len(positives) / len(y))), 2)
        return np.sort(np.concatenate([positives[:n_pos], negatives[: rung.rows - n_pos]]))

    def splits(self, y: np.ndarray, rung: Rung) -> Splits:
        """The rung's repeated K-fold splits, as positions within its subsample."""
        rows = self.rows(y, rung)
        return cv_splits(
            y[rows],
            n_folds=self.n_folds,
            n_repeats=rung.repeats,
            random_state=self.random_state,
            groups=None if self.groups is None else self.groups[rows],
        )

    def to_dict(self) -> dict[str, object]:
        """A plain form for metadata and storage."""
        return {
            "rungs": [[r.rows, r.repeats] for r in self.rungs],
            "n_folds": self.n_folds,
            "random_state": self.random_state,
            "bounded": self.bounded,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> SearchPlan:
        """Read :meth:`to_dict` back."""
        return cls(
            rungs=tuple(Rung(int(r), int(k)) for r, k in data["rungs"]),
            n_folds=int(data["n_folds"]),
            random_state=int(data["random_state"]),
            bounded=bool(data["bounded"]),
        )


def plan_search(
    y: np.ndarray, *, n_folds: int, cv_repeats: int | None, random_state: int
) -> SearchPlan:
    """The rungs for training labels ``y``.

    The last rung holds ``min(rows, CV_MAX_ROWS)`` rows and ``cv_repeats`` (or
    :func:`auto_repeats` of its rows) repeats. Below it, from the smallest
    subsample with :data:`MIN_RUNG_POSITIVES` positive rows and
    :data:`MIN_RUNG_ROWS` rows, rungs growing by
    :data:`RUNG_GROWTH` while they hold at most half the last rung's rows,
    each with :func:`auto_repeats` of its rows but at most
    :data:`SCREEN_REPEATS`. With no such rung, the first rung is every row
    with half the repeats (none when there is a single repeat).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        0/1 training labels.
    n_folds : int
        Folds per split.
    cv_repeats : int or None
        Repeats at the last rung; None: as many as the rows call for, stopped
        early when the standard error is small (``bounded``).
    random_state : int
        Seed.
    """
    n, positives = len(y), int(np.sum(y))
    top = min(n, CV_MAX_ROWS)
    repeats = cv_repeats or auto_repeats(top)
    sizes: list[int] = []
    size = max(-(-MIN_RUNG_POSITIVES * n // max(positives, 1)), MIN_RUNG_ROWS)  # ceiling
    while 2 * size <= top:
        sizes.append(size)
        size *= RUNG_GROWTH
    rungs = [Rung(s, min(auto_repeats(s), SCREEN_REPEATS)) for s in sizes]
    if not rungs and repeats >= 2:
        rungs = [Rung(top, repeats // 2)]
    return SearchPlan(
        rungs=(*rungs, Rung(top, repeats)),
        n_folds=n_folds,
        random_state=random_state,
        bounded=cv_repeats is None,
    )
