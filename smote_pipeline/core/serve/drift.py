"""Drift of a scored batch from the data its model was trained on.

Three questions, each on bounded samples so the cost does not grow with the batch (a
batch is sampled down to :data:`BATCH_SAMPLE` rows, the reference was kept at
:data:`~smote_pipeline.core.serve.profile.REFERENCE_ROWS`):

- **features** (:func:`feature_drift`): per column, the KS distance (numbers) or
  total-variation distance (categories) between the batch and the training rows,
  with the realism checks' own machinery
  (:func:`~smote_pipeline.core.oversample.realism.metrics.column_similarity`);
- **scores** (:func:`score_drift`): the batch's probabilities against the model's on
  the real hold-out of the run that trained it (KS), and its share of positive
  decisions against the hold-out's (Cohen's h, with a two-proportion z-test);
- **labels**, when some rows carry them (:func:`label_performance`): realised average
  precision and calibration with stratified bootstrap intervals, against the model's
  hold-out average precision.

A difference is drift only when both large (at least ``drift_threshold``) and unlikely
to be sampling noise (p-value below :data:`ALPHA`, Bonferroni-corrected over the
columns), so a small batch is not flagged for noise, nor a large one for a trivial
shift.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from smote_pipeline.core.columns import sample_positions
from smote_pipeline.core.oversample.realism.metrics import column_similarity
from smote_pipeline.core.oversample.realism.space import learn_domain
from smote_pipeline.core.stats.bootstrap import stratified_weights, weighted_metrics

__all__ = ["ALPHA", "BATCH_SAMPLE", "feature_drift", "label_performance", "score_drift"]

#: Significance level of every drift test (per check; Bonferroni over columns).
ALPHA = 0.01

#: Batch rows the feature and score tests use at most (a seeded sample).
BATCH_SAMPLE = 5000

#: Labelled rows needed of each class before realised performance is reported.
MIN_LABELLED = 5

#: Labelled rows the bootstrap of the realised average precision resamples at
#: most (a stratified sample; the point figures use every labelled row).
LABEL_SAMPLE = 50_000

_LABEL = "__label__"


def _sample(n_rows: int, random_state: int) -> np.ndarray:
    """Positions of at most :data:`BATCH_SAMPLE` rows, in order."""
    return sample_positions(n_rows, BATCH_SAMPLE, np.random.default_rng(random_state))


def _stratified_sample(y: np.ndarray, size: int, random_state: int) -> np.ndarray:
    """Positions of at most ``size`` rows keeping each class's share, in order."""
    if len(y) <= size:
        return np.arange(len(y))
    rng = np.random.default_rng(random_state)
    rows = []
    for label in (0, 1):
        members = np.flatnonzero(y == label)
        keep = max(MIN_LABELLED, round(size * len(members) / len(y)))
        rows.append(rng.choice(members, min(keep, len(members)), replace=False))
    return np.sort(np.concatenate(rows))


def feature_drift(
    batch: pd.DataFrame, reference: pd.DataFrame, *, threshold: float, random_state: int
) -> pd.DataFrame:
    """Per-feature drift of ``batch`` from ``reference`` (the training rows kept).

    Parameters
    ----------
    batch, reference : pandas.DataFrame
        Feature columns as the model reads them (the reference's define them).
    threshold : float
        Distance from which a significant difference is drift.
    random_state : int
        Seed of the batch sample.

    Returns
    -------
    pandas.DataFrame
        ``column``, ``kind``, ``distance`` (1 - similarity: KS or TV, raised to the
        gap in missing shares), ``p_value``, ``drifted``; most drifted first.
    """
    columns = list(reference.columns)
    sample = batch.iloc[_sample(len(batch), random_state)][columns]
    domains = learn_domain(reference.assign(**{_LABEL: 0}), _LABEL)
    table = column_similarity(reference, sample, domains)
    table["distance"] = 1.0 - table["similarity"]
    level = ALPHA / max(len(columns), 1)
    table["drifted"] = (table["distance"] >= threshold) & (table["p_value"] < level)
    table = table[["column", "kind", "distance", "p_value", "drifted"]]
    return table.sort_values(["drifted", "distance"], ascending=False).reset_index(drop=True)


def score_drift(
    probability: np.ndarray,
    threshold: float,
    reference_scores: np.ndarray,
    reference_positive_rate: float,
    *,
    drift_threshold: float,
    random_state: int,
) -> dict[str, Any]:
    """The batch's scores against the model's scores on real rows it never saw.

    Returns
    -------
    dict
        ``score_distance`` (KS) and ``score_p_value``; ``positive_rate`` (share of rows
        at or above ``threshold``), ``expected_positive_rate``,
        ``positive_rate_p_value`` (two-proportion z-test) and ``positive_rate_effect``
        (Cohen's h, ``|2 asin sqrt(p1) - 2 asin sqrt(p2)|``: a change of a rare rate
        weighs as much as a larger change of a common one, 2% to 4% about as much as
        10% to 14%); ``mean_probability`` and ``expected_mean_probability``;
        ``drifted`` when the KS distance, or the effect, is at least
        ``drift_threshold`` with p below :data:`ALPHA`.
    """
    probability = np.asarray(probability, dtype=np.float64)
    reference = np.asarray(reference_scores, dtype=np.float64)
    sample = probability[_sample(len(probability), random_state)]
    ks = stats.ks_2samp(sample, reference)
    rate = float(np.mean(probability >= threshold))
    expected = float(reference_positive_rate)
    n1, n2 = len(probability), len(reference)
    pooled = (rate * n1 + expected * n2) / (n1 + n2)
    spread = np.sqrt(max(pooled * (1 - pooled), 1e-12) * (1 / n1 + 1 / n2))
    rate_p = float(2 * stats.norm.sf(abs(rate - expected) / spread))
    effect = abs(2 * np.arcsin(np.sqrt(rate)) - 2 * np.arcsin(np.sqrt(expected)))
    drifted = (ks.statistic >= drift_threshold and ks.pvalue < ALPHA) or (
        effect >= drift_threshold and rate_p < ALPHA
    )
    return {
        "score_distance": float(ks.statistic),
        "score_p_value": float(ks.pvalue),
        "positive_rate": rate,
        "expected_positive_rate": expected,
        "positive_rate_p_value": rate_p,
        "positive_rate_effect": float(effect),
        "mean_probability": float(probability.mean()),
        "expected_mean_probability": float(reference.mean()),
        "drifted": bool(drifted),
    }


def label_performance(
    labels: pd.Series,
    probability: np.ndarray,
    expected_average_precision: float,
    *,
    margin: float,
    drift_threshold: float,
    n_bootstrap: int,
    random_state: int,
) -> dict[str, Any] | None:
    """Realised average precision and calibration on the rows that carry labels.

    None when fewer than :data:`MIN_LABELLED` labelled rows of either class.

    Returns
    -------
    dict
        ``labelled_rows``, ``labelled_positives``; ``average_precision`` with its 95%
        stratified bootstrap interval ``average_precision_low`` / ``_high``
        (resampling at most :data:`LABEL_SAMPLE` labelled rows, a stratified sample:
        beyond that the interval is wider than the data alone would make it, so the
        check errs towards passing); ``brier``; the calibration in the large
        (:func:`_calibration_in_the_large`: ``observed_rate``, ``mean_probability``,
        ``calibration_gap_low`` / ``_high``, ``calibration_p_value``,
        ``calibration_effect``); ``expected_average_precision`` (the model's hold-out
        figure); ``worse`` when the interval's upper end is below it by more than
        ``margin``; ``miscalibrated`` when the effect is at least ``drift_threshold``
        with p below :data:`ALPHA`.
    """
    known = labels.notna().to_numpy()
    y = labels[known].to_numpy(dtype=np.int64)
    p = np.asarray(probability, dtype=np.float64)[known]
    if min(int(y.sum()), int(len(y) - y.sum())) < MIN_LABELLED:
        return None
    point = weighted_metrics(y, p, np.ones((1, len(y))))
    rows = _stratified_sample(y, LABEL_SAMPLE, random_state)
    boot = weighted_metrics(
        y[rows], p[rows], stratified_weights(y[rows], n_bootstrap, random_state)
    )
    low, high = np.percentile(boot["average_precision"], [2.5, 97.5])
    calibration = _calibration_in_the_large(y, p)
    return {
        "labelled_rows": len(y),
        "labelled_positives": int(y.sum()),
        "average_precision": float(point["average_precision"][0]),
        "average_precision_low": float(low),
        "average_precision_high": float(high),
        "brier": float(point["brier"][0]),
        **calibration,
        "expected_average_precision": float(expected_average_precision),
        "worse": bool(high < expected_average_precision - margin),
        "miscalibrated": bool(
            calibration["calibration_effect"] >= drift_threshold
            and calibration["calibration_p_value"] < ALPHA
        ),
    }


def _calibration_in_the_large(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Observed positive rate against the mean probability: the 95% interval of the
    gap, its p-value (the positives are a sum of independent draws with variance
    ``sum p (1 - p)`` under calibration) and Cohen's h of the two rates."""
    observed, predicted = float(y.mean()), float(p.mean())
    spread = max(float(np.sqrt(np.sum(p * (1 - p)))) / len(y), 1e-12)
    gap = observed - predicted
    effect = abs(2 * np.arcsin(np.sqrt(observed)) - 2 * np.arcsin(np.sqrt(predicted)))
    return {
        "observed_rate": observed,
        "mean_probability": predicted,
        "calibration_gap_low": gap - 1.96 * spread,
        "calibration_gap_high": gap + 1.96 * spread,
        "calibration_p_value": float(2 * stats.norm.sf(abs(gap) / spread)),
        "calibration_effect": float(effect),
    }
