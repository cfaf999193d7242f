"""Training-only removal of suspected label noise before over-sampling."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from imblearn.under_sampling import TomekLinks
from imblearn.under_sampling.base import BaseCleaningSampler
from sklearn.ensemble import IsolationForest
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from smote_pipeline.samplers._distance_space import DistanceSpace
from smote_pipeline.samplers._fast_enn import edited_nearest_neighbours
from smote_pipeline.samplers._ipf import iterative_partitioning_filter
from smote_pipeline.samplers._neighbors import make_neighbors
from smote_pipeline.samplers._validation import SEED_MAX as _SEED_MAX
from smote_pipeline.samplers._validation import (
    FeatureTable,
    check_mixed_X_y,
    fmt_label,
    resolve_categorical,
    take_rows,
)


class NoiseFilter(BaseCleaningSampler):
    """Remove rows whose label looks wrong, so that SMOTE does not amplify them.

    A cleaning sampler: use it inside an ``imblearn.pipeline.Pipeline`` (before the
    over-sampler) so that it only ever sees training folds.

    Parameters
    ----------
    method : {"enn", "tomek", "ipf", "isolation_forest"}, default="enn"
        - "enn": edited nearest neighbours, ``kind_sel`` rule; removals equal
          imbalanced-learn's ``EditedNearestNeighbours`` (up to distance ties). When the
          largest class outnumbers the others (at least 5000 rows, any dimension) it is
          screened (:mod:`smote_pipeline.samplers._fast_enn`): one single-precision pass
          over largest-class x other-class distances, local groups of class-mates, and
          an exact double-precision search only for rows too close to call. That pass
          is quadratic when the minority is a fixed share (about 1.2 ns per distance and
          thread: 1M rows with 1% minority take about 12 s on one thread, 8 s on two;
          ``benchmarks/bench_samplers.py``).
        - "tomek": rows of targeted classes in a Tomek link (imbalanced-learn's
          :class:`~imblearn.under_sampling.TomekLinks` rule).
        - "ipf": iterative-partitioning filter of SMOTE-IPF (fold-wise decision trees,
          majority vote, repeated while a round removes at least 1% of rows).
        - "isolation_forest": per-class :class:`~sklearn.ensemble.IsolationForest`
          outliers (anomalies of a class's own distribution).
    sampling_strategy : str, list or callable, default="all"
        Classes that may be cleaned (imbalanced-learn cleaning semantics). "all"
        cleans the minority too: label noise in the minority is what SMOTE amplifies.
    n_neighbors : int, default=3
        Neighbours for "enn".
    kind_sel : {"all", "mode"}, default="mode"
        ENN rule: remove when the most frequent neighbour class differs ("mode",
        Wilson's original ENN; ties go to the smallest class as in imbalanced-learn) or
        when any neighbour differs ("all", imbalanced-learn's default, which also strips
        clean rows next to every mislabelled one: on 10% planted noise it removed a
        quarter of the clean rows in our tests).
    max_minority_removal : float in [0, 1], default=0.2
        Largest share of any minority class (every class but the largest) that may be
        removed (more flagged: ``on_excess``).
    on_excess : {"trim", "raise"}, default="trim"
        "trim" removes only the most suspicious flagged rows, up to the cap, keeps the
        rest (``kept_suspect_indices_``) and warns; "raise" raises ``ValueError``
        naming the share and the fix. Suspicion is the method's own strength (ENN:
        neighbours of another class; IPF: votes; isolation forest: anomaly score), ties
        broken by how much nearer the row lies to another class than to its own
        (nearest-neighbour distance ratio; a query of the flagged rows only).
    categorical_features : array-like of str, int or bool, or None, default=None
        Categorical columns (``None``: auto-detect), one-hot encoded for distances.
    standardize : bool, default=True
        Standardise numeric columns for distances.
    n_folds : int, default=5
        Parts per "ipf" round.
    max_iter : int, default=10
        Maximum "ipf" rounds.
    n_estimators : int, default=100
        Trees of the "isolation_forest" method.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Passed to :class:`~sklearn.ensemble.IsolationForest`.
    random_state : int, RandomState instance or None, default=None
        Seeds "ipf", "isolation_forest" and the groups of class-mates of "enn" (its
        removals do not depend on it).
    n_jobs : int or None, default=None
        Parallel jobs of neighbour searches and isolation forests. Threads of the
        screened "enn" path: ``None`` uses the cores scikit-learn's own neighbour
        search would (the OpenMP limit: all cores unless ``OMP_NUM_THREADS`` or
        ``threadpoolctl`` lowers it), an int sets them (``-1``: all cores); the
        removals do not depend on it.

    Attributes
    ----------
    sampling_strategy_ : dict
        Targeted classes.
    sample_indices_ : ndarray of shape (n_kept,)
        Positions of the kept rows, in input order.
    removed_indices_ : ndarray of shape (n_removed,)
        Positions of the removed rows, in input order.
    removal_reasons_ : list of str
        One human-readable reason per removed row (same order as ``removed_indices_``).
    kept_suspect_indices_ : ndarray of shape (n_kept_suspects,)
        Positions of flagged rows kept because their class reached the
        ``max_minority_removal`` cap (``on_excess="trim"``), in input order.
    kept_suspect_reasons_ : list of str
        Why each kept suspect was flagged (same order as ``kept_suspect_indices_``).
    categorical_features_ : ndarray of int
        Positions of the categorical columns.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit (string column names only).

    Notes
    -----
    Guards, checked after flagging: a class is never emptied (all its rows flagged:
    none removed, with a ``UserWarning``), and no minority class loses more than
    ``max_minority_removal`` of its rows (``on_excess``; a ``UserWarning`` says how many
    were kept). Kept rows keep their input order and dtypes.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from smote_pipeline.samplers import NoiseFilter
    >>> X, y = make_classification(n_samples=300, weights=[0.8], flip_y=0.05,
    ...                            random_state=0)
    >>> nf = NoiseFilter(random_state=0)
    >>> X_clean, y_clean = nf.fit_resample(X, y)
    >>> len(nf.removed_indices_) == len(nf.removal_reasons_) == len(X) - len(X_clean)
    True
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "method": [StrOptions({"enn", "tomek", "ipf", "isolation_forest"})],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "kind_sel": [StrOptions({"all", "mode"})],
        "max_minority_removal": [Interval(numbers.Real, 0, 1, closed="both")],
        "on_excess": [StrOptions({"trim", "raise"})],
        "categorical_features": ["array-like", None],
        "standardize": ["boolean"],
        "n_folds": [Interval(numbers.Integral, 2, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_estimators": [Interval(numbers.Integral, 1, None, closed="left")],
        "contamination": [StrOptions({"auto"}), Interval(numbers.Real, 0, 0.5, closed="right")],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        *,
        method: str = "enn",
        sampling_strategy="all",
        n_neighbors: int = 3,
        kind_sel: str = "mode",
        max_minority_removal: float = 0.2,
        on_excess: str = "trim",
        categorical_features=None,
        standardize: bool = True,
        n_folds: int = 5,
        max_iter: int = 10,
        n_estimators: int = 100,
        contamination="auto",
        random_state=None,
        n_jobs=None,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.method = method
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.max_minority_removal = max_minority_removal
        self.on_excess = on_excess
        self.categorical_features = categorical_features
        self.standardize = standardize
        self.n_folds = n_folds
        self.max_iter = max_iter
        self.n_estimators = n_estimators
        self.contamination = contamination
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _check_X_y(self, X, y, accept_sparse=None):
        return check_mixed_X_y(self, X, y)

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        self.categorical_features_ = resolve_categorical(X, self.categorical_features)
        table = FeatureTable.from_input(X, self.categorical_features_)
        Z = (
            DistanceSpace(self.standardize)
            .fit(table.numeric, table.codes, table.n_categories)
            .transform(table.numeric, table.codes)
        )
        classes, y_code = np.unique(y, return_inverse=True)
        targets = [int(np.flatnonzero(classes == c)[0]) for c in self.sampling_strategy_]
        flagged, reasons, strength = getattr(self, f"_flag_{self.method}")(
            Z, y_code, targets, classes, rng
        )
        kept = self._apply_guards(Z, y_code, classes, flagged, strength)
        self.sample_indices_ = np.flatnonzero(~flagged)
        self.removed_indices_ = np.flatnonzero(flagged)
        self.removal_reasons_ = [reasons[i] for i in self.removed_indices_]
        self.kept_suspect_indices_ = kept
        self.kept_suspect_reasons_ = [reasons[i] for i in kept]
        return take_rows(X, self.sample_indices_), y[self.sample_indices_]

    # ------------------------------------------------------------- methods
    def _flag_enn(self, Z, y, targets, classes, rng):
        result = edited_nearest_neighbours(
            Z, y, targets, self.n_neighbors, self.kind_sel, rng, self.n_jobs
        )
        k = min(self.n_neighbors, y.size - 1)
        reasons = {
            i: (
                f"enn: {result.n_other[i]} of {k} nearest neighbours are not class "
                f"{fmt_label(classes[y[i]])} (most common: class "
                f"{fmt_label(classes[result.main_other[i]])})"
            )
            for i in np.flatnonzero(result.flagged)
        }
        return result.flagged, reasons, np.asarray(result.n_other, dtype=np.float64)

    def _flag_tomek(self, Z, y, targets, classes, rng):
        nearest = make_neighbors(2, Z.shape[1], self.n_jobs).fit(Z)
        partner = nearest.kneighbors(Z, return_distance=False)[:, 1]
        # Marks rows of the targeted classes whose nearest neighbour is of another
        # class and has them as nearest neighbour in return.
        flagged = TomekLinks.is_tomek(y, partner, targets)
        reasons = {
            i: (
                f"tomek: mutual nearest neighbour of row {partner[i]} "
                f"(class {fmt_label(classes[y[partner[i]]])})"
            )
            for i in np.flatnonzero(flagged)
        }
        return flagged, reasons, np.zeros(y.size)

    def _flag_ipf(self, Z, y, targets, classes, rng):
        flagged, votes = iterative_partitioning_filter(
            Z, y, np.isin(y, targets), self.n_folds, self.max_iter, 0.01, rng
        )
        reasons = {
            i: f"ipf: misclassified by {votes[i]} of {self.n_folds} fold models"
            for i in np.flatnonzero(flagged)
        }
        return flagged, reasons, np.asarray(votes, dtype=np.float64)

    def _flag_isolation_forest(self, Z, y, targets, classes, rng):
        flagged = np.zeros(y.size, dtype=bool)
        strength = np.zeros(y.size)
        reasons = {}
        for target in targets:
            rows = np.flatnonzero(y == target)
            if rows.size < 2:
                continue
            forest = IsolationForest(
                n_estimators=self.n_estimators,
                contamination=self.contamination,
                random_state=rng.randint(_SEED_MAX),
                n_jobs=self.n_jobs,
            ).fit(Z[rows])
            scores = forest.decision_function(Z[rows])
            strength[rows] = -scores
            for row, score in zip(rows[scores < 0], scores[scores < 0], strict=True):
                flagged[row] = True
                reasons[row] = (
                    f"isolation_forest: anomaly within class {fmt_label(classes[target])} "
                    f"(decision score {score:.3f} < 0)"
                )
        return flagged, reasons, strength

    # -------------------------------------------------------------- guards
    def _apply_guards(self, Z, y, classes, flagged, strength) -> np.ndarray:
        """Unflag rows the guards protect (in place); returns the kept suspects."""
        counts = np.bincount(y, minlength=classes.size)
        removed = np.bincount(y[flagged], minlength=classes.size)
        for code in np.flatnonzero(removed == counts):
            warnings.warn(
                f"NoiseFilter(method={self.method!r}) flagged all {counts[code]} rows of "
                f"class {fmt_label(classes[code])}; a class is never dropped, so none of them "
                "is removed. Check the labels of this class.",
                UserWarning,
                stacklevel=4,
            )
            flagged[y == code] = False
            removed[code] = 0
        majority = int(np.argmax(counts))
        kept = []
        for code in range(classes.size):
            allowed = int(np.floor(self.max_minority_removal * counts[code] + 1e-9))
            if code == majority or removed[code] <= allowed:
                continue
            share = removed[code] / counts[code]
            if self.on_excess == "raise":
                raise ValueError(
                    f"NoiseFilter(method={self.method!r}) would remove {share:.1%} "
                    f"({removed[code]} of {counts[code]} rows) of minority class "
                    f"{fmt_label(classes[code])}, more than max_minority_removal="
                    f"{self.max_minority_removal} (at most {allowed} rows). Raise "
                    f"max_minority_removal to at least {min(np.ceil(share * 100) / 100, 1):.2f}"
                    " if this is intended, use on_excess='trim' to remove only the most "
                    "suspicious rows up to the cap, or use a gentler method."
                )
            suspects = np.flatnonzero(flagged & (y == code))
            order = np.lexsort((-_other_class_pull(Z, y, suspects, code), -strength[suspects]))
            spared = np.sort(suspects[order[allowed:]])
            flagged[spared] = False
            kept.append(spared)
            warnings.warn(
                f"NoiseFilter(method={self.method!r}) flagged {removed[code]} of "
                f"{counts[code]} rows ({share:.1%}) of minority class "
                f"{fmt_label(classes[code])}, more than max_minority_removal="
                f"{self.max_minority_removal}: only the {allowed} most suspicious are removed, "
                f"{spared.size} stay (kept_suspect_indices_).",
                UserWarning,
                stacklevel=4,
            )
        return np.sort(np.concatenate(kept)) if kept else np.zeros(0, dtype=np.intp)

    def _more_tags(self):
        return {"X_types": ["2darray", "dataframe", "string"], "sample_indices": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        tags.sampler_tags.sample_indices = True
        return tags


def _other_class_pull(Z: np.ndarray, y: np.ndarray, rows: np.ndarray, code: int) -> np.ndarray:
    """How much nearer each of ``rows`` (of class ``code``) lies to another class than to
    its own: ``d_own / d_other``, nearest-neighbour distances in ``Z`` within the class
    (itself excluded) and to any other class's row; larger is more suspicious. One
    query of ``rows`` against each side: cost ``len(rows) x n``."""
    own, other = Z[y == code], Z[y != code]
    if own.shape[0] < 2:
        return np.zeros(rows.size)
    d_own = make_neighbors(2, Z.shape[1], None).fit(own).kneighbors(Z[rows])[0][:, 1]
    d_other = make_neighbors(1, Z.shape[1], None).fit(other).kneighbors(Z[rows])[0][:, 0]
    return d_own / np.maximum(d_other, 1e-12)
