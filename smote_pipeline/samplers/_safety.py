"""Safety filter: reject synthetic rows whose real neighbourhood is another class."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smote_pipeline.samplers._distance_space import DistanceSpace
from smote_pipeline.samplers._neighbors import choose_algorithm, make_neighbors
from smote_pipeline.samplers._partition import Partition
from smote_pipeline.samplers._space32 import (
    CHUNK_ELEMENTS,
    Space32,
    chunks,
    in_threads,
    one_thread,
    row_kth_smallest,
    smallest,
    threads_for,
)

#: Real rows drawn from each side (own class, other classes) of a sampled reference.
REFERENCE_CAP = 2048

#: Rows per local leaf of the other classes (counted exactly by the sampled rule).
LEAF_ROWS = 2048

#: Leaves of the other classes counted exactly per candidate (nearest centres first).
LEAF_PROBES = 3

#: A call is exact when candidates x real rows is at most this (about 0.1 s).
EXACT_BUDGET = 2**25


@dataclass
class Side:
    """Real rows of one side (the class, or the other classes) used by the rule:
    ``sample``, all its rows or a uniform sample of ``REFERENCE_CAP``, each standing for
    ``weight`` real rows (1.0: all used). Only when sampled: the side's ``leaves``, and
    per leaf its ``members`` (those in ``sample`` first) and ``n_sampled`` of them in
    ``sample``."""

    sample: np.ndarray
    weight: float
    leaves: Partition | None = None
    members: list | None = None
    n_sampled: list | None = None


class SafetyIndex:
    """Judges synthetic candidates against the real rows, built once per ``fit_resample``.

    Rule. A candidate of class ``c`` is unsafe when more than half of its ``k =
    safety_k`` nearest real rows are of another class, i.e. when at least ``m = k // 2
    + 1`` other-class rows are closer than its ``s = k - m + 1``-th nearest real row
    of class ``c`` (distance ``R``).

    When it is exact. The rule needs ``n_candidates x n_real`` distances, quadratic
    since SMOTE makes about as many candidates as real rows. A call of :meth:`unsafe`
    is exact (up to floating-point ties) when

    - class ``c`` has fewer than ``s`` real rows (every candidate is unsafe) or the
      other classes fewer than ``m`` (none is); or
    - ``n_candidates x n_real <= EXACT_BUDGET`` (3.4e7 distances; late redraw rounds
      with few candidates usually are), or the distance space has at most
      ``TREE_MAX_DIMENSIONS`` (5) dimensions (k-d tree): one query of the ``k``
      nearest real rows; or
    - class ``c`` and the other classes each have at most :data:`REFERENCE_CAP` real
      rows: the rule on all of them, in double precision.

    When it is sampled. Otherwise, in single precision, each side (class ``c``'s rows;
    the other classes' rows) above ``REFERENCE_CAP`` rows is replaced by (i) its
    *leaves*: the side split once into leaves of about :data:`LEAF_ROWS` nearby rows
    (two-level Voronoi cells of random rows; a candidate goes to the leaves of its
    nearest centres), whose rows count exactly, and (ii) a uniform sample of
    ``REFERENCE_CAP`` rows, each sampled row outside the candidate's counted leaves
    standing for ``w = rows of the side / REFERENCE_CAP`` rows. Then

    - ``R`` is the smallest distance at which the count of class-``c`` rows (exact in
      the leaf, weighted outside it) reaches ``s``; exact when class ``c`` has at most
      ``REFERENCE_CAP`` rows;
    - ``N``, the other-class rows strictly inside ``R``, is estimated by the exact
      count in the candidate's :data:`LEAF_PROBES` nearest leaves (by centre, within
      its cell) plus ``w`` times the sampled rows inside ``R`` outside them: given
      ``R`` an unbiased estimate, nearly exact when the rows inside ``R`` lie in those
      leaves;
    - the candidate is unsafe when the estimate is at least ``m``.

    Cost of a sampled call: about ``n_candidates x (2 REFERENCE_CAP + (1 +
    LEAF_PROBES) LEAF_ROWS)`` distances (leaves vary in size), linear in the
    candidates; building the leaves costs ``O(n sqrt(n / LEAF_ROWS))`` once. Samples
    and leaves are drawn once per class from ``random_state`` (same seed, same flags).
    Agreement with the exact rule on SMOTE-like candidates of generated data (1 row in
    20 or 100 of the class): 95% at 20,000 rows (``test_safety.py``), 89% at 100,000;
    the misses are nearly all unsafe candidates judged safe (other-class rows inside
    ``R`` spread beyond the probed leaves).

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
        self.n_threads = threads_for(None)
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
        """Flag (bool per candidate) candidates of ``class_label`` whose neighbours are
        mostly (> half) of another class; ``numeric`` and ``codes`` one row each."""
        n_candidates = numeric.shape[0]
        if n_candidates == 0:
            return np.zeros(0, dtype=bool)
        n_own = int(np.count_nonzero(self.y == class_label))
        if n_own < self.n_own_needed or self.y.size - n_own < self.n_other_needed:
            return np.full(n_candidates, n_own < self.n_own_needed)
        Z = self.space.transform(numeric, codes)
        cheap = n_candidates * self.Z.shape[0] <= EXACT_BUDGET
        if cheap or choose_algorithm(Z.shape[1]) != "brute":
            with one_thread():
                return self.exact_unsafe(Z, class_label)
        return self.reference_unsafe(Z, self.reference(class_label))

    def exact_unsafe(self, Z: np.ndarray, class_label) -> np.ndarray:
        """The exact rule: one query of the ``k`` nearest real rows per candidate (rows
        of ``Z``, in the distance space); bool per candidate."""
        if self._full is None:
            self._full = make_neighbors(self.n_neighbors, self.Z.shape[1]).fit(self.Z)
        neighbors = self._full.kneighbors(Z, return_distance=False)
        n_other = (self.y[neighbors] != class_label).sum(axis=1)
        return n_other > self.n_neighbors / 2

    def reference(self, class_label) -> tuple[Side, Side]:
        """The class's side and the other classes' side (class doc), drawn once."""
        if class_label not in self._references:
            own = self._side(np.flatnonzero(self.y == class_label))
            other = self._side(np.flatnonzero(self.y != class_label))
            self._references[class_label] = (own, other)
        return self._references[class_label]

    def _side(self, rows: np.ndarray) -> Side:
        if rows.size <= REFERENCE_CAP:
            return Side(rows, 1.0)
        sample = rows[np.sort(self.rng.choice(rows.size, REFERENCE_CAP, replace=False))]
        with one_thread():
            leaves = Partition(self._space(), rows, LEAF_ROWS, self.rng)
        members, n_sampled = [], []
        for leaf in leaves.members:
            in_sample = np.isin(leaf, sample)
            members.append(np.concatenate([leaf[in_sample], leaf[~in_sample]]))
            n_sampled.append(int(np.count_nonzero(in_sample)))
        return Side(sample, rows.size / REFERENCE_CAP, leaves, members, n_sampled)

    def _space(self) -> Space32:
        if self._space32 is None:
            self._space32 = Space32.from_rows(self.Z)
        return self._space32

    def reference_unsafe(self, Z: np.ndarray, reference: tuple[Side, Side]) -> np.ndarray:
        """The rule on ``reference`` (the class's and the other classes' :class:`Side`,
        from :meth:`reference`; class doc: exact when no side is sampled) for the
        candidates ``Z`` (distance space); bool per candidate."""
        own, other = reference
        if own.leaves is None and other.leaves is None:
            return self._exact_reference(Z, own.sample, other.sample)
        space = self._space()
        left = space.augment(Z)
        with one_thread():
            r_sq = _radius(space, left, own, self.n_own_needed, self.n_threads)
            estimate = _other_estimate(space, left, other, r_sq, self.n_threads)
        return estimate >= self.n_other_needed - 1e-9

    def _exact_reference(self, Z: np.ndarray, own: np.ndarray, other: np.ndarray) -> np.ndarray:
        """The rule on all real rows (both sides small), double precision."""
        radius = np.sort(_sq_distances(Z, self.Z[own]), axis=1)[:, self.n_own_needed - 1]
        inside = np.count_nonzero(_sq_distances(Z, self.Z[other]) < radius[:, None], axis=1)
        return inside >= self.n_other_needed


def _sq_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Squared distances, double precision, via differences (no cancellation)."""
    out = np.empty((A.shape[0], B.shape[0]))
    step = max(1, CHUNK_ELEMENTS // max(B.size, 1))
    for start in range(0, A.shape[0], step):
        diff = A[start : start + step, None, :] - B[None, :, :]
        out[start : start + step] = np.einsum("ijk,ijk->ij", diff, diff)
    return out


def _by_leaf(leaves: Partition, left: np.ndarray, probes: int = 1):
    """Yield (leaf number, candidates probing it), each non-empty leaf once."""
    leaf = leaves.place(left, probes)
    who = np.repeat(np.arange(left.shape[0]), probes)[leaf.ravel() >= 0]
    leaf = leaf.ravel()[leaf.ravel() >= 0]
    order = np.argsort(leaf, kind="stable")
    bounds = np.cumsum(np.bincount(leaf, minlength=len(leaves.members)))[:-1]
    for number, (members, part) in enumerate(zip(leaves.members, np.split(order, bounds))):
        if part.size and members.size:
            yield number, who[part]


def _parts(who: np.ndarray, n_cols: int):
    for part in chunks(who.size, n_cols):
        yield who[part]


def _radius(space: Space32, left, own: Side, rank: int, n_threads: int = 1) -> np.ndarray:
    """Squared ``R``: exact, or where leaf + weighted sample counts first reach ``rank``
    (each candidate is in one part or one leaf: shares run in threads)."""
    r_sq = np.empty(left.shape[0], dtype=np.float32)
    if own.leaves is None:
        right = space.right(own.sample)

        def exact(share) -> None:
            for rows in share:
                r_sq[rows] = row_kth_smallest(left[rows] @ right, rank)

        parts = list(_parts(np.arange(left.shape[0]), own.sample.size))
        in_threads(exact, parts, n_threads, left.shape[0] * own.sample.size)
        return r_sq

    def sampled(share) -> None:
        for number, who in share:
            members = own.leaves.members[number]
            outside = own.sample[~np.isin(own.sample, members)]
            right_in, right_out = space.right(members), space.right(outside)
            for rows in _parts(who, members.size + outside.size):
                near = smallest(left[rows] @ right_in, rank)
                far = smallest(left[rows] @ right_out, rank)
                r_sq[rows] = _weighted_rank(near, far, own.weight, rank)

    cost = left.shape[0] * (LEAF_ROWS + own.sample.size)
    in_threads(sampled, list(_by_leaf(own.leaves, left)), n_threads, cost)
    return r_sq


def _weighted_rank(near, far, weight: float, rank: int) -> np.ndarray:
    """Smallest value at which counts (1 per ``near``, ``weight`` per ``far``) reach
    ``rank``."""
    values = np.hstack([near, far])
    weights = np.hstack([np.ones(near.shape), np.full(far.shape, weight)])
    order = np.argsort(values, axis=1, kind="stable")
    reached = np.cumsum(np.take_along_axis(weights, order, axis=1), axis=1) >= rank - 1e-9
    return np.take_along_axis(values, order, axis=1)[np.arange(len(values)), reached.argmax(1)]


def _other_estimate(space: Space32, left, other: Side, r_sq, n_threads: int = 1) -> np.ndarray:
    """Other-class rows inside ``R``: exact, or leaf count plus weighted sample outside
    (a candidate's probed leaves may fall to different threads: each adds into its own
    array, summed at the end)."""
    right = space.right(other.sample)
    estimate = np.empty(left.shape[0])

    def on_sample(share) -> None:
        for rows in share:
            estimate[rows] = np.count_nonzero(left[rows] @ right < r_sq[rows, None], axis=1)

    parts = list(_parts(np.arange(left.shape[0]), other.sample.size))
    in_threads(on_sample, parts, n_threads, left.shape[0] * other.sample.size)
    if other.leaves is None:
        return estimate
    estimate *= other.weight

    def in_leaves(share) -> np.ndarray:
        extra = np.zeros(left.shape[0])
        for number, who in share:
            members, n_sampled = other.members[number], other.n_sampled[number]
            right = space.right(members)
            for rows in _parts(who, members.size):
                inside = left[rows] @ right < r_sq[rows, None]
                # a sampled row already counts with weight w: here 1 - w more
                extra[rows] += np.count_nonzero(inside[:, n_sampled:], axis=1)
                extra[rows] += (1 - other.weight) * np.count_nonzero(inside[:, :n_sampled], axis=1)
        return extra

    groups = list(_by_leaf(other.leaves, left, LEAF_PROBES))
    cost = left.shape[0] * LEAF_PROBES * LEAF_ROWS
    for extra in in_threads(in_leaves, groups, n_threads, cost):
        estimate += extra
    return estimate
