"""Iterative-partitioning filter (IPF), the cleaning step of SMOTE-IPF."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

from smote_pipeline.samplers._validation import SEED_MAX as _SEED_MAX


def iterative_partitioning_filter(
    Z: np.ndarray,
    y: np.ndarray,
    target_mask: np.ndarray,
    n_folds: int,
    max_iter: int,
    stop_ratio: float,
    rng: np.random.RandomState,
) -> tuple[np.ndarray, np.ndarray]:
    """Flag rows misclassified by a majority of fold-wise decision trees.

    Each round splits the surviving rows into ``n_folds`` stratified parts (capped by
    the smallest class size), fits one decision tree per part (trained on that part
    only, as in IPF), and lets every tree predict every surviving row. Rows that may be
    removed (``target_mask``) and that more than half of the trees misclassify are
    removed. Rounds repeat until one removes fewer than ``stop_ratio * n_samples``
    rows, or ``max_iter`` rounds. Returns the flags and, for flagged rows, the trees
    that misclassified them in their last round.
    """
    n_samples = y.shape[0]
    alive = np.ones(n_samples, dtype=bool)
    votes = np.zeros(n_samples, dtype=np.int64)
    for _ in range(max_iter):
        rows = np.flatnonzero(alive)
        smallest = np.unique(y[rows], return_counts=True)[1].min()
        n_splits = min(n_folds, smallest)
        if n_splits < 2:
            break
        folds = StratifiedKFold(n_splits, shuffle=True, random_state=rng.randint(_SEED_MAX))
        wrong = np.zeros(rows.size, dtype=np.int64)
        for _, part in folds.split(Z[rows], y[rows]):
            tree = DecisionTreeClassifier(random_state=rng.randint(_SEED_MAX))
            tree.fit(Z[rows[part]], y[rows[part]])
            wrong += tree.predict(Z[rows]) != y[rows]
        remove = (wrong > n_splits / 2) & target_mask[rows]
        votes[rows[remove]] = wrong[remove]
        alive[rows[remove]] = False
        if remove.sum() < stop_ratio * n_samples:
            break
    return ~alive, votes
