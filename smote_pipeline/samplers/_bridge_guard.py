"""Bridge guard: a pair of parents is used only if its segment stays in its class's territory.

Rule (per candidate pair ``(a, b)`` of a cluster, ``b`` among ``a``'s within-cluster
neighbours; distances in the generation coordinates: the class's scaled numeric columns
or their PCA scores):

- ``L = |a - b|``; ``g(i)``: distance from ``i`` to its nearest distinct within-cluster
  neighbour; ``s = max(g(a), g(b))``, the spacing at the pair's ends.
- A **local** pair (``L <= stretch * s``) is about as long as the spacing of the real
  rows at its ends, so it cannot cross a wider gap (with the default ``stretch`` 2,
  every point of it is within ``s`` of a parent).
- A **long** pair (``L > stretch * s``) is refused for the first reason that applies
  (:data:`REASONS`):

  1. ``other_class``: a real row of another class lies strictly inside the ball whose
     diameter is the segment (centre the midpoint, radius ``L / 2``);
  2. ``other_cluster``: a row of another cluster of the class lies inside it (the
     class's noise rows do not block);
  3. ``empty_space``: a point of the segment is farther than ``s`` from every real
     row of the class (the segment crosses an empty gap). Checked at
     ``n = min(ceil(2 L / s), MAX_POINTS)`` evenly spaced points, so (for segments up
     to ``MAX_POINTS / 2`` spacings) every point of a kept segment is within
     ``1.25 s`` of a real row of its class.

Guarantee. If the ball is empty, every point ``x`` of the segment is at least as close to
a parent as to any blocking row (with ``t`` the distance from ``x`` to its nearer parent,
the ball of radius ``t`` around ``x`` lies inside the diametral ball). So a long pair never
produces a synthetic row in another class's (or cluster's) territory, nor in empty space,
whether or not the clusters are right; a bridge between two groups is long by definition
of a gap, so it is checked. Local pairs stay within the spacing of their own rows and are
never refused, so the ordinary pairs inside a long or curved group are kept.

Cost. Lengths and ``g`` come from SMOTE's own neighbour search. Only long pairs (rare above
a few dimensions, where nearest-neighbour distances concentrate) are checked against the
blocking rows: a k-d tree up to 5 dimensions, a chunked brute-force scan above. The
empty-space check measures each point against every row of the class up to
:data:`EXACT_DISTANCES` distances (or with the k-d tree); beyond, against the rows two
neighbour steps from either parent (those near a segment between two neighbours), which
can only find fewer rows near the segment (more pairs refused, never fewer) and stays
linear in the rows. The blocking rows are mapped into the class's space only once a long
pair exists.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy.spatial import cKDTree

from smote_pipeline.samplers._neighbors import choose_algorithm, nearest

#: Distances computed per chunk of the brute-force scans.
CHUNK = 2**22

#: Why a pair is refused, in the order tested; :func:`judge_pairs` codes them 1, 2, 3.
REASONS = ("other_class", "other_cluster", "empty_space")

#: Most points checked on one segment by the empty-space rule.
MAX_POINTS = 64

#: Chance, for rows of even density, that a point is ``limit`` spacings from the nearest
#: row: :func:`empty_limit` sets the limit so that an ordinary point is this unlikely
#: to be called empty.
FALSE_EMPTY = 1e-4

#: Bounds of the empty-space limit (in spacings).
LIMIT_RANGE = (1.2, 4.0)

#: Most point-to-row distances of an exact empty-space check (above: the parents and
#: their neighbours only).
EXACT_DISTANCES = 2**24


class Blockers:
    """The real rows a class's pairs are judged against.

    ``class_coords``: the class's rows in generation coordinates; ``cluster_of``: each
    one's cluster number (``-2``: noise, never blocks); ``other_coords()``: the other
    classes' rows in the same coordinates (called at most once, on the first long
    pair); ``reach``: the spacing around each class row (:func:`surroundings`; NaN
    where unknown); ``limit``: spacings from the nearest row beyond which a point is in
    empty space (:func:`empty_limit`).
    """

    def __init__(
        self,
        class_coords: np.ndarray,
        cluster_of: np.ndarray,
        other_coords: Callable[[], np.ndarray],
        reach: np.ndarray | None = None,
        limit: float = 2.0,
    ) -> None:
        self.class_coords = class_coords
        self.cluster_of = cluster_of
        self.other_coords = other_coords
        self.reach = np.full(len(class_coords), np.nan) if reach is None else reach
        self.limit = limit
        self._other: np.ndarray | None = None
        self._other_tree = None
        self._class_tree = None
        self._trees = bool(class_coords.shape[1]) and (
            choose_algorithm(class_coords.shape[1]) != "brute"
        )

    def _class(self):
        if self._trees and self._class_tree is None:
            self._class_tree = cKDTree(self.class_coords)
        return self._class_tree

    def _others(self) -> np.ndarray:
        if self._other is None:
            self._other = self.other_coords()
            if self._trees and len(self._other):
                self._other_tree = cKDTree(self._other)
        return self._other

    def first_blocker(self, centres: np.ndarray, radii: np.ndarray, cluster: int) -> np.ndarray:
        """Which blocking row, if any, lies strictly inside each ball (``cluster``'s own
        rows do not block): int8 per ball, 0 none, 1 a row of another class, 2 (only
        when not 1) a row of another cluster of the class."""
        reason = np.zeros(len(centres), dtype=np.int8)
        if len(centres) == 0:
            return reason
        reason[_any_within(self._others(), centres, radii, self._other_tree)] = 1
        foreign = (self.cluster_of >= 0) & (self.cluster_of != cluster)
        if foreign.any():
            open_ = np.flatnonzero(reason == 0)
            if self._trees:  # the class's tree, filtered to the foreign rows
                hit = _foreign_in_balls(
                    self._class(), self.class_coords, foreign, centres[open_], radii[open_]
                )
            else:
                hit = _any_within(self.class_coords[foreign], centres[open_], radii[open_], None)
            reason[open_[hit]] = 2
        return reason

    def emptiness(self, points: np.ndarray, fallback: np.ndarray, near_rows) -> np.ndarray:
        """Each point's distance to the nearest real row of the class, in spacings there.

        The spacing at a row is :attr:`reach` (``fallback``, one per point, where
        unknown). Exact (every row of the class) with a k-d tree or up to
        :data:`EXACT_DISTANCES` distances; otherwise against ``near_rows()`` only
        (class positions per point, shape (n_points, n_candidates)), which can only
        make a point look emptier. Returns the ratios, shape (n_points,).
        """
        if self._trees:
            distance, row = self._class().query(points, k=1)
        elif len(points) * len(self.class_coords) <= EXACT_DISTANCES:
            distance, row = (a[:, 0] for a in nearest(self.class_coords, points, 1))
        else:
            distance, row = self._nearest_among(points, near_rows())
        reach = self.reach[row]
        reach = np.where(np.isfinite(reach) & (reach > 0), reach, fallback)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(reach > 0, distance / reach, np.where(distance > 0, np.inf, 0.0))

    def _nearest_among(self, points: np.ndarray, candidates: np.ndarray):
        """Distance and position of each point's nearest row among its candidates."""
        distance = np.empty(len(points))
        row = np.empty(len(points), dtype=np.int64)
        step = max(1, CHUNK // (candidates.shape[1] * max(self.class_coords.shape[1], 1)))
        for start in range(0, len(points), step):
            part = slice(start, start + step)
            near = self.class_coords[candidates[part]]  # (chunk, n_candidates, n_coords)
            d2 = ((near - points[part, None, :]) ** 2).sum(axis=2)
            best = d2.argmin(axis=1)
            at = np.arange(len(best))
            distance[part] = np.sqrt(d2[at, best])
            row[part] = candidates[part][at, best]
        return distance, row


def _any_within(rows: np.ndarray, centres: np.ndarray, radii: np.ndarray, tree) -> np.ndarray:
    """Whether a row of ``rows`` lies strictly inside each ball (tree or chunked scan)."""
    inside = np.zeros(len(centres), dtype=bool)
    if len(rows) == 0 or len(centres) == 0:
        return inside
    if tree is not None:
        return tree.query(centres, k=1)[0] < radii
    rows_sq = (rows**2).sum(axis=1)
    step = max(1, CHUNK // len(rows))
    for start in range(0, len(centres), step):
        c = centres[start : start + step]
        d2 = (c**2).sum(axis=1)[:, None] + rows_sq[None, :] - 2.0 * (c @ rows.T)
        inside[start : start + step] = (d2 < radii[start : start + step, None] ** 2).any(axis=1)
    return inside


def _foreign_in_balls(tree, coords, foreign, centres, radii) -> np.ndarray:
    """Whether a ``foreign`` class row lies strictly inside each ball (k-d tree)."""
    inside = np.zeros(len(centres), dtype=bool)
    for i, found in enumerate(tree.query_ball_point(centres, radii)):
        if found:
            found = np.asarray(found)
            d = np.sqrt(((coords[found] - centres[i]) ** 2).sum(axis=1))
            inside[i] = bool(np.any(foreign[found] & (d < radii[i])))
    return inside


def surroundings(coords: np.ndarray, members: list, neighbors: list) -> tuple[np.ndarray, float]:
    """The spacing around every row of a class (``reach``), and its :func:`empty_limit`.

    ``members``: class positions of each cluster's rows; ``neighbors``: each cluster's
    within-cluster neighbours (None: the cluster does not interpolate). A row's reach
    is the median, over the row and its within-cluster neighbours, of each one's
    distance to its nearest distinct neighbour (NaN where unknown): a chance close
    partner does not make a row's surroundings look dense, and a row of a small group
    merged into a larger cluster gets the spacing of the rows it neighbours.
    """
    closest = np.full(coords.shape[0], np.nan)
    lengths = [None if n is None else _lengths(coords, m, n) for m, n in zip(members, neighbors)]
    for rows, length in zip(members, lengths, strict=True):
        if length is not None:
            closest[rows] = _closest(length)
    reach = np.full(coords.shape[0], np.nan)
    for rows, near in zip(members, neighbors, strict=True):
        if near is not None:
            around = np.hstack([closest[rows][:, None], closest[near]])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
                reach[rows] = np.nanmedian(around, axis=1)
    pairs = [_first_two(length) for length in lengths if length is not None]
    return reach, empty_limit(np.vstack(pairs) if pairs else np.zeros((0, 2)))


def empty_limit(first_two: np.ndarray) -> float:
    """How many spacings from the nearest real row make a point "in empty space".

    For rows of even density in ``d`` dimensions, the chance that a point is more than
    ``c`` median spacings from the nearest row is ``2 ** -(c ** d)``; ``c`` is set so
    that this is :data:`FALSE_EMPTY` (3.6 spacings in 2 dimensions, 1.7 in 5, 1.24 in
    12), within :data:`LIMIT_RANGE`. ``d`` is the class's intrinsic dimension, not its
    number of columns: the two-nearest-neighbour estimate (Facco et al. 2017), from
    the median of ``log(r2 / r1)`` (robust to rows whose second neighbour lies in
    another group); 5 when fewer than 10 rows have two distinct neighbours.

    ``first_two`` (n_rows, 2): each row's distances to its nearest and second nearest
    distinct neighbours (``inf`` where missing).
    """
    r1, r2 = first_two[:, 0], first_two[:, 1]
    usable = np.isfinite(r2) & (r2 > r1) & (r1 > 0)
    if usable.sum() < 10:
        dimension = 5.0
    else:
        dimension = max(np.log(2) / np.median(np.log(r2[usable] / r1[usable])), 1.0)
    return float(np.clip(np.log2(1 / FALSE_EMPTY) ** (1 / dimension), *LIMIT_RANGE))


def judge_pairs(
    coords: np.ndarray,
    members: np.ndarray,
    neighbors: np.ndarray,
    stretch: float,
    blockers: Blockers,
    cluster: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Judge the pairs of one cluster (module docstring).

    ``coords``: the class's rows in generation coordinates; ``members``: class-local
    positions of the cluster's rows; ``neighbors``: each member's within-cluster
    neighbours (class-local); pairs up to ``stretch`` times the spacing at their ends
    are local (no ball test); ``cluster``: its number in ``blockers.cluster_of``.
    Returns, per pair (n_members, k): the reason (int8: 0 kept, ``i + 1`` refused for
    ``REASONS[i]``) and whether it is long (ball-tested), kept or not.
    """
    reason = np.zeros(neighbors.shape, dtype=np.int8)
    if coords.shape[1] == 0:
        return reason, np.zeros(neighbors.shape, dtype=bool)
    lengths = _lengths(coords, members, neighbors)
    nearest_of = np.zeros(coords.shape[0])
    nearest_of[members] = np.nan_to_num(_closest(lengths), posinf=0.0)
    long = lengths > stretch * np.maximum(nearest_of[members][:, None], nearest_of[neighbors])
    rows, cols = np.nonzero(long)
    if rows.size:
        a, b = coords[members[rows]], coords[neighbors[rows, cols]]
        reason[rows, cols] = blockers.first_blocker((a + b) / 2, lengths[rows, cols] / 2, cluster)
    rows, cols = np.nonzero((reason == 0) & (lengths > 0))
    a, b = members[rows], neighbors[rows, cols]
    index = np.zeros(coords.shape[0], dtype=np.int64)
    index[members] = np.arange(members.size)

    def near_rows(pair: np.ndarray) -> np.ndarray:  # both parents and their neighbours
        ends = np.c_[a[pair], b[pair]]
        return np.hstack([ends, neighbors[index[ends]].reshape(len(pair), -1)])

    empty = _crosses_empty_space(coords, a, b, blockers, near_rows)
    reason[rows[empty], cols[empty]] = 3
    return reason, long


def _lengths(coords: np.ndarray, members: np.ndarray, neighbors: np.ndarray) -> np.ndarray:
    """Length of every pair, shape (n_members, k)."""
    return np.sqrt(((coords[neighbors] - coords[members][:, None, :]) ** 2).sum(axis=2))


def _first_two(lengths: np.ndarray) -> np.ndarray:
    """The two shortest positive lengths of each row of pairs (``inf`` where missing)."""
    positive = np.where(lengths > 0, lengths, np.inf)
    if positive.shape[1] < 2:
        return np.c_[positive.min(axis=1, initial=np.inf), np.full(len(positive), np.inf)]
    return np.sort(positive, axis=1)[:, :2]


def _closest(lengths: np.ndarray) -> np.ndarray:
    """Shortest positive length of each row of pairs (NaN if none)."""
    closest = np.where(lengths > 0, lengths, np.inf).min(axis=1, initial=np.inf)
    return np.where(np.isfinite(closest), closest, np.nan)


def _crosses_empty_space(coords, a, b, blockers: Blockers, near_rows) -> np.ndarray:
    """Whether some point of each segment lies in empty space.

    Points ``t = i / (n + 1)``, ``i = 1..n``, with ``n = ceil(2 L / r)`` between 3 and
    :data:`MAX_POINTS` (``r`` the smaller spacing around the two parents): consecutive
    points are at most ``r / 2`` apart. A point is in empty space when its distance to
    the nearest real row of the class exceeds ``blockers.limit`` times the spacing
    around that row (:meth:`Blockers.emptiness`).
    """
    if a.size == 0:
        return np.zeros(0, dtype=bool)
    length = np.sqrt(((coords[a] - coords[b]) ** 2).sum(axis=1))
    reach = np.fmin(blockers.reach[a], blockers.reach[b])
    reach = np.where(np.isfinite(reach) & (reach > 0), reach, length)
    n_points = np.clip(np.ceil(2 * length / reach), 3, MAX_POINTS).astype(np.int64)
    pair = np.repeat(np.arange(a.size), n_points)
    offset = np.arange(pair.size) - np.repeat(np.cumsum(n_points) - n_points, n_points)
    t = (offset + 1.0) / (n_points[pair] + 1)
    points = coords[a[pair]] + t[:, None] * (coords[b[pair]] - coords[a[pair]])
    fallback = np.fmax(blockers.reach[a], blockers.reach[b])
    fallback = np.where(np.isfinite(fallback), fallback, length)[pair]
    ratio = blockers.emptiness(points, fallback, lambda: near_rows(pair))
    worst = np.zeros(a.size)
    np.maximum.at(worst, pair, ratio)
    return worst > blockers.limit
