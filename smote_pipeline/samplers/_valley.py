"""Valley cuts: split a group of rows where the density along its main axis drops.

A gap (:class:`~smote_pipeline.samplers.GapClustering`'s first rule) is an empty
stretch between groups, judged edge by edge, which loses its contrast in many
dimensions: in a class of 80 handwritten 0s and 1s (64 pixels), the longest edge
between the digits is only 1.6 times the longest edge inside the 1s. Seen along the
right direction, the same two groups have a deep valley of density between them. So:

1. The part's rows (a seeded sample of at most :data:`VALLEY_SAMPLE`) are projected on
   their first :data:`N_COMPONENTS` principal components (with few rows in many
   dimensions, any split of the rows along some direction looks like a gap; five
   components keep the directions where the rows really spread).
2. 2-means splits them; the rows are projected on the line through the two centres.
3. A Gaussian kernel density of the projections (Silverman's bandwidth of the pooled
   spread of the two halves) is evaluated between the halves' medians; the cut is at
   its lowest point. ``ratio`` is that density over the smaller of the highest
   densities on either side of the cut: near 1 for one unimodal group (Gaussian,
   uniform, skewed, long), near 0 for two groups with nothing between them.
4. The cut is used when ``ratio`` is below the clusterer's ``valley_ratio`` and both
   sides keep at least ``min_rows`` rows: a density needs rows to be estimated, and
   tinier groups are the gap rule's, which needs no density.

Cost: linear in the part's rows (the projection and the cut); everything else runs on
the bounded sample.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA

from smote_pipeline.samplers._validation import SEED_MAX

#: Most rows (a seeded sample) that fit the projection, the 2-means and the density.
VALLEY_SAMPLE = 2000
#: Principal components the rows are projected on before 2-means.
N_COMPONENTS = 5
#: Points at which the density is evaluated.
GRID = 128


def valley_cut(Z: np.ndarray, min_rows: int, rng) -> tuple[float, np.ndarray | None]:
    """The deepest valley of a 2-means split of one part's rows ``Z`` (module docstring,
    steps 1-3; ``rng`` draws the sample and seeds PCA and 2-means).

    Returns the density at the cut over the smaller peak on its sides, and which rows
    lie beyond the cut; ``(inf, None)`` when no cut keeps ``min_rows`` on each side.
    """
    sample = np.arange(Z.shape[0])
    if Z.shape[0] > VALLEY_SAMPLE:
        sample = np.sort(rng.choice(Z.shape[0], VALLEY_SAMPLE, replace=False))
    seed = rng.randint(SEED_MAX)
    n_components = min(N_COMPONENTS, Z.shape[1], sample.size - 1)
    project = PCA(n_components, random_state=seed).fit(Z[sample])
    P = project.transform(Z)
    halves = KMeans(2, n_init=3, random_state=seed).fit(P[sample])
    low, high = halves.cluster_centers_
    length = np.linalg.norm(high - low)
    if length == 0 or np.bincount(halves.labels_, minlength=2).min() < min_rows:
        return np.inf, None
    along = (P - low) @ ((high - low) / length)
    ratio, cut = _density_valley(along[sample], halves.labels_)
    beyond = along > cut
    if min(beyond.sum(), (~beyond).sum()) < min_rows:
        return np.inf, None
    return ratio, beyond


def _density_valley(p: np.ndarray, half: np.ndarray) -> tuple[float, float]:
    """Lowest density between the halves' medians, over the smaller peak beside it."""
    a, b = p[half == 0], p[half == 1]
    pooled = np.sqrt((((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()) / (p.size - 2))
    lo, hi = np.median(a), np.median(b)
    if pooled == 0:  # two exact values: nothing lies between them
        return 0.0, (lo + hi) / 2
    bandwidth = 1.06 * pooled * p.size**-0.2
    grid = np.linspace(p.min(), p.max(), GRID)
    density = np.exp(-0.5 * ((grid[:, None] - p[None, :]) / bandwidth) ** 2).sum(axis=1)
    inner = np.flatnonzero((grid > lo) & (grid < hi))
    if inner.size == 0:
        return np.inf, (lo + hi) / 2
    at = inner[np.argmin(density[inner])]
    peak = min(density[: at + 1].max(), density[at:].max())
    return float(density[at] / peak), float(grid[at])


def split_at_valleys(
    Z: np.ndarray, labels: np.ndarray, valley_ratio: float, min_rows: int, max_clusters: int, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Split parts (``labels`` ``0..n_parts - 1``) at valleys until none is left or
    ``max_clusters`` parts exist.

    Parts with at least ``4 * min_rows`` rows are examined in label order, each new part
    after the existing ones; a cut is used when its density ratio is below
    ``valley_ratio`` and it keeps ``min_rows`` rows on each side. Returns the new labels
    (new parts numbered after the old ones) and each cut's density ratio, in the order
    made.
    """
    labels = labels.copy()
    queue, ratios = list(range(int(labels.max()) + 1)), []
    while queue and int(labels.max()) + 1 < max_clusters:
        part = queue.pop(0)
        rows = np.flatnonzero(labels == part)
        if rows.size < 4 * min_rows:
            continue
        ratio, beyond = valley_cut(Z[rows], min_rows, rng)
        if beyond is None or ratio >= valley_ratio:
            continue
        new = int(labels.max()) + 1
        labels[rows[beyond]] = new
        queue += [part, new]
        ratios.append(ratio)
    return labels, np.asarray(ratios, dtype=float)
