"""Every CSV of a folder through the README's own-data path, as a new user would.

For each file it runs, in a fresh ``DAGSTER_HOME`` and storage folder::

    SMOTE_PIPELINE_SOURCE=FILE SMOTE_PIPELINE_TARGET=Class \\
    SMOTE_PIPELINE_POSITIVE_LABEL=positive \\
    dagster asset materialize -m smote_pipeline.definitions --select 'key:"custom/*"'

with default options, and prints one row per data set: rows, features,
positives, the outcome (``ok``, or the step that failed and the first line of
its error), wall time, the champion and its hold-out average precision and
Brier score. Beside these, fixed strategies are fitted on the same stored
``training_set`` and scored on the same ``holdout_set``: random forest,
HistGradientBoosting and logistic regression without resampling, and random
family with plain SMOTE (the pipeline's own strategy builders, default
options, hyperparameters scaled to the training rows as the pipeline scales
them). A summary follows: sets run, failures by step, and the mean AP and
Brier score of the champion against each fixed strategy, with the paired
difference and a 95% bootstrap interval over the sets; the best fixed strategy
(highest mean AP, chosen in hindsight) is marked.

    python benchmarks/bench_corpus.py ../shared/datasets/keel-dev
    python benchmarks/bench_corpus.py FOLDER --target Class --positive-label positive --jobs 2
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss

from smote_pipeline.core.columns import categorical_columns, feature_columns
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.strategies import build_strategy
from smote_pipeline.defs.storage import decode

PIPELINE = "custom"
SELECT = f'key:"{PIPELINE}/*"'
#: Fixed strategies: (label, model family, strategy).
FIXED = (
    ("rf", "random_forest", "no_resampling"),
    ("hgb", "hist_gradient_boosting", "no_resampling"),
    ("logreg", "logistic_regression", "no_resampling"),
    ("rf+smote", "random_forest", "smote"),
    ("hgb+smote", "hist_gradient_boosting", "smote"),
    ("logreg+smote", "logistic_regression", "smote"),
)
_FAILED_STEP = re.compile(r'Execution of step "([^"]+)" failed')


def run_cli(csv: Path, target: str, label: str, work: Path) -> tuple[int, str, float]:
    """The README's own-data command on one file; returns exit code, output and seconds."""
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "SMOTE_PIPELINE_SOURCE": str(csv.resolve()),
        "SMOTE_PIPELINE_TARGET": target,
        "SMOTE_PIPELINE_POSITIVE_LABEL": label,
        "SMOTE_PIPELINE_STORAGE": str(work / "storage"),
    }
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "asset", "materialize", "-m", "smote_pipeline.definitions"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--select", SELECT], env=env, cwd=work, capture_output=True, text=True
    )
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - start


def failure(output: str) -> str:
    """The failed step and the first line of its error, from the CLI's output."""
    step = _FAILED_STEP.search(output)
    errors = [
        line.strip()
        for line in output.splitlines()
        if re.match(r"^\s*[A-Za-z_.]*(Error|Exception):", line)
        and "DagsterExecutionStepExecutionError" not in line
    ]
    where = step.group(1).split("__")[-1] if step else "definitions"
    return f"{where}: {(errors[0] if errors else output.strip().splitlines()[-1])[:90]}"


def fixed_scores(store: Path, target: str) -> dict[str, tuple[float, float]]:
    """Hold-out AP and Brier of each fixed strategy, trained on the stored training set."""
    train = decode(store / "training_set.parquet")
    holdout = decode(store / "holdout_set.parquet")
    features = feature_columns(train, target)
    categorical = categorical_columns(train, target)
    y_train = train[target].to_numpy().astype(int)
    y_test = holdout[target].to_numpy().astype(int)
    options = PipelineOptions()
    scores = {}
    for label, model, strategy in FIXED:
        try:
            positives = int(y_train.sum())
            fold_options = options
            if strategy == "smote" and options.k_neighbors >= positives:
                fold_options = options.updated({"k_neighbors": max(positives - 1, 1)})
            estimator = build_strategy(
                strategy,
                model=model,
                features=features,
                categorical=categorical,
                options=fold_options,
                size=(len(y_train), positives),
            )
            proba = estimator.fit(train[features], y_train).predict_proba(holdout[features])[:, 1]
            scores[label] = (
                float(average_precision_score(y_test, proba)),
                float(brier_score_loss(y_test, proba)),
            )
        except Exception as error:  # a fixed strategy that cannot run is shown, not fatal
            scores[label] = (np.nan, np.nan)
            print(f"    ({label} failed: {type(error).__name__}: {str(error)[:80]})")
    return scores


def champion_scores(store: Path) -> tuple[str, float, float]:
    """Champion name and its hold-out AP and Brier, from the stored evaluation."""
    evaluation = decode(store / "holdout_evaluation.json")
    champion = evaluation["champion"]
    record = next(m for m in evaluation["metrics"] if m["strategy"] == champion)
    return champion, float(record["average_precision"]), float(record["brier"])


def run_one(csv: Path, target: str, label: str) -> dict:
    """One data set end to end; the row of the table."""
    warnings.filterwarnings("ignore")
    frame = pd.read_csv(csv)
    row = {
        "set": csv.stem,
        "rows": len(frame),
        "features": frame.shape[1] - 1,
        "positives": int((frame[target].astype(str).str.strip() == label).sum())
        if target in frame
        else 0,
    }
    with tempfile.TemporaryDirectory(prefix="bench_corpus_") as folder:
        work = Path(folder)
        code, output, seconds = run_cli(csv, target, label, work)
        row["seconds"] = seconds
        store = work / "storage" / PIPELINE
        row["outcome"] = "ok" if code == 0 else failure(output)
        if code == 0:
            row["champion"], row["ap"], row["brier"] = champion_scores(store)
        if (store / "holdout_set.parquet").exists():
            for name, (ap, brier) in fixed_scores(store, target).items():
                row[f"{name}_ap"], row[f"{name}_brier"] = ap, brier
    return row


def paired(champion: np.ndarray, other: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean paired difference and its 95% bootstrap interval over the sets."""
    keep = ~(np.isnan(champion) | np.isnan(other))
    diff = champion[keep] - other[keep]
    if diff.size == 0:
        return np.nan, np.nan, np.nan
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, diff.size, (2000, diff.size))].mean(axis=1)
    return float(diff.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def summarise(table: pd.DataFrame) -> None:
    """Sets run, failures by step, and the champion against each fixed strategy."""
    ok = table[table["outcome"] == "ok"]
    print(f"\nsets run end to end: {len(ok)} of {len(table)}")
    failed = table.loc[table["outcome"] != "ok", "outcome"].str.split(":").str[0]
    for step, count in failed.value_counts().items():
        print(f"  failed at {step}: {count}")
    if ok.empty:
        return
    title = f"on the {len(ok)} sets that ran"
    print(
        f"\n{title:28} {'mean AP':>8} {'mean Brier':>11}   "
        f"{'champion - fixed, AP [95% CI]':34} {'Brier [95% CI]':28} AP wins/losses"
    )
    print(f"{'champion':28} {ok['ap'].mean():8.3f} {ok['brier'].mean():11.4f}")
    best = max((n for n, _, _ in FIXED), key=lambda n: np.nanmean(ok[f"{n}_ap"].to_numpy(float)))
    for name, _, _ in FIXED:
        ap, brier = ok[f"{name}_ap"].to_numpy(float), ok[f"{name}_brier"].to_numpy(float)
        d_ap, lo_ap, hi_ap = paired(ok["ap"].to_numpy(float), ap)
        d_b, lo_b, hi_b = paired(ok["brier"].to_numpy(float), brier)
        wins = int((ok["ap"].to_numpy(float) > ap + 1e-12).sum())
        losses = int((ok["ap"].to_numpy(float) < ap - 1e-12).sum())
        label = f"{name} (best fixed)" if name == best else name
        print(
            f"{label:28} {np.nanmean(ap):8.3f} {np.nanmean(brier):11.4f}   "
            f"{d_ap:+.3f} [{lo_ap:+.3f}, {hi_ap:+.3f}]{'':12} "
            f"{d_b:+.4f} [{lo_b:+.4f}, {hi_b:+.4f}]   {wins}/{losses}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="folder of CSV files")
    parser.add_argument("--target", default="Class", help="target column (default Class)")
    parser.add_argument("--positive-label", default="positive", help="default 'positive'")
    parser.add_argument("--jobs", type=int, default=1, help="data sets run at once")
    parser.add_argument("--only", nargs="*", help="run only these file stems")
    args = parser.parse_args()
    files = sorted(args.folder.glob("*.csv"))
    if args.only:
        files = [f for f in files if f.stem in set(args.only)]
    if not files:
        parser.error(f"no CSV files in {args.folder}")
    header = (
        f"{'set':36} {'rows':>5} {'feat':>4} {'pos':>4} {'s':>5}  {'champion':28} "
        f"{'AP':>6} {'Brier':>7} {'rf AP':>6} {'hgb AP':>6} {'lr AP':>6} {'rf+sm':>6}  outcome"
    )
    print(header)
    print("-" * len(header))
    rows = []
    with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        for row in pool.map(lambda f: run_one(f, args.target, args.positive_label), files):
            rows.append(row)
            value = lambda key: row.get(key, np.nan)  # noqa: E731
            print(
                f"{row['set'][:36]:36} {row['rows']:5d} {row['features']:4d} "
                f"{row['positives']:4d} {row['seconds']:5.0f}  {row.get('champion', '-')[:28]:28} "
                f"{value('ap'):6.3f} {value('brier'):7.4f} {value('rf_ap'):6.3f} "
                f"{value('hgb_ap'):6.3f} {value('logreg_ap'):6.3f} {value('rf+smote_ap'):6.3f}  "
                f"{row['outcome']}",
                flush=True,
            )
    summarise(pd.DataFrame(rows))


if __name__ == "__main__":
    main()
