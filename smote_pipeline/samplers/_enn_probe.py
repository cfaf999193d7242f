"""Approximate step 1 of the screened ENN for very large data (``search="approximate"``).

The exact step 1 of :mod:`smote_pipeline.samplers._fast_enn` computes all
``|L| x |S|`` distances between the largest class ``L`` and the other rows ``S``, and
step 3 then proves every ``L`` row clean. With a fixed minority share that is
quadratic in the number of rows (about 1.2 ns per distance: 10 s at 1M rows with 1%
minority). The approximate path only searches near the small rows:

1. :func:`nearest_large`: each ``S`` row meets the ``L`` rows of the :data:`PROBES`
   leaves of step 3 (about 256 nearby ``L`` rows each) whose centroids are nearest,
   ``|S| (n_leaves + PROBES 256)`` distances. Its ``k`` nearest ``L`` distances found
   there decide the ``S`` row (step 2); its :data:`CANDIDATES` nearest ``L`` rows are
   the *candidates*.
2. Only candidates are ``L`` rows that may be removed: they get their exact distances
   to all of ``S`` (``|candidates| x |S|``) and go through step 3. Every other ``L``
   row is kept.

The screened ENN stays one-sided: an ``L`` row is removed only after an exact search
over all rows, and with two classes an ``S`` row is removed only if plain ENN removes
it too (fewer ``L`` rows seen near it can only turn a removal into a keep). What the
approximation does is *miss* removals: an ``S`` row whose nearest ``L`` rows lie in
leaves it did not probe, an ``L`` row that is no small row's candidate.
``benchmarks/bench_samplers.py`` prints the share of plain ENN's removals it finds.
"""

from __future__ import annotations

import numpy as np

from smote_pipeline.samplers._space32 import Space32, chunks

#: Leaves of the largest class searched per small row, nearest centroids first.
PROBES = 32

#: Nearest largest-class rows of each small row that may be removed (candidates).
CANDIDATES = 8


def nearest_large(space: Space32, large_rows, small_rows, k: int, leaves: list) -> tuple:
    """Nearest large rows of each small row, among the rows of its nearest leaves.

    Parameters
    ----------
    space : Space32
        All rows.
    large_rows, small_rows : ndarray of int
        Rows of the largest class and of the other classes (positions in ``space``).
    k : int
        Distances kept per small row.
    leaves : list of ndarray
        Leaves of the largest class (positions in ``large_rows``).

    Returns
    -------
    best : ndarray of shape (k, n_small), dtype=float32
        ``k`` smallest squared distances found, ascending (``inf`` where fewer): an
        upper bound of the exact ``best`` of
        :func:`smote_pipeline.samplers._fast_enn._large_by_small`.
    candidates : ndarray of int
        Sorted positions in ``large_rows`` found among the :data:`CANDIDATES` nearest
        of some small row.
    """
    keep = max(k, CANDIDATES)
    probes = min(PROBES, len(leaves))
    slots = _nearest_leaves(space, large_rows, space.left(small_rows), leaves, probes)
    dist = np.full((small_rows.size, probes, keep), np.inf, dtype=np.float32)
    index = np.full((small_rows.size, probes, keep), -1, dtype=np.int64)
    pairs = slots.ravel()
    order = np.argsort(pairs, kind="stable")
    bounds = np.cumsum(np.bincount(pairs, minlength=len(leaves)))
    for leaf, stop in enumerate(bounds):
        start = bounds[leaf - 1] if leaf else 0
        if stop == start:
            continue
        who, slot = np.divmod(order[start:stop], probes)
        group = leaves[leaf]
        d2 = space.left(small_rows[who]) @ space.right(large_rows[group])
        values, pos = _k_smallest_rows(d2, keep)
        dist[who, slot, : values.shape[1]] = values
        index[who, slot, : values.shape[1]] = group[pos]
    dist = dist.reshape(small_rows.size, -1)
    index = index.reshape(small_rows.size, -1)
    top = np.argpartition(dist, keep - 1, axis=1)[:, :keep] if dist.shape[1] > keep else None
    if top is not None:
        dist = np.take_along_axis(dist, top, axis=1)
        index = np.take_along_axis(index, top, axis=1)
    best = np.sort(dist, axis=1)[:, :k].T
    candidates = np.unique(index[index >= 0])
    return np.ascontiguousarray(best), candidates


def _nearest_leaves(space: Space32, large_rows, left, leaves, probes: int) -> np.ndarray:
    """The ``probes`` leaves of nearest centroid of each ``left`` row (unordered)."""
    n_features = space.A.shape[1] - 2
    sizes = np.array([leaf.size for leaf in leaves])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    members = space.A[large_rows[np.concatenate(leaves)], :n_features].astype(np.float64)
    centroids = np.add.reduceat(members, starts, axis=0) / sizes[:, None]
    right = space.right_of_points(centroids)
    slots = np.empty((left.shape[0], probes), dtype=np.int64)
    for part in chunks(left.shape[0], right.shape[1]):
        d2 = left[part] @ right
        if probes < d2.shape[1]:
            slots[part] = np.argpartition(d2, probes - 1, axis=1)[:, :probes]
        else:
            slots[part] = np.arange(d2.shape[1])
    return slots


def _k_smallest_rows(d2: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` smallest of each row and their columns (unordered); overwrites ``d2``.

    ``k`` passes of ``argmin`` for small ``k`` (cheaper than ``np.argpartition`` on
    wide rows).
    """
    if d2.shape[1] <= k:
        return d2, np.broadcast_to(np.arange(d2.shape[1]), d2.shape)
    if k > 4:
        pos = np.argpartition(d2, k - 1, axis=1)[:, :k]
        return np.take_along_axis(d2, pos, axis=1), pos
    at = np.arange(d2.shape[0])
    pos = np.empty((d2.shape[0], k), dtype=np.int64)
    values = np.empty((d2.shape[0], k), dtype=d2.dtype)
    for rank in range(k):
        pos[:, rank] = d2.argmin(axis=1)
        values[:, rank] = d2[at, pos[:, rank]]
        d2[at, pos[:, rank]] = np.inf
    return values, pos
