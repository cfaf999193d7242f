"""K-means that chooses its own number of clusters."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin, silhouette_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

_SEED_MAX = np.iinfo(np.int32).max
#: Up to this many rows k-means runs single-threaded: thread start-up costs more than
#: it saves on small inputs, and on a busy machine oversubscription made it ~30x slower.
SINGLE_THREAD_MAX_ROWS = 20_000


class AutoKMeans(ClusterMixin, BaseEstimator):
    """K-means whose number of clusters ``k`` in ``1..max_clusters`` is chosen from data.

    Rule for ``k``
        1. Features are standardised (zero mean, unit variance; constant features
           stay 0), because real tables mix scales and k-means is scale dependent.
           All distances below are computed in that space.
        2. For every ``k`` in ``2..min(max_clusters, n_distinct - 1)``, k-means is fitted
           on a random sample of at most ``sample_size`` rows and its silhouette on
           that sample is recorded in ``silhouette_scores_``. The sample bounds the
           cost of the silhouette (quadratic in rows).
        3. ``k`` with the highest silhouette is chosen if that silhouette reaches
           ``min_silhouette``; otherwise ``k = 1``. The silhouette is undefined for one
           cluster, so a threshold is needed to ever answer "no structure": 0.25 is
           Kaufman & Rousseeuw's bound below which "no substantial structure" is
           found. Splitting one blob is cheap for cluster-aware SMOTE (it only
           restricts interpolation), merging real clusters is not, so the default
           errs towards splitting.
        4. The final k-means with the chosen ``k`` is fitted on all rows.

    Degenerate inputs: one row (or one distinct row) gives one cluster; ``k`` is capped
    at ``n_distinct_rows - 1`` for the silhouette search.

    Parameters
    ----------
    max_clusters : int, default=8
        Largest number of clusters considered.
    sample_size : int, default=2000
        Rows used to score each ``k`` (silhouette).
    min_silhouette : float, default=0.25
        Best silhouette needed to prefer ``k >= 2`` over one cluster.
    n_init : int, default=3
        K-means restarts (each fit is seeded from ``random_state``).
    random_state : int, RandomState instance or None, default=None
        Controls the sample and the k-means initialisations.

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
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        max_clusters: int = 8,
        sample_size: int = 2000,
        min_silhouette: float = 0.25,
        n_init: int = 3,
        random_state=None,
    ) -> None:
        self.max_clusters = max_clusters
        self.sample_size = sample_size
        self.min_silhouette = min_silhouette
        self.n_init = n_init
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Choose ``k`` and fit k-means.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to cluster.
        y : None
            Ignored.

        Returns
        -------
        self : AutoKMeans
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if X.shape[0] <= SINGLE_THREAD_MAX_ROWS:
            with threadpool_limits(1):
                return self._fit(X)
        return self._fit(X)

    def _fit(self, X):
        rng = check_random_state(self.random_state)
        self.scaler_ = StandardScaler().fit(X)
        Z = self.scaler_.transform(X)
        n_samples = Z.shape[0]
        sample = np.arange(n_samples)
        if n_samples > self.sample_size:
            sample = np.sort(rng.choice(n_samples, self.sample_size, replace=False))
        Z_sample = Z[sample]
        n_distinct = np.unique(Z_sample, axis=0).shape[0]
        self.silhouette_scores_: dict[int, float] = {}
        for k in range(2, min(self.max_clusters, n_distinct - 1) + 1):
            labels = self._kmeans(k, rng).fit_predict(Z_sample)
            if np.unique(labels).size > 1:
                self.silhouette_scores_[k] = float(silhouette_score(Z_sample, labels))
        best_k, best_score = max(
            self.silhouette_scores_.items(), key=lambda item: (item[1], -item[0]),
            default=(1, -np.inf),
        )
        self.n_clusters_ = best_k if best_score >= self.min_silhouette else 1
        if self.n_clusters_ == 1:
            self.labels_ = np.zeros(n_samples, dtype=np.int32)
            centers = Z.mean(axis=0, keepdims=True)
        else:
            kmeans = self._kmeans(self.n_clusters_, rng).fit(Z)
            self.labels_ = kmeans.labels_
            centers = kmeans.cluster_centers_
        self._centers_scaled = centers
        self.cluster_centers_ = self.scaler_.inverse_transform(centers)
        return self

    def _kmeans(self, k: int, rng: np.random.RandomState) -> KMeans:
        return KMeans(n_clusters=k, n_init=self.n_init, random_state=rng.randint(_SEED_MAX))

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
        Z = self.scaler_.transform(X)
        return pairwise_distances_argmin(Z, self._centers_scaled).astype(np.int32)
