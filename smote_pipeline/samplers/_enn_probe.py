"""Approximate step 1 of the screened ENN for very large data (``search="approximate"``).

The exact step 1 of :mod:`smote_pipeline.samplers._fast_enn` computes all
``|L| x |S|`` distances between the largest class ``L`` and the other rows ``S``. With a
fixed minority share that is quadratic in the number of rows (about 1.2 ns per
distance: 10 s at 1M rows with 1% minority). The approximate step computes only the
distances near each row:

- ``S`` side (:func:`nearest_large`): each ``S`` row meets the ``L`` rows of the
  :data:`~smote_pipeline.samplers._fast_enn.NEAR_CELLS` cells of ``L`` whose centres are
  nearest (the cells of step 3). Its :data:`SUSPECTS` nearest ``L`` rows found there
  are the *suspects*.
- ``L`` side (:func:`probed_r_sq`): ``S`` is split into Voronoi cells of about
  :data:`CELL_ROWS` rows; each ``L`` row (assigned to the cell of its nearest centre)
  meets the ``S`` rows of the :data:`PROBES` cells nearest to its cell
  (``|L| PROBES CELL_ROWS`` distances). Suspects get their exact distances to all of
  ``S`` (``|suspects| x |S|``).

Both results are upper bounds of the exact ones. The screened ENN stays one-sided with
them: an ``L`` row is removed only after an exact search over all rows, and with two
classes an ``S`` row is removed only if plain ENN removes it too (fewer ``L`` rows seen
near it can only turn a removal into a keep). What the approximation does is *miss*
removals, when a row's true nearest rows of the other class lie in cells it did not
meet; in about 18 intrinsic dimensions (``benchmarks/bench_samplers.py`` data) it finds
about 95% of the removals at 1M rows (the benchmark prints the share).
"""

from __future__ import annotations

import numpy as np

from smote_pipeline.samplers._space32 import Space32, chunks, nearest_centre, row_kth_smallest

#: Rows of the other classes per cell (the cells' mean size).
CELL_ROWS = 64

#: Cells of the other classes met by each cell (its own and those of nearest centres).
PROBES = 8

#: Nearest large rows of each small row whose distances to the other classes are
#: computed exactly (the large rows most likely to be removed).
SUSPECTS = 3


def probed_r_sq(space: Space32, large_rows, small_rows, m: int, rng) -> np.ndarray:
    """Squared distance of each large row to its ``m``-th nearest probed small row.

    An upper bound of the exact ``r_m^2`` of
    :func:`smote_pipeline.samplers._fast_enn._large_by_small` (``inf`` when the probed
    cells hold fewer than ``m`` rows).

    Parameters
    ----------
    space : Space32
        All rows.
    large_rows, small_rows : ndarray of int
        Rows of the largest class and of the other classes (positions in ``space``).
    m : int
        Rank of the other-class distance.
    rng : RandomState
        Draws the centres of the cells.

    Returns
    -------
    ndarray of shape (n_large,), dtype=float32
    """
    n_cells = max(1, small_rows.size // CELL_ROWS)
    pick = rng.choice(small_rows.size, n_cells, replace=False)
    centres = space.right(small_rows[pick])
    small_cells = _split(nearest_centre(space.left(small_rows), centres), n_cells)
    large_cells = _split(nearest_centre(space.left(large_rows), centres), n_cells)
    near = _nearest_cells(space.left(small_rows[pick]) @ centres, min(PROBES, n_cells))
    r_sq = np.full(large_rows.size, np.inf, dtype=np.float32)
    for cell, mine in enumerate(large_cells):
        cols = np.concatenate([small_cells[other] for other in near[cell]])
        if mine.size == 0 or cols.size < m:
            continue
        right = space.right(small_rows[cols])
        for part in chunks(mine.size, cols.size):
            r_sq[mine[part]] = row_kth_smallest(space.left(large_rows[mine[part]]) @ right, m)
    return r_sq


def _nearest_cells(d2: np.ndarray, count: int) -> np.ndarray:
    """Per centre, the ``count`` nearest centres (itself included), from centre ``d2``."""
    np.fill_diagonal(d2, -np.inf)
    if count >= d2.shape[1]:
        return np.broadcast_to(np.arange(d2.shape[1]), d2.shape)
    return np.argpartition(d2, count - 1, axis=1)[:, :count]


def _split(labels: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Positions of ``labels`` grouped by label ``0..n_groups - 1`` (each sorted)."""
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.cumsum(np.bincount(labels, minlength=n_groups))[:-1])


def nearest_large(space: Space32, large_rows, small_rows, k: int, cells, centres, probes: int):
    """Nearest large rows of each small row, among the large rows of its ``probes`` cells
    of nearest centres.

    Parameters
    ----------
    space : Space32
        All rows.
    large_rows, small_rows : ndarray of int
        Rows of the largest class and of the other classes.
    k : int
        Distances kept per small row.
    cells : list of ndarray
        Cells of the largest class (positions in ``large_rows``).
    centres : ndarray
        :meth:`Space32.right` columns of the cells' centres.
    probes : int
        Cells searched per small row.

    Returns
    -------
    best : ndarray of shape (k, n_small), dtype=float32
        ``k`` smallest squared distances, ascending (``inf`` where the cells hold fewer
        rows): an upper bound of the exact ``best`` of
        :func:`smote_pipeline.samplers._fast_enn._large_by_small`.
    suspects : ndarray of int
        Positions in ``large_rows`` found among the :data:`SUSPECTS` nearest of some
        small row: the large rows most likely to have a small row among their neighbours.
    """
    keep = max(k, SUSPECTS)
    dist = np.full((small_rows.size, keep), np.inf, dtype=np.float32)
    index = np.full((small_rows.size, keep), -1, dtype=np.int64)
    probes = min(probes, len(cells))
    near = np.argsort(space.left(small_rows) @ centres, axis=1)[:, :probes]
    for cell, group in enumerate(cells):
        at = np.flatnonzero((near == cell).any(axis=1))
        if group.size == 0 or at.size == 0:
            continue
        right = space.right(large_rows[group])
        for part in chunks(at.size, group.size):
            who = at[part]
            d2 = space.left(small_rows[who]) @ right
            values, pos = _k_smallest_rows(d2, keep)
            both_d = np.hstack([dist[who], values])
            both_i = np.hstack([index[who], group[pos]])
            order = np.argsort(both_d, axis=1)[:, :keep]
            dist[who] = np.take_along_axis(both_d, order, axis=1)
            index[who] = np.take_along_axis(both_i, order, axis=1)
    suspects = np.unique(index[index >= 0])
    return np.ascontiguousarray(dist[:, :k].T), suspects


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
