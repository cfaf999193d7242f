"""Split a class's synthetic sample count across its clusters."""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import pairwise_distances
from sklearn.utils import check_random_state

#: Rows sampled per cluster to estimate its mean pairwise distance ("sparse" rule).
SPARSITY_SAMPLE = 256


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Apportion ``total`` integer units proportionally to ``weights``.

    Each part gets the floor of its exact quota; the units still missing go to the
    parts with the largest fractional remainders (ties to the lower index), so the
    parts always sum exactly to ``total`` (>= 0). ``weights`` are non-negative, not
    all zero when ``total > 0``. Returns int64 counts, one per part.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if total == 0 or weights.size == 0:
        return np.zeros(weights.size, dtype=np.int64)
    if weights.sum() <= 0:
        raise ValueError("Cannot allocate samples: all cluster weights are zero.")
    quotas = total * weights / weights.sum()
    counts = np.floor(quotas).astype(np.int64)
    missing = total - int(counts.sum())
    order = np.argsort(-(quotas - counts), kind="stable")
    counts[order[:missing]] += 1
    return counts


def cluster_weights(
    rule: str, members: list[np.ndarray], Z: np.ndarray, random_state=None
) -> np.ndarray:
    """Weights of the clusters under an allocation rule.

    ``"proportional"``: weight = cluster size. ``"sparse"`` (as KMeansSMOTE): density
    = size / mean_distance ** exponent with exponent = log(n_dims, 1.6) (1 for one
    dimension), weight = 1 / density, so spread-out clusters receive more samples; the
    mean pairwise distance is estimated on at most :data:`SPARSITY_SAMPLE` rows (sampled
    with ``random_state``). Clusters with zero spread get weight 0; if every cluster
    does, the rule falls back to proportional. ``members``: row positions (into ``Z``,
    the distance space) of each cluster.
    """
    sizes = np.array([len(m) for m in members], dtype=np.float64)
    if rule == "proportional":
        return sizes
    rng = check_random_state(random_state)
    exponent = math.log(Z.shape[1], 1.6) if Z.shape[1] > 1 else 1.0
    weights = np.zeros(len(members))
    for i, rows in enumerate(members):
        if len(rows) < 2:
            continue
        if len(rows) > SPARSITY_SAMPLE:
            rows = rng.choice(rows, SPARSITY_SAMPLE, replace=False)
        distances = pairwise_distances(Z[rows])
        mean_distance = distances.sum() / (len(rows) * (len(rows) - 1))
        if mean_distance > 0:
            weights[i] = mean_distance**exponent / sizes[i]
    return weights if weights.sum() > 0 else sizes
