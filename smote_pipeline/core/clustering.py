"""Clustering the minority class of the (denoised) training set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import CLUSTER_ID, ROW_ID, categorical_columns, feature_columns
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.samplers import AutoKMeans


def numeric_matrix(frame: pd.DataFrame, target: str) -> np.ndarray:
    """Features as a float matrix: numeric columns as they are, categoricals one-hot.

    Used for distance-based steps that need numbers only (clustering,
    projections). Returns an array of shape (n_rows, n_numeric + n_levels).
    """
    features = feature_columns(frame, target)
    categorical = categorical_columns(frame, target)
    numeric = frame[[c for c in features if c not in categorical]].to_numpy(dtype=np.float64)
    if not categorical:
        return numeric
    dummies = pd.get_dummies(frame[categorical].astype(str), dtype=np.float64).to_numpy()
    return np.hstack([numeric, dummies])


@dataclass(frozen=True)
class MinorityClusters:
    """Cluster assignment of the minority rows and how it was chosen."""

    assignments: pd.DataFrame
    silhouette_scores: dict[int, float]

    @property
    def sizes(self) -> dict[int, int]:
        """Rows per cluster id."""
        counts = self.assignments[CLUSTER_ID].value_counts().sort_index()
        return {int(k): int(v) for k, v in counts.items()}


def cluster_minority(
    denoised: pd.DataFrame, target: str, options: PipelineOptions
) -> MinorityClusters:
    """Cluster the positive (minority) rows with :class:`AutoKMeans`.

    Parameters
    ----------
    denoised : pandas.DataFrame
        Denoised real training rows.
    target : str
        Target column (0/1).
    options : PipelineOptions
        ``max_clusters`` and ``random_state`` are used.

    Returns
    -------
    MinorityClusters
        ``assignments`` has columns ``row_id`` and ``cluster_id``, one row per
        minority row, in the order of ``denoised``.
    """
    minority = denoised[denoised[target] == 1]
    clusterer = AutoKMeans(max_clusters=options.max_clusters, random_state=options.random_state)
    labels = clusterer.fit_predict(numeric_matrix(minority, target))
    assignments = pd.DataFrame(
        {ROW_ID: minority[ROW_ID].to_numpy(), CLUSTER_ID: np.asarray(labels, dtype=np.int64)}
    )
    scores = {int(k): float(v) for k, v in clusterer.silhouette_scores_.items()}
    return MinorityClusters(assignments=assignments, silhouette_scores=scores)
