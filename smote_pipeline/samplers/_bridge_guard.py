"""Bridge guard: a pair of parents is used only if its segment stays in its cluster's territory.

Rule (per candidate pair ``(a, b)`` of a cluster, ``b`` among ``a``'s within-cluster
neighbours; distances in the generation coordinates, i.e. the class's standardised
numeric columns or their PCA scores):

- ``L = |a - b|``; ``g(i)`` is the distance from ``i`` to its nearest distinct
  within-cluster neighbour; ``s = max(g(a), g(b))``.
- A pair with ``L <= stretch * s`` is **local**: the segment is about as long as the
  spacing of the real rows at its ends, so it cannot cross a gap wider than that.
- A **long** pair (``L > stretch * s``) is kept only if no *blocking* row lies strictly
  inside the ball whose diameter is the segment (centre the midpoint, radius ``L / 2``).
  Blocking rows are the real rows of the other classes and the class's rows of other
  clusters (noise rows of the class do not block).

Guarantee. If the ball is empty, every point ``x`` of the segment is at least as close to
a parent as to any blocking row: with ``t`` the distance from ``x`` to its nearer parent,
the ball of radius ``t`` around ``x`` lies inside the diametral ball. So a long pair never
produces a synthetic row in another class's (or another cluster's) territory, whether or
not the clusters are right; a bridge between two groups is long by definition of a gap,
so it is checked.

Cost. Lengths and ``g`` come from the neighbour search SMOTE already does. Only long pairs
are checked (rare above a few dimensions, where nearest-neighbour distances concentrate),
against the blocking rows: a k-d tree radius query up to 5 dimensions, a chunked
brute-force scan above. The blocking rows are only mapped into the class's space when a
long pair exists.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.spatial import cKDTree

from smote_pipeline.samplers._neighbors import choose_algorithm

#: Distances computed per chunk of the brute-force scan.
CHUNK = 2**22


class Blockers:
    """Rows that may block a long pair of one class: other classes and other clusters.

    Parameters
    ----------
    class_coords : ndarray of shape (n_class, n_coords)
        The class's rows in generation coordinates.
    cluster_of : ndarray of shape (n_class,)
        Cluster number of each class row (``-2``: noise, never blocks).
    other_coords : callable
        Returns the other classes' rows in the same coordinates (called at most once,
        on the first long pair).
    """

    def __init__(
        self,
        class_coords: np.ndarray,
        cluster_of: np.ndarray,
        other_coords: Callable[[], np.ndarray],
    ) -> None:
        self.class_coords = class_coords
        self.cluster_of = cluster_of
        self.other_coords = other_coords
        self._other: np.ndarray | None = None
        self._trees: tuple | None = None

    def _build(self) -> None:
        self._other = self.other_coords()
        if self.class_coords.shape[1] and choose_algorithm(self.class_coords.shape[1]) != "brute":
            other = cKDTree(self._other) if len(self._other) else None
            self._trees = (other, cKDTree(self.class_coords))

    def any_inside(self, centres: np.ndarray, radii: np.ndarray, cluster: int) -> np.ndarray:
        """Whether a blocking row (not of ``cluster``) lies strictly inside each ball.

        Parameters
        ----------
        centres : ndarray of shape (n_balls, n_coords)
        radii : ndarray of shape (n_balls,)
        cluster : int
            Cluster number whose own rows do not block.

        Returns
        -------
        blocked : ndarray of shape (n_balls,), dtype=bool
        """
        if self._other is None:
            self._build()
        blocked = np.zeros(len(centres), dtype=bool)
        if len(centres) == 0:
            return blocked
        foreign = (self.cluster_of >= 0) & (self.cluster_of != cluster)
        if self._trees is not None:  # k-d trees (few dimensions)
            other, own = self._trees
            if other is not None:
                blocked |= other.query(centres, k=1)[0] < radii
            if foreign.any():
                for i, found in enumerate(own.query_ball_point(centres, radii)):
                    if not blocked[i] and found:
                        found = np.asarray(found)
                        d = np.sqrt(((self.class_coords[found] - centres[i]) ** 2).sum(axis=1))
                        blocked[i] = bool(np.any(foreign[found] & (d < radii[i])))
            return blocked
        right = np.vstack([self._other, self.class_coords[foreign]])
        if len(right) == 0:
            return blocked
        right_sq = (right**2).sum(axis=1)
        step = max(1, CHUNK // len(right))
        for start in range(0, len(centres), step):
            c = centres[start : start + step]
            d2 = (c**2).sum(axis=1)[:, None] + right_sq[None, :] - 2.0 * (c @ right.T)
            r2 = radii[start : start + step, None] ** 2
            blocked[start : start + step] = (d2 < r2).any(axis=1)
        return blocked


def rejected_pairs(
    coords: np.ndarray,
    members: np.ndarray,
    neighbors: np.ndarray,
    stretch: float,
    blockers: Blockers,
    cluster: int,
) -> np.ndarray:
    """Flag the pairs of one cluster that the guard rejects (module docstring).

    Parameters
    ----------
    coords : ndarray of shape (n_class, n_coords)
        The class's rows in generation coordinates.
    members : ndarray of shape (n_members,)
        Class-local positions of the cluster's rows.
    neighbors : ndarray of shape (n_members, k)
        Class-local positions of each member's within-cluster neighbours.
    stretch : float
        Pairs up to ``stretch`` times the spacing at their ends are local (not checked).
    blockers : Blockers
    cluster : int
        Number of the cluster (as in ``blockers.cluster_of``).

    Returns
    -------
    rejected : ndarray of shape (n_members, k), dtype=bool
    """
    if coords.shape[1] == 0:
        return np.zeros(neighbors.shape, dtype=bool)
    start = coords[members][:, None, :]
    lengths = np.sqrt(((coords[neighbors] - start) ** 2).sum(axis=2))  # (n_members, k)
    positive = np.where(lengths > 0, lengths, np.inf)
    nearest = positive.min(axis=1)
    nearest[~np.isfinite(nearest)] = 0.0
    spacing_of = np.zeros(coords.shape[0])
    spacing_of[members] = nearest
    spacing = np.maximum(nearest[:, None], spacing_of[neighbors])
    rows, cols = np.nonzero(lengths > stretch * spacing)
    rejected = np.zeros(neighbors.shape, dtype=bool)
    if rows.size:
        a, b = coords[members[rows]], coords[neighbors[rows, cols]]
        rejected[rows, cols] = blockers.any_inside((a + b) / 2, lengths[rows, cols] / 2, cluster)
    return rejected
