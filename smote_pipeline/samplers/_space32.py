"""Single-precision squared distances in blocks, with a proven rounding bound.

Shared by the screened ENN (:mod:`smote_pipeline.samplers._fast_enn`) and the safety
filter (:mod:`smote_pipeline.samplers._safety`): rows are centred and laid out so one
single-precision matrix product gives a block of squared distances; blocks are small
(:func:`chunks`), each product runs on one BLAS thread (:func:`one_thread`), independent
blocks run in threads (:func:`in_threads`, :func:`threads_for`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from joblib import effective_n_jobs

from smote_pipeline.samplers._neighbors import thread_controller

#: Most single-precision distances held at once by a screening chunk (1 MiB: the chunk
#: stays in a core's cache while it is reduced).
CHUNK_ELEMENTS = 2**18

#: Fewest rows per chunk (fewer rows make the matrix product inefficient).
MIN_CHUNK_ROWS = 64

_EPS32 = float(np.finfo(np.float32).eps)

#: Least work (distances) run in threads by :func:`in_threads` (about 20 ms on one).
THREAD_MIN_DISTANCES = 2**24


def one_thread():
    """One BLAS / OpenMP thread per product for the screening: chunk products are
    small, and on a loaded 2-core machine two BLAS threads made a 2000 x 2000 neighbour
    search 13 times slower (0.26 s instead of 0.02 s). Parallelism comes from
    :func:`in_threads` instead, one product per thread."""
    return thread_controller().limit(limits=1)


def threads_for(n_jobs) -> int:
    """Threads of the screened kernels for an estimator's ``n_jobs``.

    Given: joblib's meaning (``-1``: all cores). ``None``: like scikit-learn's OpenMP
    kernels (its brute-force neighbour search, which plain ENN uses), the OpenMP thread
    limit in force: all cores unless ``OMP_NUM_THREADS``, ``threadpoolctl`` or a joblib
    worker lowers it.
    """
    if n_jobs is not None:
        return effective_n_jobs(n_jobs)
    info = thread_controller().info()
    limits = [lib["num_threads"] for lib in info if lib["user_api"] == "openmp"]
    return max(1, min(limits)) if limits else 1


def rounding_bound(n_features: int) -> float:
    """Factor ``f``: single-precision squared distances are within ``f (|a|^2 + |b|^2)``.

    A squared distance ``|a|^2 + |b|^2 - 2 a.b`` summed over ``n_features + 2`` terms
    in single precision (inputs rounded too) errs by at most about
    ``(n_features + 5) eps (|a|^2 + |b|^2)``; the bound doubles that (and covers the
    rounding of thresholds to single precision). ``n_features``: dimension of the
    (centred) distance space.
    """
    return 2.0 * (n_features + 9) * _EPS32


@dataclass
class Space32:
    """Centred single-precision rows laid out for distance products: ``A`` holds
    ``[x, 1, |x|^2]`` of each row ``x`` centred by ``center``, ``sq`` the squared norms
    (double precision), ``bound`` the :func:`rounding_bound` of the dimension."""

    A: np.ndarray
    sq: np.ndarray
    bound: float
    center: np.ndarray

    @classmethod
    def from_rows(cls, Z: np.ndarray) -> Space32:
        """Centre ``Z`` by its mean, in bounded chunks (no double-precision copy)."""
        center = Z.mean(axis=0)
        n_samples, n_features = Z.shape
        A = np.empty((n_samples, n_features + 2), dtype=np.float32)
        A[:, n_features] = 1.0
        sq = np.empty(n_samples)
        for part in chunks(n_samples, n_features, 2**20):
            centred = Z[part] - center
            sq[part] = np.einsum("ij,ij->i", centred, centred)
            A[part, :n_features] = centred
        A[:, n_features + 1] = sq
        return cls(A, sq, rounding_bound(n_features), center)

    def augment(self, points: np.ndarray) -> np.ndarray:
        """:meth:`left` of new ``points`` (same centring)."""
        centred = points - self.center
        sq = np.einsum("ij,ij->i", centred, centred)[:, None]
        return np.hstack([centred, np.ones_like(sq), sq], dtype=np.float32)

    def left(self, rows: np.ndarray) -> np.ndarray:
        """``[a, 1, |a|^2]`` of ``rows``: times :meth:`right` gives squared distances."""
        return self.A[rows]

    def right(self, rows: np.ndarray) -> np.ndarray:
        """``[-2 b, |b|^2, 1]`` of ``rows``, transposed (contiguous)."""
        n_features = self.A.shape[1] - 2
        B = np.empty((n_features + 2, len(rows)), dtype=np.float32)
        picked = self.A[rows]
        np.multiply(picked[:, :n_features].T, -2.0, out=B[:n_features])
        B[n_features] = picked[:, n_features + 1]
        B[n_features + 1] = 1.0
        return B


def chunks(n_rows: int, n_cols: int, budget: int = CHUNK_ELEMENTS):
    """Slices of ``n_rows`` rows whose blocks against ``n_cols`` columns hold at most
    ``budget`` elements (but at least :data:`MIN_CHUNK_ROWS` rows)."""
    step = max(MIN_CHUNK_ROWS, budget // max(n_cols, 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


def update_column_best(d2: np.ndarray, best: np.ndarray) -> None:
    """Merge the chunk's columns into the running ``k`` smallest per column (in place)."""
    hit = np.flatnonzero(d2.min(axis=0) < best[-1])
    if hit.size == 0:
        return
    k = best.shape[0]
    sub = d2[:, hit]
    if sub.shape[0] > k:
        sub = np.partition(sub, k - 1, axis=0)[:k]
    best[:, hit] = np.sort(np.vstack([best[:, hit], sub]), axis=0)[:k]


def smallest(d2: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` smallest of each row, ascending (``inf`` when too few); overwrites
    ``d2``. Passes of ``argmin``: for a few values they beat ``np.partition`` (about 10
    times cheaper per pass on 2000 columns)."""
    out = np.full((d2.shape[0], count), np.inf, dtype=d2.dtype)
    at = np.arange(d2.shape[0])
    for j in range(min(count, d2.shape[1])):
        where = d2.argmin(axis=1)
        out[:, j] = d2[at, where]
        d2[at, where] = np.inf
    return out


def row_kth_smallest(d2: np.ndarray, m: int) -> np.ndarray:
    """``m``-th smallest of each row; overwrites ``d2`` (:func:`smallest` for ``m <= 3``)."""
    if m > 3:
        d2.partition(m - 1, axis=1)
        return d2[:, m - 1].copy()
    return smallest(d2, m)[:, m - 1]


def nearest_centre(left: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre of each row, in bounded chunks: ``left`` from
    :meth:`Space32.left` (or :meth:`Space32.augment`), ``centres`` from
    :meth:`Space32.right`."""
    out = np.empty(left.shape[0], dtype=np.int64)
    for part in chunks(left.shape[0], centres.shape[1]):
        out[part] = (left[part] @ centres).argmin(axis=1)
    return out


def in_threads(work, items: list, n_threads: int, n_distances: float) -> list:
    """``work(share)`` over ``n_threads`` interleaved shares of ``items``, in threads.

    The matrix products and numpy reductions release the GIL; each product runs on one
    BLAS thread (:func:`one_thread`), so ``n_threads`` products run at once. Small work
    (below :data:`THREAD_MIN_DISTANCES` distances, or two items per thread) runs in the
    calling thread: threads would only add overhead and per-thread memory.
    ``n_distances``: about how many distances the items (chunks, groups) hold together.
    Returns the results of ``work``, one per share.
    """
    if n_threads <= 1 or len(items) < 2 * n_threads or n_distances < THREAD_MIN_DISTANCES:
        return [work(items)]
    with ThreadPoolExecutor(n_threads) as pool:
        return list(pool.map(work, [items[i::n_threads] for i in range(n_threads)]))
