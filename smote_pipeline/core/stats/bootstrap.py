"""Vectorised stratified bootstrap of ranking and calibration metrics.

A bootstrap resample is represented by how many times each row is drawn (a weight), so
every metric of every resample comes from one pass over its weights and a few cumulative
sums over the positive rows' distinct scores, instead of one scikit-learn call per
resample. The weighted formulas equal scikit-learn's ``average_precision_score``,
``roc_auc_score`` and ``brier_score_loss`` with ``sample_weight`` (tested).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

#: Resamples processed at once: at most 64, and at most CHUNK_ELEMENTS weights
#: (32 MB as floats), so memory stays bounded on a large hold-out.
CHUNK = 64
CHUNK_ELEMENTS = 2**22


def _chunk_rows(n_rows: int) -> int:
    return max(1, min(CHUNK, CHUNK_ELEMENTS // max(n_rows, 1)))


def stratified_weights(
    y: np.ndarray,
    n_resamples: int,
    random_state: int | np.random.Generator,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Draw counts of stratified bootstrap resamples, shape (n_resamples, n_rows).

    Positives and negatives are each resampled with replacement to their own count
    (:func:`_draw_counts`), so every resample keeps the class counts of ``y``. The
    counts are held in the smallest unsigned integer type that holds the largest one
    (one byte each in practice: 250 MB for 1,000 resamples of 250,000 rows, against
    2 GB as floats); they are drawn a chunk of resamples at a time, in the same order,
    so the values do not depend on the chunking.

    With ``groups`` (an entity code per row), entities are resampled instead of rows
    (a cluster bootstrap): entities with a positive row and the others each to their
    own count, every row weighted by its entity's draws. Rows of one entity are not
    independent, so resampling rows would make the intervals too narrow.
    """
    if groups is not None:
        return _entity_weights(y, groups, n_resamples, random_state)
    rng = np.random.default_rng(random_state)
    weights = np.zeros((n_resamples, len(y)), dtype=np.uint8)
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        if not len(rows):
            continue
        step = _chunk_rows(len(rows))
        for start in range(0, n_resamples, step):
            size = min(step, n_resamples - start)
            counts = _draw_counts(rng, len(rows), size)
            if counts.max() > np.iinfo(weights.dtype).max:  # never seen; kept exact
                weights = weights.astype(np.min_scalar_type(counts.max()))
            weights[start : start + size, rows] = counts
    return weights


def _entity_weights(
    y: np.ndarray, groups: np.ndarray, n_resamples: int, random_state: int | np.random.Generator
) -> np.ndarray:
    """:func:`stratified_weights` over entities (see there)."""
    rng = np.random.default_rng(random_state)
    _, codes = np.unique(groups, return_inverse=True)
    positive = np.bincount(codes, weights=y) > 0
    weights = np.zeros((n_resamples, len(y)), dtype=np.uint8)
    step = _chunk_rows(len(y))
    for start in range(0, n_resamples, step):
        size = min(step, n_resamples - start)
        counts = np.zeros((size, len(positive)), dtype=np.int64)
        for label in (False, True):
            members = np.flatnonzero(positive == label)
            if len(members):
                counts[:, members] = _draw_counts(rng, len(members), size)
        if counts.max() > np.iinfo(weights.dtype).max:
            weights = weights.astype(np.min_scalar_type(counts.max()))
        weights[start : start + size] = counts[:, codes]
    return weights


def _draw_counts(rng: np.random.Generator, n_rows: int, size: int) -> np.ndarray:
    """How often each of ``n_rows`` rows is drawn in ``size`` resamples of ``n_rows`` draws.

    Drawing row numbers and counting them is a multinomial draw with equal probabilities,
    in time linear in the rows (numpy's ``multinomial`` with ``n_rows`` categories is
    about ten times slower).
    """
    drawn = rng.integers(0, n_rows, size=(size, n_rows))
    drawn += np.arange(size)[:, None] * n_rows
    return np.bincount(drawn.ravel(), minlength=size * n_rows).reshape(size, n_rows)


def _float_chunks(weights: np.ndarray):
    """Consecutive rows of ``weights``, a chunk at a time, as float64."""
    step = _chunk_rows(weights.shape[1])
    for start in range(0, len(weights), step):
        yield weights[start : start + step].astype(np.float64)


def _buckets(y: np.ndarray, proba: np.ndarray) -> tuple[sparse.csr_matrix, int]:
    """Which bucket each row's weight adds to, and the number ``m`` of positive groups.

    A positive group is a distinct score that at least one positive row has, ordered by
    descending score. Columns ``0..m-1`` sum each group's positive weight; column
    ``m + k`` the negative weight scored above group ``k`` and below group ``k - 1``
    (column ``2m``: below every group); columns ``2m+1..3m`` the negative weight tied
    with each group. Every row falls in exactly one bucket, so one sparse product with
    the weights gives everything the ranking metrics need.
    """
    groups = np.unique(proba[y == 1])[::-1]  # descending
    m = len(groups)
    ascending = groups[::-1]
    # for each row: the first group (descending) whose score is <= the row's score
    at_or_below = m - np.searchsorted(ascending, proba, side="right")
    tied = (at_or_below < m) & (groups[np.minimum(at_or_below, m - 1)] == proba)
    column = np.where(y == 1, at_or_below, np.where(tied, 2 * m + 1 + at_or_below, m + at_or_below))
    indicator = sparse.csr_matrix(
        (np.ones(len(y), dtype=np.float32), (column, np.arange(len(y)))), shape=(3 * m + 1, len(y))
    )
    return indicator, m


def weighted_metrics(
    y: np.ndarray, proba: np.ndarray, weights: np.ndarray, *, min_precision: float | None = None
) -> dict[str, np.ndarray]:
    """Average precision, ROC AUC and Brier score for each row of ``weights``.

    Only the distinct scores of positive rows matter for the ranking metrics: recall
    steps there, precision is highest there among thresholds of equal recall, and ROC
    AUC is the positive weight times the negative weight below (half of it for ties).
    So each resample is reduced, by one sparse product over its rows
    (:func:`_buckets`), to a few numbers per positive group, and the metrics are
    cumulative sums over those: one pass over the weights, not a sort or a cumulative
    sum over every row per resample.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        0/1 labels.
    proba : ndarray of shape (n_rows,)
        Positive-class probabilities.
    weights : ndarray of shape (n_resamples, n_rows)
        Non-negative row weights (bootstrap counts), each row with positive weight on
        both classes.
    min_precision : float or None, default=None
        When given, also return ``recall_at_precision``: the largest recall over all
        thresholds whose precision is at least ``min_precision`` (0 when none does).

    Returns
    -------
    dict of str to ndarray of shape (n_resamples,)
        ``average_precision``, ``roc_auc``, ``brier`` (and ``recall_at_precision``).
    """
    y = np.asarray(y).astype(np.int64)
    proba = np.asarray(proba, dtype=np.float64)
    squared = (proba - y) ** 2
    if not y.any() or y.all():  # ranking metrics of one class are undefined
        brier = np.concatenate([(w @ squared) / w.sum(axis=1) for w in _float_chunks(weights)])
        keys = ["average_precision", "roc_auc"]
        keys += ["recall_at_precision"] if min_precision is not None else []
        return {"brier": brier} | {k: np.full(len(weights), np.nan) for k in keys}
    indicator, m = _buckets(y, proba)
    chunks = [
        _chunk_metrics(indicator, m, w, squared, min_precision) for w in _float_chunks(weights)
    ]
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


def _chunk_metrics(
    indicator: sparse.csr_matrix,
    m: int,
    w: np.ndarray,
    squared: np.ndarray,
    min_precision: float | None,
) -> dict[str, np.ndarray]:
    """:func:`weighted_metrics` of one chunk of resamples (``m`` positive groups)."""
    sums = np.asarray((indicator @ w.T).T, dtype=np.float64)  # (chunk, 3m + 1)
    positive, above, tie = sums[:, :m], sums[:, m : 2 * m + 1], sums[:, 2 * m + 1 :]
    tp = np.cumsum(positive, axis=1)
    fp = np.cumsum(above[:, :m] + tie, axis=1)  # negative weight at or above each group
    total_pos = tp[:, -1:]
    total_neg = fp[:, -1:] + above[:, m:]
    precision = tp / np.maximum(tp + fp, 1e-300)
    below = total_neg - fp + tie / 2
    # rounding can pass 1 by an ulp: the metrics are clipped to their range
    out = {
        "average_precision": np.clip((positive * precision).sum(axis=1) / total_pos[:, 0], 0, 1),
        "roc_auc": np.clip(
            (positive * below).sum(axis=1) / (total_pos[:, 0] * total_neg[:, 0]), 0.0, 1.0
        ),
        "brier": (w @ squared) / w.sum(axis=1),
    }
    if min_precision is not None:
        reached = precision >= min_precision - 1e-12
        out["recall_at_precision"] = np.where(reached, tp / total_pos, 0.0).max(axis=1)
    return out


#: Metrics of hard decisions computed by :func:`weighted_threshold_metrics`.
THRESHOLD_METRICS: tuple[str, ...] = ("precision", "recall", "f1", "g_mean", "mcc")


def weighted_threshold_metrics(
    y: np.ndarray, predicted: np.ndarray, weights: np.ndarray
) -> dict[str, np.ndarray]:
    """Precision, recall, F1, G-mean and MCC of fixed decisions for each weight row.

    The weighted confusion counts of every resample come from one matrix product; the
    formulas equal scikit-learn's ``precision_score``, ``recall_score``, ``f1_score``
    and ``matthews_corrcoef`` with ``sample_weight`` (``zero_division=0``); G-mean is
    ``sqrt(recall * specificity)``.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        0/1 labels.
    predicted : ndarray of shape (n_rows,)
        0/1 decisions (probability >= a threshold tuned on training data).
    weights : ndarray of shape (n_resamples, n_rows)
        Non-negative row weights; ``np.ones((1, n_rows))`` for the point estimate.

    Returns
    -------
    dict of str to ndarray of shape (n_resamples,)
        One array per name in :data:`THRESHOLD_METRICS`.
    """
    y, predicted = y.astype(np.float64), predicted.astype(np.float64)
    cells = np.column_stack(
        [y * predicted, (1.0 - y) * predicted, y * (1.0 - predicted), (1.0 - y) * (1.0 - predicted)]
    )
    counts = np.vstack([w @ cells for w in _float_chunks(weights)])
    tp, fp, fn, tn = counts.T

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return np.divide(num, den, out=np.zeros_like(num), where=den > 0)

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    specificity = ratio(tn, tn + fp)
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return {
        "precision": precision,
        "recall": recall,
        "f1": ratio(2 * tp, 2 * tp + fp + fn),
        "g_mean": np.sqrt(recall * specificity),
        "mcc": ratio(tp * tn - fp * fn, denominator),
    }
