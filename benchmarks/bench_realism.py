"""Realism of SMOTE variants, side by side, and the cost of ``assess_realism`` at scale.

For imbalanced-learn's SMOTE and KMeansSMOTE and smote_pipeline's
ClusterAwareSMOTE, on generated data sets (a two-cluster minority, 10% label
noise, 200 features of which 10 informative) and scikit-learn's bundled data
sets made imbalanced (digits with the rare class "0 or 1", breast cancer with
malignant cases subsampled), prints every realism metric. Then, on minorities
made of separate groups with majority rows between them (:data:`GAP_SHAPES`:
the property test's generator, and shapes it never draws: two moons, two rings,
a spiral arm, ten groups), prints the share of synthetic rows in gaps (defined
once, in ``smote_pipeline_tests/samplers/gaps.py``) and the realism gates'
``far_share``. Then times ``assess_realism`` on 100k and 1M training rows.

Run (from the repository root, ``PYTHONPATH=.``)::

    python benchmarks/bench_realism.py            # full run
    python benchmarks/bench_realism.py --quick    # smaller data, 100k timing only
    python benchmarks/bench_realism.py --gaps     # only the gap table
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, KMeansSMOTE
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    make_circles,
    make_classification,
    make_moons,
)
from sklearn.metrics import pairwise_distances_argmin_min
from sklearn.metrics.pairwise import euclidean_distances

from smote_pipeline import ClusterAwareSMOTE
from smote_pipeline.core.oversample.realism import assess_realism
from smote_pipeline.samplers import AutoKMeans

# The gap measure and the generated shapes are the property test's own (one definition
# of "in a gap"); the test package is not installed, so it is found from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from smote_pipeline_tests.samplers.gaps import Groups, gap_mask, make_groups  # noqa: E402

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


def with_majority_around(
    minority: np.ndarray, labels: np.ndarray, seed: int, clearance: str = "largest"
) -> Groups:
    """A minority (rows, group labels) plus majority rows filling the space around it.

    Majority rows are uniform in the minority's bounding box (widened by a quarter),
    ten times as many as the minority, less any closer to a minority row than three
    times a spacing ``s``: the largest nearest-neighbour distance within a group
    (``"largest"``, the property test's rule, "well separated"), the median one
    (``"median"``: the majority comes up to the curves), or none at all (``"none"``:
    the majority overlaps the minority, a stress case where even neighbours inside a
    group straddle majority rows).
    """
    rng = np.random.default_rng(seed)
    low, high = minority.min(axis=0), minority.max(axis=0)
    pad = (high - low) / 4
    majority = rng.uniform(low - pad, high + pad, size=(10 * len(minority), minority.shape[1]))
    own = np.zeros(len(minority))
    for g in np.unique(labels):
        rows = np.flatnonzero(labels == g)
        d = euclidean_distances(minority[rows])
        np.fill_diagonal(d, np.inf)
        own[rows] = d.min(axis=1)
    spacing = {"largest": own.max(), "median": np.median(own), "none": 0.0}[clearance]
    majority = majority[pairwise_distances_argmin_min(majority, minority)[1] >= 3 * spacing]
    values = np.vstack([minority, majority])
    X = pd.DataFrame(values, columns=[f"x{j}" for j in range(values.shape[1])])
    y = np.r_[np.ones(len(minority), int), np.zeros(len(majority), int)]
    return Groups(X, y, np.r_[labels, np.full(len(majority), -1)])


def two_moons(clearance: str) -> Groups:
    """Two interleaved moons (300 rows each, noise 0.03)."""
    X, label = make_moons(600, noise=0.03, random_state=SEED)
    return with_majority_around(X, label, SEED, clearance)


def two_rings(clearance: str) -> Groups:
    """Two concentric rings (300 rows each)."""
    X, label = make_circles(600, noise=0.015, factor=0.5, random_state=SEED)
    return with_majority_around(X, label, SEED, clearance)


def spiral_and_pairs(clearance: str) -> Groups:
    """A long curved group (a spiral arm, 200 rows) and three 2-row groups beside it."""
    rng = np.random.default_rng(SEED)
    t = np.sort(rng.uniform(0.5, 3 * np.pi, 200))
    arm = np.c_[t * np.cos(t), t * np.sin(t)] + rng.normal(0, 0.05, (200, 2))
    pairs = np.vstack([c + rng.normal(0, 0.05, (2, 2)) for c in ([0.0, 0.0], [9, 3], [-4, -7])])
    labels = np.repeat([0, 1, 2, 3], [200, 2, 2, 2])
    return with_majority_around(np.r_[arm, pairs], labels, SEED, clearance)


def ten_groups_8d() -> Groups:
    """Ten groups (2 to 60 rows) in 8 dimensions: more groups than the test draws."""
    sizes = [60, 30, 2, 2, 3, 3, 4, 5, 8, 12]
    return make_groups(SEED, sizes, 8, [i % 2 == 0 for i in range(10)], majority_factor=10)


#: Minorities made of separate groups, majority rows between: name -> (maker, in tests).
GAP_SHAPES: dict[str, tuple[Callable[[], Groups], bool]] = {
    "40+3+4+3 rows, 5d (as in #15)": (
        lambda: make_groups(SEED, [40, 3, 4, 3], 5, [False] * 4, majority_factor=10),
        True,
    ),
    "elongated 60+3+4+3, 6d (as in #15)": (
        lambda: make_groups(
            SEED, [60, 3, 4, 3], 6, [True, False, False, False], majority_factor=10
        ),
        True,
    ),
    "4+154+6 rows, 2d": (
        lambda: make_groups(SEED, [4, 154, 6], 2, [True, False, True], majority_factor=10),
        True,
    ),
    "6 groups 2-200 rows, 20d, categorical": (
        lambda: make_groups(
            SEED,
            [200, 2, 7, 50, 3, 120],
            20,
            [True, False, True, False, False, True],
            categorical=True,
            majority_factor=6,
        ),
        True,
    ),
    "2 groups of 2 rows + 100, 50d": (
        lambda: make_groups(SEED, [100, 2, 2], 50, [True, False, False], majority_factor=10),
        True,
    ),
    "two moons": (lambda: two_moons("largest"), False),
    "two rings": (lambda: two_rings("largest"), False),
    "spiral arm + three 2-row groups": (lambda: spiral_and_pairs("largest"), False),
    "ten groups, 8d": (ten_groups_8d, False),
    "spiral + pairs, majority close": (lambda: spiral_and_pairs("median"), False),
    "two moons, majority overlapping": (lambda: two_moons("none"), False),
    "spiral + pairs, majority overlapping": (lambda: spiral_and_pairs("none"), False),
}


def gap_samplers() -> dict[str, object]:
    """:func:`samplers`, plus ClusterAwareSMOTE as it was before the gap clusters and the
    bridge guard (``AutoKMeans``, no guard) and checking every pair (``pair_stretch=0``)."""
    return {
        **samplers(),
        "CAS before (AutoKMeans)": ClusterAwareSMOTE(
            sampling_strategy=SAMPLING_STRATEGY,
            random_state=SEED,
            clusterer=AutoKMeans(standardize=False),
            bridge_guard=False,
        ),
        "CAS pair_stretch=0": ClusterAwareSMOTE(
            sampling_strategy=SAMPLING_STRATEGY, random_state=SEED, pair_stretch=0
        ),
    }


def random_shapes(n_shapes: int, seed: int = SEED) -> list[Groups]:
    """``n_shapes`` draws from the property test's space of shapes (not its examples).

    1-6 groups of 2-8 rows (two thirds, as in the test) or 9-200 rows, 2-50 dimensions,
    round or elongated, separation 1-1.5, majority 10 times the minority (room for
    ``sampling_strategy``).
    """
    rng = np.random.default_rng(seed)
    shapes = []
    for i in range(n_shapes):
        n_groups = int(rng.integers(1, 7))
        small = rng.random(n_groups) < 2 / 3
        sizes = np.where(small, rng.integers(2, 9, n_groups), rng.integers(9, 201, n_groups))
        shapes.append(
            make_groups(
                seed + i,
                [int(n) for n in sizes],
                int(rng.choice([2, 3, 5, 6, 10, 20, 50])),
                list(rng.random(n_groups) < 0.5),
                separation=float(rng.uniform(1.0, 1.5)),
                majority_factor=10.0,
            )
        )
    return shapes


def random_shapes_table(n_shapes: int) -> pd.DataFrame:
    """Per sampler, over :func:`random_shapes`: shapes with rows in gaps, rows in gaps,
    and (for ClusterAwareSMOTE variants) shapes whose clusters are exactly the groups."""
    records: dict[str, dict] = {}
    for data in random_shapes(n_shapes):
        truth = data.group[data.y == 1]
        for name, sampler in gap_samplers().items():
            record = records.setdefault(
                name, {"sampler": name, "shapes": 0, "with_gaps": 0, "in_gap": 0, "n_syn": 0}
            )
            try:
                synthetic = resample(sampler, data.X, data.y)
            except (RuntimeError, ValueError):
                record["failed"] = record.get("failed", 0) + 1
                continue
            numeric = synthetic[[c for c in data.X.columns if c.startswith("x")]]
            in_gap = gap_mask(data.numeric, data.y, numeric.to_numpy(dtype=float))
            record["shapes"] += 1
            record["with_gaps"] += int(in_gap.any())
            record["in_gap"] += int(in_gap.sum())
            record["n_syn"] += len(in_gap)
            labels = getattr(sampler, "cluster_labels_", {}).get(1)
            if labels is not None:
                exact = len(set(zip(truth, labels, strict=True))) == truth.max() + 1
                exact &= len(np.unique(labels)) == truth.max() + 1
                record["clusters_exact"] = record.get("clusters_exact", 0) + int(exact)
    return pd.DataFrame.from_records(list(records.values()))


def gap_table() -> pd.DataFrame:
    """One row per (gap shape, sampler): synthetic rows in gaps and ``far_share``."""
    records = []
    for shape, (make, in_tests) in GAP_SHAPES.items():
        data = make()
        X, y = data.X, data.y
        for sampler_name, sampler in gap_samplers().items():
            record = {"shape": shape, "in_tests": in_tests, "sampler": sampler_name}
            try:
                synthetic = resample(sampler, X, y)
            except (RuntimeError, ValueError) as error:
                records.append({**record, "failed": f"sampler error: {str(error)[:40]}"})
                continue
            numeric = synthetic[[c for c in X.columns if c.startswith("x")]]
            in_gap = gap_mask(data.numeric, y, numeric.to_numpy(dtype=float))
            real, other = frames(X, y, sampler)
            report = assess_realism(real, synthetic, other, TARGET, random_state=SEED)
            record.update(
                groups=int(data.group.max()) + 1,
                n_syn=len(synthetic),
                in_gap=int(in_gap.sum()),
                gap_pct=100 * float(in_gap.mean()) if len(in_gap) else 0.0,
                far=report.scores["far_share"],
                clusters=getattr(sampler, "n_clusters_", {}).get(1, ""),
                rejected=getattr(sampler, "n_rejected_pairs_", {}).get(1, ""),
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
    parser.add_argument("--gaps", action="store_true", help="only the tables of rows in gaps")
    parser.add_argument(
        "--random-shapes", type=int, default=60, help="random gap shapes summarised (default 60)"
    )
    args = parser.parse_args()
    pd.set_option("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 60)
    pd.set_option("display.float_format", "{:.3f}".format)
    print("Synthetic rows in gaps between minority groups (sampling_strategy=0.5, seed 0)")
    print(gap_table().to_string(index=False))
    print()
    print(f"Over {args.random_shapes} random shapes of the property test's space (seed 0)")
    print(random_shapes_table(args.random_shapes).to_string(index=False))
    print()
    if args.gaps:
        return
    print("Realism of synthetic minority rows (sampling_strategy=0.5, seed 0)")
    print(quality_table(scale=1 if args.quick else 2).to_string(index=False))
    print()
    sizes = [100_000] if args.quick else [100_000, 1_000_000]
    print("assess_realism wall time (10 features, 10% minority, synthetic to ratio 0.5)")
    print(timing_table(sizes).to_string(index=False))


if __name__ == "__main__":
    main()
