"""Cost of scoring a batch with its drift checks, against the model's predict_proba alone.

Usage::

    PYTHONPATH=. python benchmarks/bench_scoring.py --rows 10000 100000 1000000

A version is trained once: scikit-learn's ``HistGradientBoostingClassifier``
behind an ordinal encoder, on 20,000 rows drawn from one population of
``make_classification`` (200,000 rows, 12 features, 2% positives, seed 0) plus
a three-level category and a date, read
through the pipeline's ingestion; its profile is built by
:func:`smote_pipeline.core.serve.profile.build_profile` from scores on 5,000
further rows. For each batch size, a batch is drawn from the same population
(with their labels, so all three drift checks run) and timed once each, in
this process:

- ``predict s``: ``model.predict_proba`` on the prepared features alone;
- ``score s``: :func:`smote_pipeline.core.serve.scoring.score_batch`, which
  prepares the batch with the training roles, scores it, and computes the
  feature, score and label drift (bounded samples: 5,000 batch rows for the
  drift tests, 50,000 labelled rows for the label bootstrap);
- ``x predict``: ``score s`` divided by ``predict s``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import feature_columns
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.serve.profile import build_profile
from smote_pipeline.core.serve.promotion import ModelVersion
from smote_pipeline.core.serve.scoring import score_batch

TARGET = TargetSpec("y", 1)


#: One fixed population; every table is a bootstrap sample of its rows.
POPULATION = make_classification(
    n_samples=200_000, n_features=12, n_informative=6, weights=[0.98], random_state=0
)


def _table(n: int, seed: int) -> pd.DataFrame:
    X, y = POPULATION
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(y), n)
    frame = pd.DataFrame(X[rows], columns=[f"x{i}" for i in range(12)])
    frame["colour"] = rng.choice(["red", "green", "blue"], n)
    frame["day"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D")
    frame["y"] = y[rows]
    return frame


def _version(options: PipelineOptions) -> ModelVersion:
    ingested = pipeline.raw_dataset(_table(20_000, 1), TARGET)
    training = ingested.frame
    features = feature_columns(training, "y")
    model = make_pipeline(
        ColumnTransformer([("colour", OrdinalEncoder(), ["colour"])], remainder="passthrough"),
        HistGradientBoostingClassifier(random_state=0),
    ).fit(training[features], training["y"])
    holdout = pipeline.raw_dataset(_table(5_000, 2), TARGET).frame
    scores = model.predict_proba(holdout[features])[:, 1]
    roles = [r.__dict__ for r in ingested.roles]
    rate = float(np.mean(scores >= 0.5))
    return ModelVersion(
        version=1,
        strategy="hist_gradient_boosting/no_resampling",
        model=model,
        threshold=0.5,
        training_fingerprint="",
        cv_metric="average_precision",
        cv_score=0.0,
        holdout_average_precision=0.5,
        holdout_rows=len(holdout),
        profile=build_profile(roles, training, scores, rate, "y", 1, options.random_state),
    )


def main() -> None:
    """Print one row per batch size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    options = PipelineOptions()
    version = _version(options)
    print(  # noqa: T201
        f"{'rows':>9} {'predict s':>10} {'score s':>9} {'x predict':>10} {'drift':>6}"
    )
    for n in args.rows:
        batch = _table(n, 3)
        prepared = version.profile.schema.prepare(batch)
        start = time.perf_counter()
        version.model.predict_proba(prepared.features)
        predict = time.perf_counter() - start
        start = time.perf_counter()
        scored = score_batch(batch, version, options)
        score = time.perf_counter() - start
        print(  # noqa: T201
            f"{n:>9} {predict:>10.2f} {score:>9.2f} {score / predict:>10.2f} "
            f"{str(scored.drift_detected):>6}"
        )


if __name__ == "__main__":
    main()
