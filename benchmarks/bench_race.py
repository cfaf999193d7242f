"""Does racing the candidates cost hold-out quality? Raced against unraced, same split.

On the scale benchmark's generated table (``bench_scale.make_data``, default
100,000 rows), the whole Dagster-free pipeline (:func:`smote_pipeline.core.
pipeline.run`, default options) runs twice on the same hold-out split:

- ``raced``: the default search plan (growing subsamples, halving, bounded
  repeats);
- ``unraced``: a single rung of every training row (up to ``CV_MAX_ROWS``) with
  the plan's repeats at the last rung, so every candidate is scored on all of
  them and refitted.

Printed per variant: wall time of the search (candidates fitted and scored),
the champion, its hold-out average precision with its 95% bootstrap interval,
and the difference raced - unraced. The issue's goal is a difference within
0.005.

    python benchmarks/bench_race.py --rows 100000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from unittest import mock

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import POSITIVE_LABEL, TARGET, make_data  # noqa: E402

from smote_pipeline.core import pipeline  # noqa: E402
from smote_pipeline.core.ingest.ingestion import TargetSpec  # noqa: E402
from smote_pipeline.core.options import PipelineOptions  # noqa: E402
from smote_pipeline.core.train import plan as plans  # noqa: E402
from smote_pipeline.core.train import training  # noqa: E402


def unraced_plan(y, *, n_folds, cv_repeats, random_state):
    """One rung: every candidate on the last rung's rows and repeats, no race."""
    raced = plans.plan_search(y, n_folds=n_folds, cv_repeats=cv_repeats, random_state=random_state)
    return plans.SearchPlan(
        rungs=(raced.final,), n_folds=n_folds, random_state=random_state, bounded=False
    )


def run_variant(table: pd.DataFrame, unraced: bool) -> dict:
    """The pipeline on ``table``; the search plan patched when ``unraced``."""
    options = PipelineOptions().updated({"cv_n_jobs": -1})  # folds on every core, as in_process
    target = TargetSpec(TARGET, int(POSITIVE_LABEL), False)
    patch = mock.patch.object(training, "plan_search", unraced_plan) if unraced else None
    start = time.perf_counter()
    if patch:
        with patch:
            result = pipeline.run(table, target, options)
    else:
        result = pipeline.run(table, target, options)
    seconds = time.perf_counter() - start
    evaluation = result.holdout_evaluation
    champion = evaluation.champion
    record = next(m for m in evaluation.metrics if m["strategy"] == champion)
    return {
        "variant": "unraced" if unraced else "raced",
        "seconds": round(seconds, 1),
        "champion": champion,
        "members": len(result.candidate_models[champion].members or ()) or 1,
        "holdout_ap": record["average_precision"],
        "low": record["average_precision_low"],
        "high": record["average_precision_high"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    path = Path(f"/tmp/bench_race_{args.rows}_{args.seed}.parquet")
    make_data(args.rows, args.seed, path)
    table = pd.read_parquet(path)
    rows = [run_variant(table, unraced) for unraced in (False, True)]
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    difference = rows[0]["holdout_ap"] - rows[1]["holdout_ap"]
    print(
        f"\nraced - unraced hold-out AP: {difference:+.4f}; search time ratio "
        f"{rows[0]['seconds'] / rows[1]['seconds']:.2f}"
    )


if __name__ == "__main__":
    main()
