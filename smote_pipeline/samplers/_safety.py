"""Safety filter: reject synthetic rows whose real neighbourhood is another class."""

from __future__ import annotations

import numpy as np

from smote_pipeline.samplers._fast_enn import (
    MIN_BLOCK,
    _augment,
    _chunks,
    _sq_norms,
    chunk_budget,
)
from smote_pipeline.samplers._neighbors import DistanceSpace, choose_algorithm, make_neighbors


class SafetyIndex:
    """Neighbour indexes over the real rows, built once per ``fit_resample``.

    A candidate of class ``c`` is unsafe when more than half of its ``safety_k``
    nearest real rows are of another class, i.e. when at least ``m = safety_k // 2 + 1``
    rows of other classes are closer than its ``s = safety_k - m + 1``-th nearest real
    row of class ``c`` (distance ``R``). Only this exact rule is evaluated, as cheaply as
    possible (exact up to floating-point ties in distances):

    1. ``R`` comes from a small index over the rows of class ``c``.
    2. If the other classes are small too (at most :data:`SMALL_OTHERS` rows), the
       ``m``-th nearest other-class distance from an index over them decides.
    3. Otherwise rows of the other classes are scanned in disjoint random blocks of
       growing size (4 times larger each): a candidate with ``m`` of them strictly
       inside ``R`` (with a rounding margin) is proven unsafe, and only candidates not
       decided by the blocks are queried against an index over all real rows
       (``safety_k`` neighbours, brute force in high dimension, k-d tree up to 15).
       In low dimension the tree query over all rows is cheap and used directly.

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
    random_state : RandomState
        Orders the blocks of step 3.
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
        self.y = y
        self.rng = np.random.RandomState(0) if random_state is None else random_state
        self._full = None
        self._per_class: dict = {}

    def _full_index(self):
        if self._full is None:
            self._full = make_neighbors(self.n_neighbors, self.Z.shape[1]).fit(self.Z)
        return self._full

    def _class_parts(self, class_label):
        if class_label not in self._per_class:
            same = np.flatnonzero(self.y == class_label)
            others = np.flatnonzero(self.y != class_label)
            k = self.n_neighbors
            m = k // 2 + 1
            s = k - m + 1
            same_index = (
                make_neighbors(s, self.Z.shape[1]).fit(self.Z[same]) if same.size >= s else None
            )
            small = others.size <= SMALL_OTHERS
            other_index = (
                make_neighbors(m, self.Z.shape[1]).fit(self.Z[others])
                if small and others.size >= m
                else None
            )
            order = None if small else others[self.rng.permutation(others.size)]
            self._per_class[class_label] = (same_index, other_index, order, m, s, others)
        return self._per_class[class_label]

    def _exact(self, Z, class_label) -> np.ndarray:
        neighbors = self._full_index().kneighbors(Z, return_distance=False)
        n_other = (self.y[neighbors] != class_label).sum(axis=1)
        return n_other > self.n_neighbors / 2

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
        if numeric.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        Z = self.space.transform(numeric, codes)
        if choose_algorithm(Z.shape[1]) != "brute":
            return self._exact(Z, class_label)
        same_index, other_index, order, m, s, others = self._class_parts(class_label)
        if same_index is None or others.size < m:
            return self._exact(Z, class_label)
        radius = same_index.kneighbors(Z)[0][:, -1]
        if other_index is not None:
            return other_index.kneighbors(Z)[0][:, -1] < radius
        return self._screen(Z, radius, order, m, class_label)

    def _screen(self, Z, radius, order, m, class_label) -> np.ndarray:
        """Step 3: prove candidates unsafe with blocks of other-class rows."""
        n_features = Z.shape[1]
        z_sq = _sq_norms(Z)
        r_sq = radius**2
        scale = z_sq + _sq_norms(self.Z).max()
        # strictly inside R, beyond rounding of both squared distances
        threshold = r_sq - 64 * (n_features + 2) * np.finfo(np.float64).eps * scale - z_sq
        counts = np.zeros(Z.shape[0], dtype=np.int64)
        unsafe = np.zeros(Z.shape[0], dtype=bool)
        pending = np.arange(Z.shape[0])
        left = np.hstack([Z, np.ones((Z.shape[0], 1))])
        start, size = 0, MIN_BLOCK
        while pending.size and start < order.size and 2 * size < self.Z.shape[0]:
            B = _augment(self.Z, order[start : start + size], right=True)
            for part in _chunks(pending.size, B.shape[0], chunk_budget(self.Z)):
                who = pending[part]
                counts[who] += np.count_nonzero(left[who] @ B.T < threshold[who][:, None], axis=1)
            done = counts[pending] >= m
            unsafe[pending[done]] = True
            pending = pending[~done]
            start, size = start + size, 4 * size
        if pending.size:
            unsafe[pending] = self._exact(Z[pending], class_label)
        return unsafe


#: Other-class rows up to which an exact index over them is cheap (step 2).
SMALL_OTHERS = 20_000
