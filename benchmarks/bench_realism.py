"""Realism of SMOTE variants, side by side, and the cost of ``assess_realism`` at scale.

For imbalanced-learn's SMOTE and KMeansSMOTE and smote_pipeline's
ClusterAwareSMOTE, on generated data sets (a two-cluster minority, 10% label
noise, 200 features of which 10 informative) and scikit-learn's bundled data
sets made imbalanced (digits with the rare class "0 or 1", breast cancer with
malignant cases subsampled), prints every realism metric. Then times
``assess_realism`` on 100k and 1M training rows. Rows in gaps between minority
subpopulations are measured by ``bench_subpopulations.py``.

Run (from the repository root, ``PYTHONPATH=.``)::

    python benchmarks/bench_realism.py            # full run
    python benchmarks/bench_realism.py --quick    # smaller data, 100k timing only
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, KMeansSMOTE
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    make_classification,
)

from smote_pipeline import ClusterAwareSMOTE
from smote_pipeline.core.oversample.realism import assess_realism

TARGET = "label"
SAMPLING_STRATEGY = 0.5
SEED = 0

Dataset = tuple[pd.DataFrame, np.ndarray]


def two_cluster_minority(scale: int) -> Dataset:
    """Minority: a main blob and a small, distant subpopulation; majority in between.

    The small blob has 4 rows, fewer than SMOTE's 5 neighbours, so plain SMOTE
    draws some of its segments across to the main blob (5 features).
    """
    rng = np.random.default_rng(SEED)
    n_main, n_small, n_maj = 30 * scale, 4, 600 * scale
    main = rng.normal([-3.0, -3.0, 0, 0, 0], 0.5, size=(n_main, 5))
    small = rng.normal([3.0, 3.0, 0, 0, 0], 0.5, size=(n_small, 5))
    majority = rng.normal(0.0, 1.0, size=(n_maj, 5))
    X = pd.DataFrame(np.vstack([main, small, majority])).add_prefix("f")
    return X, np.r_[np.ones(n_main + n_small, int), np.zeros(n_maj, int)]


def label_noise(scale: int) -> Dataset:
    """make_classification with 10% of labels flipped, 10% minority."""
    X, y = make_classification(
        n_samples=1000 * scale,
        n_features=8,
        n_informative=4,
        weights=[0.9],
        flip_y=0.1,
        random_state=SEED,
    )
    return pd.DataFrame(X).add_prefix("f"), y


def high_dimensional(scale: int) -> Dataset:
    """200 features of which 10 informative, 10% minority."""
    X, y = make_classification(
        n_samples=1000 * scale,
        n_features=200,
        n_informative=10,
        n_redundant=0,
        weights=[0.9],
        random_state=SEED,
    )
    return pd.DataFrame(X).add_prefix("f"), y


def digits_zero_or_one(scale: int) -> Dataset:
    """Digits: 40 zeros and 40 ones (rare class) against the digits 2-9."""
    data = load_digits()
    rng = np.random.default_rng(SEED)
    zeros = rng.choice(np.flatnonzero(data.target == 0), 40, replace=False)
    ones = rng.choice(np.flatnonzero(data.target == 1), 40, replace=False)
    rest = np.flatnonzero(data.target >= 2)
    keep = np.r_[zeros, ones, rest]
    X = pd.DataFrame(data.data[keep]).add_prefix("px")
    return X, np.r_[np.ones(80, int), np.zeros(len(rest), int)]


def breast_cancer(scale: int) -> Dataset:
    """Breast cancer with malignant cases subsampled to 10% of the benign count."""
    data = load_breast_cancer()
    rng = np.random.default_rng(SEED)
    malignant = np.flatnonzero(data.target == 0)
    benign = np.flatnonzero(data.target == 1)
    keep = np.r_[rng.choice(malignant, len(benign) // 10, replace=False), benign]
    X = pd.DataFrame(data.data[keep], columns=[c.replace(" ", "_") for c in data.feature_names])
    return X, (data.target[keep] == 0).astype(int)


DATASETS: dict[str, Callable[[int], Dataset]] = {
    "two_clusters": two_cluster_minority,
    "label_noise_10%": label_noise,
    "200_features": high_dimensional,
    "digits_0_or_1": digits_zero_or_one,
    "breast_cancer": breast_cancer,
}


def samplers() -> dict[str, object]:
    """The oversamplers compared, all at the same sampling strategy."""
    return {
        "SMOTE": SMOTE(sampling_strategy=SAMPLING_STRATEGY, random_state=SEED),
        "KMeansSMOTE": KMeansSMOTE(
            sampling_strategy=SAMPLING_STRATEGY,
            random_state=SEED,
            cluster_balance_threshold=0.05,
        ),
        "ClusterAwareSMOTE": ClusterAwareSMOTE(
            sampling_strategy=SAMPLING_STRATEGY, random_state=SEED
        ),
    }


def resample(sampler: object, X: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """Synthetic rows only, in the pipeline's conventions (row_id, features, label)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X_res, _ = sampler.fit_resample(X, y)
    synthetic = pd.DataFrame(np.asarray(X_res)[len(X) :], columns=X.columns)
    synthetic.insert(0, "row_id", -np.arange(1, len(synthetic) + 1))
    synthetic[TARGET] = 1
    provenance = getattr(sampler, "provenance_", None)
    if provenance is not None:
        synthetic["cluster_id"] = provenance["cluster_id"].to_numpy()
    return synthetic


def frames(X: pd.DataFrame, y: np.ndarray, sampler: object) -> tuple[pd.DataFrame, ...]:
    """Real minority rows (with cluster ids when known) and other-class rows."""
    real = X.assign(**{TARGET: y})
    real.insert(0, "row_id", np.arange(len(real)))
    labels = getattr(sampler, "cluster_labels_", None)
    minority = real[y == 1].copy()
    if labels is not None:
        minority["cluster_id"] = np.asarray(labels[1])
    return minority, real[y == 0]


COLUMNS = {
    "detection_auc": "det_auc",
    "mean_column_similarity": "col_sim",
    "min_column_similarity": "col_min",
    "correlation_similarity": "corr_sim",
    "near_copy_share": "near",
    "exact_copy_share": "exact",
    "far_share": "far",
    "intrusion_share": "intr",
    "real_intrusion_share": "intr_real",
    "invalid_share": "invalid",
    "dcr_ratio": "dcr_ratio",
    "relative_contrast": "contrast",
}


def quality_table(scale: int) -> pd.DataFrame:
    """One row per (data set, sampler): every overall realism score."""
    records = []
    for data_name, make in DATASETS.items():
        X, y = make(scale)
        for sampler_name, sampler in samplers().items():
            record = {"dataset": data_name, "sampler": sampler_name}
            try:
                synthetic = resample(sampler, X, y)
            except (RuntimeError, ValueError) as error:
                records.append({**record, "failed": f"sampler error: {str(error)[:40]}"})
                continue
            real, other = frames(X, y, sampler)
            start = time.perf_counter()
            report = assess_realism(real, synthetic, other, TARGET, random_state=SEED)
            seconds = time.perf_counter() - start
            record.update({short: report.scores[key] for key, short in COLUMNS.items()})
            record.update(
                n_syn=len(synthetic),
                drop=len(report.rows_to_drop()),
                passed=report.passed,
                failed=",".join(report.failed_gates),
                secs=round(seconds, 2),
            )
            records.append(record)
    return pd.DataFrame.from_records(records)


def timing_frames(n_rows: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``n_rows`` training rows (10 features, 10% minority in 4 blobs) and SMOTE-like rows.

    Synthetic rows interpolate random pairs of one blob, enough to reach a
    0.5 minority-to-majority ratio (about 35% of the training rows).
    """
    rng = np.random.default_rng(SEED)
    n_min = n_rows // 10
    n_maj = n_rows - n_min
    blob = rng.integers(0, 4, size=n_min)
    centres = rng.normal(0.0, 3.0, size=(4, 10))
    minority = centres[blob] + rng.normal(0.0, 0.5, size=(n_min, 10))
    majority = rng.normal(0.0, 2.0, size=(n_maj, 10))
    n_syn = n_maj // 2 - n_min
    order = np.argsort(blob, kind="stable")
    starts = np.searchsorted(blob[order], np.arange(4))
    counts = np.bincount(blob, minlength=4)
    parent_blob = rng.integers(0, 4, size=n_syn)
    a = order[starts[parent_blob] + rng.integers(0, counts[parent_blob])]
    b = order[starts[parent_blob] + rng.integers(0, counts[parent_blob])]
    lam = rng.random((n_syn, 1))
    synthetic = minority[a] + lam * (minority[b] - minority[a])
    columns = [f"f{i}" for i in range(10)]

    def frame(values: np.ndarray, label: int, ids: np.ndarray) -> pd.DataFrame:
        out = pd.DataFrame(values, columns=columns)
        out.insert(0, "row_id", ids)
        out[TARGET] = label
        return out

    real = frame(minority, 1, np.arange(n_min))
    other = frame(majority, 0, np.arange(n_min, n_rows))
    fake = frame(synthetic, 1, -np.arange(1, n_syn + 1))
    fake["cluster_id"] = parent_blob
    return real, other, fake


def timing_table(sizes: list[int]) -> pd.DataFrame:
    """Seconds ``assess_realism`` takes per training-set size."""
    records = []
    for n_rows in sizes:
        real, other, fake = timing_frames(n_rows)
        start = time.perf_counter()
        report = assess_realism(real, fake, other, TARGET, random_state=SEED)
        seconds = time.perf_counter() - start
        records.append(
            {
                "training_rows": n_rows,
                "real_minority": len(real),
                "synthetic": len(fake),
                "seconds": round(seconds, 1),
                "det_auc": report.scores["detection_auc"],
                "far": report.scores["far_share"],
                "intr": report.scores["intrusion_share"],
                "passed": report.passed,
            }
        )
    return pd.DataFrame.from_records(records)


def main() -> None:
    """Print the quality table and the timing table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, 100k timing only")
    args = parser.parse_args()
    pd.set_option("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 60)
    pd.set_option("display.float_format", "{:.3f}".format)
    print("Realism of synthetic minority rows (sampling_strategy=0.5, seed 0)")
    print(quality_table(scale=1 if args.quick else 2).to_string(index=False))
    print()
    sizes = [100_000] if args.quick else [100_000, 1_000_000]
    print("assess_realism wall time (10 features, 10% minority, synthetic to ratio 0.5)")
    print(timing_table(sizes).to_string(index=False))


if __name__ == "__main__":
    main()
