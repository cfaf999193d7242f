"""Cluster-aware synthetic minority rows with provenance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import (
    CLUSTER_ID,
    INTERPOLATION_FACTOR,
    IS_SYNTHETIC,
    PARENT_A,
    PARENT_B,
    ROW_ID,
    categorical_columns,
    feature_columns,
)
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.samplers import ClusterAwareSMOTE, MinorityRatio
from smote_pipeline.samplers._bridge_guard import REASONS
from smote_pipeline.samplers._cluster_smote import NOT_OVERSAMPLED

#: The bridge guard's reasons, as the report words them.
REASON_WORDS = {
    "other_class": "passed near a real row of the other class",
    "other_cluster": "passed near a real row of another cluster",
    "empty_space": "crossed space with no real minority row",
}


def make_cluster_smote(options: PipelineOptions, categorical: list[str]) -> ClusterAwareSMOTE:
    """Build the configured :class:`ClusterAwareSMOTE`.

    ``sampling_strategy`` is a :class:`~smote_pipeline.samplers.MinorityRatio`: when the
    minority already holds at least that share of the majority, nothing is generated
    (imbalanced-learn's float semantics would raise).
    """
    return ClusterAwareSMOTE(
        sampling_strategy=MinorityRatio(options.sampling_strategy),
        random_state=options.random_state,
        k_neighbors=options.k_neighbors,
        max_clusters=options.max_clusters,
        n_components=options.n_components,
        categorical_features=categorical or None,
        safety_filter=options.safety_filter,
    )


def ratio_note(denoised: pd.DataFrame, target: str, options: PipelineOptions) -> str:
    """What the ratio target means for this data, in words for metadata.

    Parameters
    ----------
    denoised : pandas.DataFrame
        Denoised real training rows.
    target : str
        Target column (0/1).
    options : PipelineOptions
        ``sampling_strategy`` is used.

    Returns
    -------
    str
        The real minority/majority ratio against ``sampling_strategy``, and that
        nothing is generated when the data already reaches it.
    """
    positives = int(denoised[target].sum())
    negatives = len(denoised) - positives
    ratio = positives / max(negatives, 1)
    text = (
        f"minority/majority ratio {ratio:.3f} in the denoised training rows, "
        f"sampling_strategy {options.sampling_strategy}"
    )
    if MinorityRatio(options.sampling_strategy).is_reached(positives, negatives):
        return text + ": already reached, so no synthetic row is generated"
    return text


@dataclass(frozen=True)
class SyntheticRows:
    """The synthetic rows of one run and how the sampler drew their parents.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per synthetic sample, with provenance (see :func:`generate_synthetic`).
    n_pairs : int
        Candidate parent pairs (each row with its within-cluster neighbours).
    rejected_pairs : dict of str to int
        Pairs the bridge guard refused, by reason (``other_class``, ``other_cluster``,
        ``empty_space``: the parents' segment passes near a real row of another class,
        of another cluster, or through a stretch with no real row of the class);
        parents are drawn from the other pairs only.
    n_clusters : int
        Clusters of the minority the rows were interpolated in.
    n_checked_rows : int
        Synthetic rows whose parents are farther apart than the spacing around them
        (long pairs, which the guard also checks for rows of another class or cluster);
        the others come from local pairs.
    n_components : int, float or None
        The interpolation space (see ``PipelineOptions.n_components``).
    relative_contrast : float or None
        The contrast that decided ``auto_reduce``; None when not measured.
    """

    frame: pd.DataFrame
    n_pairs: int
    rejected_pairs: dict[str, int]
    n_clusters: int = 1
    n_checked_rows: int = 0
    n_components: int | float | None = None
    relative_contrast: float | None = None

    @property
    def n_rejected_pairs(self) -> int:
        """Pairs the bridge guard refused, all reasons together."""
        return sum(self.rejected_pairs.values())

    def guard_text(self) -> str:
        """Which protection applied to how many rows, for metadata and the report."""
        n_rows = len(self.frame)
        share = self.n_rejected_pairs / self.n_pairs if self.n_pairs else 0.0
        reasons = ", ".join(
            f"{count} {REASON_WORDS[name]}" for name, count in self.rejected_pairs.items()
        )
        return (
            f"All {n_rows} synthetic rows have both parents in one of {self.n_clusters} "
            "cluster(s). The bridge guard checked every parent pair's segment for space "
            "with no real minority row, and the pairs farther apart than the rows around "
            f"them (the parents of {self.n_checked_rows} rows) also for real rows of "
            "another class or cluster near it. The guard refused "
            f"{self.n_rejected_pairs} of {self.n_pairs} candidate parent pairs ({share:.1%}): "
            f"{reasons}; parents were drawn from the other pairs."
        )


def generate_synthetic(
    denoised: pd.DataFrame, clusters: pd.DataFrame, target: str, options: PipelineOptions
) -> SyntheticRows:
    """Synthetic minority rows, each interpolated between two rows of one cluster.

    Parameters
    ----------
    denoised : pandas.DataFrame
        Denoised real training rows.
    clusters : pandas.DataFrame
        ``row_id`` and ``cluster_id`` of each minority row (the
        ``minority_clusters`` asset).
    target : str
        Target column (0/1).
    options : PipelineOptions
        Oversampling options.

    Returns
    -------
    SyntheticRows
        ``frame`` has one row per synthetic sample: ``row_id`` (negative, -1, -2, ...
        so it never collides with a real id), the features, the target (1),
        ``cluster_id``, ``parent_row_id_a``, ``parent_row_id_b`` and
        ``interpolation_factor``; the pair counts come from the sampler's bridge guard.
    """
    features = feature_columns(denoised, target)
    y = denoised[target].to_numpy()
    cluster_of = dict(zip(clusters[ROW_ID], clusters[CLUSTER_ID], strict=True))
    labels = np.array(
        [cluster_of.get(r, NOT_OVERSAMPLED) for r in denoised[ROW_ID]], dtype=np.int64
    )
    sampler = make_cluster_smote(options, categorical_columns(denoised, target))
    X_res, _ = sampler.fit_resample(denoised[features], y, cluster_labels=labels)
    synthetic = X_res.iloc[len(denoised) :].reset_index(drop=True)
    provenance = sampler.provenance_.reset_index(drop=True)
    row_ids = denoised[ROW_ID].to_numpy()
    provenance_columns = pd.DataFrame(
        {
            target: provenance["class_label"].to_numpy().astype(np.int8),
            CLUSTER_ID: provenance["cluster_id"].to_numpy().astype(np.int64),
            PARENT_A: row_ids[provenance["parent_index_a"].to_numpy()],
            PARENT_B: row_ids[provenance["parent_index_b"].to_numpy()],
            INTERPOLATION_FACTOR: provenance["interpolation_factor"].to_numpy(dtype=np.float64),
        }
    )
    ids = pd.DataFrame({ROW_ID: -np.arange(1, len(synthetic) + 1, dtype=np.int64)})
    synthetic = pd.concat([ids, synthetic, provenance_columns], axis=1)
    return SyntheticRows(
        frame=synthetic,
        n_pairs=int(sum(sampler.n_pairs_.values())),
        rejected_pairs=_rejected_by_reason(sampler),
        n_clusters=int(sum(sampler.n_clusters_.values())),
        n_checked_rows=int(sum(sampler.n_checked_rows_.values())),
        n_components=options.n_components,
    )


def _rejected_by_reason(sampler: ClusterAwareSMOTE) -> dict[str, int]:
    """The bridge guard's refused pairs by reason, over every over-sampled class."""
    return {
        name: int(sum(counts[name] for counts in sampler.n_rejected_pairs_.values()))
        for name in REASONS
    }


def augment(denoised: pd.DataFrame, synthetic: pd.DataFrame) -> pd.DataFrame:
    """Real denoised rows followed by synthetic rows, flagged by ``is_synthetic``.

    Provenance columns are kept (empty for real rows) so every synthetic row in
    the training data can still be traced to its parents.
    """
    lineage = (CLUSTER_ID, PARENT_A, PARENT_B)
    empty = pd.array([pd.NA] * len(denoised), dtype="Int64")
    real = denoised.assign(
        **{IS_SYNTHETIC: False},
        **dict.fromkeys(lineage, empty),
        **{INTERPOLATION_FACTOR: np.nan},
    )
    fake = synthetic.copy().assign(  # copy(): one block per dtype, not one per column
        **{IS_SYNTHETIC: True}, **{column: synthetic[column].astype("Int64") for column in lineage}
    )
    # a synthetic row has no entity or time of its own (its parents may be two entities)
    frame = pd.concat([real, fake.reindex(columns=real.columns)], ignore_index=True)
    return frame
