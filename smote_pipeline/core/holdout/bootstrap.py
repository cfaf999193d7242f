"""Vectorised stratified bootstrap of ranking and calibration metrics.

A bootstrap resample is represented by how many times each row is drawn (a
weight), so every metric of every resample comes from one sort of the scores
and a few cumulative sums instead of one scikit-learn call per resample. The
weighted formulas equal scikit-learn's ``average_precision_score``,
``roc_auc_score`` and ``brier_score_loss`` with ``sample_weight`` (tested).
"""

from __future__ import annotations

import numpy as np

#: Resamples processed at once: at most 64, and at most CHUNK_ELEMENTS weights
#: (32 MB as floats), so memory stays bounded on a large hold-out.
CHUNK = 64
CHUNK_ELEMENTS = 2**22


def _chunk_rows(n_rows: int) -> int:
    return max(1, min(CHUNK, CHUNK_ELEMENTS // max(n_rows, 1)))


def stratified_weights(
    y: np.ndarray, n_resamples: int, random_state: int | np.random.Generator
) -> np.ndarray:
    """Draw counts of stratified bootstrap resamples, shape (n_resamples, n_rows).

    Positives and negatives are each resampled with replacement to their own
    count, so every resample keeps the class counts of ``y``. The counts are
    held in the smallest unsigned integer type that holds the largest one
    (one byte each in practice: 250 MB for 1,000 resamples of 250,000 rows,
    against 2 GB as floats); they are drawn a chunk of resamples at a time, in
    the same order, so the values do not depend on the chunking.
    """
    rng = np.random.default_rng(random_state)
    weights = np.zeros((n_resamples, len(y)), dtype=np.uint8)
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        if not len(rows):
            continue
        step = _chunk_rows(len(rows))
        for start in range(0, n_resamples, step):
            size = min(step, n_resamples - start)
            counts = rng.multinomial(len(rows), np.full(len(rows), 1 / len(rows)), size=size)
            if counts.max() > np.iinfo(weights.dtype).max:  # never seen; kept exact
                weights = weights.astype(np.min_scalar_type(counts.max()))
            weights[start : start + size, rows] = counts
    return weights


def _float_chunks(weights: np.ndarray, columns: np.ndarray | None = None):
    """``(start, chunk)``: consecutive rows of ``weights`` as float64 (columns reordered)."""
    step = _chunk_rows(weights.shape[1])
    for start in range(0, len(weights), step):
        chunk = weights[start : start + step]
        if columns is not None:
            chunk = chunk[:, columns]
        yield start, chunk.astype(np.float64)


def _group_ends(sorted_scores: np.ndarray) -> np.ndarray:
    """Index of the last row of each run of equal scores (scores sorted descending)."""
    change = np.flatnonzero(np.diff(sorted_scores) != 0)
    return np.append(change, len(sorted_scores) - 1)


def weighted_metrics(
    y: np.ndarray,
    proba: np.ndarray,
    weights: np.ndarray,
    *,
    min_precision: float | None = None,
) -> dict[str, np.ndarray]:
    """Average precision, ROC AUC and Brier score for each row of ``weights``.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        0/1 labels.
    proba : ndarray of shape (n_rows,)
        Positive-class probabilities.
    weights : ndarray of shape (n_resamples, n_rows)
        Non-negative row weights (bootstrap counts), each row with positive
        weight on both classes.
    min_precision : float or None, default=None
        When given, also return ``recall_at_precision``: the largest recall
        over all thresholds whose precision is at least ``min_precision``
        (0 when none reaches it).

    Returns
    -------
    dict of str to ndarray of shape (n_resamples,)
        ``average_precision``, ``roc_auc``, ``brier`` (and ``recall_at_precision``).
    """
    order = np.argsort(-proba, kind="mergesort")
    y_sorted, p_sorted = y[order].astype(np.float64), proba[order]
    ends = _group_ends(p_sorted)
    out: dict[str, list[np.ndarray]] = {"average_precision": [], "roc_auc": [], "brier": []}
    if min_precision is not None:
        out["recall_at_precision"] = []
    for _, w in _float_chunks(weights, order):
        pos_w, neg_w = w * y_sorted, w * (1.0 - y_sorted)
        tp = np.cumsum(pos_w, axis=1)[:, ends]
        fp = np.cumsum(neg_w, axis=1)[:, ends]
        total_pos, total_neg = tp[:, -1:], fp[:, -1:]
        precision = tp / np.maximum(tp + fp, 1e-300)
        recall = tp / total_pos
        recall_step = np.diff(recall, axis=1, prepend=0.0)
        out["average_precision"].append((recall_step * precision).sum(axis=1))
        if min_precision is not None:
            reached = precision >= min_precision - 1e-12
            out["recall_at_precision"].append(np.where(reached, recall, 0.0).max(axis=1))
        # ROC AUC: trapezoid over the (fp, tp) points of the distinct thresholds.
        tpr = np.hstack([np.zeros((len(w), 1)), tp / total_pos])
        fpr = np.hstack([np.zeros((len(w), 1)), fp / total_neg])
        out["roc_auc"].append((np.diff(fpr, axis=1) * (tpr[:, 1:] + tpr[:, :-1]) / 2).sum(axis=1))
        squared = (p_sorted - y_sorted) ** 2
        out["brier"].append((w * squared).sum(axis=1) / w.sum(axis=1))
    return {k: np.concatenate(v) for k, v in out.items()}


#: Metrics of hard decisions computed by :func:`weighted_threshold_metrics`.
THRESHOLD_METRICS: tuple[str, ...] = ("precision", "recall", "f1", "g_mean", "mcc")


def weighted_threshold_metrics(
    y: np.ndarray, predicted: np.ndarray, weights: np.ndarray
) -> dict[str, np.ndarray]:
    """Precision, recall, F1, G-mean and MCC of fixed decisions for each weight row.

    The weighted confusion counts of every resample come from one matrix
    product; the formulas equal scikit-learn's ``precision_score``,
    ``recall_score``, ``f1_score`` and ``matthews_corrcoef`` with
    ``sample_weight`` (``zero_division=0``), and G-mean is
    ``sqrt(recall * specificity)``.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        0/1 labels.
    predicted : ndarray of shape (n_rows,)
        0/1 decisions (probability >= a threshold tuned on training data).
    weights : ndarray of shape (n_resamples, n_rows)
        Non-negative row weights; use ``np.ones((1, n_rows))`` for the point
        estimate.

    Returns
    -------
    dict of str to ndarray of shape (n_resamples,)
        One array per name in :data:`THRESHOLD_METRICS`.
    """
    y, predicted = y.astype(np.float64), predicted.astype(np.float64)
    cells = np.column_stack(
        [y * predicted, (1.0 - y) * predicted, y * (1.0 - predicted), (1.0 - y) * (1.0 - predicted)]
    )
    counts = np.vstack([w @ cells for _, w in _float_chunks(weights)])
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
