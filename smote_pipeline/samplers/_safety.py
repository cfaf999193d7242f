"""Safety filter: reject synthetic rows whose real neighbourhood is another class."""

from __future__ import annotations

import numpy as np

from smote_pipeline.samplers._neighbors import DistanceSpace, make_neighbors


class SafetyIndex:
    """Nearest-neighbour index over all real rows, built once per ``fit_resample``.

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
    """

    def __init__(self, numeric, codes, n_categories, y, n_neighbors: int, standardize: bool):
        self.space = DistanceSpace(standardize).fit(numeric, codes, n_categories)
        Z = self.space.transform(numeric, codes)
        self.n_neighbors = min(n_neighbors, Z.shape[0])
        self.index = make_neighbors(self.n_neighbors, Z.shape[1]).fit(Z)
        self.y = y

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
        neighbors = self.index.kneighbors(Z, return_distance=False)
        n_other = (self.y[neighbors] != class_label).sum(axis=1)
        return n_other > self.n_neighbors / 2
