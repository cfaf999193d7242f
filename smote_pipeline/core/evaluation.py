"""Scoring candidates on the real hold-out, with bootstrap intervals and a verdict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)

from smote_pipeline.core.bootstrap import stratified_weights, weighted_metrics
from smote_pipeline.core.columns import feature_columns
from smote_pipeline.core.strategies import BASELINE_STRATEGIES, OVERSAMPLING_STRATEGIES

N_BOOTSTRAP = 1000
CURVE_POINTS = 200


METRICS = {
    "average_precision": average_precision_score,
    "roc_auc": roc_auc_score,
    "brier": brier_score_loss,
}


def _interval(values: np.ndarray) -> tuple[float, float]:
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def _downsample_curve(precision: np.ndarray, recall: np.ndarray) -> dict[str, list[float]]:
    keep = np.unique(np.linspace(0, len(precision) - 1, CURVE_POINTS).astype(int))
    return {
        "precision": [round(float(v), 5) for v in precision[keep]],
        "recall": [round(float(v), 5) for v in recall[keep]],
    }


def evaluate_on_holdout(
    candidates: dict[str, dict[str, Any]],
    holdout: pd.DataFrame,
    target: str,
    *,
    baseline: str | None,
    random_state: int,
    n_bootstrap: int = N_BOOTSTRAP,
) -> dict[str, Any]:
    """Score every candidate on the real hold-out.

    Parameters
    ----------
    candidates : dict
        Output of :func:`smote_pipeline.core.training.fit_candidates`.
    holdout : pandas.DataFrame
        The untouched real hold-out.
    target : str
        Target column (0/1).
    baseline : str or None
        The strategy that oversampling is compared against: the best
        non-resampling candidate by cross-validation on training data (chosen
        without the hold-out). None skips the verdicts.
    random_state : int
        Seed of the bootstrap.
    n_bootstrap : int, default=1000
        Stratified bootstrap resamples for the 95% percentile intervals.

    Returns
    -------
    dict
        JSON-serialisable: ``metrics`` (one record per strategy: average
        precision, ROC AUC and Brier score with 95% intervals; precision,
        recall and F1 at the strategy's training-tuned threshold), ``curves``
        (precision-recall points per strategy), ``verdicts`` (per oversampling
        strategy: difference in average precision against ``baseline`` with a
        paired bootstrap interval and ``helped`` / ``no detectable difference`` /
        ``hurt``), hold-out class counts.
    """
    features = feature_columns(holdout, target)
    y = holdout[target].to_numpy().astype(np.int64)
    weights = stratified_weights(y, n_bootstrap, random_state)
    records, curves, boot_ap = [], {}, {}
    for name, candidate in candidates.items():
        proba = candidate["model"].predict_proba(holdout[features])[:, 1]
        predicted = (proba >= candidate["threshold"]).astype(np.int64)
        record: dict[str, Any] = {"strategy": name}
        resampled = weighted_metrics(y, proba, weights)
        for metric, fn in METRICS.items():
            samples = resampled[metric]
            record[metric] = float(fn(y, proba))
            record[f"{metric}_low"], record[f"{metric}_high"] = _interval(samples)
            if metric == "average_precision":
                boot_ap[name] = samples
        record.update(
            threshold=float(candidate["threshold"]),
            precision=float(precision_score(y, predicted, zero_division=0)),
            recall=float(recall_score(y, predicted, zero_division=0)),
            f1=float(f1_score(y, predicted, zero_division=0)),
            cv_average_precision=float(candidate["cv_mean"]),
        )
        records.append(record)
        precision, recall, _ = precision_recall_curve(y, proba)
        curves[name] = _downsample_curve(precision, recall)
    verdicts = []
    if baseline is not None:
        base_ap = next(r["average_precision"] for r in records if r["strategy"] == baseline)
        for record in records:
            name = record["strategy"]
            if name not in OVERSAMPLING_STRATEGIES:
                continue
            low, high = _interval(boot_ap[name] - boot_ap[baseline])
            verdicts.append(
                {
                    "strategy": name,
                    "baseline": baseline,
                    "difference": record["average_precision"] - base_ap,
                    "low": low,
                    "high": high,
                    "verdict": verdict(low, high),
                }
            )
    return {
        "metrics": records,
        "curves": curves,
        "verdicts": verdicts,
        "holdout_rows": len(y),
        "holdout_positives": int(y.sum()),
    }


def verdict(low: float, high: float) -> str:
    """Verdict from a 95% interval of (oversampling - baseline) average precision."""
    if low > 0:
        return "helped"
    if high < 0:
        return "hurt"
    return "no detectable difference"


def best_baseline(candidates: dict[str, dict[str, Any]]) -> str | None:
    """The non-resampling candidate with the best cross-validated score, if any."""
    names = [n for n in candidates if n in BASELINE_STRATEGIES]
    if not names:
        return None
    return max(names, key=lambda n: candidates[n]["cv_mean"])


def metrics_table(evaluation: dict[str, Any]) -> pd.DataFrame:
    """The ``metrics`` records of :func:`evaluate_on_holdout` as a DataFrame."""
    return pd.DataFrame(evaluation["metrics"])
