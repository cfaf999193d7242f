"""What a row split over-promises on data with entities and time, and what the honest
split predicts.

Generates transactions of customers over two years: each customer has a profile
(columns constant for the customer, plus noise) and a risk of their own that the
profile only partly explains, and the relation between a transaction column and
the label drifts over time. Then, per seed, for each key:

- ``group_column``: the pipeline (default options, :func:`pipeline.run`) is run
  once splitting by row and once by customer; both champions are then scored
  on transactions of **new customers** (generated, never seen);
- ``time_column``: the pipeline is run on the first 18 months once splitting by
  row and once by time; both champions are then scored on the **next 6 months**.

It prints each run's hold-out average precision with its 95% bootstrap interval,
the average precision on the new data, and the gap (hold-out minus new): the
split whose hold-out promised more than the new data gave over-promises.

    python benchmarks/bench_split.py               # seeds 0 1 2 (718-953 s a seed measured)
    python benchmarks/bench_split.py --seeds 0     # one seed
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from smote_pipeline.core import pipeline
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions

TARGET = "fraud"
DAYS = 730


def customers(rng: np.random.Generator, n: int, first_day: int, days: int) -> pd.DataFrame:
    """Transactions of ``n`` new customers, each active from a random day."""
    risk = rng.normal(0.0, 1.6, n)  # the customer's own risk: the profile shows part of it
    profile = risk[:, None] * 0.6 + rng.normal(0.0, 1.0, (n, 4))
    counts = np.minimum(rng.geometric(0.08, n), 60)
    who = np.repeat(np.arange(n), counts)
    start = rng.integers(first_day, first_day + days, n)
    day = np.minimum(start[who] + rng.integers(0, 180, len(who)), first_day + days - 1)
    amount = rng.lognormal(3.0, 1.0, len(who))
    speed = rng.normal(0.0, 1.0, len(who))
    drift = day / DAYS  # the speed column matters less over time, the amount more
    logit = -4.2 + risk[who] + 1.2 * speed * (1 - drift) + 0.5 * np.log(amount) * drift
    y = rng.random(len(who)) < 1.0 / (1.0 + np.exp(-logit))
    frame = pd.DataFrame(profile[who] + rng.normal(0, 0.2, (len(who), 4)), columns=list("pqrs"))
    return frame.assign(
        amount=amount,
        speed=speed,
        customer=[f"c{first_day}-{c}" for c in who],
        day=(pd.Timestamp("2023-01-01") + pd.to_timedelta(day, "D")).strftime("%Y-%m-%d"),
        **{TARGET: np.where(y, "yes", "no")},
    )


def run(table: pd.DataFrame, new: pd.DataFrame, **keys: str) -> dict[str, float]:
    """The pipeline on ``table``; its champion's hold-out AP and its AP on ``new``."""
    target = TargetSpec(TARGET, "yes", **keys)
    options = PipelineOptions()
    done = pipeline.run(table, target, options)
    evaluation = done.holdout_evaluation
    figures = evaluation.metrics_of(evaluation.champion)
    scored = pipeline.scored_batch(new, done.promoted_model, options)  # as a user scores
    proba = scored.frame["probability"].to_numpy()
    return {
        "holdout_ap": figures["average_precision"],
        "low": figures["average_precision_low"],
        "high": figures["average_precision_high"],
        "new_ap": float(average_precision_score(new[TARGET] == "yes", proba)),
        "holdout_positives": evaluation.holdout_positives,
    }


def cases(seed: int) -> list[tuple[str, dict[str, float]]]:
    """The four runs of one seed."""
    rng = np.random.default_rng(seed)
    seen = customers(rng, 300, 0, 540)
    new_customers = customers(rng, 300, 0, 540)
    grouped = [
        ("entities: row split", run(seen, new_customers)),
        ("entities: group_column", run(seen, new_customers, group_column="customer")),
    ]
    history = customers(rng, 600, 0, DAYS)
    dates = pd.to_datetime(history["day"])
    cut = pd.Timestamp("2023-01-01") + pd.Timedelta(days=540)
    past, future = history[dates < cut], history[dates >= cut]
    timed = [
        ("time: row split", run(past, future)),
        ("time: time_column", run(past, future, time_column="day")),
    ]
    return grouped + timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    for seed in args.seeds:
        start = time.perf_counter()
        for name, figures in cases(seed):
            rows.append({"seed": seed, "split": name, **figures})
            inside = figures["low"] <= figures["new_ap"] <= figures["high"]
            print(
                f"seed {seed}  {name:24s} hold-out AP {figures['holdout_ap']:.3f} "
                f"[{figures['low']:.3f}, {figures['high']:.3f}] "
                f"({figures['holdout_positives']} positives)  new data AP "
                f"{figures['new_ap']:.3f}  gap {figures['holdout_ap'] - figures['new_ap']:+.3f}"
                f"  new AP inside the interval: {'yes' if inside else 'no'}",
                flush=True,
            )
        print(f"seed {seed}: {time.perf_counter() - start:.0f} s", flush=True)
    table = pd.DataFrame(rows)
    table["gap"] = table["holdout_ap"] - table["new_ap"]
    table["inside"] = (table["low"] <= table["new_ap"]) & (table["new_ap"] <= table["high"])
    print("\nmean over seeds (gap = hold-out AP - AP on new customers / later rows):")
    summary = table.groupby("split", sort=False)[["holdout_ap", "new_ap", "gap", "inside"]]
    print(summary.mean().round(3).to_string())


if __name__ == "__main__":
    main()
