"""Clusters separated by gaps: single linkage on a k-NN graph, cut where distances jump."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import validate_data

from smote_pipeline.samplers._neighbors import choose_algorithm, limit_threads, nearest
from smote_pipeline.samplers._valley import split_at_valleys

#: Above this many distinct rows, in more than ``TREE_MAX_DIMENSIONS`` dimensions (where
#: the k-NN graph is a brute-force search, quadratic in rows), the graph is built on a
#: seeded sample of this many rows and every other row joins the cluster of its nearest
#: sampled row.
GRAPH_MAX_ROWS = 10_000

#: Most components of the k-NN graph that are linked by their shortest edges (below).
MAX_LINKED_COMPONENTS = 32


class GapClustering(ClusterMixin, BaseEstimator):
    """Clusters that are separated by gaps, of any size down to ``min_cluster_size`` rows.

    Algorithm (all distances Euclidean; standardise the columns first)
        1. **Distinct rows.** Exact duplicates are clustered once (a duplicated row counts
           as many rows as it has copies when sizes are compared with
           ``min_cluster_size``).
        2. **Graph.** Each distinct row is linked to its ``n_neighbors`` nearest rows (k-d
           tree up to 5 dimensions, brute force above) and the graph's minimum spanning
           tree is taken: ``O(n k log n)`` for the tree search, no pairwise matrix. If the
           graph falls apart (up to :data:`MAX_LINKED_COMPONENTS` components), each part
           is linked to its nearest part by the shortest edge between them (exact,
           Boruvka rounds), so a sparsely sampled curve broken at an ordinary gap is
           judged by step 4 like any other edge. Above 5 dimensions and
           :data:`GRAPH_MAX_ROWS` (10,000) distinct rows, steps 2-4 run on a seeded
           sample of that many rows and every other row joins the cluster of its nearest
           sampled row (one query, linear in the rows); a group with no sampled row is
           then absorbed by a neighbour (the bridge guard of :class:`ClusterAwareSMOTE`
           still stops interpolation across it).
        3. **Local spacing.** ``spacing(i)``: the median, over row ``i`` and its
           ``n_neighbors`` neighbours, of each one's distance to its nearest distinct row
           (how far apart rows are around ``i``). For a row of a 2-row group it is mostly
           the spacing of the rows around the group, so a tight pair inside a blob is not
           a group of its own.
        4. **Cuts.** Tree edges are merged shortest first (single linkage). An edge of
           length ``w`` joining two parts that both have at least ``min_cluster_size``
           rows is a **gap** if ``w > gap_ratio * max(spacing(u), spacing(v), h_A, h_B)``
           (``u, v`` its ends, ``h_A, h_B`` the longest edge kept inside each part so
           far). A gap edge is cut and does not count as inside the merged part, so a
           third group beyond it is judged against the groups' own edges; a kept edge
           becomes part of ``h``. A part that grew by chaining (an elongated or curved
           group, a ring) thus has a large ``h`` and is not cut at its ordinary gaps; a
           single outlier is never a part of ``min_cluster_size`` rows, so never a
           cluster.
        5. **Cap.** At most ``max_clusters`` clusters: beyond, only the cuts with the
           largest ratio ``w / max(...)`` are kept; if the graph has more components
           than could be linked and than ``max_clusters``, the smallest join the
           component with the nearest centroid.
        6. **Valleys.** Gaps lose their contrast in many dimensions, where the spacing
           inside a group approaches the distance between groups. So each cluster of at
           least ``4 * min_valley_rows`` rows is split where the density of its rows,
           projected on the axis of a 2-means split of its first principal components,
           has a valley deeper than ``valley_ratio`` times the peaks on both sides, with
           at least ``min_valley_rows`` rows on each side; new clusters are examined
           too, up to ``max_clusters`` (:mod:`smote_pipeline.samplers._valley`). On the
           embedded demo's minority (40 handwritten 0s and 40 1s, 64 pixel columns) the
           gap rule finds one cluster and this step separates the digits (valley ratio
           0.10). Why ``valley_ratio=0.2``: of 100 unimodal groups (Gaussian, uniform,
           elongated, Student t, log-normal; 40-300 rows, 2-30 dimensions) one was
           split, a uniform one at 0.13 (``benchmarks/bench_subpopulations.py``, table
           3); splitting one group only restricts interpolation.

    Why gaps and not a silhouette search: k-means and the silhouette favour large round
    clusters (on a 40-row group and three of 3-4 rows in 5 dimensions, ``AutoKMeans``
    merged the three tiny groups). Why ``gap_ratio=4``: on 60 shapes of 1-6
    well-separated groups (an earlier generator), 3 recovered the groups in 55, 4 in 57,
    5 in 56; splitting only restricts interpolation and merging is caught by the bridge
    guard, but both cost realism. With the valley step, the clusters are exactly the
    groups on 61 of the 143 random shapes of ``benchmarks/bench_subpopulations.py``
    (table 1: tiny groups in up to 70 columns, many of them noise), where a cut is often
    impossible; the guard keeps the rows out of the gaps on all 143. Known limit: a
    sparsely sampled curve (one moon of 150 rows, noise 0.03) has ordinary gaps of ratio
    4.1 and is cut in two.

    Parameters
    ----------
    n_neighbors : int, default=10
        Degree of the k-NN graph (and size of the neighbourhood of ``spacing``).
    gap_ratio : float, default=4.0
        How many times the spacing on both sides a gap edge is (choice: see above).
    min_cluster_size : int, default=2
        Fewest rows of a cluster.
    max_clusters : int, default=8
        Most clusters returned; 1 returns a single cluster without any computation.
    valley_ratio : float, default=0.2
        Step 6: a cluster is split where the density at a valley is below this share of
        the peaks on both sides; 0 turns the step off.
    min_valley_rows : int, default=10
        Step 6: fewest rows on each side of a valley.
    random_state : int, RandomState instance or None, default=None
        Seeds the sample of step 2 (only used above :data:`GRAPH_MAX_ROWS` rows) and
        the projections and 2-means of step 6.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each row, ``0..n_clusters_ - 1`` in order of first appearance.
    n_clusters_ : int
        Number of clusters.
    gap_ratios_ : ndarray of shape (n_cuts,)
        For each cut kept, ``w / max(spacing(u), spacing(v), h_A, h_B)`` (each above
        ``gap_ratio``), largest first: how clearly each cluster is separated.
    valley_ratios_ : ndarray of shape (n_valley_cuts,)
        For each valley cut (step 6), the density at the cut over the smaller peak
        beside it (each below ``valley_ratio``), in the order made.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (only when ``X`` has string column names).

    Examples
    --------
    >>> import numpy as np
    >>> from smote_pipeline.samplers import GapClustering
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (40, 2)), [[9.0, 9.0], [9.2, 9.1]]])
    >>> GapClustering().fit(X).n_clusters_
    2
    """

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "gap_ratio": [Interval(numbers.Real, 1, None, closed="left")],
        "min_cluster_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "max_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "valley_ratio": [Interval(numbers.Real, 0, 1, closed="both")],
        "min_valley_rows": [Interval(numbers.Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        n_neighbors: int = 10,
        gap_ratio: float = 4.0,
        min_cluster_size: int = 2,
        max_clusters: int = 8,
        valley_ratio: float = 0.2,
        min_valley_rows: int = 10,
        random_state=None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.gap_ratio = gap_ratio
        self.min_cluster_size = min_cluster_size
        self.max_clusters = max_clusters
        self.valley_ratio = valley_ratio
        self.min_valley_rows = min_valley_rows
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find the clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : GapClustering
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        self.gap_ratios_ = self.valley_ratios_ = np.zeros(0)
        self._row_neighbors = None
        n_samples = X.shape[0]
        if self.max_clusters == 1 or n_samples < 2 * self.min_cluster_size:
            self.labels_ = np.zeros(n_samples, dtype=np.int64)
            self.n_clusters_ = 1
            return self
        distinct, inverse, counts = np.unique(X, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.ravel()
        with limit_threads(distinct.shape[0]):
            labels = self._distinct_labels(distinct, counts)
        if self._row_neighbors is not None:
            if distinct.shape[0] == n_samples:  # a permutation: back to row positions
                row_of = np.argsort(inverse)
                self._row_neighbors = row_of[self._row_neighbors[inverse]]
            else:
                self._row_neighbors = None
        labels = labels[inverse]
        if self.valley_ratio > 0 and int(labels.max()) + 1 < self.max_clusters:
            with limit_threads(n_samples):
                labels, self.valley_ratios_ = split_at_valleys(
                    X,
                    _first_appearance(labels),
                    self.valley_ratio,
                    self.min_valley_rows,
                    self.max_clusters,
                    check_random_state(self.random_state),
                )
        self.labels_ = _first_appearance(labels)
        self.n_clusters_ = int(self.labels_.max()) + 1
        return self

    def _distinct_labels(self, distinct: np.ndarray, counts: np.ndarray) -> np.ndarray:
        n_distinct = distinct.shape[0]
        if n_distinct < 2:
            return np.zeros(n_distinct, dtype=np.int64)
        sample = np.arange(n_distinct)
        brute = choose_algorithm(distinct.shape[1]) == "brute"
        if brute and n_distinct > GRAPH_MAX_ROWS:
            rng = check_random_state(self.random_state)
            sample = np.sort(rng.choice(n_distinct, GRAPH_MAX_ROWS, replace=False))
        labels = self._graph_labels(distinct[sample], counts[sample])
        if sample.size == n_distinct:
            return labels
        self._row_neighbors = None
        return labels[nearest(distinct[sample], distinct, 1)[1][:, 0]]

    def _graph_labels(self, Z: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Steps 2-5 on distinct rows ``Z`` with multiplicities ``weight``."""
        n = Z.shape[0]
        k = min(self.n_neighbors, n - 1)
        distances, neighbors = nearest(Z, Z, k + 1)
        distances, neighbors = distances[:, 1:], neighbors[:, 1:]  # rows are distinct
        self._row_neighbors = neighbors
        closest = distances[:, 0]
        spacing = np.median(np.hstack([closest[:, None], closest[neighbors]]), axis=1)
        rows = np.repeat(np.arange(n), k)
        graph = coo_matrix((distances.ravel(), (rows, neighbors.ravel())), shape=(n, n))
        tree = minimum_spanning_tree(_link_components(graph.tocsr(), Z)).tocoo()
        order = np.argsort(tree.data, kind="stable")
        u, v, w = tree.row[order], tree.col[order], tree.data[order]
        cut, ratio = _gap_cuts(u, v, w, spacing, weight, self.gap_ratio, self.min_cluster_size)
        n_parts, _ = connected_components(tree, directed=False)
        n_cuts = max(0, min(int(cut.sum()), self.max_clusters - n_parts))
        keep = np.flatnonzero(cut)[np.argsort(-ratio[cut], kind="stable")[:n_cuts]]
        self.gap_ratios_ = ratio[keep]
        kept = np.ones(w.size, dtype=bool)
        kept[keep] = False
        forest = coo_matrix((np.ones(int(kept.sum())), (u[kept], v[kept])), shape=(n, n))
        _, labels = connected_components(forest, directed=False)
        return _cap_components(labels, Z, weight, self.max_clusters)

    def graph_neighbors(self, k: int) -> np.ndarray | None:
        """The first ``k`` graph neighbours of every row, nearest first, if available:
        after ``fit`` on rows without duplicates when the graph was built on all of them
        and ``k <= n_neighbors`` (else ``None``). :class:`ClusterAwareSMOTE` uses it to
        skip a second neighbour search: filtered to a cluster, these are the row's
        nearest neighbours in the cluster as long as ``k`` of them remain."""
        rows = getattr(self, "_row_neighbors", None)
        if rows is None or k > rows.shape[1]:
            return None
        return rows

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_row_neighbors", None)  # a fit-time cache, n_samples x n_neighbors
        return state


def _link_components(graph, Z: np.ndarray):
    """Add the shortest edges between the components of the k-NN graph (Boruvka rounds):
    a sparsely sampled curve can fall apart at an ordinary gap, and with the shortest
    edge between the parts in the tree step 4 judges that gap like any other. Each round
    links every component to its nearest one (exact: the component's rows against all
    others); beyond :data:`MAX_LINKED_COMPONENTS` components they stay apart
    (:func:`_cap_components`)."""
    n = Z.shape[0]
    n_parts, part = connected_components(graph, directed=False)
    if n_parts == 1 or n_parts > MAX_LINKED_COMPONENTS:
        return graph
    extra_u, extra_v, extra_w = [], [], []
    while n_parts > 1:
        for c in range(n_parts):
            inside, outside = np.flatnonzero(part == c), np.flatnonzero(part != c)
            d, j = nearest(Z[outside], Z[inside], 1)
            best = int(np.argmin(d[:, 0]))
            extra_u.append(inside[best])
            extra_v.append(outside[j[best, 0]])
            extra_w.append(d[best, 0])
        links = coo_matrix((extra_w, (extra_u, extra_v)), shape=(n, n)).tocsr()
        n_parts, part = connected_components(graph + links, directed=False)
    return graph.maximum(links) if graph.nnz else links


def _gap_cuts(u, v, w, spacing, weight, gap_ratio, min_size) -> tuple[np.ndarray, np.ndarray]:
    """Step 4: which tree edges (sorted by length) are gaps, and their ratios."""
    n = spacing.size
    parent = np.arange(n)
    size = weight.astype(np.float64).copy()
    inner = np.zeros(n)  # longest kept edge inside each part
    cut = np.zeros(w.size, dtype=bool)
    ratio = np.zeros(w.size)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for e in range(w.size):
        a, b = root(int(u[e])), root(int(v[e]))
        if a == b:
            continue
        scale = max(spacing[u[e]], spacing[v[e]], inner[a], inner[b])
        if size[a] >= min_size and size[b] >= min_size and w[e] > gap_ratio * scale:
            cut[e], ratio[e] = True, w[e] / scale
            merged_inner = max(inner[a], inner[b])
        else:
            merged_inner = max(inner[a], inner[b], w[e])
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        size[a] += size[b]
        inner[a] = merged_inner
    return cut, ratio


def _cap_components(labels: np.ndarray, Z: np.ndarray, weight, max_clusters: int) -> np.ndarray:
    """Join the smallest components to the nearest (by centroid) until ``max_clusters``."""
    n_parts = int(labels.max()) + 1
    if n_parts <= max_clusters:
        return labels
    sizes = np.bincount(labels, weights=weight, minlength=n_parts)
    centroids = np.stack([Z[labels == c].mean(axis=0) for c in range(n_parts)])
    order = np.argsort(-sizes, kind="stable")
    kept, joined = order[:max_clusters], order[max_clusters:]
    gaps = ((centroids[joined, None, :] - centroids[None, kept, :]) ** 2).sum(axis=2)
    target = np.arange(n_parts)
    target[joined] = kept[np.argmin(gaps, axis=1)]
    return target[labels]


def _first_appearance(labels: np.ndarray) -> np.ndarray:
    """Relabel ``0..n - 1`` in order of first appearance (deterministic ids)."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse.ravel()]
