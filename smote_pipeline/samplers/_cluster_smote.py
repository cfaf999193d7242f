"""Cluster-aware SMOTE: interpolate only between rows of the same cluster."""

from __future__ import annotations

import copy
import numbers
import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy
from sklearn.base import _fit_context, clone
from sklearn.decomposition import PCA
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets

from smote_pipeline.samplers._allocation import cluster_weights, largest_remainder
from smote_pipeline.samplers._bridge_guard import REASONS, Blockers, judge_pairs, surroundings
from smote_pipeline.samplers._distance_space import DistanceSpace
from smote_pipeline.samplers._gap_clustering import GapClustering
from smote_pipeline.samplers._generation import (
    BridgeGuardWarning,
    ClassSpace,
    ClusterPlan,
    Draw,
    SafetyFilterWarning,
    SmallClusterWarning,
    concat_draws,
    draw,
)
from smote_pipeline.samplers._neighbors import (
    mode_sources,
    nearest,
    self_excluded_neighbors,
)
from smote_pipeline.samplers._safety import SafetyIndex
from smote_pipeline.samplers._validation import SEED_MAX as _SEED_MAX
from smote_pipeline.samplers._validation import (
    FeatureTable,
    as_index_array,
    build_output,
    check_mixed_X_y,
    fmt_label,
    resolve_categorical,
)

NOISE_LABEL = -1
#: Value :meth:`ClusterAwareSMOTE.find_clusters` gives rows of classes not over-sampled.
NOT_OVERSAMPLED = -2


class ClusterAwareSMOTE(BaseOverSampler):
    """SMOTE that never interpolates across clusters of a class.

    For each class to over-sample: (1) its rows are clustered (or cluster labels are
    given); (2) the class's synthetic count is split across clusters; (3) inside each
    cluster, SMOTE draws a row, one of its ``k_neighbors`` nearest neighbours *in the
    same cluster* and a factor ``u ~ U[0, 1)``, and emits ``a + u * (b - a)``; (4) a
    pair whose segment would leave the class's territory (near another class's or
    another cluster's rows, or across space with no real row of the class) is redrawn
    (bridge guard, note 9), so no synthetic row lies between two groups even when the
    clusters are wrong. The numbered notes below state every rule.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn semantics (float: binary only, minority / majority ratio
        after resampling; str: "minority", "not minority", "not majority", "all",
        "auto"; dict: class -> target count; callable: y -> dict).
    random_state : int, RandomState instance or None, default=None
        Seeds clustering, PCA, pair and factor draws. Same seed, same output.
    k_neighbors : int, default=5
        Neighbours (within the cluster) a parent can be paired with.
    clusterer : estimator with ``fit_predict`` or None, default=None
        Clusters each class's rows. ``None``: ``GapClustering(max_clusters=max_clusters)``
        on the class's numeric coordinates (groups separated by gaps, down to 2 rows;
        note 1); else a clone of the estimator (its ``random_state`` seeded if None),
        e.g. :class:`AutoKMeans` for the earlier k-means / silhouette choice. Label
        ``-1`` (HDBSCAN / DBSCAN noise) is noise (note 2).
    max_clusters : int, default=8
        Passed to the default :class:`GapClustering`; 1 disables clustering.
    allocation : {"proportional", "sparse"}, default="proportional"
        How a class's synthetic count is split across clusters (note 3).
    small_cluster : {"shrink_k", "skip", "duplicate"}, default="shrink_k"
        Clusters with fewer than ``k_neighbors + 1`` rows (note 4).
    n_components : int, float in (0, 1) or None, default=None
        PCA of the class's numeric columns before SMOTE (note 5).
    categorical_features : array-like of str, int or bool, or None, default=None
        Categorical columns (names, positions or mask). ``None`` auto-detects
        ``object``, ``category``, ``bool`` and string columns (note 6).
    standardize : bool, default=True
        Search neighbours on standardised numeric columns (note 7).
    safety_filter : bool, default=False
        Reject and redraw candidates whose real neighbourhood is another class (note 8):
        exact while cheap, on large data judged on a bounded, seeded reference, in as
        many threads as scikit-learn's OpenMP kernels would use (all cores unless
        ``OMP_NUM_THREADS`` or ``threadpoolctl`` lowers it); the result does not depend
        on the thread count.
    safety_k : int, default=5
        Real neighbours (all classes) consulted by the safety filter.
    max_redraws : int, default=10
        Redraw rounds for rejected candidates.
    safety_fallback : {"keep", "drop"}, default="keep"
        Candidates still unsafe after ``max_redraws`` rounds are kept (exact class
        counts) or dropped (strict safety); note 8.
    bridge_guard : bool, default=True
        Redraw pairs of parents whose segment leaves the cluster's territory (note 9).
    pair_stretch : float, default=2.0
        Pairs up to ``pair_stretch`` times the spacing of the rows at their ends are
        "local": the bridge guard's ball tests skip them (its empty-space rule does
        not); ``0`` ball-tests every pair (exact territory guarantee for every
        synthetic row, at a cost linear in pairs x real rows above 5 dimensions).

    Attributes
    ----------
    sampling_strategy_ : dict
        Class -> number of synthetic rows requested.
    cluster_labels_ : dict
        Class -> ndarray (n_class_rows,), each row's cluster in input order (-1 = noise).
    clusterers_ : dict
        Class -> fitted clusterer (empty when ``cluster_labels`` were given). The
        default :class:`GapClustering` has ``gap_ratios_`` and ``valley_ratios_`` (how
        clearly each cut separates); :class:`AutoKMeans` has ``silhouette_scores_``.
    n_clusters_ : dict
        Class -> clusters used for generation (noise excluded; 1 for all-noise).
    n_synthetic_ : dict
        Class -> synthetic rows produced.
    n_pairs_ : dict
        Class -> candidate pairs of parents (row, within-cluster neighbour) over the
        clusters that interpolate.
    n_rejected_pairs_ : dict
        Class -> pairs the bridge guard refused, by reason: ``"other_class"``,
        ``"other_cluster"``, ``"empty_space"`` (note 9; all 0 with
        ``bridge_guard=False``). Draws landing on them are redrawn.
    n_checked_rows_ : dict
        Class -> synthetic rows whose parents are a long pair (farther apart than
        ``pair_stretch`` times the spacing at their ends) the guard's ball tests
        checked and kept; the other rows come from local pairs.
    provenance_ : pandas.DataFrame of shape (n_synthetic_total, 5)
        One row per synthetic row, in output order: ``class_label``, ``cluster_id``,
        ``parent_index_a``, ``parent_index_b`` (positions in the ``X`` given to
        ``fit_resample``) and ``interpolation_factor`` in [0, 1]. A record of the last
        call, not needed to resample again: left out when the sampler is pickled or
        stored with skops (which cannot store a DataFrame), e.g. inside a fitted
        ``BalancedBaggingClassifier``.
    safety_rejection_rate_ : float
        Rejected / evaluated candidates over all redraw rounds and classes (NaN when
        the filter is off or nothing was generated).
    n_unsafe_kept_ : int
        Candidates still unsafe after the last round, kept (``safety_fallback="keep"``)
        or dropped (``"drop"``).
    categorical_features_ : ndarray of int
        Positions of the categorical columns.
    pca_ : dict
        Class -> fitted :class:`~sklearn.decomposition.PCA` (only with ``n_components``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    Notes
    -----
    1. **Clusters.** Per class, in the neighbour search's distance space (notes 6 and
       7, after PCA when used). The default :class:`GapClustering` uses its numeric
       coordinates only: a categorical difference is one unit in every row pair, so
       each category would be a sheet one gap away from the others (gaps are numeric;
       categorical values are copied, not interpolated). It cuts the k-NN graph's
       spanning tree where an edge is 4 times longer than the spacing on both sides
       (well-separated groups down to 2 rows become clusters; curves, rings and long
       groups are not cut at their ordinary gaps), then splits clusters of 40 rows or
       more at a deep density valley (the embedded demo's 0s and 1s, whose gap is lost
       in 64 dimensions); :class:`GapClustering` gives both thresholds,
       ``benchmarks/bench_subpopulations.py`` measures them. A cluster merging several
       groups (tiny groups in many dimensions) is still safe: the bridge guard (note 9)
       refuses the pairs crossing between them. ``fit_resample(X, y,
       cluster_labels=...)`` skips clustering and uses the given label of each row of
       an over-sampled class; :meth:`find_clusters` computes exactly the labels
       ``fit_resample`` would use (``-2`` for rows of classes not over-sampled). PCA
       and clustering seeds are drawn before anything else, so the output does not
       depend on whether labels were passed in. No synthetic row has parents in two
       clusters.
    2. **Noise label -1.** Noise rows are never parents nor neighbours (SMOTE around an
       outlier amplifies it); they stay in the output as real rows. If every row of a
       class is noise, the class is one cluster (id -1), with a warning.
    3. **Allocation.** "proportional": weight = cluster size. "sparse" (KMeansSMOTE's
       rule): weight = mean_distance ** log(n_dims, 1.6) / size, so spread-out clusters
       get more. Counts are the weights' quotas, rounded by largest remainder, so they
       always sum exactly to the class's target.
    4. **Small clusters** (fewer than ``k_neighbors + 1`` rows; each announced by a
       :class:`SmallClusterWarning` naming class, cluster and size): "shrink_k" (the
       default) pairs with all ``size - 1`` other rows of the cluster, and a one-row
       cluster gives its share to the class's other clusters; "skip" gives every small
       cluster's share to the regular ones (none regular: falls back to "shrink_k");
       "duplicate" emits random copies of the cluster's rows (parent twice, factor 0).
       The realism checks flag exact copies of real rows as memorisation, so
       "shrink_k" and "skip" emit them only when every cluster of the class is a
       single row (nothing to interpolate with; rows duplicated, with the warning).
    5. **PCA.** Fitted on the class's (standardised) numeric rows: the synthetic rows
       belong to that class, and other classes must not shape its manifold. ``int``
       components are capped at ``min(n_rows, n_numeric)``. Interpolation is on the
       component scores; rows are mapped back with ``inverse_transform`` (onto the
       class's principal subspace), then clipped to the cluster's real range.
       Duplicates are exact copies.
    6. **Categorical and integer columns.** A synthetic row takes, per categorical
       column, the most frequent value among parent ``a``'s neighbours in its cluster
       (ties: the nearest), as SMOTE-NC does. In the distance space (neighbours and
       clustering) categorical columns are one-hot encoded with indicators of
       ``1 / sqrt(2)``: rows differing in one categorical column are exactly 1 apart
       in it, as far as rows one standard deviation apart in one standardised numeric
       column (with ``standardize=False``: the numeric columns' median standard
       deviation, as SMOTE-NC). The default clusterer does not standardise this space
       again (that would inflate the indicator of a category of frequency ``p`` by
       ``1 / sqrt(p (1 - p))``, letting rare categories dominate the clusters). Numeric
       columns whose real values in the class are all integers are rounded. Every
       numeric value is clipped to its cluster's real range.
    7. **Scaling.** With ``standardize=True`` clusters and the guard work on numeric
       columns centred on the class's mean and divided by its spread *inside
       neighbourhoods* (:func:`~smote_pipeline.samplers._scaling.neighbourhood_scale`),
       not its standard deviation: when the class is made of separate groups, the
       distance between them dominates the standard deviation of the columns that
       separate them, and dividing by it would shrink those columns until the gap is
       no wider than a group. Once the clusters are known, each row's SMOTE neighbours
       (inside its cluster) are ranked with the columns divided by the spread pooled
       inside the clusters (:func:`~smote_pipeline.samplers._scaling.pooled_scale`,
       "pooled within-cluster spread, iterated once"): the clusters' own unit, the
       class's standard deviation for one cluster. The guard still judges every pair
       in the first space, where gaps stay visible whatever the clustering found.
       Interpolation is in original units (scaling is affine: only the choice of
       neighbours changes). With ``standardize=False``, one cluster, no PCA, no safety
       filter and ``bridge_guard=False`` (or no pair rejected), the output equals
       imbalanced-learn's SMOTE for the same seed (up to ties).
    8. **Safety filter.** A candidate with more than ``safety_k / 2`` of its
       ``safety_k`` nearest real rows (numeric columns standardised over all rows) in
       another class is rejected and redrawn in its cluster, for up to
       ``max_redraws`` rounds, each evaluating only the rows it redrew; candidates
       still unsafe are kept ("keep", exact class count) or dropped ("drop", fewer
       rows), with a :class:`SafetyFilterWarning` either way. Exactly, the rule costs
       every candidate against every real row (quadratic), so
       (:class:`~smote_pipeline.samplers._safety.SafetyIndex` states both forms) it is
       **exact** (up to distance ties) when a round has ``n_candidates x n_real <=
       EXACT_BUDGET`` (3.4e7), or the distance space has at most 5 dimensions (one k-d
       tree query), or the class and the other classes each have at most
       ``REFERENCE_CAP`` (2048) real rows; **sampled** otherwise (single precision,
       linear in the candidates): a side above ``REFERENCE_CAP`` rows counts exactly in
       the candidate's nearest ``LEAF_PROBES`` (3) leaves of about ``LEAF_ROWS`` (2048)
       nearby rows, and through a uniform sample of ``REFERENCE_CAP`` rows, each
       standing for ``rows / REFERENCE_CAP``, outside them. Agreement with the exact
       rule on SMOTE-like candidates (tests and benchmark data): 94% at 20,000 rows,
       89% at 100,000 (the misses are unsafe candidates judged safe, in wide
       overlaps). Samples and leaves use seed 0 (same flags every run).
    9. **Bridge guard** (``bridge_guard=True``). Each candidate pair ``(a, b)`` of a
       cluster is judged once, before any draw, in the generation coordinates (scaled
       numeric columns, or PCA scores); :mod:`~smote_pipeline.samplers._bridge_guard`
       states every rule. With ``L = |a - b|`` and ``s`` the larger of the parents'
       distances to their nearest distinct within-cluster neighbour, a pair with
       ``L <= pair_stretch * s`` is *local*; a *long* pair is refused when a real row
       of another class (``other_class``) or of another cluster of the class
       (``other_cluster``; noise rows do not block) lies strictly inside the ball with
       diameter ``[a, b]``: then every point of a kept segment is at least as close to
       a parent as to any such row. Any pair is refused (``empty_space``) when a point
       of its segment is farther from every real row of the class than a few times the
       spacing around the nearest one (the median nearest-neighbour distance there;
       the factor follows from the class's intrinsic dimension, about 3.6 in 2
       dimensions and 1.2-1.7 above 5), so no synthetic row lands where there is no
       real row, whatever the clusters; the ordinary pairs inside a round, long or
       curved group are kept (at most 1% refused from 60 rows in 3 dimensions or more,
       none on two moons or two rings; ``benchmarks/bench_subpopulations.py``, table
       4). Draws on refused pairs are redrawn uniformly among the cluster's kept pairs
       (no random number used when nothing is refused); a cluster with no kept pair
       gives its share to the other clusters; if none has one, the class's rows are
       copied, with a :class:`BridgeGuardWarning`. Counts: ``n_rejected_pairs_`` (by
       reason), ``n_pairs_``, ``n_checked_rows_``. Cost (details in the module): ball
       tests on long pairs only; the empty-space rule measures at least 3 points per
       pair, linear in the rows. Limits: local pairs are not
       ball-tested, so where the majority comes closer to a group than
       ``pair_stretch`` times its spacing (class overlap), a synthetic row can still
       fall nearer a majority row than its parents (``pair_stretch=0`` tests them
       too); integer rounding, clipping and categorical values are applied after the
       check.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from smote_pipeline.samplers import ClusterAwareSMOTE
    >>> X, y = make_classification(weights=[0.9], random_state=0)
    >>> X_res, y_res = ClusterAwareSMOTE(random_state=0).fit_resample(X, y)
    >>> {int(label): count for label, count in sorted(Counter(y_res).items())}
    {0: 91, 1: 91}
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "clusterer": [HasMethods(["fit_predict"]), None],
        "max_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "allocation": [StrOptions({"proportional", "sparse"})],
        "small_cluster": [StrOptions({"duplicate", "skip", "shrink_k"})],
        "n_components": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(numbers.Real, 0, 1, closed="neither"),
            None,
        ],
        "categorical_features": ["array-like", None],
        "standardize": ["boolean"],
        "safety_filter": ["boolean"],
        "safety_k": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_redraws": [Interval(numbers.Integral, 0, None, closed="left")],
        "safety_fallback": [StrOptions({"keep", "drop"})],
        "bridge_guard": ["boolean"],
        "pair_stretch": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors: int = 5,
        clusterer=None,
        max_clusters: int = 8,
        allocation: str = "proportional",
        small_cluster: str = "shrink_k",
        n_components: int | float | None = None,
        categorical_features=None,
        standardize: bool = True,
        safety_filter: bool = False,
        safety_k: int = 5,
        max_redraws: int = 10,
        safety_fallback: str = "keep",
        bridge_guard: bool = True,
        pair_stretch: float = 2.0,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.clusterer = clusterer
        self.max_clusters = max_clusters
        self.allocation = allocation
        self.small_cluster = small_cluster
        self.n_components = n_components
        self.categorical_features = categorical_features
        self.standardize = standardize
        self.safety_filter = safety_filter
        self.safety_k = safety_k
        self.max_redraws = max_redraws
        self.safety_fallback = safety_fallback
        self.bridge_guard = bridge_guard
        self.pair_stretch = pair_stretch

    def _check_X_y(self, X, y, accept_sparse=None):
        return check_mixed_X_y(self, X, y)

    def fit_resample(self, X, y, cluster_labels=None):
        """Resample the dataset.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Data; DataFrames keep their columns and dtypes.
        y : array-like of shape (n_samples,)
            Class of each row.
        cluster_labels : array-like of shape (n_samples,), default=None
            Precomputed cluster of each row (read only for rows of over-sampled
            classes; ``-1`` = noise), e.g. the output of :meth:`find_clusters`. When
            given, no clustering is done; the random draws are the same as without it,
            so ``fit_resample(X, y, cluster_labels=self.find_clusters(X, y))`` equals
            ``fit_resample(X, y)``.

        Returns
        -------
        X_resampled : {ndarray, DataFrame} of shape (n_samples + n_synthetic, n_features)
            Original rows first, then synthetic rows (class by class).
        y_resampled : ndarray or Series of shape (n_samples + n_synthetic,)
        """
        return super().fit_resample(X, y, cluster_labels=cluster_labels)

    @_fit_context(prefer_skip_nested_validation=True)
    def find_clusters(self, X, y) -> np.ndarray:
        """Cluster every over-sampled class exactly as :meth:`fit_resample` would.

        Same validation, encoding, distance space (standardisation, one-hot weights,
        PCA), clusterer and seeds as ``fit_resample(X, y)``; nothing is generated.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        cluster_labels : ndarray of shape (n_samples,)
            Cluster id of each row of a class that would be over-sampled (``-1`` =
            noise, from HDBSCAN-like clusterers), and ``-2`` (:data:`NOT_OVERSAMPLED`)
            for rows of every other class: ``cluster_labels`` for :meth:`fit_resample`.
        """
        check_classification_targets(y)
        X, y, _ = self._check_X_y(X, y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        rng = check_random_state(self.random_state)
        table = self._table(X)
        seeds = self._draw_seeds(rng)
        self.cluster_labels_, self.pca_, self.clusterers_ = {}, {}, {}
        parts = []
        for class_label in self.sampling_strategy_:
            rows = np.flatnonzero(y == class_label)
            numeric, codes = table.numeric[rows], table.codes[rows]
            seed = seeds[class_label][0]
            space, Z = self._class_space(class_label, numeric, codes, table.n_categories, seed)
            labels = self._cluster(class_label, Z, seeds[class_label][1], space.coords.shape[1])
            self.cluster_labels_[class_label] = labels
            parts.append((rows, labels))
        kinds = {labels.dtype.kind for _, labels in parts}
        dtype = np.int64 if kinds <= {"i", "u", "b"} else object
        out = np.full(y.shape[0], NOT_OVERSAMPLED, dtype=dtype)
        for rows, labels in parts:
            out[rows] = labels
        return out

    # ------------------------------------------------------------------ fit
    def _table(self, X) -> FeatureTable:
        self._distances = {}
        self.categorical_features_ = resolve_categorical(X, self.categorical_features)
        return FeatureTable.from_input(X, self.categorical_features_)

    def _draw_seeds(self, rng) -> dict:
        """Class -> (PCA seed, clusterer seed), drawn up-front whether or not
        ``cluster_labels`` are given, so :meth:`find_clusters` and
        ``fit_resample(cluster_labels=...)`` consume the random state exactly as
        ``fit_resample`` does. None drawn without PCA or seeded clustering (then the pair
        / factor draws are imbalanced-learn's SMOTE's, note 7)."""
        needs_cluster_seed = (
            self.max_clusters > 1
            if self.clusterer is None
            else self.clusterer.get_params().get("random_state", 0) is None
        )
        seeds = {}
        for class_label in self.sampling_strategy_:
            pca_seed = rng.randint(_SEED_MAX) if self.n_components is not None else None
            cluster_seed = rng.randint(_SEED_MAX) if needs_cluster_seed else None
            seeds[class_label] = (pca_seed, cluster_seed)
        return seeds

    def _fit_resample(self, X, y, cluster_labels=None):
        rng = check_random_state(self.random_state)
        table = self._table(X)
        seeds = self._draw_seeds(rng)
        cluster_labels = as_index_array(cluster_labels, y.shape[0], "cluster_labels")
        safety = (
            SafetyIndex(
                table.numeric,
                table.codes,
                table.n_categories,
                y,
                self.safety_k,
                self.standardize,
                # its own stream: an int seed seeds it, anything else uses 0, so the
                # pair and factor draws stay those of imbalanced-learn's SMOTE
                self.random_state if isinstance(self.random_state, numbers.Integral) else 0,
            )
            if self.safety_filter and any(self.sampling_strategy_.values())
            else None
        )
        self.clusterers_ = {}
        self.cluster_labels_, self.n_clusters_, self.n_synthetic_, self.pca_ = {}, {}, {}, {}
        self.n_rejected_pairs_, self.n_pairs_, self.n_checked_rows_ = {}, {}, {}
        self._n_evaluated, self._n_rejected, self.n_unsafe_kept_ = 0, 0, 0
        numeric_parts, source_parts, y_parts, provenance = [], [], [], []
        for class_label, n_new in self.sampling_strategy_.items():
            rows = np.flatnonzero(y == class_label)
            labels = None if cluster_labels is None else cluster_labels[rows]
            result, cat_sources, cluster_of = self._oversample_class(
                class_label, n_new, rows, table, labels, safety, seeds[class_label], rng, y
            )
            self.n_synthetic_[class_label] = result.parent_a.size
            numeric_parts.append(result.numeric)
            source_parts.append(rows[cat_sources[result.parent_a]])
            y_parts.append(np.full(result.parent_a.size, class_label, dtype=y.dtype))
            provenance.append(
                (
                    np.full(result.parent_a.size, class_label, dtype=object),
                    cluster_of,
                    rows[result.parent_a],
                    rows[result.parent_b],
                    result.steps,
                )
            )
        self.safety_rejection_rate_ = (
            self._n_rejected / self._n_evaluated if self._n_evaluated else float("nan")
        )
        self.provenance_ = _concat_provenance(provenance)
        n_cat = table.categorical_idx.size
        if len(numeric_parts) == 1:
            numeric_new = numeric_parts[0]  # binary case: no extra copy
        elif numeric_parts:
            numeric_new = np.concatenate(numeric_parts)
        else:
            numeric_new = np.zeros((0, table.numeric.shape[1]))
        sources = np.vstack(source_parts) if source_parts else np.zeros((0, n_cat), dtype=int)
        X_resampled = build_output(X, table, numeric_new, sources)
        y_resampled = np.hstack([y, *y_parts])
        return X_resampled, y_resampled

    # ------------------------------------------------------------ per class
    def _oversample_class(self, class_label, n_new, rows, table, labels, safety, seeds, rng, y):
        numeric, codes = table.numeric[rows], table.codes[rows]
        space, Z = self._class_space(class_label, numeric, codes, table.n_categories, seeds[0])
        distance = self._distances[class_label]
        n_coords = space.coords.shape[1]
        if labels is None:
            labels = self._cluster(class_label, Z, seeds[1], n_coords)
        self.cluster_labels_[class_label] = labels = np.asarray(labels)

        def other_coords():
            other = np.flatnonzero(y != class_label)
            return self._embed(class_label, table.numeric[other])

        guard = (Z[:, :n_coords], other_coords) if self.bridge_guard else None
        if self.standardize and self.pca_.get(class_label) is None:
            in_cluster = ~_noise_mask(labels)  # note 7: neighbours in the pooled spread
            pooled = copy.copy(distance).pool(numeric[in_cluster], labels[in_cluster])
            Z = pooled.transform(numeric, codes)
        plans = self._plan_clusters(class_label, n_new, labels, Z, codes, space, rng, guard)
        self.n_clusters_[class_label] = len(plans)
        cat_sources = np.tile(np.arange(rows.size)[:, None], (1, codes.shape[1]))
        for plan in plans:
            if plan.neighbors is not None and codes.shape[1]:
                cat_sources[plan.members] = mode_sources(plan.neighbors, codes)
        draws, cluster_index = [], []
        for i, plan in enumerate(plans):
            if plan.n_samples:
                draws.append(draw(plan, space, plan.n_samples, rng))
                cluster_index.append(np.full(plan.n_samples, i))
        result = concat_draws(draws, numeric.shape[1])
        cluster_index = np.concatenate(cluster_index) if cluster_index else np.zeros(0, int)
        if safety is not None and result.parent_a.size:
            result, cluster_index = self._apply_safety(
                class_label, result, cluster_index, plans, space, codes, cat_sources, safety, rng
            )
        self.n_checked_rows_[class_label] = _rows_on_checked_pairs(plans, result, cluster_index)
        cluster_ids = np.array([p.cluster_id for p in plans], dtype=object)
        return result, cat_sources, cluster_ids[cluster_index]

    def _class_space(self, class_label, numeric, codes, n_categories, pca_seed):
        """Fit and keep the class's distance space (scaled within groups, note 7); the
        class's generation coordinates and its rows in that space."""
        distance = DistanceSpace(self.standardize, within_groups=True)
        self._distances[class_label] = distance.fit(numeric, codes, n_categories)
        Z = distance.transform(numeric, codes)
        coords, to_numeric = numeric, None
        n_rows, n_numeric = numeric.shape
        if self.n_components is not None and n_numeric and n_rows >= 2:
            n_components = self.n_components
            if isinstance(n_components, numbers.Integral):
                n_components = min(n_components, n_rows, n_numeric)
            pca = PCA(n_components=n_components, random_state=pca_seed)
            coords = pca.fit_transform(Z[:, :n_numeric])
            self.pca_[class_label] = pca

            def to_numeric(scores, pca=pca, distance=distance):
                return pca.inverse_transform(scores) * distance.scale_ + distance.mean_

            Z = np.hstack([coords, Z[:, n_numeric:]])
        missing = np.isnan(numeric)
        integral = (
            np.all((numeric == np.round(numeric)) | missing, axis=0)
            if n_rows
            else np.zeros(n_numeric, dtype=bool)
        )
        if missing.any():
            if to_numeric is None:  # interpolate the imputed values; gaps follow parents
                coords = distance.transform(numeric, codes[:, :0]) * distance.scale_
                coords += distance.mean_
            return ClassSpace(numeric, coords, to_numeric, integral, missing), Z
        return ClassSpace(numeric, coords, to_numeric, integral), Z

    def _embed(self, class_label, numeric: np.ndarray) -> np.ndarray:
        """Rows of any class in ``class_label``'s generation coordinates (guard's space)."""
        distance = self._distances[class_label]
        scaled = distance.transform(numeric, np.zeros((numeric.shape[0], 0), dtype=int))
        pca = self.pca_.get(class_label)
        return scaled if pca is None else pca.transform(scaled)

    def _cluster(self, class_label, Z, seed, n_coords) -> np.ndarray:
        """Cluster the rows ``Z`` of one class (note 1); stores the fitted clusterer."""
        if self.clusterer is None:
            # already scaled (note 6), no second standardisation; numeric gaps (note 1)
            clusterer = GapClustering(max_clusters=self.max_clusters, random_state=seed)
            if n_coords:
                Z = Z[:, :n_coords]
        else:
            clusterer = clone(self.clusterer)
            if seed is not None:
                clusterer.set_params(random_state=seed)
        labels = np.asarray(clusterer.fit_predict(Z))
        self.clusterers_[class_label] = clusterer
        return labels

    def _plan_clusters(self, class_label, n_new, labels, Z, codes, space, rng, guard=None):
        """Split ``n_new`` across clusters and fix each cluster's neighbour rule."""
        cluster_ids, members = self._members(class_label, labels, n_new)
        sizes = np.array([m.size for m in members])
        policy, small, eligible, k_effs = self._small_cluster_rule(sizes)
        graph = self._graph_neighbors(class_label, Z, labels)
        neighbors = [
            _cluster_neighbors(Z, m, k_eff, graph) if k_eff > 0 and n_new and ok else None
            for m, k_eff, ok in zip(members, k_effs, eligible, strict=True)
        ]
        safe, checked = self._guard_pairs(class_label, labels, members, neighbors, guard)
        blocked = np.array([s is not None and s.size == 0 for s in safe])
        eligible &= ~blocked
        if n_new and blocked.any() and not eligible.any():
            self._warn_all_blocked(class_label)
            eligible[:] = True
            neighbors = [None] * len(members)
            safe = checked = [None] * len(members)
        weights = cluster_weights(self.allocation, members, Z, rng) * eligible
        if weights.sum() == 0:
            weights = sizes * eligible
        counts = largest_remainder(n_new, weights)
        plans = []
        for i, (cid, rows) in enumerate(zip(cluster_ids, members, strict=True)):
            if small[i] and n_new:
                self._warn_small(class_label, cid, rows.size, policy, k_effs[i], eligible[i])
            drawn = (neighbors[i], safe[i], checked[i]) if counts[i] else (None, None, None)
            numeric = space.numeric[rows]
            # per-column range ignoring NaN (NaN where all missing)
            low = np.fmin.reduce(numeric, axis=0) if rows.size else numeric[:0].sum(axis=0)
            high = np.fmax.reduce(numeric, axis=0) if rows.size else low
            near, allowed, long = drawn
            plans.append(ClusterPlan(cid, rows, int(counts[i]), near, low, high, allowed, long))
        return plans

    def _members(self, class_label, labels, n_new) -> tuple[list, list[np.ndarray]]:
        """The cluster ids and the rows of each (noise rows left out; all rows when every
        row is noise, with a warning)."""
        is_noise = _noise_mask(labels)
        cluster_ids = list(pd.unique(labels[~is_noise]))
        members = [np.flatnonzero((labels == c) & ~is_noise) for c in cluster_ids]
        if members:
            return cluster_ids, members
        if n_new:
            warnings.warn(
                f"ClusterAwareSMOTE: every row of class {fmt_label(class_label)} is "
                "labelled noise (-1); using the whole class as one cluster.",
                UserWarning,
                stacklevel=5,
            )
        return [NOISE_LABEL], [np.arange(labels.size)]

    def _small_cluster_rule(self, sizes: np.ndarray):
        """``small_cluster`` applied (note 4): the policy in force, which clusters are
        small, which may get synthetic rows, and each cluster's number of neighbours."""
        k = self.k_neighbors
        small, single = sizes < k + 1, sizes == 1
        policy = self.small_cluster
        if policy == "skip" and small.all():
            policy = "shrink_k"
        if policy == "shrink_k" and single.all():
            policy = "duplicate"  # nothing to interpolate with anywhere in the class
        if policy == "skip":
            eligible = ~small
        elif policy == "shrink_k":
            eligible = ~single
        else:
            eligible = np.ones(sizes.size, dtype=bool)
        k_effs = [
            (size - 1 if policy == "shrink_k" else 0) if is_small else k
            for size, is_small in zip(sizes, small, strict=True)
        ]
        return policy, small, eligible, k_effs

    def _graph_neighbors(self, class_label, Z, labels):
        """The default clusterer's k-NN graph when valid in ``Z`` (else None): the class
        was clustered here by :class:`GapClustering` in the whole distance space (no
        categorical columns), on all of its rows."""
        clusterer = self.clusterers_.get(class_label)
        if not isinstance(clusterer, GapClustering) or self.clusterer is not None:
            return None
        if clusterer.n_features_in_ != Z.shape[1] or labels is not clusterer.labels_:
            return None
        if self.standardize and self.pca_.get(class_label) is None:
            return None  # neighbours are ranked in the pooled spread, not the graph's
        return clusterer.graph_neighbors(self.k_neighbors)

    def _guard_pairs(self, class_label, labels, members, neighbors, guard) -> tuple[list, list]:
        """Per cluster, the flat indices of the pairs the bridge guard allows (None: all)
        and of the long pairs it checked and kept (None: none)."""
        n_pairs = sum(n.size for n in neighbors if n is not None)
        self.n_pairs_[class_label] = int(n_pairs)
        counts = self.n_rejected_pairs_[class_label] = dict.fromkeys(REASONS, 0)
        if guard is None or not n_pairs:
            return [None] * len(members), [None] * len(members)
        coords, other_coords = guard
        cluster_of = np.full(labels.size, -2)
        for i, rows in enumerate(members):
            cluster_of[rows] = i
        reach, limit = surroundings(coords, members, neighbors)
        blockers = Blockers(coords, cluster_of, other_coords, reach, limit)
        safe, checked = [], []
        for i, (rows, near) in enumerate(zip(members, neighbors, strict=True)):
            if near is None:
                safe.append(None)
                checked.append(None)
                continue
            reason, long = judge_pairs(coords, rows, near, self.pair_stretch, blockers, i)
            for code, name in enumerate(REASONS, start=1):
                counts[name] += int((reason == code).sum())
            safe.append(np.flatnonzero(reason.ravel() == 0) if reason.any() else None)
            checked.append(np.flatnonzero((long & (reason == 0)).ravel()))
        return safe, checked

    def _warn_all_blocked(self, class_label):
        warnings.warn(
            f"ClusterAwareSMOTE: class {fmt_label(class_label)}: the bridge guard rejected "
            "every pair of parents (each segment passes near another class's or another "
            "cluster's rows, or crosses space with no real row of the class); copies of the "
            "class's rows are emitted instead.",
            BridgeGuardWarning,
            stacklevel=5,
        )

    def _warn_small(self, class_label, cluster_id, size, policy, k_eff, eligible):
        if not eligible:
            action = "giving its share to the other clusters of the class"
        elif policy == "shrink_k":
            action = f"using k={k_eff} neighbours"
        elif self.small_cluster == "duplicate":
            action = "emitting copies of its rows"
        else:
            action = (
                "every cluster of the class has one row, so copies of the rows "
                "are emitted (exact copies of real rows)"
            )
        warnings.warn(
            f"ClusterAwareSMOTE: class {fmt_label(class_label)}, cluster "
            f"{fmt_label(cluster_id)} has {size} row(s), fewer than k_neighbors + 1 = "
            f"{self.k_neighbors + 1}; "
            f"small_cluster={self.small_cluster!r}: {action}.",
            SmallClusterWarning,
            stacklevel=5,
        )

    def _apply_safety(
        self, class_label, result, cluster_index, plans, space, codes, cat_sources, safety, rng
    ):
        """Reject / redraw unsafe candidates (note 8)."""

        def unsafe(draw_: Draw) -> np.ndarray:
            self._n_evaluated += draw_.parent_a.size
            cat_codes = np.take_along_axis(codes, cat_sources[draw_.parent_a], axis=0)
            flags = safety.unsafe(draw_.numeric, cat_codes, class_label)
            self._n_rejected += int(flags.sum())
            return flags

        flags = unsafe(result)
        for _ in range(self.max_redraws):
            redo = np.flatnonzero(flags)
            if redo.size == 0:
                break
            for i in np.unique(cluster_index[redo]):
                where = redo[cluster_index[redo] == i]
                new = draw(plans[i], space, where.size, rng)
                result.parent_a[where], result.parent_b[where] = new.parent_a, new.parent_b
                result.steps[where], result.numeric[where] = new.steps, new.numeric
            flags[redo] = unsafe(result.take(redo))
        n_unsafe = int(flags.sum())
        if n_unsafe:
            self.n_unsafe_kept_ += n_unsafe
            verb = "kept" if self.safety_fallback == "keep" else "dropped"
            warnings.warn(
                f"ClusterAwareSMOTE: {n_unsafe} synthetic row(s) of class "
                f"{fmt_label(class_label)} were still unsafe after "
                f"max_redraws={self.max_redraws} rounds and were "
                f"{verb} (safety_fallback={self.safety_fallback!r}).",
                SafetyFilterWarning,
                stacklevel=4,
            )
            if self.safety_fallback == "drop":
                result, cluster_index = result.take(~flags), cluster_index[~flags]
        return result, cluster_index

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ returns __dict__ itself
        state.pop("provenance_", None)
        state.pop("_distances", None)  # per-fit scratch of the bridge guard
        return state

    def _more_tags(self):
        return {"X_types": ["2darray", "dataframe", "string"]}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        return tags


def _cluster_neighbors(Z, members: np.ndarray, k: int, graph) -> np.ndarray:
    """``k`` nearest neighbours of each member inside the cluster (class positions): from
    the class's k-NN ``graph`` (positions, nearest first) where a member keeps at least
    ``k`` neighbours of its own cluster (then its ``k`` nearest in the cluster, up to
    ties); a neighbour search in the cluster for the other members."""
    if graph is None:
        return members[self_excluded_neighbors(Z[members], k)]
    in_cluster = np.zeros(graph.shape[0], dtype=bool)
    in_cluster[members] = True
    candidates = graph[members]
    keep = in_cluster[candidates]
    enough = keep.sum(axis=1) >= k
    out = np.empty((members.size, k), dtype=np.int64)
    if enough.any():
        order = np.argsort(~keep[enough], axis=1, kind="stable")[:, :k]
        out[enough] = np.take_along_axis(candidates[enough], order, axis=1)
    if not enough.all():  # rows are distinct (graph given): each is its own nearest
        lacking = np.flatnonzero(~enough)
        local = nearest(Z[members], Z[members[lacking]], k + 1)[1][:, 1:]
        out[lacking] = members[local]
    return out


def _rows_on_checked_pairs(plans, result: Draw, cluster_index: np.ndarray) -> int:
    """Synthetic rows whose parents are a long pair the bridge guard checked and kept."""
    total = 0
    for i, plan in enumerate(plans):
        if plan.checked is None or plan.checked.size == 0:
            continue
        rows, cols = np.divmod(plan.checked, plan.neighbors.shape[1])
        size = int(max(plan.members.max(), plan.neighbors.max())) + 1
        long = plan.members[rows] * size + plan.neighbors[rows, cols]
        mine = cluster_index == i
        drawn = result.parent_a[mine] * size + result.parent_b[mine]
        total += int(np.isin(drawn, long).sum())
    return total


def _noise_mask(labels: np.ndarray) -> np.ndarray:
    if labels.dtype.kind in "iuf":
        return labels == NOISE_LABEL
    return np.array([label == NOISE_LABEL for label in labels], dtype=bool)


def _concat_provenance(parts: list[tuple]) -> pd.DataFrame:
    """One DataFrame from per-class column tuples (a single construction, no concat)."""
    columns = "class_label cluster_id parent_index_a parent_index_b interpolation_factor".split()
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    data = {}
    for name, values in zip(columns, zip(*parts, strict=True), strict=True):
        values = values[0] if len(values) == 1 else np.concatenate(values)
        data[name] = pd.Series(values, dtype=object if values.dtype == object else None, copy=False)
    return pd.DataFrame(data, copy=False)
