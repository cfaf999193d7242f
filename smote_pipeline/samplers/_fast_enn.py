"""Edited nearest neighbours that only searches where a removal is possible.

Plain ENN (imbalanced-learn's ``EditedNearestNeighbours``) queries the
``n_neighbors + 1`` nearest rows of every targeted row over all rows and drops the
first (the row itself). Its cost is quadratic for brute force.

Shortcut, exact up to floating-point ties in distances: let ``delta(r)`` be the
distance from row ``r`` (class ``c``) to the nearest row of any other class. If ``k``
rows other than ``r`` lie strictly closer than ``delta(r)``, they are all of class
``c``, so ``r``'s ``k + 1`` nearest rows (itself included) are all of class ``c`` and
ENN keeps ``r`` under both ``kind_sel="all"`` and ``kind_sel="mode"``. For a large
class, ``delta`` is computed against the (few) other rows, and a random sample of the
class serves as evidence: rows with ``k`` sampled class-mates inside ``delta`` are
proven clean. Only the remaining candidates (and every row of the smaller classes) are
queried exactly against an index over all rows, exactly as plain ENN does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import mode

from smote_pipeline.samplers._neighbors import make_neighbors

#: Below this many rows plain ENN is cheap enough; no pruning.
PRUNE_MIN_ROWS = 5000


@dataclass
class ENNResult:
    """Flags and evidence of ENN.

    Attributes
    ----------
    flagged : ndarray of shape (n_samples,), dtype=bool
        Rows ENN removes.
    n_other : ndarray of shape (n_samples,), dtype=int
        For flagged rows, neighbours of another class.
    main_other : ndarray of shape (n_samples,), dtype=int
        For flagged rows, the most frequent other class code among the neighbours
        (ties: smallest code); -1 elsewhere.
    n_exact_queries : int
        Rows whose neighbours were searched exactly (for diagnostics).
    """

    flagged: np.ndarray
    n_other: np.ndarray
    main_other: np.ndarray
    n_exact_queries: int = 0


def edited_nearest_neighbours(
    Z: np.ndarray,
    y: np.ndarray,
    target_classes,
    n_neighbors: int = 3,
    kind_sel: str = "all",
    random_state: np.random.RandomState | None = None,
    n_jobs=None,
) -> ENNResult:
    """Flag the rows plain ENN would remove.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Rows in the distance space.
    y : ndarray of shape (n_samples,), dtype=int
        Class codes ``0..n_classes - 1`` (encoded in sorted class order, so that
        "mode" ties resolve as in imbalanced-learn).
    target_classes : iterable of int
        Class codes whose rows may be removed.
    n_neighbors : int, default=3
        Neighbours consulted (the row itself excluded).
    kind_sel : {"all", "mode"}, default="all"
        "all": remove a row if any neighbour has another class; "mode": if the most
        frequent neighbour class (ties: smallest) is not its class.
    random_state : RandomState or None
        Draws the evidence sample.
    n_jobs : int or None
        Parallel jobs of the neighbour searches.

    Returns
    -------
    ENNResult
    """
    rng = np.random.RandomState(0) if random_state is None else random_state
    n_samples, n_features = Z.shape
    k = min(n_neighbors, n_samples - 1)
    result = ENNResult(
        np.zeros(n_samples, dtype=bool),
        np.zeros(n_samples, dtype=np.int64),
        np.full(n_samples, -1, dtype=np.int64),
    )
    if k < 1:
        return result
    index = make_neighbors(k + 1, n_features, n_jobs).fit(Z)
    prune = n_samples >= PRUNE_MIN_ROWS and index.algorithm == "brute"
    for target in target_classes:
        rows = np.flatnonzero(y == target)
        others = np.flatnonzero(y != target)
        if prune and others.size and rows.size > others.size:
            rows = rows[~_proven_clean(Z, rows, others, k, rng, n_jobs)]
        _exact(index, Z, y, rows, target, kind_sel, result)
    return result


def _proven_clean(Z, rows, others, k, rng, n_jobs) -> np.ndarray:
    """Rows with ``k`` sampled class-mates closer than the nearest other-class row."""
    n_features = Z.shape[1]
    delta = (
        make_neighbors(1, n_features, n_jobs).fit(Z[others]).kneighbors(Z[rows])[0][:, 0]
    )
    sample_size = min(rows.size, max(1000, 4 * others.size))
    sample = np.sort(rng.choice(rows, sample_size, replace=False))
    n_query = min(k + 1, sample_size)
    distance, position = (
        make_neighbors(n_query, n_features, n_jobs).fit(Z[sample]).kneighbors(Z[rows])
    )
    inside = (distance < delta[:, None]) & (sample[position] != rows[:, None])
    return inside.sum(axis=1) >= k


def _exact(index, Z, y, rows, target, kind_sel, result: ENNResult) -> None:
    """Plain ENN on ``rows``: query ``k + 1`` neighbours over all rows, drop the first."""
    if rows.size == 0:
        return
    result.n_exact_queries += rows.size
    neighbors = index.kneighbors(Z[rows], return_distance=False)[:, 1:]
    labels = y[neighbors]
    if kind_sel == "all":
        flagged = (labels != target).any(axis=1)
    else:
        flagged = mode(labels, axis=1, keepdims=False).mode != target
    flagged_rows = rows[flagged]
    other_labels = labels[flagged]
    result.flagged[flagged_rows] = True
    result.n_other[flagged_rows] = (other_labels != target).sum(axis=1)
    n_classes = int(y.max()) + 1
    counts = (other_labels[:, :, None] == np.arange(n_classes)).sum(axis=1)
    counts[:, target] = -1
    result.main_other[flagged_rows] = np.argmax(counts, axis=1)
