"""Clustering the minority class of the (denoised) training set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import CLUSTER_ID, ROW_ID, categorical_columns, feature_columns
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.oversample.oversampling import make_cluster_smote


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
    """Cluster the positive (minority) rows exactly as the oversampler will.

    Uses :meth:`ClusterAwareSMOTE.find_clusters` of the configured sampler, so
    the clusters shown here are the ones ``synthetic_samples`` interpolates in:
    same distance space (standardised numeric columns, categorical mismatches
    weighted like one standard deviation, optional PCA), same automatic k
    (:class:`AutoKMeans`, silhouette on a bounded sample) and same seed.

    Parameters
    ----------
    denoised : pandas.DataFrame
        Denoised real training rows.
    target : str
        Target column (0/1).
    options : PipelineOptions
        Sampler options (``max_clusters``, ``n_components``, seed...).

    Returns
    -------
    MinorityClusters
        ``assignments`` has columns ``row_id`` and ``cluster_id``, one row per
        minority row, in the order of ``denoised``.
    """
    features = feature_columns(denoised, target)
    sampler = make_cluster_smote(options, categorical_columns(denoised, target))
    labels = sampler.find_clusters(denoised[features], denoised[target].to_numpy())
    minority = (denoised[target] == 1).to_numpy()
    assignments = pd.DataFrame(
        {
            ROW_ID: denoised.loc[minority, ROW_ID].to_numpy(),
            CLUSTER_ID: np.asarray(labels[minority], dtype=np.int64),
        }
    )
    clusterer = next(iter(sampler.clusterers_.values()), None)
    scores = getattr(clusterer, "silhouette_scores_", {}) or {}
    return MinorityClusters(
        assignments=assignments, silhouette_scores={int(k): float(v) for k, v in scores.items()}
    )
