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
    """Cluster assignment of the minority rows and how it was chosen.

    Attributes
    ----------
    assignments : pandas.DataFrame
        ``row_id`` and ``cluster_id`` of each minority row.
    clusterer : str
        The clusterer that chose them (``GapClustering`` by default; ``none`` when
        clustering is off).
    separation : dict of str to float
        How clearly the clusters are apart: for ``GapClustering``, each gap cut's ratio
        (edge length over the spacing on both sides, above ``gap_ratio``) and each
        valley cut's ratio (density at the cut over the peaks beside it, below
        ``valley_ratio``); for ``AutoKMeans``, the silhouette of each k tried.
    """

    assignments: pd.DataFrame
    clusterer: str
    separation: dict[str, float]

    @property
    def sizes(self) -> dict[int, int]:
        """Rows per cluster id."""
        counts = self.assignments[CLUSTER_ID].value_counts().sort_index()
        return {int(k): int(v) for k, v in counts.items()}


def cluster_minority(
    denoised: pd.DataFrame, target: str, options: PipelineOptions
) -> MinorityClusters:
    """Cluster the positive (minority) rows exactly as the oversampler will.

    Uses the configured sampler's :meth:`ClusterAwareSMOTE.find_clusters`, so these
    are the clusters ``synthetic_samples`` interpolates in: same distance space
    (standardised numeric columns, categorical mismatches weighted like one standard
    deviation, optional PCA), same clusterer
    (:class:`~smote_pipeline.samplers.GapClustering`: cut where the distance to the
    next group jumps well above the spacing inside the groups) and same seed.

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
        ``assignments``: ``row_id`` and ``cluster_id`` of each minority row, in the
        order of ``denoised``.
    """
    features = feature_columns(denoised, target)
    sampler = make_cluster_smote(options, categorical_columns(denoised, target))
    labels = sampler.find_clusters(denoised[features], denoised[target].to_numpy())
    minority = (denoised[target] == 1).to_numpy()
    row_ids = denoised.loc[minority, ROW_ID].to_numpy()
    cluster_ids = np.asarray(labels[minority], dtype=np.int64)
    assignments = pd.DataFrame({ROW_ID: row_ids, CLUSTER_ID: cluster_ids})
    clusterer = next(iter(sampler.clusterers_.values()), None)
    return MinorityClusters(
        assignments=assignments,
        clusterer="none" if clusterer is None else type(clusterer).__name__,
        separation=_separation(clusterer),
    )


def _separation(clusterer: object) -> dict[str, float]:
    """The clusterer's own measure of how far apart its clusters are (see above)."""
    ratios = getattr(clusterer, "gap_ratios_", None)
    if ratios is not None:
        valleys = getattr(clusterer, "valley_ratios_", ())
        return {
            **{f"gap {i + 1}": round(float(r), 3) for i, r in enumerate(ratios)},
            **{f"valley {i + 1}": round(float(r), 3) for i, r in enumerate(valleys)},
        }
    scores = getattr(clusterer, "silhouette_scores_", None) or {}
    return {f"k={k}": round(float(v), 4) for k, v in scores.items()}
