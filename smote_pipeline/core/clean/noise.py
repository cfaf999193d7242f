"""Label-noise filtering of the training set (training data only)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from smote_pipeline.core.columns import REASON, ROW_ID, categorical_columns, feature_columns
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
        on_excess=options.noise_on_excess,
        categorical_features=categorical or None,
        random_state=options.random_state,
    )


@dataclass(frozen=True)
class NoiseResult:
    """Outcome of noise filtering: kept rows, removed rows, and suspects kept by the cap.

    Attributes
    ----------
    denoised : pandas.DataFrame
        Kept rows, all columns, in their original order.
    quarantine : pandas.DataFrame
        Removed rows, all columns, plus ``reason`` (why each was removed); with
        ``denoised``, every training row exactly once.
    kept_suspects : pandas.DataFrame
        ``row_id``, target and ``reason`` of flagged rows kept because their class
        reached ``max_minority_removal`` (they are in ``denoised``).
    warnings : list of str
        What the filter warned about (the cap, a class it would have emptied).
    """

    denoised: pd.DataFrame
    quarantine: pd.DataFrame
    kept_suspects: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _reasons(values: list[str], index: pd.Index) -> pd.Series:
    return pd.Series(list(values), index=index, dtype=object).astype(str)


def filter_noise(training: pd.DataFrame, target: str, options: PipelineOptions) -> NoiseResult:
    """Split the training set into kept rows and quarantined suspected noise.

    When the filter flags more than ``max_minority_removal`` of the minority, the
    default (``noise_on_excess="trim"``) removes only the most suspicious rows up to
    the cap; the others stay in training, listed in ``kept_suspects``
    (:class:`~smote_pipeline.samplers.NoiseFilter`).

    Parameters
    ----------
    training : pandas.DataFrame
        Real training rows (never the hold-out).
    target : str
        Target column (0/1).
    options : PipelineOptions
        ``noise_method``, ``noise_neighbors``, ``max_minority_removal``,
        ``noise_on_excess``, ``random_state`` are used.

    Returns
    -------
    NoiseResult
    """
    sampler = make_noise_filter(options, categorical_columns(training, target))
    if sampler is None:
        empty = training.iloc[0:0].assign(**{REASON: pd.Series(dtype=object).astype(str)})
        return NoiseResult(training.copy(), empty, empty[[ROW_ID, target, REASON]])
    features = feature_columns(training, target)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            sampler.fit_resample(training[features], training[target].to_numpy())
        except ValueError as error:
            if options.noise_on_excess != "raise" or "max_minority_removal" not in str(error):
                raise
            raise ValueError(
                f"Noise filtering (noise_method: {options.noise_method}) flagged more of the "
                f"minority than max_minority_removal: {options.max_minority_removal} allows, "
                "and noise_on_excess is 'raise'. Set `noise_on_excess: trim` to remove only "
                "the most suspicious rows up to the cap, raise `max_minority_removal` (at most "
                "1), or choose a gentler `noise_method` (or `none`). The filter said: "
                f"{error}"
            ) from error
    said = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    removed = list(sampler.removed_indices_)
    quarantine = training.iloc[removed].copy()
    quarantine[REASON] = _reasons(sampler.removal_reasons_, quarantine.index)
    kept = training.iloc[list(sampler.kept_suspect_indices_)][[ROW_ID, target]].copy()
    kept[REASON] = _reasons(sampler.kept_suspect_reasons_, kept.index)
    denoised = training.drop(index=training.index[removed])
    return NoiseResult(*(f.reset_index(drop=True) for f in (denoised, quarantine, kept)), said)
