"""Does the sampler see the subpopulations? Gaps, scales, valleys and refused pairs.

Four tables, on data generated here (``smote_pipeline_tests/samplers/gaps.py``, the
property test's generator and its definition of "in a gap"):

1. **gaps**: over random shapes of the property test's space (other seeds than its
   examples): for plain SMOTE on standardised columns, ClusterAwareSMOTE and the ideal
   sampler (SMOTE inside each true group), the shapes with a synthetic row in a gap,
   the rows in gaps, and the farthest row (in spacings); for ClusterAwareSMOTE, the
   shapes whose clusters are exactly the groups. Shapes where the ideal sampler itself
   lands in a gap are counted apart (the property test leaves them out).
2. **scaling**: the error of each column's scale against the known within-group
   deviation (largest over smallest ratio, worst and mean over 7 shapes x 6 seeds), for
   the class's standard deviation and for ``neighbourhood_scale``.
3. **valleys**: 100 unimodal groups (Gaussian, uniform, elongated, Student t,
   log-normal; 40-300 rows; 2-30 dimensions): how many ``GapClustering`` splits, and
   the lowest valley ratio seen; then the embedded demo's minority.
4. **refusals**: single groups (round or long, 2-50 dimensions, 20-200 rows) and two
   moons / two rings, nothing else near: the share of pairs the bridge guard refuses
   (every refusal there is of an ordinary pair).

Run (from the repository root)::

    PYTHONPATH=. python benchmarks/bench_subpopulations.py
    PYTHONPATH=. python benchmarks/bench_subpopulations.py --shapes 300
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.datasets import load_digits, make_circles, make_moons

from smote_pipeline import ClusterAwareSMOTE
from smote_pipeline.core.ingest.datasets import DIGITS_POSITIVE, DIGITS_TARGET, rare_digits
from smote_pipeline.samplers import GapClustering
from smote_pipeline.samplers._scaling import neighbourhood_scale

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from smote_pipeline_tests.samplers.gaps import (  # noqa: E402
    GAP_FACTOR,
    MAJORITY_LAYOUTS,
    gap_distance,
    ideal_rows,
    make_shape,
)


def random_shape(rng: np.random.Generator):
    """One draw from the property test's space of shapes."""
    n_groups = int(rng.integers(1, 7))
    sizes = [int(rng.integers(2, 5) if rng.random() < 0.5 else rng.integers(10, 81))]
    sizes += [
        int(rng.integers(2, 5) if rng.random() < 0.5 else rng.integers(10, 81))
        for _ in range(n_groups - 1)
    ]
    return make_shape(
        seed=int(rng.integers(2**16)),
        sizes=sizes,
        n_dims=int(rng.choice([2, 3, 5, 12, 20, 50])),
        n_noise=int(rng.choice([0, 0, 5, 20])),
        separation=float(rng.choice([10.0, 20.0, 40.0])),
        one_axis=bool(rng.random() < 0.5),
        elongated=bool(rng.random() < 0.5),
        majority=str(rng.choice(MAJORITY_LAYOUTS)),
        categorical=bool(rng.random() < 0.5),
    )


def plain_smote(shape) -> pd.DataFrame:
    numeric = shape.X.filter(like="x")
    scale = numeric.std()
    k = min(5, int(shape.y.sum()) - 1)
    out = SMOTE(sampling_strategy=0.5, k_neighbors=k, random_state=0)
    return (out.fit_resample(numeric / scale, shape.y)[0] * scale).iloc[len(shape.X) :]


def gaps_table(n_shapes: int, seed: int) -> pd.DataFrame:
    """Table 1."""
    rng = np.random.default_rng(seed)
    records: dict[str, dict] = {}
    for _ in range(n_shapes):
        shape = random_shape(rng)
        ideal_far = gap_distance(shape, ideal_rows(shape)).max()
        sampler = ClusterAwareSMOTE(sampling_strategy=0.5, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            ours = sampler.fit_resample(shape.X, shape.y)[0].iloc[len(shape.X) :]
        rows = {"plain SMOTE": plain_smote(shape), "ClusterAwareSMOTE": ours}
        rows["ideal (true groups)"] = ideal_rows(shape)
        truth = shape.group[shape.y == 1]
        labels = sampler.cluster_labels_[1]
        exact = (
            len(set(zip(truth, labels, strict=True)))
            == len(np.unique(truth))
            == len(np.unique(labels))
        )
        for name, synthetic in rows.items():
            far = gap_distance(shape, synthetic)
            key = name + ("" if ideal_far <= GAP_FACTOR else " [ideal in a gap]")
            r = records.setdefault(
                key,
                {
                    "sampler": key,
                    "shapes": 0,
                    "with_gaps": 0,
                    "in_gap": 0,
                    "rows": 0,
                    "farthest": 0.0,
                    "clusters_exact": "",
                },
            )
            r["shapes"] += 1
            r["with_gaps"] += int((far > GAP_FACTOR).any())
            r["in_gap"] += int((far > GAP_FACTOR).sum())
            r["rows"] += len(far)
            r["farthest"] = max(r["farthest"], float(far.max()) if len(far) else 0.0)
            if name == "ClusterAwareSMOTE":
                r["clusters_exact"] = (r["clusters_exact"] or 0) + int(exact)
    return pd.DataFrame.from_records(list(records.values()))


SCALING_SHAPES = [
    {"sizes": [30, 30], "n_dims": 6},
    {"sizes": [40, 3, 20], "n_dims": 8, "one_axis": True},
    {"sizes": [50, 4, 3, 30], "n_dims": 5, "n_noise": 20},
    {"sizes": [60, 2, 3, 4, 2, 4], "n_dims": 12},
    {"sizes": [20, 20, 20, 20, 20], "n_dims": 6},
    {"sizes": [30, 30, 30, 30], "n_dims": 3, "one_axis": True},
    {"sizes": [100], "n_dims": 10},
]


def scaling_table() -> pd.DataFrame:
    """Table 2."""
    records = []
    for kwargs in SCALING_SHAPES:
        errors = {"class std": [], "neighbourhood_scale": []}
        for seed in range(1, 7):
            shape = make_shape(seed, **kwargs)
            rows = shape.X.filter(like="x").to_numpy(dtype=float)[shape.y == 1]
            std = rows.std(axis=0)
            for name, scale in (
                ("class std", std),
                ("neighbourhood_scale", neighbourhood_scale(rows, std)),
            ):
                ratio = scale / shape.unit
                errors[name].append(ratio.max() / ratio.min())
        for name, values in errors.items():
            records.append(
                {
                    "shape": str(kwargs),
                    "scale": name,
                    "worst": max(values),
                    "mean": float(np.mean(values)),
                }
            )
    return pd.DataFrame.from_records(records)


def unimodal(kind: str, n: int, d: int, rng) -> np.ndarray:
    if kind == "gaussian":
        return rng.normal(size=(n, d))
    if kind == "uniform":
        return rng.uniform(size=(n, d))
    if kind == "elongated":
        return rng.normal(size=(n, d)) * np.r_[5.0, np.ones(d - 1)]
    if kind == "student t":
        return rng.standard_t(3, size=(n, d))
    return rng.lognormal(size=(n, d))


def valleys_table() -> pd.DataFrame:
    """Table 3."""
    rng = np.random.default_rng(5)
    records = []
    for kind in ("gaussian", "uniform", "elongated", "student t", "log-normal"):
        split, lowest = 0, np.inf
        for n in (40, 60, 100, 300):
            for d in (2, 3, 5, 10, 30):
                rows = unimodal(kind, n, d, rng)
                rows = (rows - rows.mean(axis=0)) / rows.std(axis=0)
                found = GapClustering(random_state=0).fit(rows)
                split += int(found.n_clusters_ > 1)
                lowest = min([lowest, *found.valley_ratios_])
        records.append({"shape": kind, "groups": 20, "split": split, "lowest_valley_ratio": lowest})
    frame = rare_digits()
    X, y = frame.drop(columns=DIGITS_TARGET), (frame[DIGITS_TARGET] == DIGITS_POSITIVE)
    sampler = ClusterAwareSMOTE(random_state=0)
    labels = sampler.find_clusters(X, y.to_numpy().astype(int))[y.to_numpy()]
    digits = load_digits()
    digit_of = {tuple(r): t for r, t in zip(digits.data.astype(int), digits.target, strict=True)}
    digit = np.array([digit_of[tuple(r)] for r in X[y].to_numpy()])
    for c in np.unique(labels):
        counts = np.bincount(digit[labels == c], minlength=2)
        records.append(
            {
                "shape": f"demo cluster {c}",
                "groups": int(counts.sum()),
                "split": f"{counts[0]} zeros, {counts[1]} ones",
                "lowest_valley_ratio": float(
                    np.min(sampler.clusterers_[1].valley_ratios_, initial=np.inf)
                ),
            }
        )
    return pd.DataFrame.from_records(records)


def refusals_table() -> pd.DataFrame:
    """Table 4."""
    records = []
    for d in (2, 3, 5, 12, 50):
        for n in (20, 60, 200):
            for elongated in (False, True):
                shares = []
                for seed in range(3):
                    shape = make_shape(seed, [n], d, elongated=elongated, majority="far")
                    shares.append(_refused(shape.X, shape.y))
                records.append(
                    {
                        "shape": f"{'long' if elongated else 'round'} group",
                        "dims": d,
                        "rows": n,
                        "refused": float(np.mean(shares)),
                    }
                )
    for name, (X, y) in {
        "two moons": make_moons(400, noise=0.05, random_state=0),
        "two rings": make_circles(400, noise=0.03, factor=0.5, random_state=0),
    }.items():
        keep = (y == 0) | (np.arange(len(y)) % 4 == 0)
        records.append(
            {
                "shape": name,
                "dims": 2,
                "rows": int((y[keep] == 1).sum()),
                "refused": _refused(X[keep], y[keep]),
            }
        )
    return pd.DataFrame.from_records(records)


def _refused(X, y) -> float:
    sampler = ClusterAwareSMOTE(sampling_strategy=0.5, max_clusters=1, random_state=0)
    sampler.fit_resample(X, y)
    return sum(sampler.n_rejected_pairs_[1].values()) / max(sampler.n_pairs_[1], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=int, default=150, help="random shapes (table 1)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random shapes")
    args = parser.parse_args()
    pd.set_option("display.width", 200, "display.max_colwidth", 70)
    pd.set_option("display.float_format", "{:.3f}".format)
    print(
        f"1. Rows in gaps (farther than {GAP_FACTOR} spacings from every real minority row)"
        f" over {args.shapes} random shapes (seed {args.seed})"
    )
    print(gaps_table(args.shapes, args.seed).to_string(index=False), "\n")
    print("2. Column scale error (largest / smallest of scale / true within-group deviation)")
    print(scaling_table().to_string(index=False), "\n")
    print("3. Valley splits of unimodal groups (should be none), and the demo's clusters")
    print(valleys_table().to_string(index=False), "\n")
    print("4. Share of pairs refused inside single groups (every refusal is of an ordinary pair)")
    print(refusals_table().to_string(index=False))


if __name__ == "__main__":
    main()
