"""Time and peak memory of the samplers against imbalanced-learn's, on generated data.

Usage::

    PYTHONPATH=. python benchmarks/bench_samplers.py --sizes 10000 100000 200000 1000000 \
        --repeat 3 --cap 120

(from the repository root; ``PYTHONPATH=.`` is only needed when the package is not
installed; ``--methods`` picks methods by name, ``--large-from`` sets the size from
which only :data:`LARGE_METHODS` run). Expect about 10 minutes on 2 cores for the
command above (the 1M-row safety filter alone takes about a minute per run).

Data: ``make_classification`` with 20 features (``--n-features``; 5 informative, 2
redundant), 1% minority, no label flips. Each method runs in its own forked child
process per size, so one method's allocations never count against another. In the child
the method runs ``--repeat`` times without tracing (``time s`` is the best of these, the
machine being shared and noisy; ``x SMOTE`` divides it by imbalanced-learn's SMOTE's
best in the same run), plus once under ``tracemalloc`` for the peak memory (numpy
allocations are traced, so it is the peak of Python/numpy heap allocations during
``fit_resample`` and excludes memory that native libraries such as BLAS or OpenMP
allocate outside numpy). ``mem/io`` divides it by the bytes of the input plus the output
arrays. A method still running after ``--cap`` seconds is stopped: it is printed as
``> cap`` if no run finished, otherwise with the best of the runs that did (``runs``
column). Sizes from ``--large-from`` rows on only run :data:`LARGE_METHODS`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import tracemalloc
import warnings

import numpy as np
from imblearn.combine import SMOTEENN
from imblearn.over_sampling import SMOTE, KMeansSMOTE
from sklearn.datasets import make_classification

from smote_pipeline.samplers import ClusterAwareSMOTE, NoiseFilter

METHODS = {
    "imblearn SMOTE": lambda: SMOTE(random_state=0),
    "ClusterAwareSMOTE": lambda: ClusterAwareSMOTE(random_state=0),
    "ClusterAwareSMOTE bridge_guard=False": lambda: ClusterAwareSMOTE(
        random_state=0, bridge_guard=False
    ),
    "ClusterAwareSMOTE n_components=5": lambda: ClusterAwareSMOTE(random_state=0, n_components=5),
    "ClusterAwareSMOTE safety_filter": lambda: ClusterAwareSMOTE(
        random_state=0, safety_filter=True
    ),
    "NoiseFilter(enn)": lambda: NoiseFilter(method="enn", max_minority_removal=1.0, random_state=0),
    "NoiseFilter(enn) n_jobs=1": lambda: NoiseFilter(
        method="enn", max_minority_removal=1.0, random_state=0, n_jobs=1
    ),
    "imblearn KMeansSMOTE": lambda: KMeansSMOTE(random_state=0),
    # defaults find no cluster "balanced enough" at 1% minority; accept any cluster
    "imblearn KMeansSMOTE threshold=0": lambda: KMeansSMOTE(
        random_state=0, cluster_balance_threshold=0.0
    ),
    "imblearn SMOTEENN": lambda: SMOTEENN(random_state=0),
}

#: Methods run at sizes from ``--large-from`` rows on (the others take minutes there).
LARGE_METHODS = [
    "imblearn SMOTE",
    "ClusterAwareSMOTE",
    "ClusterAwareSMOTE bridge_guard=False",
    "ClusterAwareSMOTE n_components=5",
    "ClusterAwareSMOTE safety_filter",
    "NoiseFilter(enn)",
    "NoiseFilter(enn) n_jobs=1",
]

_DATA: dict[str, np.ndarray] = {}


def make_data(n_samples: int, n_features: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Generated benchmark data: ``n_features`` features (5 informative), 1% minority."""
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=5,
        n_redundant=2,
        weights=[0.99],
        flip_y=0,
        random_state=0,
    )


def _child(name: str, repeat: int, conn) -> None:
    X, y = _DATA["X"], _DATA["y"]
    warnings.simplefilter("ignore")
    for attempt in range(repeat + 1):
        traced = attempt == 1 or (repeat == 0)  # run 0 timed, run 1 traced, then timed
        sampler = METHODS[name]()
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        try:
            X_res, y_res = sampler.fit_resample(X, y)
        except Exception as exc:  # report, do not crash the table
            conn.send(("error", f"{type(exc).__name__}: {exc}"[:70]))
            return
        elapsed = time.perf_counter() - start
        if traced:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            io_bytes = X.nbytes + y.nbytes + np.asarray(X_res).nbytes + np.asarray(y_res).nbytes
            conn.send(("mem", peak, io_bytes, len(y_res)))
        else:
            conn.send(("time", elapsed))
        del X_res, y_res
    conn.send(("done",))


def run(name: str, cap: float, repeat: int) -> dict:
    """Run one method in a forked child; collect its messages until done or ``cap`` s."""
    parent, child = mp.Pipe(duplex=False)
    process = mp.get_context("fork").Process(target=_child, args=(name, repeat, child))
    process.start()
    deadline = time.perf_counter() + cap
    out: dict = {"times": []}
    while True:
        left = deadline - time.perf_counter()
        if left <= 0 or not parent.poll(left):
            out["timeout"] = True
            process.terminate()
            break
        message = parent.recv()
        if message[0] == "done":
            break
        if message[0] == "error":
            out["error"] = message[1]
            break
        if message[0] == "time":
            out["times"].append(message[1])
        else:
            out["peak"], out["io"], out["n_out"] = message[1:]
    process.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--cap", type=float, default=300.0, help="seconds allowed per method and size (default 300)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timed runs per method and size; the best is shown (default 3)",
    )
    parser.add_argument(
        "--large-from",
        type=int,
        default=1_000_000,
        help="from this many rows on, run only LARGE_METHODS",
    )
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument(
        "--n-features",
        type=int,
        default=20,
        help="features of the generated data (default 20, at least 7)",
    )
    args = parser.parse_args()
    if args.n_features < 7:
        parser.error(
            f"--n-features {args.n_features}: use at least 7 (5 informative + 2 redundant)"
        )
    header = (
        f"{'rows':>9} {'method':<34} {'time s':>8} {'x SMOTE':>8} "
        f"{'peak MB':>8} {'mem/io':>7} {'rows out':>9} {'runs':>4}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        _DATA["X"], _DATA["y"] = make_data(size, args.n_features)
        smote_time = None
        methods = [m for m in args.methods if size < args.large_from or m in LARGE_METHODS]
        for name in methods:
            result = run(name, args.cap, args.repeat)
            if "error" in result:
                print(f"{size:>9} {name:<34} {'error':>8}   {result['error']}")
                continue
            if not result["times"]:
                print(f"{size:>9} {name:<34} {'> cap':>8}   (stopped after {args.cap:.0f} s)")
                continue
            best = min(result["times"])
            if name == "imblearn SMOTE":
                smote_time = best
            ratio = f"{best / smote_time:8.2f}" if smote_time else f"{'-':>8}"
            if "peak" in result:
                memory = (
                    f"{result['peak'] / 2**20:8.1f} {result['peak'] / result['io']:7.2f} "
                    f"{result['n_out']:>9}"
                )
            else:
                memory = f"{'-':>8} {'-':>7} {'-':>9}"
            capped = "*" if result.get("timeout") else ""
            print(
                f"{size:>9} {name:<34} {best:8.3f} {ratio} {memory} "
                f"{len(result['times']):>3}{capped:1}",
                flush=True,
            )
    print(
        f"time s: best of up to {args.repeat} runs; * = stopped by --cap after the "
        "runs counted; peak MB from one extra traced run."
    )


if __name__ == "__main__":
    main()
