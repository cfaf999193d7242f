"""Generated minorities made of separate subpopulations, and the one measure of "in a gap".

Imported by ``test_gaps.py`` (the property test) and ``benchmarks/bench_subpopulations.py``,
so the test and the benchmark count gaps the same way.

Definition of a gap (the article's words: synthetic observations "that lie in regions
devoid of genuine data")
--------------------------------------------------------------------------------------
A synthetic row is **in a gap** when it is farther from every real minority row than
``GAP_FACTOR`` times the *spacing* of the real minority: the median, over the real
minority rows, of the distance to their 5th nearest other real minority row (SMOTE's
own neighbourhood; fewer when the minority is smaller). Distances are Euclidean in
the generator's own units, where every column of every group has a within-group
standard deviation of 1: the sampler never sees these units (each column is handed to
it multiplied by a random factor between 0.01 and 100, see :class:`Shape`), so it has
to find the scale of the data itself. The definition does not ask where the majority
is, nor which group a parent came from, so it scores any sampler (imbalanced-learn's
too) and holds whether a gap holds majority rows or nothing at all.

Why these choices: SMOTE restricted to each true group (the ideal cluster-aware
sampler, told the true groups) stays within 2.5 such spacings of the real minority on
143 of 150 random shapes of the property test's space (at most 2.26 there;
``benchmarks/bench_subpopulations.py``, table 1), so ``GAP_FACTOR`` 2.5 rarely blames
interpolation inside a group; on the other 7 (a sparse group of 2-4 rows beside dense
ones in 2 or 3 dimensions) it does, and the property test leaves such shapes out. The
distance to the *nearest* neighbour would not do: in a few dimensions a Gaussian
group's tails are several times sparser than its core, and the ideal sampler reached
6.1 nearest-neighbour spacings there. Plain SMOTE (standardised columns) put rows in
gaps on 39 of the 143 shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

#: A synthetic row farther than this many spacings from the real minority is in a gap.
GAP_FACTOR = 2.5

#: The spacing is the median distance to this nearest other real minority row.
SPACING_NEIGHBOR = 5

#: Where the majority rows are: in the gaps and around the groups, all around but
#: never in a gap, or overlapping the groups.
MAJORITY_LAYOUTS = ("around", "far", "overlapping")


@dataclass
class Shape:
    """A generated data set.

    Attributes
    ----------
    X : pandas.DataFrame
        Numeric columns ``x0..`` (with ``categorical``, a string column ``kind`` last),
        in the units the sampler sees: generator units times ``unit``, plus an offset.
    y : ndarray of int
        1 for minority rows (first), 0 for majority rows.
    group : ndarray of int
        Minority group of each row (-1 for majority rows).
    unit : ndarray of shape (n_numeric,)
        Each numeric column's factor; ``(X - offset) / unit`` is in generator units.
    """

    X: pd.DataFrame
    y: np.ndarray
    group: np.ndarray
    unit: np.ndarray

    @property
    def numeric(self) -> np.ndarray:
        """Numeric columns in the generator's units (up to an offset per column)."""
        return self.X.filter(like="x").to_numpy(dtype=float) / self.unit


def make_shape(
    seed: int,
    sizes: list[int],
    n_dims: int,
    n_noise: int = 0,
    separation: float = 20.0,
    one_axis: bool = False,
    elongated: bool = False,
    majority: str = "around",
    categorical: bool = False,
) -> Shape:
    """Minority groups of the given sizes with gaps between them, and a majority.

    Each group is Gaussian with standard deviation 1 in each of the ``n_dims`` columns
    that separate the groups (with ``elongated``, 4 along a random axis); centres are at
    least ``separation`` apart, in random directions or (``one_axis``) along ``x0``
    only. ``n_noise`` further columns are pure noise (standard deviation 1 for every
    row). The majority (``majority``, at least ten times the minority's rows): "around"
    fills the box around the groups, gaps included, keeping 3 deviations from every
    minority row; "far" is a blob beside the groups, so the gaps hold nothing;
    "overlapping" is spread over the groups themselves.

    Parameters
    ----------
    seed : int
    sizes : list of int
        Rows of each minority group (2 or more).
    n_dims : int
        Columns that separate the groups.
    n_noise : int, default=0
    separation : float, default=20.0
    one_axis : bool, default=False
    elongated : bool, default=False
    majority : {"around", "far", "overlapping"}, default="around"
    categorical : bool, default=False
        Add a string column ``kind`` (each group has its own most frequent value).

    Returns
    -------
    Shape
    """
    rng = np.random.default_rng(seed)
    centres = _centres(rng, len(sizes), n_dims, separation, one_axis)
    minority = np.vstack(
        [_group(rng, n, n_dims, elongated) + c for n, c in zip(sizes, centres, strict=True)]
    )
    group = np.repeat(np.arange(len(sizes)), sizes)
    majority_rows = _majority(rng, minority, majority, 10 * len(minority), separation)
    values = np.vstack([minority, majority_rows])
    if n_noise:
        values = np.hstack([values, rng.normal(size=(len(values), n_noise))])
    unit = np.exp(rng.uniform(np.log(0.01), np.log(100.0), values.shape[1]))
    offset = rng.normal(0, 50, values.shape[1])
    X = pd.DataFrame((values + offset) * unit, columns=[f"x{j}" for j in range(values.shape[1])])
    if categorical:
        own = np.r_[group % 3, rng.integers(0, 3, len(majority_rows))]
        noisy = rng.random(len(values)) < 0.2
        own[noisy] = rng.integers(0, 3, int(noisy.sum()))
        X["kind"] = pd.Series(np.array(["a", "b", "c"])[own], dtype="str")
    y = np.r_[np.ones(len(minority), int), np.zeros(len(majority_rows), int)]
    return Shape(X, y, np.r_[group, np.full(len(majority_rows), -1)], unit)


def _group(rng, n_rows: int, n_dims: int, elongated: bool) -> np.ndarray:
    rows = rng.normal(size=(n_rows, n_dims))
    if elongated:
        axis = rng.normal(size=n_dims)
        axis /= np.linalg.norm(axis)
        rows += np.outer(rows @ axis * 3.0, axis)  # deviation 4 along the axis
    return rows - rows.mean(axis=0)


def _centres(rng, n_groups: int, n_dims: int, separation: float, one_axis: bool) -> np.ndarray:
    """Centres at least ``separation`` apart, each near an earlier one (not a line)."""
    centres = [np.zeros(n_dims)]
    while len(centres) < n_groups:
        if one_axis:
            candidate = np.zeros(n_dims)
            candidate[0] = separation * len(centres)
        else:
            step = rng.normal(size=n_dims)
            step *= separation * rng.uniform(1.0, 1.3) / np.linalg.norm(step)
            candidate = centres[rng.integers(len(centres))] + step
        if np.linalg.norm(np.array(centres) - candidate, axis=1).min() >= separation:
            centres.append(candidate)
    return np.array(centres)


def _majority(rng, minority, layout: str, n_rows: int, separation: float) -> np.ndarray:
    n_dims = minority.shape[1]
    low, high = minority.min(axis=0), minority.max(axis=0)
    if layout == "far":
        return rng.normal(size=(n_rows, n_dims)) * 3 + high + 2 * separation
    if layout == "overlapping":
        return rng.uniform(low - 2, high + 2, size=(n_rows, n_dims))
    finder = NearestNeighbors(n_neighbors=1).fit(minority)
    rows = np.zeros((0, n_dims))
    while len(rows) < n_rows:
        drawn = rng.uniform(low - separation / 2, high + separation / 2, size=(n_rows, n_dims))
        clear = finder.kneighbors(drawn)[0][:, 0] > 3.0
        rows = np.vstack([rows, drawn[clear]])
    return rows[:n_rows]


def spacing(real_minority: np.ndarray) -> float:
    """Median distance from a real minority row to its 5th nearest other one (module
    docstring; generator units)."""
    k = min(SPACING_NEIGHBOR, len(real_minority) - 1)
    finder = NearestNeighbors(n_neighbors=k + 1).fit(real_minority)
    return float(np.median(finder.kneighbors(real_minority)[0][:, k]))


def gap_distance(shape: Shape, synthetic: pd.DataFrame) -> np.ndarray:
    """Each synthetic row's distance to the nearest real minority row, in spacings."""
    if len(synthetic) == 0:
        return np.zeros(0)
    real = shape.numeric[shape.y == 1]
    rows = synthetic.filter(like="x").to_numpy(dtype=float) / shape.unit
    nearest = NearestNeighbors(n_neighbors=1).fit(real).kneighbors(rows)[0][:, 0]
    return nearest / spacing(real)


def gap_mask(shape: Shape, synthetic: pd.DataFrame) -> np.ndarray:
    """Which synthetic rows are in a gap (module docstring)."""
    return gap_distance(shape, synthetic) > GAP_FACTOR


def ideal_rows(shape: Shape) -> pd.DataFrame:
    """Rows of the ideal cluster-aware sampler, told the true groups.

    Every pair of a row and one of its ``min(5, size - 1)`` nearest rows of its own
    group (generator units), at a quarter, half and three quarters of the way: all the
    rows SMOTE inside the true groups could put at those factors, in the sampler's
    units. Deterministic.
    """
    X = shape.X.filter(like="x")
    values = X.to_numpy(dtype=float)
    rows = []
    for g in np.unique(shape.group[shape.group >= 0]):
        members = np.flatnonzero(shape.group == g)
        if members.size < 2:
            continue
        k = min(SPACING_NEIGHBOR, members.size - 1)
        units = values[members] / shape.unit
        near = NearestNeighbors(n_neighbors=k + 1).fit(units).kneighbors(units)[1][:, 1:]
        a, b = values[members][:, None, :], values[members][near]
        for t in (0.25, 0.5, 0.75):
            rows.append((a + t * (b - a)).reshape(-1, values.shape[1]))
    stacked = np.vstack(rows) if rows else np.zeros((0, values.shape[1]))
    return pd.DataFrame(stacked, columns=X.columns)
