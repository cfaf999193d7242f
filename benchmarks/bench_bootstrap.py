"""Time of the hold-out bootstrap against scikit-learn's metrics called per resample.

Usage::

    PYTHONPATH=. python benchmarks/bench_bootstrap.py --rows 25000 250000 --resamples 1000

For each hold-out size, a 2%-positive label vector and scores that rank the
positives higher (``0.5 * y + uniform(0, 0.6)``, clipped, seed 0) are drawn, and
``--resamples`` stratified bootstrap weights (:func:`stratified_weights`). Timed
once each, in this process:

- ``weights``: drawing the weights;
- ``ranking``: :func:`weighted_metrics` (average precision, ROC AUC, Brier score
  and recall at precision 0.8) for every resample;
- ``decisions``: :func:`weighted_threshold_metrics` at threshold 0.5;
- ``scikit-learn``: ``average_precision_score`` and ``roc_auc_score`` with
  ``sample_weight``, on the first ``--reference`` resamples, scaled to all of
  them (``x sklearn`` divides that by ``ranking``). The largest difference of
  the average precision on those resamples is printed too.

The hold-out evaluation runs ``ranking`` and ``decisions`` once per candidate.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from smote_pipeline.core.stats.bootstrap import (
    stratified_weights,
    weighted_metrics,
    weighted_threshold_metrics,
)


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def main() -> None:
    """Print one row per hold-out size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[25_000, 250_000])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--reference", type=int, default=20, help="resamples scikit-learn scores")
    args = parser.parse_args()
    print(  # noqa: T201
        f"{'rows':>9} {'weights s':>10} {'ranking s':>10} {'decisions s':>12} "
        f"{'sklearn s':>10} {'x sklearn':>10} {'max |dAP|':>10}"
    )
    for n in args.rows:
        rng = np.random.default_rng(0)
        y = (rng.uniform(size=n) < 0.02).astype(int)
        proba = np.clip(0.5 * y + rng.uniform(size=n) * 0.6, 0, 1)
        weights, t_weights = _timed(stratified_weights, y, args.resamples, 1)
        got, t_ranking = _timed(weighted_metrics, y, proba, weights, min_precision=0.8)
        _, t_decisions = _timed(weighted_threshold_metrics, y, (proba >= 0.5).astype(int), weights)
        start = time.perf_counter()
        reference = []
        for w in weights[: args.reference]:
            reference.append(average_precision_score(y, proba, sample_weight=w))
            roc_auc_score(y, proba, sample_weight=w)
        t_sklearn = (time.perf_counter() - start) * args.resamples / args.reference
        difference = np.max(
            np.abs(np.array(reference) - got["average_precision"][: len(reference)])
        )
        print(  # noqa: T201
            f"{n:>9} {t_weights:>10.2f} {t_ranking:>10.2f} {t_decisions:>12.2f} "
            f"{t_sklearn:>10.2f} {t_sklearn / t_ranking:>10.1f} {difference:>10.1e}"
        )


if __name__ == "__main__":
    main()
