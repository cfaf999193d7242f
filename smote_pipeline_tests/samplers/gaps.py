"""Generated minorities made of separate groups, and the one measure of "in a gap".

Imported by ``test_gaps.py`` (the property test) and ``benchmarks/bench_realism.py``,
so the test and the benchmark count gaps the same way.

Definition of a gap
-------------------
A synthetic row is **in a gap** when its nearest real row is *not a minority row*,
i.e. it lies in the Voronoi cell of a real row of another class. Distances are
Euclidean on the numeric columns, each standardised with the mean and standard
deviation of the real minority rows (categorical columns are left out: a sampler
copies their values from real rows, so they are never "between" two groups).

Why this definition: in every generated shape the groups of the minority are
separated by majority rows placed on the lines between the groups' centres (see
:func:`make_groups`), and every real minority row is far from every majority row
(``clearance``). A synthetic row on a segment that crosses from one group to
another therefore runs through majority cells, while a row interpolated inside a
group stays in minority cells. The measure needs no provenance, so it scores
imbalanced-learn's samplers and ours alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import pairwise_distances_argmin, pairwise_distances_argmin_min
from sklearn.metrics.pairwise import euclidean_distances


@dataclass
class Groups:
    """A generated data set.

    Attributes
    ----------
    X : pandas.DataFrame
        Numeric columns ``x0..``; with ``categorical``, a ``kind`` column too.
    y : ndarray of int
        1 for minority rows (first), 0 for majority rows.
    group : ndarray of int
        Minority group of each row (-1 for majority rows).
    """

    X: pd.DataFrame
    y: np.ndarray
    group: np.ndarray

    @property
    def numeric(self) -> np.ndarray:
        """Numeric columns as floats."""
        return self.X.filter(like="x").to_numpy(dtype=float)


def group_rows(rng, n_rows: int, n_dims: int, elongated: bool) -> np.ndarray:
    """One group around the origin: round (unit Gaussian) or elongated along a random axis.

    An elongated group is five times longer along its axis than across it.
    """
    rows = rng.normal(size=(n_rows, n_dims))
    if elongated:
        axis = rng.normal(size=n_dims)
        axis /= np.linalg.norm(axis)
        along = rows @ axis
        rows = rows * 0.5 + np.outer(along * 2.5, axis)  # sd 0.5 across, ~2.5 along
    return rows


def nearest_spacing(rows: np.ndarray) -> float:
    """Largest distance from a row of the group to its nearest other row (0 for 1 row)."""
    if len(rows) < 2:
        return 0.0
    d = euclidean_distances(rows)
    np.fill_diagonal(d, np.inf)
    return float(d.min(axis=1).max())


def make_groups(
    seed: int,
    sizes: list[int],
    n_dims: int,
    elongated: list[bool],
    categorical: bool = False,
    clearance: float = 3.0,
    separation: float = 1.0,
    majority_factor: float = 2.0,
) -> Groups:
    """Minority groups of the given sizes, well separated, with majority rows between.

    Separation. Let ``s`` be the largest nearest-neighbour distance within any group
    and ``R_i`` the largest distance of a row of group ``i`` from its centre. Centres
    ``i, j`` are at least ``R_i + R_j + separation * 2.5 * clearance * s`` apart (a gap
    of at least ``2.5 clearance s`` between the groups' extents, often far less than
    their sizes). The majority is (i) 5 rows spread over the middle of every
    centre-to-centre line, between the two groups' extents, with small jitter, and
    (ii) background rows uniform in the bounding box; any majority row closer than
    ``clearance * s'`` to a minority row is dropped, ``s'`` being ``s`` measured where
    gaps are measured (columns standardised with the minority's mean and standard
    deviation, :func:`gap_mask`). So every real majority row is at least
    ``clearance`` times the groups' spacing away from every minority row, and the
    line between two groups holds majority rows (unless they came too close to a
    group in that space). The majority has at least twice
    as many rows as the minority (``majority_factor``).

    Parameters
    ----------
    seed : int
    sizes : list of int
        Rows of each minority group (2 or more).
    n_dims : int
        Numeric columns.
    elongated : list of bool
        Shape of each group.
    categorical : bool, default=False
        Add a string column ``kind`` (each group has its own most frequent value).
    clearance : float, default=3.0
    separation : float, default=1.0
        Multiplies the smallest gap between groups (1 = as close as allowed).
    majority_factor : float, default=2.0
        The majority has at least this many times the minority's rows.

    Returns
    -------
    Groups
    """
    rng = np.random.default_rng(seed)
    shapes = [group_rows(rng, n, n_dims, e) for n, e in zip(sizes, elongated, strict=True)]
    shapes = [g - g.mean(axis=0) for g in shapes]
    spacing = max(nearest_spacing(g) for g in shapes)
    radii = np.array([np.sqrt((g**2).sum(axis=1)).max() for g in shapes])
    gap = separation * 2.5 * clearance * spacing
    centres = _spread_centres(rng, radii, n_dims, gap)
    minority = np.vstack([g + c for g, c in zip(shapes, centres, strict=True)])
    group = np.repeat(np.arange(len(sizes)), sizes)
    # clearance is measured where gaps are: in the minority-standardised space
    scaled = standardised(minority, minority)
    clear = clearance * max(nearest_spacing(scaled[group == g]) for g in range(len(sizes)))
    majority = [np.zeros((0, n_dims))]
    for i in range(len(sizes)):
        for j in range(i + 1, len(sizes)):
            length = np.linalg.norm(centres[j] - centres[i])
            start, stop = radii[i] / length, 1 - radii[j] / length
            t = (start + (stop - start) * np.linspace(0.2, 0.8, 5))[:, None]
            line = centres[i] + t * (centres[j] - centres[i])
            majority.append(line + rng.normal(0, 0.1 * spacing, size=line.shape))
    low = minority.min(axis=0) - gap
    high = minority.max(axis=0) + gap
    wanted = int(np.ceil(majority_factor * len(minority)))
    majority.append(rng.uniform(low, high, size=(max(wanted, 20), n_dims)))
    majority = _clear_of(np.vstack(majority), minority, clear)
    while len(majority) < wanted:  # top up the background, same rule
        extra = rng.uniform(low, high, size=(wanted, n_dims))
        majority = np.vstack([majority, _clear_of(extra, minority, clear)])
    values = np.vstack([minority, majority])
    X = pd.DataFrame(values, columns=[f"x{j}" for j in range(n_dims)])
    if categorical:
        own = np.r_[group % 3, rng.integers(0, 3, len(majority))]
        noisy = rng.random(len(values)) < 0.2
        own[noisy] = rng.integers(0, 3, int(noisy.sum()))
        X["kind"] = pd.Series(np.array(["a", "b", "c"])[own], dtype="str")
    y = np.r_[np.ones(len(minority), int), np.zeros(len(majority), int)]
    return Groups(X, y, np.r_[group, np.full(len(majority), -1)])


def _clear_of(rows: np.ndarray, minority: np.ndarray, distance: float) -> np.ndarray:
    """The rows at least ``distance`` from every minority row (minority-standardised)."""
    if len(rows) == 0:
        return rows
    scaled = standardised(rows, minority), standardised(minority, minority)
    return rows[pairwise_distances_argmin_min(*scaled)[1] >= distance]


def _spread_centres(rng, radii: np.ndarray, n_dims: int, gap: float) -> np.ndarray:
    """Random centres, ``i, j`` at least ``radii[i] + radii[j] + gap`` apart.

    Drawn one by one in a box that grows after failed attempts, so groups end up
    about as close as allowed.
    """
    centres = [np.zeros(n_dims)]
    for i in range(1, len(radii)):
        side = radii[i] + gap
        while True:
            candidate = centres[rng.integers(len(centres))] + rng.uniform(-side, side, n_dims)
            need = radii[: len(centres)] + radii[i] + gap
            if (np.linalg.norm(np.array(centres) - candidate, axis=1) >= need).all():
                centres.append(candidate)
                break
            side *= 1.02
    return np.array(centres)


def standardised(values: np.ndarray, minority: np.ndarray) -> np.ndarray:
    """``values`` scaled by the real minority rows' mean and standard deviation."""
    mean, std = minority.mean(axis=0), minority.std(axis=0)
    return (values - mean) / np.where(std > 0, std, 1.0)


def gap_mask(real: np.ndarray, y: np.ndarray, synthetic: np.ndarray, minority=1) -> np.ndarray:
    """Which synthetic rows are in a gap (module docstring).

    Parameters
    ----------
    real : ndarray of shape (n_real, n_numeric)
        Numeric columns of the real rows.
    y : ndarray of shape (n_real,)
        Their classes.
    synthetic : ndarray of shape (n_synthetic, n_numeric)
        Numeric columns of the synthetic rows.
    minority : object, default=1
        The over-sampled class.

    Returns
    -------
    in_gap : ndarray of shape (n_synthetic,), dtype=bool
    """
    if len(synthetic) == 0:
        return np.zeros(0, dtype=bool)
    own = real[y == minority]
    R, S = standardised(real, own), standardised(synthetic, own)
    return y[pairwise_distances_argmin(S, R)] != minority
