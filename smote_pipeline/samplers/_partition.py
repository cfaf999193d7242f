"""Two-level Voronoi partition of rows into cells and leaves of nearby rows.

Used by the screened ENN (:mod:`smote_pipeline.samplers._fast_enn`: class-mates are
counted in a row's leaf, cell and nearest cells) and by the sampled safety filter
(:mod:`smote_pipeline.samplers._safety`: other-class rows are counted in a candidate's
nearest leaves).
"""

from __future__ import annotations

import numpy as np

from smote_pipeline.samplers._space32 import Space32, nearest_centre


class Partition:
    """``rows`` (positions in ``space``) in cells of about ``sqrt(n leaf_rows)`` rows,
    each split into leaves of about ``leaf_rows``.

    About ``sqrt(n / leaf_rows)`` random rows (drawn by ``rng``) are the centres of the
    cells (Voronoi: a row joins its nearest centre), and ``len(cell) // leaf_rows``
    random rows of each cell split it into leaves. Building costs
    ``O(n sqrt(n / leaf_rows))`` distances; placing a new point, the same two
    nearest-centre steps. Duplicate rows may leave a cell or a leaf empty (two equal
    centres): empty groups are kept, so numbers stay aligned with centres.

    Attributes
    ----------
    centres : ndarray
        :meth:`Space32.right` columns of the cells' centres.
    cells, leaves : list of ndarray
        Sorted positions in ``rows`` of each cell, of each leaf (numbered cell after
        cell).
    members : list of ndarray
        ``rows`` of each leaf (positions in ``space``).
    """

    def __init__(self, space: Space32, rows: np.ndarray, leaf_rows: int, rng) -> None:
        n_cells = max(1, round(np.sqrt(rows.size / leaf_rows)))
        self.centres = space.right(rows[rng.choice(rows.size, n_cells, replace=False)])
        self.cells = _group(nearest_centre(space.left(rows), self.centres), n_cells)
        self._subs: list[tuple[np.ndarray | None, int]] = []
        leaf_of = np.empty(rows.size, dtype=np.int64)
        base = 0
        for cell in self.cells:
            if cell.size == 0:
                self._subs.append((None, base))
                continue
            n_sub = max(1, cell.size // leaf_rows)
            right = space.right(rows[cell[rng.choice(cell.size, n_sub, replace=False)]])
            leaf_of[cell] = base + nearest_centre(space.left(rows[cell]), right)
            self._subs.append((right, base))
            base += n_sub
        self.leaves = _group(leaf_of, base)
        self.members = [rows[leaf] for leaf in self.leaves]

    def place(self, left: np.ndarray, probes: int = 1) -> np.ndarray:
        """Per new point (its :meth:`Space32.augment` row in ``left``), the ``probes``
        leaves of nearest centres within its nearest cell, nearest first (-1 when the
        cell has fewer leaves)."""
        cell_of = nearest_centre(left, self.centres)
        leaf = np.full((left.shape[0], probes), -1, dtype=np.int64)
        for cell, (right, base) in enumerate(self._subs):
            where = np.flatnonzero(cell_of == cell)
            if where.size == 0 or right is None:
                continue
            if right.shape[1] == 1 or probes == 1:
                leaf[where, 0] = base + nearest_centre(left[where], right)
                continue
            order = np.argsort(left[where] @ right, axis=1)[:, :probes]
            leaf[where, : order.shape[1]] = base + order
        return leaf


def _group(labels: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Sorted positions of each label ``0..n_groups - 1`` (empty arrays included)."""
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.cumsum(np.bincount(labels, minlength=n_groups))[:-1])
