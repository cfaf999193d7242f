"""Edited nearest neighbours that only searches where a removal is possible.

Plain ENN (imbalanced-learn's ``EditedNearestNeighbours``) queries the
``k + 1`` nearest rows of every targeted row over all rows and drops the first (the
row itself). With brute force (high dimension) that is quadratic in the rows.

Exact shortcut (up to floating-point ties in distances). A row ``x`` of class ``c`` is
removed only if at least ``m`` of its ``k`` neighbours are of another class, with
``m = 1`` for ``kind_sel="all"`` and ``m = ceil(k / 2)`` for ``"mode"`` (if class
``c`` is not the most frequent among the ``k``, another class has at least as many
rows as ``c``, so the other classes hold at least half of them). Let ``r_m(x)`` be the
distance to the ``m``-th nearest row of another class. If ``k - m + 1`` rows of class
``c`` (other than ``x``) lie strictly closer than ``r_m(x)``, then the ``k`` nearest
rows hold at most ``m - 1`` rows of another class and ENN keeps ``x``.

For a large class (more rows than all other classes together, at least
:data:`PRUNE_MIN_ROWS` rows, brute-force dimension), ``r_m`` is computed for every row
against the (few) rows of the other classes, and class-mates inside ``r_m`` are counted
in disjoint random blocks of the class of growing size (each block 4 times the
previous), so that most rows are proven clean against a small block and only the
undecided ones meet the larger blocks. Squared distances come from one matrix product
per chunk of rows (memory bounded by :data:`CHUNK_ELEMENTS`), with a margin for
rounding so that a proof is never wrong. Rows still undecided, and every row of the
smaller classes, are queried exactly against an index over all rows, exactly as plain
ENN does. Low-dimensional data uses a k-d tree over all rows (``O(n log n)``).
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
    m = 1 if kind_sel == "all" else (k + 1) // 2
    for target in target_classes:
        rows = np.flatnonzero(y == target)
        others = np.flatnonzero(y != target)
        if prune and others.size and rows.size > others.size:
            rows = rows[~_proven_clean(Z, rows, others, k, m, rng)]
        _exact(index, Z, y, rows, target, kind_sel, result)
    return result


#: Most squared distances held at once (per chunk of rows) by the screening; also
#: at most half the elements of the data, so that small inputs use small buffers.
CHUNK_ELEMENTS = 2**22


def chunk_budget(Z: np.ndarray) -> int:
    """Distances per chunk: ``CHUNK_ELEMENTS``, or half of ``Z.size`` if smaller."""
    return int(min(CHUNK_ELEMENTS, max(2**14, Z.size // 2)))


#: Smallest block of class-mates used as evidence.
MIN_BLOCK = 1000


def _sq_norms(A: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", A, A)


def _chunks(n_rows: int, n_cols: int, budget: int = CHUNK_ELEMENTS):
    step = max(1, budget // max(n_cols, 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


def _augment(Z, rows, right: bool) -> np.ndarray:
    """Rows of ``Z`` with one extra column, so that one matrix product gives distances.

    ``left @ right.T = |b|^2 - 2 a.b``, the squared distance minus ``|a|^2`` (constant
    per query row, so it is added to thresholds instead of to every entry).
    """
    A = Z[rows]
    if right:
        return np.hstack([-2.0 * A, _sq_norms(A)[:, None]])
    return np.hstack([A, np.ones((A.shape[0], 1))])


def _kth_smallest_sq(Z, rows, others, m) -> np.ndarray:
    """``|b|^2 - 2 a.b`` of each of ``rows`` to its ``m``-th nearest row of ``others``."""
    B = _augment(Z, others, right=True)
    out = np.empty(rows.size)
    for part in _chunks(rows.size, others.size, chunk_budget(Z)):
        d2 = _augment(Z, rows[part], right=False) @ B.T
        if m <= 3:  # a few passes of argmin beat a partition of every row
            at = np.arange(d2.shape[0])
            for _ in range(m - 1):
                d2[at, d2.argmin(axis=1)] = np.inf
            out[part] = d2.min(axis=1)
        else:
            d2.partition(m - 1, axis=1)  # in place
            out[part] = d2[:, m - 1]
    return out


def _proven_clean(Z, rows, others, k, m, rng) -> np.ndarray:
    """Rows with ``k - m + 1`` class-mates strictly closer than ``r_m`` (module doc)."""
    needed = k - m + 1
    n_features = Z.shape[1]
    z_sq = _sq_norms(Z[rows])
    r_sq = np.maximum(_kth_smallest_sq(Z, rows, others, min(m, others.size)) + z_sq, 0)
    # rounding margin of squared distances computed as |a|^2 + |b|^2 - 2 a.b in float64
    scale = z_sq + max(z_sq.max(), _sq_norms(Z[others]).max())
    threshold = r_sq - 64 * (n_features + 2) * np.finfo(np.float64).eps * scale
    order = rng.permutation(rows.size)  # blocks of class-mates, as positions in rows
    position = np.empty(rows.size, dtype=np.int64)
    position[order] = np.arange(rows.size)
    counts = np.zeros(rows.size, dtype=np.int64)
    pending = np.flatnonzero(threshold > 0)
    start, size = 0, max(MIN_BLOCK, others.size)
    while pending.size and start < rows.size and 2 * size < Z.shape[0]:
        block = order[start : start + size]
        B = _augment(Z, rows[block], right=True)
        for part in _chunks(pending.size, block.size, chunk_budget(Z)):
            who = pending[part]
            d2 = _augment(Z, rows[who], right=False) @ B.T
            mine = np.flatnonzero((position[who] >= start) & (position[who] < start + size))
            d2[mine, position[who[mine]] - start] = np.inf  # a row is not its own mate
            counts[who] += np.count_nonzero(d2 < (threshold[who] - z_sq[who])[:, None], axis=1)
        pending = pending[counts[pending] < needed]
        start, size = start + size, 4 * size
    clean = np.ones(rows.size, dtype=bool)
    clean[pending] = False
    clean[threshold <= 0] = False
    return clean


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
