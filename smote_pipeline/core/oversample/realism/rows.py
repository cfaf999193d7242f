"""Row-level realism flags: domain validity, copies, distance to real data, intrusion.

The flags that decide which synthetic rows are dropped (domain, copies, intrusion)
cover EVERY synthetic row, and stay cheap on large data: vectorised column arithmetic
(domain), a hash look-up (exact copies), a tiny-radius query (near-copies) or one
nearest-neighbour query per synthetic row (intrusion) against an index of at most
``index_size`` real rows (a uniform random sample beyond that;
:func:`smote_pipeline.core.oversample.realism.assess_realism`): a KD-tree in low
dimensions, brute force (``O(n_synthetic * n_index * d)``) in high ones.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.neighbors import KDTree, NearestNeighbors

from smote_pipeline.core.columns import row_hashes
from smote_pipeline.core.oversample.realism.space import (
    ColumnDomain,
    neighbor_algorithm,
    numeric_values,
    text_values,
)

#: Relative tolerance for range and integer checks (floating-point interpolation
#: error, e.g. ``0.1 + 0.2``, must not make a row invalid).
RELATIVE_TOLERANCE = 1e-9

#: Column names listed per violation in a reason before "+N more".
MAX_COLUMNS_IN_REASON = 3


def _numeric_violations(values: np.ndarray, raw: pd.Series, domain: ColumnDomain) -> dict:
    """Boolean masks of every numeric violation of one column."""
    null = raw.isna().to_numpy()
    invalid = np.isnan(values) & ~null
    if domain.null_share > 0:  # the real rows have gaps here: a null is realistic
        null = np.zeros_like(null)
    tol = RELATIVE_TOLERANCE * max(1.0, abs(domain.minimum or 0.0), abs(domain.maximum or 0.0))
    with np.errstate(invalid="ignore"):
        out_of_range = (values < domain.minimum - tol) | (values > domain.maximum + tol)
        non_integer = np.zeros(len(values), dtype=bool)
        if domain.kind == "integer":
            finite = np.isfinite(values)
            gap = np.abs(values - np.round(values))
            non_integer = finite & (gap > RELATIVE_TOLERANCE * np.maximum(1.0, np.abs(values)))
    return {
        "null": null,
        "not_numeric": invalid,
        "out_of_range": out_of_range,
        "non_integer": non_integer,
    }


def _categorical_violations(raw: pd.Series, domain: ColumnDomain) -> dict:
    """Boolean masks of every categorical violation of one column."""
    null = raw.isna().to_numpy()
    known = pd.Index(domain.categories)
    invalid = (known.get_indexer(text_values(raw)) < 0) & ~null
    if domain.null_share > 0:
        null = np.zeros_like(null)
    return {"null": null, "invalid_category": invalid}


def _describe(kind: str, names: list[str]) -> str:
    """``kind(a,b,c,+2)``: one violation kind and the columns that show it."""
    shown = names[:MAX_COLUMNS_IN_REASON]
    more = len(names) - len(shown)
    return f"{kind}({','.join(shown)}{f',+{more}' if more else ''})"


def domain_violations(
    synthetic: pd.DataFrame, domains: list[ColumnDomain] | tuple[ColumnDomain, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Check every synthetic row against the real per-column domain.

    A row is invalid if any feature is null where the real rows have no null, not
    numeric in a numeric column, outside the real ``[min, max]`` range, not an integer
    in a column whose real values are all integers, or a category never seen in the
    real rows.

    Parameters
    ----------
    synthetic : pandas.DataFrame
        Holds every column named in ``domains``.
    domains : sequence of ColumnDomain
        Learnt from the real rows
        (:func:`~smote_pipeline.core.oversample.realism.space.learn_domain`).

    Returns
    -------
    ok : numpy.ndarray of shape (n_rows,), dtype bool
        True where the row is valid in every column.
    reasons : numpy.ndarray of shape (n_rows,), dtype object
        ``""`` for valid rows, else e.g. ``"out_of_range(x); invalid_category(colour)"``.
    """
    masks: dict[str, list[tuple[str, np.ndarray]]] = {}
    for domain in domains:
        raw = synthetic[domain.name]
        if domain.is_numeric:
            found = _numeric_violations(numeric_values(raw), raw, domain)
        else:
            found = _categorical_violations(raw, domain)
        for kind, mask in found.items():
            if mask.any():
                masks.setdefault(kind, []).append((domain.name, mask))
    n_rows = len(synthetic)
    bad = np.zeros(n_rows, dtype=bool)
    for _, mask in (entry for entries in masks.values() for entry in entries):
        bad |= mask
    reasons = np.full(n_rows, "", dtype=object)
    for position in np.flatnonzero(bad):
        parts = [
            _describe(kind, [name for name, mask in entries if mask[position]])
            for kind, entries in masks.items()
            if any(mask[position] for _, mask in entries)
        ]
        reasons[position] = "; ".join(parts)
    return ~bad, reasons


def exact_copies(
    synthetic: pd.DataFrame, real_frames: list[pd.DataFrame], features: list[str]
) -> np.ndarray:
    """Which synthetic rows equal some real row in every feature (hash match).

    Uses :func:`smote_pipeline.core.columns.row_hashes`, so ``3`` and ``3.0`` match.
    Every real row is hashed (no sampling): hashing is linear and cheap.

    Returns
    -------
    numpy.ndarray of shape (n_synthetic,), dtype bool
    """
    if len(synthetic) == 0 or not any(len(frame) for frame in real_frames):
        return np.zeros(len(synthetic), dtype=bool)
    with warnings.catch_warnings():
        # row_hashes adds one column at a time: pandas warns about fragmentation on wide frames
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        real_hashes = [row_hashes(frame, features) for frame in real_frames if len(frame)]
        synthetic_hashes = row_hashes(synthetic, features)
    return np.isin(synthetic_hashes, np.concatenate(real_hashes))


class RealIndex:
    """Nearest-neighbour index over encoded real rows, the algorithm chosen by dimension.

    Up to :data:`~smote_pipeline.core.oversample.realism.space.KD_TREE_MAX_DIMENSION`
    dimensions a KD-tree (fast, and answers "is any real row within a tiny radius"
    almost for free); above, brute force, which beats trees once distances concentrate
    (its native threads follow the caller's ``threadpool_limits``).

    Parameters
    ----------
    matrix : numpy.ndarray of shape (n_index, n_dimensions)
        Encoded real rows.
    """

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix
        self.uses_tree = neighbor_algorithm(matrix.shape[1]) == "kd_tree"
        if self.uses_tree:
            self._tree = KDTree(matrix)
        else:
            self._brute = NearestNeighbors(algorithm="brute").fit(matrix)

    def __len__(self) -> int:
        return len(self.matrix)

    def nearest(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Distances and positions of the ``k`` nearest index rows, closest first."""
        if self.uses_tree:
            return self._tree.query(query, k=k)
        return self._brute.kneighbors(query, n_neighbors=k)

    def any_within(self, query: np.ndarray, radius: float) -> np.ndarray:
        """Whether some index row lies strictly closer than ``radius`` to each query row."""
        if radius <= 0 or len(query) == 0:
            return np.zeros(len(query), dtype=bool)
        if self.uses_tree:
            # the tree counts points at distance <= r; shrink r by one ulp for "<"
            return self._tree.query_radius(query, np.nextafter(radius, 0), count_only=True) > 0
        return self.nearest(query, 1)[0][:, 0] < radius


@dataclass(frozen=True)
class DistanceFlags:
    """Distance to the closest real record (DCR) of synthetic rows.

    Attributes
    ----------
    near : numpy.ndarray of shape (n_synthetic,), dtype bool
        Near-copy flag of EVERY synthetic row (the caller adds exact copies from row
        hashes).
    measured : numpy.ndarray of shape (n_measured,)
        Positions of the rows whose DCR was measured (all, or a uniform sample of
        ``dcr_sample_size`` with a KD-tree; :func:`distance_flags`).
    dcr : numpy.ndarray of shape (n_measured,)
        Euclidean distance (standardised units) to the closest real row of the class.
    real_nn : numpy.ndarray of shape (n_reference,)
        Leave-one-out nearest-neighbour distances among (sampled) real rows: what
        "close" means in this data set.
    near_cut, far_cut : float
        A row with ``dcr < near_cut`` is a near-copy; ``dcr > far_cut`` is far.
    """

    near: np.ndarray
    measured: np.ndarray
    dcr: np.ndarray
    real_nn: np.ndarray
    near_cut: float
    far_cut: float

    @property
    def far(self) -> np.ndarray:
        """Far flag of each measured row (``dcr > far_cut``)."""
        return self.dcr > self.far_cut

    @property
    def dcr_ratio(self) -> float | None:
        """Median synthetic DCR over median real NN distance: about 1 when synthetic
        rows sit as close to real rows as real rows to each other; below 1 is typical of
        interpolation (points between parents); well above 1 means empty regions."""
        if self.dcr.size == 0 or self.real_nn.size == 0:
            return None
        scale = float(np.median(self.real_nn))
        if scale <= 0:
            return None
        return float(np.median(self.dcr)) / scale


def distance_flags(
    index: RealIndex,
    reference_positions: np.ndarray,
    synthetic_matrix: np.ndarray,
    *,
    near_fraction: float,
    far_quantile: float,
    dcr_positions: np.ndarray,
) -> DistanceFlags:
    """Flag near-copies (every row) and measure the DCR (every row, or a sample).

    Near-copy flags decide which rows are dropped, so they are exact for every row;
    with a KD-tree they come from a tiny-radius query, which prunes almost the whole
    tree and costs a fraction of a nearest-neighbour query. The DCR (hence the far
    flag, judged as a share) is measured on ``dcr_positions``; with brute force every
    row's nearest-neighbour query is needed anyway, so every row is measured.

    Parameters
    ----------
    index : RealIndex
        Real rows of the class.
    reference_positions : numpy.ndarray
        Index rows whose leave-one-out NN distances define the real reference
        distribution (a bounded sample).
    synthetic_matrix : numpy.ndarray of shape (n_synthetic, n_dimensions)
    near_fraction : float
        Rows closer to a real row than this fraction of the median real NN distance
        are near-copies. A fraction, not a low quantile: quantiles of NN distances
        crowd towards the median as the dimension grows (a low quantile would then
        flag ordinary interpolations).
    far_quantile : float
        Quantile of the real NN distances above which a row is far (in a region the
        real rows leave empty).
    dcr_positions : numpy.ndarray
        Rows whose DCR is measured when the index is a KD-tree.
    """
    n_synthetic = len(synthetic_matrix)
    real_nn = _real_nn_distances(index, reference_positions)
    near_cut = near_fraction * float(np.median(real_nn)) if real_nn.size else 0.0
    far_cut = float(np.quantile(real_nn, far_quantile)) if real_nn.size else np.inf
    if n_synthetic == 0:
        empty = np.zeros(0)
        return DistanceFlags(empty.astype(bool), empty.astype(int), empty, real_nn, 0.0, far_cut)
    if index.uses_tree:
        near = index.any_within(synthetic_matrix, near_cut)
        measured = np.asarray(dcr_positions)
        dcr = index.nearest(synthetic_matrix[measured], 1)[0][:, 0]
    else:
        measured = np.arange(n_synthetic)
        dcr = index.nearest(synthetic_matrix, 1)[0][:, 0]
        near = dcr < near_cut
    return DistanceFlags(near, measured, dcr, real_nn, near_cut, far_cut)


def _real_nn_distances(index: RealIndex, reference_positions: np.ndarray) -> np.ndarray:
    """Leave-one-out nearest-neighbour distances of the reference real rows."""
    if len(index) < 2 or not len(reference_positions):
        return np.zeros(0)
    distances, _ = index.nearest(index.matrix[reference_positions], 2)
    return distances[:, 1]  # column 0 is the row itself (or an exact duplicate)


def other_class_shares(
    index: RealIndex,
    is_other: np.ndarray,
    query: np.ndarray,
    n_neighbors: int,
    *,
    skip_self: bool = False,
) -> np.ndarray:
    """Share of each query row's nearest real neighbours that belong to another class.

    Parameters
    ----------
    index : RealIndex
        Real rows of every class.
    is_other : numpy.ndarray of shape (n_index,), dtype bool
        True for index rows of another class than the synthetic rows.
    query : numpy.ndarray of shape (n_query, n_dimensions)
    n_neighbors : int
        Neighbours consulted (capped at the index size).
    skip_self : bool
        Query one more neighbour and drop the first, for query rows that are in the
        index themselves (the real baseline).

    Returns
    -------
    numpy.ndarray of shape (n_query,)
        Share in [0, 1]; NaN when the index is too small.
    """
    extra = int(skip_self)
    k = min(n_neighbors + extra, len(is_other))
    if len(query) == 0 or k - extra < 1:
        return np.full(len(query), np.nan)
    _, neighbours = index.nearest(query, k)
    return is_other[neighbours[:, extra:]].mean(axis=1)
