"""Vectorised SMOTE generation inside one cluster of one class."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class SmallClusterWarning(UserWarning):
    """A cluster has fewer rows than ``k_neighbors + 1``; ``small_cluster`` decides."""


class BridgeGuardWarning(UserWarning):
    """The bridge guard rejected every pair of parents of a class; copies are emitted."""


class SafetyFilterWarning(UserWarning):
    """Some synthetic rows were still unsafe after ``max_redraws`` redraws."""


@dataclass
class ClassSpace:
    """The rows of one class: ``numeric`` columns in original units, and ``coords``
    interpolated between parents (the numeric columns, or their PCA scores), mapped
    back by ``to_numeric`` (``None``: identity). ``integral``: columns whose real values
    in the class are all integers (outputs are rounded). ``missing``: where ``numeric``
    is NaN (None: nowhere); where a parent lacks a value, the synthetic row takes the
    nearer parent's value in that column, missing if that one is, so synthetic rows
    follow the real rows' missingness.
    """

    numeric: np.ndarray
    coords: np.ndarray
    to_numeric: object
    integral: np.ndarray
    missing: np.ndarray | None = None


@dataclass
class ClusterPlan:
    """What to generate in one cluster: ``n_samples`` rows among the ``members``
    (class-local positions; ``cluster_id`` -1 also for the all-noise fallback).

    ``neighbors`` (n_members, k): each member's neighbours inside the cluster
    (class-local); ``None`` means "duplicate": copies of members (same parent twice,
    factor 0). ``low``, ``high``: per-column range of the cluster's real rows, which
    outputs are clipped to. ``safe``: flat indices (into ``neighbors.ravel()``) of the
    pairs the bridge guard allows (``None``: all); a draw on another pair is redrawn
    uniformly among these. ``checked``: flat indices of the long pairs the guard
    checked and kept (the others it allows are local; ``None``: none).
    """

    cluster_id: object
    members: np.ndarray
    n_samples: int
    neighbors: np.ndarray | None
    low: np.ndarray
    high: np.ndarray
    safe: np.ndarray | None = None
    checked: np.ndarray | None = None


@dataclass
class Draw:
    """Synthetic candidates: class-local parents, factors and numeric values."""

    parent_a: np.ndarray
    parent_b: np.ndarray
    steps: np.ndarray
    numeric: np.ndarray

    def take(self, rows) -> Draw:
        """The candidates at ``rows``."""
        return Draw(self.parent_a[rows], self.parent_b[rows], self.steps[rows], self.numeric[rows])


#: Rounds in which synthetic rows that round onto a parent are redrawn.
MAX_COPY_REDRAWS = 5


def _interpolate(
    plan: ClusterPlan, space: ClassSpace, pair: np.ndarray, steps: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parents and numeric values of the rows given by neighbour pairs and factors."""
    k = plan.neighbors.shape[1]
    rows, cols = np.divmod(pair, k)
    parent_a = plan.members[rows]
    parent_b = plan.neighbors[rows, cols]
    start = space.coords[parent_a]
    coords = space.coords[parent_b]  # fancy indexing copies: updated in place below
    coords -= start
    coords *= steps[:, None]
    coords += start
    numeric = coords if space.to_numeric is None else space.to_numeric(coords)
    if space.missing is not None:
        _follow_missing(space, parent_a, parent_b, steps, numeric)
    np.clip(numeric, plan.low, plan.high, out=numeric)
    if space.integral.any():
        numeric[:, space.integral] = np.round(numeric[:, space.integral])
    return parent_a, parent_b, numeric


def _follow_missing(space: ClassSpace, parent_a, parent_b, steps, numeric: np.ndarray) -> None:
    """Where either parent is missing a value, copy the nearer parent's (in place)."""
    rows, cols = np.nonzero(space.missing[parent_a] | space.missing[parent_b])
    if rows.size:
        nearer = np.where(steps[rows] < 0.5, parent_a[rows], parent_b[rows])
        numeric[rows, cols] = space.numeric[nearer, cols]


def _draw_pairs(plan: ClusterPlan, n_samples: int, rng) -> np.ndarray:
    """``n_samples`` pair indices, uniform over all ``n_members x k`` pairs."""
    return rng.randint(0, plan.neighbors.size, size=n_samples)


def _redraw_rejected(plan: ClusterPlan, pair: np.ndarray, rng) -> None:
    """Replace (in place) pairs the guard rejected by pairs drawn among the allowed ones:
    uniform over the allowed pairs; when nothing is rejected no random number is used,
    so the draws stay imbalanced-learn's."""
    if plan.safe is None:
        return
    allowed = np.zeros(plan.neighbors.size, dtype=bool)
    allowed[plan.safe] = True
    bad = np.flatnonzero(~allowed[pair])
    if bad.size:
        pair[bad] = plan.safe[rng.randint(0, plan.safe.size, size=bad.size)]


def draw(plan: ClusterPlan, space: ClassSpace, n_samples: int, rng) -> Draw:
    """Draw ``n_samples`` synthetic rows in ``plan``'s cluster.

    As in imbalanced-learn's SMOTE, a (row, neighbour) pair is drawn uniformly among
    the ``n_members * k`` pairs, then a factor ``u ~ U[0, 1)``; the row is
    ``a + u * (b - a)`` in generation coordinates, mapped back to original units,
    clipped to the cluster's per-column range and rounded on integral columns.
    A pair the bridge guard rejected (``plan.safe``) is redrawn among the allowed pairs
    (after the factors are drawn, so that nothing changes when no pair is rejected).
    With integral columns, a row that rounds exactly onto one of its parents is
    redrawn (new pair and factor) up to :data:`MAX_COPY_REDRAWS` times.

    Returns a :class:`Draw` of ``n_samples`` rows.
    """
    if plan.neighbors is None:
        parent_a = plan.members[rng.randint(0, plan.members.size, size=n_samples)]
        numeric = space.numeric[parent_a].copy()
        return Draw(parent_a, parent_a.copy(), np.zeros(n_samples), numeric)
    pair = _draw_pairs(plan, n_samples, rng)
    steps = rng.uniform(size=n_samples)
    _redraw_rejected(plan, pair, rng)
    parent_a, parent_b, numeric = _interpolate(plan, space, pair, steps)
    if space.integral.any():
        # Rounding can land a row exactly on a parent (parents one unit apart, or a
        # small factor): a copy adds no information and realism checks drop it.
        # Redraw the pair and factor of such rows a few times; the rest stay.
        for _ in range(MAX_COPY_REDRAWS):
            copies = np.flatnonzero(
                np.all(numeric == space.numeric[parent_a], axis=1)
                | np.all(numeric == space.numeric[parent_b], axis=1)
            )
            if not copies.size:
                break
            new_pairs = _draw_pairs(plan, copies.size, rng)
            steps[copies] = rng.uniform(size=copies.size)
            _redraw_rejected(plan, new_pairs, rng)
            pair[copies] = new_pairs
            a, b, values = _interpolate(plan, space, pair[copies], steps[copies])
            parent_a[copies], parent_b[copies], numeric[copies] = a, b, values
    return Draw(parent_a, parent_b, steps, numeric)


def concat_draws(draws: list[Draw], n_numeric: int) -> Draw:
    """Concatenate draws (an empty list gives an empty draw)."""
    if len(draws) == 1:
        return draws[0]
    if not draws:
        empty = np.zeros(0, dtype=np.int64)
        return Draw(empty, empty, np.zeros(0), np.zeros((0, n_numeric)))
    return Draw(
        np.concatenate([d.parent_a for d in draws]),
        np.concatenate([d.parent_b for d in draws]),
        np.concatenate([d.steps for d in draws]),
        np.vstack([d.numeric for d in draws]),
    )
