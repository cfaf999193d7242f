"""Label-noise filtering of the training set (training data only)."""

from __future__ import annotations

import pandas as pd

from smote_pipeline.core.columns import REASON, categorical_columns, feature_columns
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.samplers import NoiseFilter


def make_noise_filter(options: PipelineOptions, categorical: list[str]) -> NoiseFilter | None:
    """Build the configured :class:`NoiseFilter`, or None when ``noise_method='none'``."""
    if options.noise_method == "none":
        return None
    return NoiseFilter(
        method=options.noise_method,
        n_neighbors=options.noise_neighbors,
        max_minority_removal=options.max_minority_removal,
        categorical_features=categorical or None,
        random_state=options.random_state,
    )


def filter_noise(
    training: pd.DataFrame, target: str, options: PipelineOptions
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the training set into kept rows and quarantined suspected noise.

    Parameters
    ----------
    training : pandas.DataFrame
        Real training rows (never the hold-out).
    target : str
        Target column (0/1).
    options : PipelineOptions
        ``noise_method``, ``noise_neighbors``, ``max_minority_removal``,
        ``random_state`` are used.

    Returns
    -------
    denoised : pandas.DataFrame
        Kept rows, all columns, in their original order.
    quarantine : pandas.DataFrame
        Removed rows, all columns, plus ``reason`` (why each was removed).
        Together the two frames hold every training row exactly once.
    """
    sampler = make_noise_filter(options, categorical_columns(training, target))
    if sampler is None:
        quarantine = training.iloc[0:0].assign(**{REASON: pd.Series(dtype=object).astype(str)})
        return training.copy(), quarantine
    features = feature_columns(training, target)
    sampler.fit_resample(training[features], training[target].to_numpy())
    removed = list(sampler.removed_indices_)
    quarantine = training.iloc[removed].copy()
    quarantine[REASON] = pd.Series(
        list(sampler.removal_reasons_), index=quarantine.index, dtype=object
    ).astype(str)
    denoised = training.drop(index=training.index[removed])
    return denoised.reset_index(drop=True), quarantine.reset_index(drop=True)
