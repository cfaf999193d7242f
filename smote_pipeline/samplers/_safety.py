"""Safety filter: reject synthetic rows whose real neighbourhood is another class."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smote_pipeline.samplers._fast_enn import (
    CHUNK_ELEMENTS,
    Space32,
    _one_thread,
    _row_kth_smallest,
)
from smote_pipeline.samplers._neighbors import DistanceSpace, choose_algorithm, make_neighbors

#: Real rows drawn from each side (own class, other classes) of a sampled reference.
REFERENCE_CAP = 2048

#: Rows per local leaf of the other classes (counted exactly by the sampled rule).
LEAF_ROWS = 2048

#: A call is exact when candidates x real rows is at most this (about 0.1 s).
EXACT_BUDGET = 2**25


class Leaves:
    """Two-level Voronoi partition of some rows into leaves of about ``LEAF_ROWS``.

    About ``sqrt(n / LEAF_ROWS)`` random rows split the rows into cells, and
    ``len(cell) // LEAF_ROWS`` random rows of each cell split it into leaves. New
    points are placed by the same two nearest-centre steps (``O(sqrt(n))`` distances
    each).

    Parameters
    ----------
    space : Space32
        All real rows.
    rows : ndarray of int
        Rows to partition (positions in ``space``).
    rng : RandomState
        Draws the centres.
    """

    def __init__(self, space: Space32, rows: np.ndarray, rng) -> None:
        self.space = space
        n_top = max(1, round(np.sqrt(rows.size / LEAF_ROWS)))
        self.top = space.right(rows[rng.choice(rows.size, n_top, replace=False)])
        top_of = _nearest(space.left(rows), self.top)
        self.subs: list[tuple[np.ndarray, int]] = []
        self.leaf_of = np.empty(rows.size, dtype=np.int64)
        base = 0
        for cell in range(n_top):
            members = np.flatnonzero(top_of == cell)
            n_sub = max(1, members.size // LEAF_ROWS)
            centres = rows[members[rng.choice(members.size, n_sub, replace=False)]]
            right = space.right(centres)
            self.subs.append((right, base))
            self.leaf_of[members] = base + _nearest(space.left(rows[members]), right)
            base += n_sub
        order = np.argsort(self.leaf_of, kind="stable")
        bounds = np.cumsum(np.bincount(self.leaf_of, minlength=base))[:-1]
        self.members = [rows[part] for part in np.split(order, bounds)]

    def place(self, left: np.ndarray) -> np.ndarray:
        """Leaf of each new point, given its :meth:`Space32.augment` rows ``left``."""
        top_of = _nearest(left, self.top)
        leaf = np.empty(left.shape[0], dtype=np.int64)
        for cell, (right, base) in enumerate(self.subs):
            where = np.flatnonzero(top_of == cell)
            if where.size:
                leaf[where] = base + _nearest(left[where], right)
        return leaf


def _nearest(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Column of the nearest centre of each row (bounded chunks)."""
    out = np.empty(left.shape[0], dtype=np.int64)
    step = max(64, CHUNK_ELEMENTS // max(right.shape[1], 1))
    for start in range(0, left.shape[0], step):
        out[start : start + step] = (left[start : start + step] @ right).argmin(axis=1)
    return out


@dataclass
class Reference:
    """Real rows the rule looks at for one class (see :class:`SafetyIndex`).

    Attributes
    ----------
    own : ndarray of int
        Rows of the class used (all, or a uniform sample).
    own_rank : int
        The ``own_rank``-th nearest used row of the class gives ``R``.
    other : ndarray of int
        Rows of the other classes used (all, or a uniform sample).
    other_weight : float
        Real other-class rows each used row outside the candidate's leaf stands for.
    leaves : Leaves or None
        Leaves of the other classes (sampled rule only).
    other_leaf : ndarray of int or None
        Leaf of each row of ``other`` (sampled rule only).
    exact : bool
        Every real row is used: the rule is the exact one.
    """

    own: np.ndarray
    own_rank: int
    other: np.ndarray
    other_weight: float
    leaves: Leaves | None
    other_leaf: np.ndarray | None
    exact: bool


class SafetyIndex:
    """Judges synthetic candidates against the real rows, built once per ``fit_resample``.

    Rule. A candidate of class ``c`` is unsafe when more than half of its ``k =
    safety_k`` nearest real rows are of another class, i.e. when at least ``m = k // 2
    + 1`` rows of other classes are closer than its ``s = k - m + 1``-th nearest real
    row of class ``c`` (distance ``R``).

    When it is exact. The rule needs every candidate against every real row:
    ``n_candidates x n_real`` distances, quadratic since SMOTE makes about as many
    candidates as there are real rows. A call of :meth:`unsafe` is exact (up to
    floating-point ties) when

    - class ``c`` has fewer than ``s`` real rows (every candidate is unsafe) or the
      other classes fewer than ``m`` (none is); or
    - ``n_candidates x n_real <= EXACT_BUDGET`` (:data:`EXACT_BUDGET`, 3.4e7
      distances; late redraw rounds with few candidates usually are), or the distance
      space has at most 15 dimensions (k-d tree): one query of the ``k`` nearest real
      rows; or
    - class ``c`` and the other classes each have at most :data:`REFERENCE_CAP` real
      rows: the rule on all of them, in double precision.

    When it is sampled. Otherwise, in single precision:

    - ``R``: exact (``s``-th nearest) if class ``c`` has at most ``REFERENCE_CAP``
      rows; else the distance to the ``max(1, round(s / w_own))``-th nearest of a
      uniform sample of ``REFERENCE_CAP`` rows of ``c``, ``w_own = n_c /
      REFERENCE_CAP`` (the sample's rank closest to ``s`` real rows).
    - Other-class rows inside ``R``: counted exactly within the candidate's *leaf*
      (the other-class rows are split once into leaves of about :data:`LEAF_ROWS`
      nearby rows, two-level Voronoi cells of random centres, and a candidate goes to
      the leaf of its nearest centres), plus ``w_other = n_other / REFERENCE_CAP``
      times the rows of a uniform sample of ``REFERENCE_CAP`` other-class rows that
      lie inside ``R`` but outside that leaf. Given ``R`` this is an unbiased
      estimate of the number ``N`` of other-class rows inside ``R``; most of them are
      in the leaf, so it is nearly exact. The candidate is unsafe when the estimate is
      at least ``m`` (a count of ``m`` inside the leaf alone is a proof).

    Cost of a sampled call: about ``n_candidates x (2 REFERENCE_CAP + LEAF_ROWS)``
    distances, linear in the candidates. Samples and leaves are drawn once per class
    from ``random_state`` (same seed, same flags). Measured agreement with the exact
    rule is reported by the tests (``test_safety.py``).

    Parameters
    ----------
    numeric : ndarray of shape (n_samples, n_numeric)
    codes : ndarray of shape (n_samples, n_categorical)
    n_categories : list of int
    y : ndarray of shape (n_samples,)
    n_neighbors : int
        ``safety_k``: real neighbours consulted per candidate.
    standardize : bool
        Standardise numeric columns with statistics of all rows.
    random_state : int, RandomState or None
        Draws samples and leaves (``None``: seed 0).
    """

    def __init__(
        self,
        numeric,
        codes,
        n_categories,
        y,
        n_neighbors: int,
        standardize: bool,
        random_state=None,
    ):
        self.space = DistanceSpace(standardize).fit(numeric, codes, n_categories)
        self.Z = self.space.transform(numeric, codes)
        self.n_neighbors = min(n_neighbors, self.Z.shape[0])
        self.y = np.asarray(y)
        if isinstance(random_state, np.random.RandomState):
            self.rng = random_state
        else:
            self.rng = np.random.RandomState(0 if random_state is None else random_state)
        self._space32: Space32 | None = None
        self._full = None
        self._references: dict = {}

    @property
    def n_other_needed(self) -> int:
        """``m``: other-class rows among the ``k`` nearest that make a candidate unsafe."""
        return self.n_neighbors // 2 + 1

    @property
    def n_own_needed(self) -> int:
        """``s``: the rank of the own-class row whose distance is ``R``."""
        return self.n_neighbors - self.n_other_needed + 1

    def unsafe(self, numeric: np.ndarray, codes: np.ndarray, class_label) -> np.ndarray:
        """Flag candidates whose neighbours are mostly (> half) of another class.

        Parameters
        ----------
        numeric : ndarray of shape (n_candidates, n_numeric)
        codes : ndarray of shape (n_candidates, n_categorical)
        class_label : object
            Class of the candidates.

        Returns
        -------
        unsafe : ndarray of shape (n_candidates,), dtype=bool
        """
        n_candidates = numeric.shape[0]
        if n_candidates == 0:
            return np.zeros(0, dtype=bool)
        n_own = int(np.count_nonzero(self.y == class_label))
        if n_own < self.n_own_needed or self.y.size - n_own < self.n_other_needed:
            return np.full(n_candidates, n_own < self.n_own_needed)
        Z = self.space.transform(numeric, codes)
        cheap = n_candidates * self.Z.shape[0] <= EXACT_BUDGET
        if cheap or choose_algorithm(Z.shape[1]) != "brute":
            with _one_thread():
                return self.exact_unsafe(Z, class_label)
        return self.reference_unsafe(Z, self.reference(class_label))

    def exact_unsafe(self, Z: np.ndarray, class_label) -> np.ndarray:
        """The exact rule: one query of the ``k`` nearest real rows per candidate.

        Parameters
        ----------
        Z : ndarray of shape (n_candidates, n_dims)
            Candidates in the distance space.
        class_label : object

        Returns
        -------
        unsafe : ndarray of shape (n_candidates,), dtype=bool
        """
        if self._full is None:
            self._full = make_neighbors(self.n_neighbors, self.Z.shape[1]).fit(self.Z)
        neighbors = self._full.kneighbors(Z, return_distance=False)
        n_other = (self.y[neighbors] != class_label).sum(axis=1)
        return n_other > self.n_neighbors / 2

    def reference(self, class_label) -> Reference:
        """The reference of ``class_label`` (class doc), drawn once."""
        if class_label not in self._references:
            own = np.flatnonzero(self.y == class_label)
            other = np.flatnonzero(self.y != class_label)
            exact = own.size <= REFERENCE_CAP and other.size <= REFERENCE_CAP
            own_used = self._sample(own)
            rank = max(1, round(self.n_own_needed * own_used.size / own.size))
            other_used = self._sample(other)
            leaves = other_leaf = None
            if other_used.size < other.size:
                with _one_thread():
                    leaves = Leaves(self._space(), other, self.rng)
                other_leaf = leaves.leaf_of[np.searchsorted(other, other_used)]
            self._references[class_label] = Reference(
                own_used, rank, other_used, other.size / other_used.size, leaves, other_leaf, exact
            )
        return self._references[class_label]

    def _space(self) -> Space32:
        if self._space32 is None:
            self._space32 = Space32.from_rows(self.Z)
        return self._space32

    def _sample(self, rows: np.ndarray) -> np.ndarray:
        if rows.size <= REFERENCE_CAP:
            return rows
        return rows[np.sort(self.rng.choice(rows.size, REFERENCE_CAP, replace=False))]

    def reference_unsafe(self, Z: np.ndarray, ref: Reference) -> np.ndarray:
        """The rule on the reference ``ref`` (class doc: exact or sampled).

        Parameters
        ----------
        Z : ndarray of shape (n_candidates, n_dims)
            Candidates in the distance space.
        ref : Reference

        Returns
        -------
        unsafe : ndarray of shape (n_candidates,), dtype=bool
        """
        if ref.exact:
            return self._exact_reference(Z, ref)
        space = self._space()
        left = space.augment(Z)
        own, other = space.right(ref.own), space.right(ref.other)
        leaf = ref.leaves.place(left) if ref.leaves is not None else None
        r_sq = np.empty(Z.shape[0], dtype=np.float32)
        estimate = np.zeros(Z.shape[0])
        step = max(64, CHUNK_ELEMENTS // (ref.own.size + ref.other.size))
        with _one_thread():
            for start in range(0, Z.shape[0], step):
                part = slice(start, start + step)
                r_sq[part] = _row_kth_smallest(left[part] @ own, ref.own_rank)
                inside = (left[part] @ other) < r_sq[part, None]
                if leaf is not None:
                    inside &= ref.other_leaf[None, :] != leaf[part, None]
                estimate[part] = ref.other_weight * np.count_nonzero(inside, axis=1)
            if leaf is not None:
                estimate += _count_in_leaves(space, ref.leaves, left, leaf, r_sq)
        return estimate >= self.n_other_needed - 1e-9

    def _exact_reference(self, Z: np.ndarray, ref: Reference) -> np.ndarray:
        """The rule on all real rows (both sides small), double precision."""
        own = np.sort(_sq_distances(Z, self.Z[ref.own]), axis=1)[:, ref.own_rank - 1]
        inside = np.count_nonzero(_sq_distances(Z, self.Z[ref.other]) < own[:, None], axis=1)
        return inside >= self.n_other_needed


def _sq_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Squared distances, double precision, via differences (no cancellation)."""
    out = np.empty((A.shape[0], B.shape[0]))
    step = max(1, CHUNK_ELEMENTS // max(B.size, 1))
    for start in range(0, A.shape[0], step):
        diff = A[start : start + step, None, :] - B[None, :, :]
        out[start : start + step] = np.einsum("ijk,ijk->ij", diff, diff)
    return out


def _count_in_leaves(space: Space32, leaves: Leaves, left, leaf, r_sq) -> np.ndarray:
    """Other-class rows of each candidate's leaf strictly inside its ``R``."""
    counts = np.zeros(left.shape[0])
    order = np.argsort(leaf, kind="stable")
    bounds = np.cumsum(np.bincount(leaf, minlength=len(leaves.members)))[:-1]
    for members, who in zip(leaves.members, np.split(order, bounds), strict=True):
        if who.size == 0 or members.size == 0:
            continue
        right = space.right(members)
        step = max(64, CHUNK_ELEMENTS // members.size)
        for start in range(0, who.size, step):
            rows = who[start : start + step]
            d2 = left[rows] @ right
            counts[rows] = np.count_nonzero(d2 < r_sq[rows, None], axis=1)
    return counts
