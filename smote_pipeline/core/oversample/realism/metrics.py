"""Distribution-level realism metrics on bounded samples of real and synthetic rows.

Each function takes already-sampled rows (the caller caps them, by default at 5,000 real
and 5,000 synthetic rows), so its cost does not grow with the data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import pairwise_distances, roc_auc_score
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from smote_pipeline.core.oversample.realism.space import (
    ColumnDomain,
    neighbor_algorithm,
    numeric_values,
    text_values,
)

#: Detectors accepted by :func:`detection_auc`.
DETECTORS = ("auto", "hist_gradient_boosting", "logistic_regression")

#: With "auto", rows per side below which logistic regression replaces gradient
#: boosting (boosting cannot grow useful trees on a few dozen rows).
AUTO_BOOSTING_MIN_ROWS = 200

#: Rows used for the relative contrast (a fixed number, because the contrast
#: shrinks as the sample grows: values are comparable across data sets).
CONTRAST_SAMPLE_SIZE = 1000


def _ks_similarity(real: np.ndarray, synthetic: np.ndarray) -> tuple[float, float]:
    """``(1 - KS statistic, p-value)`` on the non-null values of one numeric column."""
    real = real[np.isfinite(real)]
    synthetic = synthetic[np.isfinite(synthetic)]
    if real.size == 0 or synthetic.size == 0:
        return float("nan"), float("nan")
    result = stats.ks_2samp(real, synthetic)
    return 1.0 - float(result.statistic), float(result.pvalue)


def _tv_similarity(real: np.ndarray, synthetic: np.ndarray) -> tuple[float, float]:
    """``(1 - total variation distance, chi-square p-value)`` of two category samples."""
    if real.size == 0 or synthetic.size == 0:
        return float("nan"), float("nan")
    counts = pd.crosstab(
        np.r_[np.zeros(real.size, dtype=int), np.ones(synthetic.size, dtype=int)],
        np.r_[real, synthetic],
    ).to_numpy(dtype=np.float64)
    shares = counts / counts.sum(axis=1, keepdims=True)
    similarity = 1.0 - 0.5 * float(np.abs(shares[0] - shares[1]).sum())
    if counts.shape[1] < 2:
        return similarity, 1.0
    return similarity, float(stats.chi2_contingency(counts, correction=False).pvalue)


def column_similarity(
    real: pd.DataFrame, synthetic: pd.DataFrame, domains: tuple[ColumnDomain, ...] | list
) -> pd.DataFrame:
    """Per-column marginal similarity of synthetic to real values.

    Numeric and integer columns: ``1 - KS`` (Kolmogorov-Smirnov statistic: largest gap
    between the two empirical CDFs); categorical columns: ``1 - TV`` (total-variation
    distance between category shares); both on the non-null values. Where either side
    has nulls, the similarity is at most ``1 - |difference of null shares|``, so a
    column whose synthetic rows miss values far more or less often than the real ones
    scores low. All lie in [0, 1]: 1 identical marginals, 0 disjoint ones.

    Parameters
    ----------
    real, synthetic : pandas.DataFrame
        Sampled rows with every column in ``domains``.
    domains : sequence of ColumnDomain
        Feature columns and their kinds.

    Returns
    -------
    pandas.DataFrame
        Columns ``column``, ``kind``, ``similarity``, ``p_value`` (two-sample KS test,
        or chi-square test of homogeneity for categories) and ``null_share_gap``. A
        low similarity with a high p-value is sampling noise (few rows), not a real
        difference.
    """
    records = []
    for domain in domains:
        if domain.is_numeric:
            similarity, p_value = _ks_similarity(
                numeric_values(real[domain.name]), numeric_values(synthetic[domain.name])
            )
        else:
            similarity, p_value = _tv_similarity(
                text_values(real[domain.name].dropna()),
                text_values(synthetic[domain.name].dropna()),
            )
        gap = abs(
            float(real[domain.name].isna().mean()) - float(synthetic[domain.name].isna().mean())
        )
        if gap > 0 and not np.isnan(similarity):
            similarity = min(similarity, 1.0 - gap)
        records.append((domain.name, domain.kind, similarity, p_value, gap))
    return pd.DataFrame(
        records, columns=["column", "kind", "similarity", "p_value", "null_share_gap"]
    )


def _correlations(matrix: np.ndarray) -> np.ndarray:
    """Pearson correlation matrix; pairs with a constant column count as 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(matrix, rowvar=False)
    return np.nan_to_num(np.atleast_2d(corr), nan=0.0)


def correlation_similarity(real: np.ndarray, synthetic: np.ndarray) -> float | None:
    """``1 - mean |corr_real - corr_synthetic| / 2`` over pairs of numeric columns.

    The mean absolute difference (at most 2) of the Pearson correlations of every pair
    of numeric columns, real against synthetic, mapped to [0, 1]: 1 is the same linear
    dependence structure, 0.9 correlations 0.2 apart on average.

    Parameters
    ----------
    real, synthetic : numpy.ndarray of shape (n_rows, n_numeric)
        Sampled numeric columns (standardised or not: correlation ignores scale).

    Returns
    -------
    float or None
        None with fewer than two numeric columns or two rows on either side.
    """
    n_columns = real.shape[1]
    if n_columns < 2 or len(real) < 2 or len(synthetic) < 2:
        return None
    upper = np.triu_indices(n_columns, k=1)
    gap = np.abs(_correlations(real)[upper] - _correlations(synthetic)[upper])
    return 1.0 - float(gap.mean()) / 2.0


def _detector(name: str, n_min: int, random_state: int):
    """The classifier that tries to tell synthetic from real rows."""
    if name not in DETECTORS:
        raise ValueError(f"detector must be one of {DETECTORS}, got {name!r}")
    if name == "logistic_regression" or (name == "auto" and n_min < AUTO_BOOSTING_MIN_ROWS):
        return LogisticRegression(max_iter=1000)
    return HistGradientBoostingClassifier(
        max_iter=50, max_leaf_nodes=15, early_stopping=False, random_state=random_state
    )


def grouped_folds(
    real: np.ndarray, synthetic: np.ndarray, n_splits: int, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fold of each real row (balanced, random) and of each synthetic row (its nearest real row's).

    Synthetic rows are made from real rows, so ordinary cross-validation leaks: the
    synthetic children of a held-out real row sit in the training folds labelled
    "synthetic", the detector learns that the real row's neighbourhood is synthetic and
    the AUC drops far below 0.5. Keeping every synthetic row in the fold of its nearest
    real row (its likely parent) removes most of that leak.

    Returns
    -------
    real_folds : numpy.ndarray of shape (n_real,)
    synthetic_folds : numpy.ndarray of shape (n_synthetic,)
    """
    rng = np.random.default_rng(random_state)
    real_folds = rng.permutation(np.arange(len(real)) % n_splits)
    index = NearestNeighbors(n_neighbors=1, algorithm=neighbor_algorithm(real.shape[1]))
    nearest = index.fit(real).kneighbors(synthetic, return_distance=False)[:, 0]
    return real_folds, real_folds[nearest]


def detection_auc(
    real: np.ndarray,
    synthetic: np.ndarray,
    *,
    detector: str = "auto",
    n_splits: int = 3,
    random_state: int = 0,
    n_threads: int = 1,
) -> float | None:
    """Cross-validated ROC AUC of a classifier telling synthetic from real rows.

    The mean out-of-fold ROC AUC of a detector trained on real (label 0) and synthetic
    (label 1) rows, folds keeping each synthetic row with its nearest real row
    (:func:`grouped_folds`). 0.5: the detector cannot tell them apart (good); 1.0:
    every synthetic row is recognisable (e.g. shifted, or off the real manifold).
    Values somewhat below 0.5 are chance or a residual leak (synthetic rows sharing a
    parent with a held-out row); read them as 0.5.

    Parameters
    ----------
    real, synthetic : numpy.ndarray of shape (n_rows, n_dimensions)
        Sampled, encoded rows (the caller caps each side, 5,000 by default).
    detector : {"auto", "hist_gradient_boosting", "logistic_regression"}
        ``"auto"``: gradient boosting (non-linear, finds local artefacts) when both
        sides have at least 200 rows, logistic regression otherwise.
    n_splits : int
        Folds (fewer when the real side has fewer rows).
    random_state : int
        Seed of the folds and the detector.
    n_threads : int, default=1
        OpenMP threads of the detector. One by default: gradient boosting's OpenMP
        threads busy-wait, which on a shared, oversubscribed machine made it 30 times
        slower than single-threaded.

    Returns
    -------
    float or None
        None when a side has fewer than two rows.
    """
    with threadpool_limits(limits=n_threads):
        return _detection_auc(real, synthetic, detector, n_splits, random_state)


def _detection_auc(
    real: np.ndarray, synthetic: np.ndarray, detector: str, n_splits: int, random_state: int
) -> float | None:
    """:func:`detection_auc` inside the thread limit."""
    n_min = min(len(real), len(synthetic))
    if n_min < 2:
        return None
    real_folds, synthetic_folds = grouped_folds(
        real, synthetic, min(n_splits, len(real)), random_state
    )
    X = np.vstack([real, synthetic])
    y = np.r_[np.zeros(len(real), dtype=int), np.ones(len(synthetic), dtype=int)]
    folds = np.r_[real_folds, synthetic_folds]
    scores = []
    for fold in np.unique(folds):
        test = folds == fold
        if len(np.unique(y[test])) < 2 or len(np.unique(y[~test])) < 2:
            continue  # a fold without both classes cannot be scored
        model = _detector(detector, n_min, random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # e.g. convergence on tiny folds
            model.fit(X[~test], y[~test])
        scores.append(roc_auc_score(y[test], model.predict_proba(X[test])[:, 1]))
    return float(np.mean(scores)) if scores else None


def relative_contrast(matrix: np.ndarray) -> float | None:
    """Mean relative contrast ``(D_max - D_min) / D_min`` of nearest-neighbour distances.

    ``D_min`` and ``D_max``: each row's distances to its closest and farthest other row
    (zero distances from exact duplicates skipped). In high dimensions all distances
    concentrate around one value, the contrast tends to 0 and "nearest neighbour"
    stops meaning anything: SMOTE then interpolates between arbitrary points. Uniform
    data gives about 60 in 2 dimensions and about 0.2 in 500 (on 1,000 rows).

    Parameters
    ----------
    matrix : numpy.ndarray of shape (n_rows, n_dimensions)
        Encoded real rows; at most :data:`CONTRAST_SAMPLE_SIZE` expected (the caller
        samples), bounding the cost to one 1,000 x 1,000 distance matrix.

    Returns
    -------
    float or None
        None with fewer than three rows or when every row is a duplicate.
    """
    if len(matrix) < 3 or matrix.shape[1] == 0:
        return None
    distances = pairwise_distances(matrix)
    np.fill_diagonal(distances, np.nan)
    d_max = np.nanmax(distances, axis=1)
    positive = np.where(distances > 0, distances, np.inf)
    d_min = positive.min(axis=1)
    usable = np.isfinite(d_min)
    if not usable.any():
        return None
    return float(np.mean((d_max[usable] - d_min[usable]) / d_min[usable]))


def reduced_contrast(matrix: np.ndarray, variance: float = 0.9) -> tuple[float | None, int]:
    """Relative contrast in the PCA space keeping ``variance`` of the real variance.

    Returns
    -------
    contrast : float or None
        :func:`relative_contrast` of the projected rows.
    n_components : int
        Components kept.
    """
    if len(matrix) < 3 or matrix.shape[1] < 2:
        return None, matrix.shape[1]
    pca = PCA(n_components=variance, svd_solver="full").fit(matrix)
    return relative_contrast(pca.transform(matrix)), int(pca.n_components_)
