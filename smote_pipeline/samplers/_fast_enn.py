"""Edited nearest neighbours that only searches where a removal is possible.

Plain ENN (imbalanced-learn's ``EditedNearestNeighbours``) queries the ``k + 1`` nearest
rows of every targeted row over all rows and drops the first (the row itself); with
brute force (high dimension) that costs ``n x n`` distances.

Pruning rule (exact up to floating-point ties in distances). A row ``x`` of class ``c``
is removed only if at least ``m`` of its ``k`` neighbours are of another class, with
``m = 1`` for ``kind_sel="all"`` and ``m = ceil(k / 2)`` for ``"mode"`` (if ``c`` is not
the most frequent among the ``k``, the other classes hold at least half of them). With
``r_m(x)`` the distance to the ``m``-th nearest row of another class: if ``k - m + 1``
rows of class ``c`` (other than ``x``) lie strictly closer than ``r_m(x)``, the ``k``
nearest rows hold at most ``m - 1`` rows of another class and ENN keeps ``x``.

Fast path: the largest class ``L`` holds more rows than all other classes together (the
set ``S``) and there are at least :data:`PRUNE_MIN_ROWS` rows, in any dimension (k-d
trees lose from about 6 dimensions on: plain ENN over 100k generated rows took 3.1 s
with a tree in 6 dimensions and 33 s in 10, the screening 0.3 s; in 2 dimensions both
took 0.3 s, at 1M rows 4.8 s). Then

1. The ``|L| x |S|`` squared distances are computed once, in chunks of ``L`` rows (at
   most :data:`CHUNK_ELEMENTS`, or :data:`MIN_CHUNK_ROWS` rows, at a time: memory stays
   bounded and a chunk mostly stays in cache), each by one single-precision matrix
   product, and reduced both ways: along its rows to ``r_m`` of every ``L`` row, along
   its columns to a running list of the ``k`` smallest distances from every ``S`` row
   to ``L``.
2. Every targeted ``S`` row is decided from those ``k`` distances to ``L`` and its ``k``
   nearest ``S`` rows (an exact search among ``S`` only): merging both lists gives the
   number of ``L`` rows among its ``k`` nearest neighbours, the labels of the nearest
   ``S`` rows the rest (several small classes are handled).
3. ``L`` rows are proven clean by counting class-mates strictly inside ``r_m``
   (``k - m + 1`` suffice), meeting only rows not yet proven: (a) the row's *leaf*, at
   most :data:`GROUP_ROWS` nearby rows of ``L`` (two-level Voronoi cells of random
   rows; 97% of the rows are proven there on the benchmark data), then afresh (b) its
   coarse *cell* (about ``sqrt(|L| GROUP_ROWS)`` rows) and (c) one by one the next cells
   of nearest centres (:data:`NEAR_CELLS` cells in all), adding up the counts of these
   disjoint cells.

Single-precision distances carry a rounding bound (:func:`rounding_bound`, computed on
centred data); a comparison closer than the bound is never trusted: such rows, and ``L``
rows no block proved clean, are queried exactly (double precision) against an index over
all rows, as plain ENN does. Small or balanced data uses plain ENN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smote_pipeline.samplers._neighbors import make_neighbors
from smote_pipeline.samplers._partition import Partition
from smote_pipeline.samplers._space32 import (
    Space32,
    chunks,
    in_threads,
    one_thread,
    row_kth_smallest,
    threads_for,
    update_column_best,
)

#: Below this many rows plain ENN is cheap enough; no pruning.
PRUNE_MIN_ROWS = 5000

#: Rows per leaf of class-mates (step 3a).
GROUP_ROWS = 256

#: Cells of nearest centres searched for class-mates (step 3c).
NEAR_CELLS = 4


@dataclass
class ENNResult:
    """Flags and evidence of ENN, per row: ``flagged`` (ENN removes it); for flagged
    rows, ``n_other`` neighbours of another class and ``main_other``, the most frequent
    other class code among them (ties: smallest; -1 elsewhere). ``n_exact_queries``:
    rows whose neighbours were searched exactly over all rows (diagnostics)."""

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

    ``Z``: rows in the distance space; ``y``: class codes ``0..n_classes - 1`` in
    sorted class order (so "mode" ties resolve as in imbalanced-learn);
    ``target_classes``: codes whose rows may be removed; ``n_neighbors``: neighbours
    consulted (the row itself excluded). ``kind_sel="all"`` removes a row if any
    neighbour has another class, ``"mode"`` if the most frequent neighbour class (ties:
    smallest) is not its class. ``random_state`` draws the cells' centres; ``n_jobs``:
    threads of steps 1 and 3 of the screened path
    (:func:`~smote_pipeline.samplers._space32.threads_for`: ``None`` follows the OpenMP
    limit, as scikit-learn's neighbour search does), also passed to the plain neighbour
    search. The flags depend on neither.
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
    targets = np.unique(np.asarray(list(target_classes), dtype=np.int64))
    index = make_neighbors(k + 1, n_features, n_jobs).fit(Z)
    counts = np.bincount(y)
    large = int(np.argmax(counts))
    if n_samples < PRUNE_MIN_ROWS or 2 * counts[large] <= n_samples:
        _exact(index, Z, y, np.flatnonzero(np.isin(y, targets)), k, kind_sel, result)
        return result
    m = 1 if kind_sel == "all" else (k + 1) // 2
    n_threads = threads_for(n_jobs)
    with one_thread():
        undecided = _screened(Z, y, large, targets, k, m, kind_sel, rng, result, n_threads)
    _exact(index, Z, y, undecided, k, kind_sel, result)
    return result


def _screened(Z, y, large, targets, k, m, kind_sel, rng, result, n_threads=1) -> np.ndarray:
    """Steps 1-3 of the module doc; returns rows left to the exact search."""
    space = Space32.from_rows(Z)
    large_rows = np.flatnonzero(y == large)
    small_rows = np.flatnonzero(y != large)
    small_targets = small_rows[np.isin(y[small_rows], targets)]
    clean_large = large not in targets or small_rows.size < m
    r_sq, best = _large_by_small(space, large_rows, small_rows, k, m, not clean_large, n_threads)
    undecided = [
        _decide_small(Z, y, space, large, small_rows, small_targets, best, k, kind_sel, result)
    ]
    if not clean_large:
        groups = _local_groups(space, large_rows, rng) if large_rows.size > GROUP_ROWS else None
        pending = _prove_clean(space, large_rows, r_sq, k - m + 1, groups, n_threads)
        undecided.append(large_rows[pending])
    return np.sort(np.concatenate(undecided))


def _large_by_small(space: Space32, large_rows, small_rows, k, m, need_rows, n_threads=1):
    """Step 1: ``r_m^2`` of ``large_rows`` and the ``k`` smallest ``d^2`` of each small row.

    Both approximate (float32): ``r_sq`` per large row (None unless ``need_rows``),
    ``best`` of shape (k, n_small), ascending. With ``n_threads > 1`` interleaved shares
    of the chunks run in threads (the matrix products and reductions release the GIL),
    each with its own running ``k`` smallest, merged at the end.
    """
    right = space.right(small_rows)
    r_sq = np.empty(large_rows.size, dtype=np.float32) if need_rows else None

    def share_best(parts) -> np.ndarray:
        best = np.full((k, small_rows.size), np.inf, dtype=np.float32)
        for part in parts:
            d2 = space.left(large_rows[part]) @ right
            update_column_best(d2, best)
            if need_rows:
                r_sq[part] = row_kth_smallest(d2, m)
        return best

    parts = list(chunks(large_rows.size, small_rows.size))
    bests = in_threads(share_best, parts, n_threads, large_rows.size * small_rows.size)
    return r_sq, np.sort(np.vstack(bests), axis=0)[:k]


def _decide_small(Z, y, space, large, small_rows, targets, best, k, kind_sel, result):
    """Step 2: flag targeted small-class rows; returns those too close to call."""
    if targets.size == 0:
        return targets
    n_near = min(k + 1, small_rows.size)
    index = make_neighbors(n_near, Z.shape[1]).fit(Z[small_rows])
    dist, near = index.kneighbors(Z[targets])
    sigma = np.full((targets.size, k), np.inf)
    sigma[:, : n_near - 1] = dist[:, 1:] ** 2
    labels = np.full((targets.size, k), -1, dtype=np.int64)
    labels[:, : n_near - 1] = y[small_rows[near[:, 1:]]]
    where = np.searchsorted(small_rows, targets)
    lam = best[:, where].T.astype(np.float64)  # (n_targets, k) nearest large rows
    slack = space.bound * (space.sq[targets] + space.sq.max())[:, None]
    n_large_low = _n_first_in_merge(lam - slack, sigma)
    n_large_high = _n_first_in_merge(lam + slack, sigma)
    sure = n_large_low == n_large_high
    n_classes = int(y.max()) + 1
    counts = np.zeros((targets.size, n_classes), dtype=np.int64)
    counts[:, large] = n_large_low
    use = np.arange(k)[None, :] < (k - n_large_low)[:, None]
    for code in range(n_classes):
        counts[:, code] += np.count_nonzero(use & (labels == code), axis=1)
    _record(y, targets[sure], counts[sure], k, kind_sel, result)
    return targets[~sure]


def _n_first_in_merge(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """How many of ``first`` are among the ``k`` smallest of both (rows sorted, ties
    going to ``second``): the ``i``-th of ``first`` is in iff it is below the
    ``(k - i)``-th of ``second`` (0-based ``i``)."""
    return np.count_nonzero(first < second[:, ::-1], axis=1)


def _prove_clean(space: Space32, rows, r_sq, needed: int, groups, n_threads=1) -> np.ndarray:
    """Step 3: positions in ``rows`` not proven to have ``needed`` mates inside ``r_m``."""
    slack = space.bound * (space.sq[rows] + space.sq.max())
    threshold = (r_sq - 2 * slack).astype(np.float32)  # mate surely inside r_m
    unprovable = np.flatnonzero(threshold <= 0)
    pending = np.flatnonzero(threshold > 0)
    if groups is not None:
        leaves, cells, centres = groups
        pending = _prove_in_leaves(space, rows, threshold, needed, pending, leaves, n_threads)
        pending = _prove_in_near_cells(
            space, rows, threshold, needed, pending, cells, centres, n_threads
        )
    return np.concatenate([unprovable, pending])


def _local_groups(space: Space32, rows, rng) -> tuple[list, list, np.ndarray]:
    """Leaves (at most ``GROUP_ROWS`` rows), cells and cell centres of ``rows``: a
    :class:`~smote_pipeline.samplers._partition.Partition` with leaves of about
    ``GROUP_ROWS`` rows, larger leaves cut into equal parts of at most ``GROUP_ROWS``.
    Groups hold sorted positions in ``rows``."""
    partition = Partition(space, rows, GROUP_ROWS, rng)
    leaves = [
        part
        for leaf in partition.leaves
        if leaf.size
        for part in np.array_split(leaf, -(-leaf.size // GROUP_ROWS))
    ]
    return leaves, partition.cells, partition.centres


def _prove_in_leaves(space: Space32, rows, threshold, needed, pending, leaves, n_threads=1):
    """Step 3a: count mates inside ``r_m`` among each pending row's leaf (leaves are
    disjoint, so shares of them run in ``n_threads`` threads)."""
    if pending.size == 0:
        return pending
    is_pending = np.zeros(rows.size, dtype=bool)
    is_pending[pending] = True
    counts = np.zeros(rows.size, dtype=np.int64)

    def count(share) -> None:
        for leaf in share:
            waiting = leaf[is_pending[leaf]]
            if waiting.size:
                counts[waiting] = _mates_inside(space, rows, threshold, waiting, leaf)

    in_threads(count, leaves, n_threads, pending.size * GROUP_ROWS)
    return pending[counts[pending] < needed]


def _prove_in_near_cells(
    space: Space32, rows, threshold, needed, pending, cells, centres, n_threads=1
):
    """Steps 3b-c: count mates inside ``r_m`` in the row's cell, then in its next cells of
    nearest centres (:data:`NEAR_CELLS` in all) while it is not proven. Cells are
    disjoint, so the counts over a row's nearest cells add up; at one rank a row meets
    one cell, so shares of the cells run in ``n_threads`` threads."""
    if pending.size == 0:
        return pending
    probes = min(NEAR_CELLS, len(cells))
    near = np.argsort(space.left(rows[pending]) @ centres, axis=1)[:, :probes]
    counts = np.zeros(pending.size, dtype=np.int64)
    waiting = np.arange(pending.size)  # positions in pending
    for rank in range(probes):
        cell_of = near[waiting, rank]
        order = np.argsort(cell_of, kind="stable")
        bounds = np.cumsum(np.bincount(cell_of, minlength=len(cells)))[:-1]
        items = [(c, waiting[at]) for c, at in enumerate(np.split(order, bounds)) if at.size]

        def count(share) -> None:
            for cell, at in share:
                if cells[cell].size:
                    who = pending[at]
                    counts[at] += _mates_inside(space, rows, threshold, who, cells[cell])

        in_threads(count, items, n_threads, waiting.size * rows.size / len(cells))
        waiting = waiting[counts[waiting] < needed]
        if waiting.size == 0:
            break
    return pending[waiting]


def _mates_inside(space: Space32, rows, threshold, who, group) -> np.ndarray:
    """Rows of ``group`` (sorted positions in ``rows``) strictly inside each ``who`` row's
    threshold, the row itself excluded."""
    right = space.right(rows[group])
    out = np.empty(who.size, dtype=np.int64)
    for part in chunks(who.size, group.size):
        d2 = space.left(rows[who[part]]) @ right
        place = np.minimum(np.searchsorted(group, who[part]), group.size - 1)
        own = np.flatnonzero(group[place] == who[part])
        d2[own, place[own]] = np.inf  # a row is not its own mate
        out[part] = np.count_nonzero(d2 < threshold[who[part], None], axis=1)
    return out


def _exact(index, Z, y, rows, k, kind_sel, result: ENNResult) -> None:
    """Plain ENN on ``rows``: query ``k + 1`` neighbours over all rows, drop the first."""
    if rows.size == 0:
        return
    result.n_exact_queries += rows.size
    labels = y[index.kneighbors(Z[rows], return_distance=False)[:, 1:]]
    n_classes = int(y.max()) + 1
    counts = (labels[:, :, None] == np.arange(n_classes)).sum(axis=1)
    _record(y, rows, counts, k, kind_sel, result)


def _record(y, rows, counts, k, kind_sel, result: ENNResult) -> None:
    """Flag ``rows`` from the class counts of their ``k`` neighbours (one row each);
    "mode" takes the first maximum (smallest class code), as ``scipy.stats.mode``."""
    own = y[rows]
    at = np.arange(rows.size)
    n_own = counts[at, own]
    flagged = n_own < k if kind_sel == "all" else np.argmax(counts, axis=1) != own
    others = counts.copy()
    others[at, own] = -1
    result.flagged[rows[flagged]] = True
    result.n_other[rows[flagged]] = k - n_own[flagged]
    result.main_other[rows[flagged]] = np.argmax(others[flagged], axis=1)
