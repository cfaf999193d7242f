"""Per-column scales of one class that keep the gaps between its subpopulations visible.

Why not the class's standard deviation. When a class is made of separate groups, the
distance between them dominates the standard deviation of exactly the columns that
separate them: dividing by it shrinks those columns and inflates the others (noise
columns above all), until a gap is no wider than the spacing inside a group. A column's
scale should be its spread *inside* a group, what a pooled within-cluster standard
deviation measures, without knowing the clusters.

Estimator (:func:`neighbourhood_scale`), in two steps:

1. **Pair decile.** The first decile of ``|x_i - x_j|`` over random pairs of rows (the
   idea of Rousseeuw and Croux's ``Qn``, with a lower quantile). Pairs within one group
   are the short differences, so while they are at least a tenth of all pairs (up to
   about ten groups of similar size, or one large group and small ones) the decile
   measures the spread inside a group, however far apart the groups are.
2. **Neighbourhood rounds** (:data:`N_ROUNDS`). In the space scaled so far, each row's
   :data:`N_NEIGHBORS` nearest rows are found, and each column's scale becomes the
   median of ``|x_i - x_neighbour|`` over those pairs: neighbours are (almost always)
   of the same group, so this is a within-group spread even with many groups. Few
   rounds: iterating can feed back (a column weighted more gets closer neighbours,
   hence a smaller scale and more weight).

Measured on generated minorities with known within-group spread and random column units
(``benchmarks/bench_subpopulations.py``, table 2: the largest ratio between two columns'
errors, worst over 6 seeds): 26.3 with the class standard deviation on groups apart
along one column, 19.1 with 20 noise columns; 2.0 and 1.6 with this estimator, whose own
noise is 1.5 on a single group (1.3 for the standard deviation). While exploring, a pair
quartile with one round of 5 neighbours did 8.8 on four groups along one column; the
lower quantile, 10 neighbours and a second round brought it to 1.7.

Guards. A column whose pair decile is 0 (a discrete column: most pairs share a value)
starts from its standard deviation; a neighbourhood median of zero falls back to the
mean difference. Each scale stays between ``FLOOR`` times the first estimate (so a
column nearly constant in neighbourhoods, such as a rare binary flag, cannot dominate
the distances) and the standard deviation (a within-group spread above the total spread
is meaningless); constant columns get scale 1. The floor is relative to the first
estimate, not the standard deviation: six groups 40 deviations apart along one column
make its standard deviation 60 within-group deviations. Finally all scales are
multiplied by one factor so the median column's standard deviation is 1 in the scaled
space: the space's unit stays "a typical column's spread" (the weight given to
categorical mismatches is stated in that unit).

Cost. Both steps work on a seeded sample of at most :data:`SAMPLE_ROWS` rows (a scale is
a statistic of a distribution: a sample estimates it), so the cost does not grow with
the class: :data:`N_PAIRS` pairs for step 1, one neighbour search of the sample per
round. Sample and pairs are drawn with seed 0: the scales do not depend on the
sampler's random state.
"""

from __future__ import annotations

import warnings

import numpy as np

from smote_pipeline.samplers._neighbors import nearest

#: Rows (a seeded sample above this) that estimate the scales.
SAMPLE_ROWS = 2000
#: Random pairs of sampled rows whose differences give the first decile.
N_PAIRS = 20_000
#: Quantile of the pair differences of step 1.
PAIR_QUANTILE = 0.1
#: Neighbours per row in a neighbourhood round.
N_NEIGHBORS = 10
#: Neighbourhood rounds of step 2.
N_ROUNDS = 2
#: A column's scale is at least this share of its standard deviation.
FLOOR = 0.1


def neighbourhood_scale(numeric: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Per-column scale from the spread inside neighbourhoods (module docstring).

    ``numeric``: the class's numeric columns (NaN = missing: ignored in differences);
    ``std``: their standard deviations (missing values ignored). Returns positive
    scales, 1 for constant columns.
    """
    varying = std > 0
    scale = np.ones(numeric.shape[1])
    if numeric.shape[0] < 3 or not varying.any():
        return np.where(varying, std, 1.0)
    rng = np.random.default_rng(0)
    rows = numeric[:, varying]
    if rows.shape[0] > SAMPLE_ROWS:
        rows = rows[np.sort(rng.choice(rows.shape[0], SAMPLE_ROWS, replace=False))]
    spread = std[varying]
    decile = _pair_decile(rows, rng)
    first = np.where(decile > 0, np.minimum(decile, spread), spread)
    estimate = first
    for _ in range(N_ROUNDS):
        found = _neighbour_spread(rows, estimate)
        usable = np.isfinite(found) & (found > 0)
        estimate = np.clip(np.where(usable, found, estimate), FLOOR * first, spread)
    scale[varying] = estimate * np.median(spread / estimate)
    return scale


def _pair_decile(rows: np.ndarray, rng) -> np.ndarray:
    """First decile of ``|x_i - x_j|`` over random pairs of distinct rows, per column."""
    n = rows.shape[0]
    i = rng.integers(0, n, N_PAIRS)
    j = rng.integers(0, n - 1, N_PAIRS)
    j += j >= i
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns give NaN
        return np.nanquantile(np.abs(rows[i] - rows[j]), PAIR_QUANTILE, axis=0)


def _neighbour_spread(rows: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Median ``|x_i - x_neighbour|`` per column over each row's nearest rows (the mean
    where it is 0, NaN if none)."""
    centred = (rows - np.nanmean(rows, axis=0)) / scale
    Z = np.where(np.isnan(centred), 0.0, centred)
    k = min(N_NEIGHBORS, rows.shape[0] - 1)
    neighbours = nearest(Z, Z, k + 1)[1][:, 1:]
    differences = np.abs(rows[:, None, :] - rows[neighbours]).reshape(-1, rows.shape[1])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns give NaN
        median = np.nanmedian(differences, axis=0)
        mean = np.nanmean(differences, axis=0)
    return np.where(median > 0, median, mean)


def pooled_scale(
    numeric: np.ndarray, groups: np.ndarray, std: np.ndarray, fallback: np.ndarray
) -> np.ndarray:
    """Per-column pooled standard deviation inside ``groups``, in the unit of the std.

    ``sqrt(sum over groups of sum (x - group mean)^2 / n)`` over the rows of groups of
    at least two rows (NaN = missing: ignored); with one group, the column's standard
    deviation ``std``. A column constant inside every group (it only tells the groups
    apart) keeps its ``fallback`` scale, as does every column when nothing can be
    pooled. The scales are then multiplied by one factor so that the median column's
    standard deviation is 1 in the scaled space, as in :func:`neighbourhood_scale`.
    ``groups``: cluster of each row (the caller leaves noise rows out). Cost: one pass
    over the rows per group.
    """
    _, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    pooled_rows = counts[inverse] >= 2
    varying = std > 0
    if pooled_rows.sum() < 2 or not varying.any():
        return fallback
    rows, group_of = numeric[pooled_rows], inverse[pooled_rows]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing groups give NaN
        means = np.stack([np.nanmean(rows[group_of == g], axis=0) for g in np.unique(group_of)])
        _, position = np.unique(group_of, return_inverse=True)
        spread = np.sqrt(np.nanmean((rows - means[position]) ** 2, axis=0))
    usable = varying & np.isfinite(spread) & (spread > 0)
    scale = np.where(usable, spread, fallback)
    scale[varying] *= np.median(std[varying] / scale[varying])
    return np.where(varying, scale, fallback)
