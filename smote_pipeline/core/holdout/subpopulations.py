"""Hold-out recall per minority subpopulation: does the model miss one of them?

An average can hide a subpopulation the model never finds: 90% recall overall is
also 100% on a large group and 0% on a small one. The minority clusters of the
training side (``minority_clusters``) name the subpopulations; each real hold-out
positive joins the cluster of its nearest real minority training row, in the space
the clusters were found in (the sampler's scaled numeric columns and weighted
categories); then the shipped model's recall at its threshold is counted per
cluster, with a Wilson 95% interval (exact enough for the few positives a small
subpopulation has, where a bootstrap would collapse onto them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import CLUSTER_ID, ROW_ID, categorical_columns, feature_columns
from smote_pipeline.samplers._distance_space import DistanceSpace
from smote_pipeline.samplers._neighbors import nearest
from smote_pipeline.samplers._validation import FeatureTable

#: z of a two-sided 95% interval.
Z95 = 1.959964


def nearest_cluster(
    denoised: pd.DataFrame, clusters: pd.DataFrame, rows: pd.DataFrame, target: str
) -> np.ndarray:
    """The cluster of the nearest real minority training row, for each of ``rows``.

    Parameters
    ----------
    denoised : pandas.DataFrame
        Denoised real training rows (the rows the clusters were found in).
    clusters : pandas.DataFrame
        ``row_id`` and ``cluster_id`` of each real minority row (``minority_clusters``).
    rows : pandas.DataFrame
        Rows to assign (the hold-out positives), with the same feature columns.
    target : str
        Target column (0/1).

    Returns
    -------
    cluster : ndarray of shape (len(rows),), dtype=int64
        ``-1`` for every row when there is no clustered minority row.
    """
    minority = denoised[denoised[ROW_ID].isin(clusters[ROW_ID])]
    if minority.empty or rows.empty:
        return np.full(len(rows), -1, dtype=np.int64)
    cluster_of = dict(zip(clusters[ROW_ID], clusters[CLUSTER_ID], strict=True))
    labels = np.array([cluster_of[r] for r in minority[ROW_ID]], dtype=np.int64)
    features = feature_columns(denoised, target)
    both = pd.concat([minority[features], rows[features]], ignore_index=True)
    categorical = [features.index(c) for c in categorical_columns(denoised, target)]
    table = FeatureTable.from_input(both, np.asarray(categorical, dtype=np.int64))
    n = len(minority)
    space = DistanceSpace(True, within_groups=True)
    space.fit(table.numeric[:n], table.codes[:n], table.n_categories)
    coords = space.transform(table.numeric, table.codes)
    return labels[nearest(coords[:n], coords[n:], 1)[1][:, 0]]


def recall_by_subpopulation(
    y: np.ndarray, proba: np.ndarray, threshold: float, cluster: np.ndarray, sizes: dict
) -> tuple[dict[str, Any], ...]:
    """The shipped model's recall on the hold-out positives of each cluster.

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        Hold-out labels (0/1).
    proba : ndarray of shape (n_rows,)
        The shipped model's probabilities.
    threshold : float
        Its decision threshold.
    cluster : ndarray of shape (n_rows,)
        Cluster of each positive (:func:`nearest_cluster`; negatives ignored).
    sizes : dict of int to int
        Real minority training rows per cluster.

    Returns
    -------
    tuple of dict
        Per cluster, in cluster order: ``cluster``, ``training_rows``,
        ``holdout_positives``, ``found`` (positives at or above the threshold),
        ``recall`` with ``recall_low`` / ``recall_high`` (Wilson 95%; NaN recall and
        ``[0, 1]`` when the cluster has no hold-out positive).
    """
    positive = y == 1
    records = []
    for c in sorted(sizes):
        mine = positive & (cluster == c)
        n, hits = int(mine.sum()), int((proba[mine] >= threshold).sum())
        low, high = wilson(hits, n)
        records.append(
            {
                "cluster": int(c),
                "training_rows": int(sizes[c]),
                "holdout_positives": n,
                "found": hits,
                "recall": hits / n if n else float("nan"),
                "recall_low": low,
                "recall_high": high,
            }
        )
    return tuple(records)


def wilson(successes: int, trials: int) -> tuple[float, float]:
    """Wilson score 95% interval of a proportion (``(0, 1)`` with no trial)."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + Z95**2 / trials
    centre = (p + Z95**2 / (2 * trials)) / denominator
    half = Z95 * np.sqrt(p * (1 - p) / trials + Z95**2 / (4 * trials**2)) / denominator
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def missed_text(records: tuple[dict[str, Any], ...], overall_recall: float) -> str | None:
    """A sentence naming the subpopulations the model clearly finds less often, if any.

    A cluster is named when the upper end of its recall interval is below the
    model's overall hold-out recall at the same threshold.
    """
    missed = [r for r in records if r["holdout_positives"] and r["recall_high"] < overall_recall]
    if not missed:
        return None
    names = ", ".join(
        f"cluster {r['cluster']} ({r['found']} of {r['holdout_positives']} found)" for r in missed
    )
    return (
        f"The model finds some subpopulations clearly less often than the "
        f"{overall_recall:.0%} it finds overall: {names}."
    )
