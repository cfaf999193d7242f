"""Gating synthetic rows on realism before they reach training."""

from __future__ import annotations

import pandas as pd

from smote_pipeline.core.columns import REASON, ROW_ID
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.oversample.realism.assess import assess_realism
from smote_pipeline.core.oversample.realism.metrics import relative_contrast
from smote_pipeline.core.oversample.realism.report import GATE_SPECS, RealismReport
from smote_pipeline.core.oversample.realism.space import FeatureSpace
from smote_pipeline.core.thresholds import RealismThresholds

#: Gates that stop training when they fail (Dagster ERROR, blocking); the
#: others warn, and the rows they flag one by one are dropped instead.
BLOCKING_GATES: frozenset[str] = frozenset(g.name for g in GATE_SPECS if g.blocking)
#: Every gate of :func:`assess_realism`, in the order checks are listed.
GATES: tuple[str, ...] = tuple(g.name for g in GATE_SPECS)


def thresholds(options: PipelineOptions) -> RealismThresholds:
    """The realism thresholds with the pipeline's overrides applied."""
    overrides = dict(options.realism_thresholds)
    if "intrusion_relative_to_real" in overrides:
        overrides["intrusion_relative_to_real"] = bool(overrides["intrusion_relative_to_real"])
    if "intrusion_neighbors" in overrides:
        overrides["intrusion_neighbors"] = int(overrides["intrusion_neighbors"])
    return RealismThresholds(**overrides)


def assess_synthetic(
    denoised: pd.DataFrame, synthetic: pd.DataFrame, target: str, options: PipelineOptions
) -> RealismReport:
    """Realism of the synthetic minority rows against the real training rows.

    Real minority rows of the (denoised) training set are the reference, its majority
    rows the "other class" for intrusion; never the hold-out. Bounded samples keep it
    to seconds on large data (:func:`~smote_pipeline.core.oversample.realism.assess_realism`).
    """
    real = denoised[denoised[target] == 1]
    other = denoised[denoised[target] != 1]
    return assess_realism(
        real,
        synthetic,
        other,
        target,
        thresholds=thresholds(options),
        random_state=options.random_state,
    )


def split_accepted(
    synthetic: pd.DataFrame, to_drop: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic rows kept for training, and rejected rows with their ``reason``.

    Parameters
    ----------
    synthetic : pandas.DataFrame
        The ``synthetic_samples``.
    to_drop : pandas.DataFrame
        ``row_id`` and ``reason`` of the rows failing a row-level check.
    """
    reasons = dict(zip(to_drop[ROW_ID], to_drop[REASON], strict=True))
    rejected_mask = synthetic[ROW_ID].isin(reasons).to_numpy()
    rejected = synthetic[rejected_mask].copy()
    rejected[REASON] = [str(reasons[r]) for r in rejected[ROW_ID]]
    return synthetic[~rejected_mask].reset_index(drop=True), rejected.reset_index(drop=True)


def needs_reduction(
    denoised: pd.DataFrame, target: str, options: PipelineOptions, sample_size: int = 1000
) -> tuple[bool, float]:
    """Whether nearest-neighbour distances among real minority rows have concentrated.

    The relative contrast of at most ``sample_size`` minority rows (seeded), against
    ``min_relative_contrast``.

    Returns
    -------
    reduce : bool
        True when the contrast is below the threshold.
    contrast : float
        The measured relative contrast.
    """
    real = denoised[denoised[target] == 1]
    if len(real) > sample_size:
        real = real.sample(sample_size, random_state=options.random_state)
    matrix = FeatureSpace.fit(real, target).transform(real)
    contrast = relative_contrast(matrix)
    if contrast is None:
        return False, float("nan")
    return contrast < thresholds(options).min_relative_contrast, float(contrast)
