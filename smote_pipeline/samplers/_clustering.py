"""K-means that chooses its own number of clusters."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from smote_pipeline.samplers._neighbors import limit_threads
from smote_pipeline.samplers._validation import SEED_MAX as _SEED_MAX


class AutoKMeans(ClusterMixin, BaseEstimator):
    """K-means whose number of clusters ``k`` in ``1..max_clusters`` is chosen from data.

    Rule for ``k``
        1. With ``standardize=True`` features are standardised (zero mean, unit
           variance; constant features stay 0): real tables mix scales and k-means is
           scale dependent. All distances below are in that space.
           :class:`ClusterAwareSMOTE` passes ``standardize=False``: its own distance
           space is already scaled (and one-hot columns there must keep their weight,
           not be blown up by their small variance).
        2. **Bounded sample.** At most ``sample_size`` random rows (all if fewer); this
           step uses the sample only, so choosing ``k`` costs the same whatever the
           rows: one Ward clustering of the sample (Ward merges minimise the same
           within-cluster sum of squares as k-means) is cut into ``k`` groups for every
           ``k`` in ``2..min(max_clusters, n_sample - 1)``, and each cut's silhouette
           (``silhouette_scores_``) comes from one pairwise distance matrix.
        3. The ``k`` with the highest silhouette is chosen if it reaches
           ``min_silhouette``, else ``k = 1``. The silhouette is undefined for one
           cluster, so a threshold is needed to ever answer "no structure": 0.25 is
           Kaufman & Rousseeuw's bound below which "no substantial structure" is
           found. Splitting one blob is cheap for cluster-aware SMOTE (it only
           restricts interpolation), merging real clusters is not, so the default
           errs towards splitting.
        4. One k-means with the chosen ``k`` is fitted on **all** rows, started from
           the centroids of the sample's chosen cut (a single run: the start is good).

    Degenerate inputs: fewer than 3 rows, or all rows identical, give one cluster.

    Parameters
    ----------
    max_clusters : int, default=8
        Largest number of clusters considered.
    sample_size : int, default=500
        Most rows used to choose ``k`` (Ward tree and silhouettes, quadratic in it).
    min_silhouette : float, default=0.25
        Best silhouette needed to prefer ``k >= 2`` over one cluster.
    standardize : bool, default=True
        Standardise features before clustering.
    random_state : int, RandomState instance or None, default=None
        Controls the sample and the final k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each row, in ``0..n_clusters_ - 1``.
    n_clusters_ : int
        Chosen number of clusters.
    silhouette_scores_ : dict of int to float
        Silhouette on the sample for each ``k >= 2`` tried.
    cluster_centers_ : ndarray of shape (n_clusters_, n_features)
        Centres in the original units.
    mean_, scale_ : ndarray of shape (n_features,)
        Standardisation (zeros and ones with ``standardize=False``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (only when ``X`` has string column names).

    Examples
    --------
    >>> import numpy as np
    >>> from smote_pipeline.samplers import AutoKMeans
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(20, 1, (50, 2))])
    >>> AutoKMeans(random_state=0).fit(X).n_clusters_
    2
    """

    _parameter_constraints: dict = {
        "max_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "sample_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "min_silhouette": [Interval(numbers.Real, -1, 1, closed="both")],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        max_clusters: int = 8,
        sample_size: int = 500,
        min_silhouette: float = 0.25,
        standardize: bool = True,
        random_state=None,
    ) -> None:
        self.max_clusters = max_clusters
        self.sample_size = sample_size
        self.min_silhouette = min_silhouette
        self.standardize = standardize
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Choose ``k`` and fit k-means.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : AutoKMeans
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        with limit_threads(X.shape[0]):
            return self._fit(X)

    def _fit(self, X):
        n_samples = X.shape[0]
        if self.standardize:
            self.mean_ = X.mean(axis=0)
            std = X.std(axis=0)
            self.scale_ = np.where(std > 0, std, 1.0)
            Z = (X - self.mean_) / self.scale_
        else:
            self.mean_, self.scale_ = np.zeros(X.shape[1]), np.ones(X.shape[1])
            Z = X
        self.silhouette_scores_: dict[int, float] = {}
        cuts: dict[int, np.ndarray] = {}
        sample = None
        max_k = min(self.max_clusters, min(n_samples, self.sample_size) - 1)
        if max_k >= 2:
            rng = check_random_state(self.random_state)
            sample = np.arange(n_samples)
            if n_samples > self.sample_size:
                sample = np.sort(rng.choice(n_samples, self.sample_size, replace=False))
            Z_sample = Z[sample]
            distances = euclidean_distances(Z_sample)
            if distances.max() > 0:
                tree = linkage(Z_sample, method="ward")
                for k in range(2, max_k + 1):
                    labels = fcluster(tree, k, criterion="maxclust") - 1
                    if np.unique(labels).size == k:
                        cuts[k] = labels
                        self.silhouette_scores_[k] = silhouette_from_distances(distances, labels)
        best_k, best_score = max(
            self.silhouette_scores_.items(),
            key=lambda item: (item[1], -item[0]),
            default=(1, -np.inf),
        )
        self.n_clusters_ = best_k if best_score >= self.min_silhouette else 1
        if self.n_clusters_ == 1:
            self.labels_ = np.zeros(n_samples, dtype=np.int32)
            centers = Z.mean(axis=0, keepdims=True)
        else:
            labels = cuts[self.n_clusters_]
            start = np.stack([Z[sample[labels == c]].mean(axis=0) for c in range(self.n_clusters_)])
            seed = rng.randint(_SEED_MAX)
            kmeans = KMeans(n_clusters=self.n_clusters_, init=start, n_init=1, random_state=seed)
            kmeans.fit(Z)
            self.labels_ = kmeans.labels_
            centers = kmeans.cluster_centers_
        self._centers_scaled = centers
        self.cluster_centers_ = centers * self.scale_ + self.mean_
        return self

    def predict(self, X) -> np.ndarray:
        """Assign rows to the nearest fitted centre (in the standardised space).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        Z = (X - self.mean_) / self.scale_
        return pairwise_distances_argmin(Z, self._centers_scaled).astype(np.int32)


def silhouette_from_distances(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette from a square matrix of pairwise distances.

    Same definition as :func:`sklearn.metrics.silhouette_score` (rows of one-row
    clusters score 0), computed with one matrix product so that several labelings of
    the same rows share one distance matrix. ``labels`` has at least 2 and at most
    ``n_rows - 1`` distinct values.
    """
    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    n_rows = codes.size
    onehot = np.zeros((n_rows, counts.size))
    onehot[np.arange(n_rows), codes] = 1.0
    mean_to = distances @ onehot / counts  # mean distance to each cluster (self incl.)
    own = counts[codes]
    rows = np.arange(n_rows)
    intra = mean_to[rows, codes] * own / np.maximum(own - 1, 1)
    mean_to[rows, codes] = np.inf
    inter = mean_to.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.nan_to_num((inter - intra) / np.maximum(intra, inter))
    scores[own == 1] = 0.0
    return float(scores.mean())
