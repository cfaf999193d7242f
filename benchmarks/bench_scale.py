"""How the whole pipeline scales with rows, run through the CLI as a user would.

For each row count it generates, with a fixed seed::

    make_classification(n_samples=ROWS, n_features=30, n_informative=12, n_redundant=4,
                        n_clusters_per_class=3, weights=[0.98], flip_y=0.005,
                        class_sep=3.0, random_state=SEED)

as columns ``f0`` .. ``f29`` and a 0/1 target ``label``, writes it as Parquet
and runs the README's own-data command on it with default options, in a fresh
``DAGSTER_HOME`` (empty ``dagster.yaml``) and storage folder::

    SMOTE_PIPELINE_SOURCE=data.parquet SMOTE_PIPELINE_TARGET=label \\
    SMOTE_PIPELINE_POSITIVE_LABEL=1 SMOTE_PIPELINE_STORAGE=storage \\
    dagster asset materialize -m smote_pipeline.definitions --select 'key:"custom/*"'

The CLI's output goes to ``cli.log`` beside the data; its tail is printed if
the run fails. Measured per row count:

- total wall time of the CLI process, from start to exit;
- peak RSS of the process tree: every 0.2 s the VmRSS of the CLI process and
  all its descendants (found through the parent links of ``/proc/*/stat``) is
  summed, and the largest sum is kept;
- peak RSS of the largest single process: ``ru_maxrss`` of the CLI process and
  its reaped descendants, as ``os.wait4`` returns it (the per-child form of
  ``getrusage(RUSAGE_CHILDREN)``);
- wall time per step: from the run's ``STEP_START`` to its ``STEP_SUCCESS`` or
  ``STEP_FAILURE`` event in the run's own Dagster instance; the time outside
  any step (process start, loading definitions, orchestration) is shown as
  its own row;
- the champion and its hold-out average precision, from the stored
  ``holdout_evaluation`` of pipeline ``custom``.

One table per row count (step, seconds, share of total wall time) and a
summary line per row count are printed. The exit code is 1 if any run failed.

    python benchmarks/bench_scale.py --rows 100000 1000000
    python benchmarks/bench_scale.py --rows 100000 --seed 1 --keep /tmp/scale --timeout 1800
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

import pandas as pd
from sklearn.datasets import make_classification

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_corpus import PIPELINE, SELECT, champion_scores, failure  # noqa: E402

TARGET = "label"
POSITIVE_LABEL = "1"
SEED = 0
POLL_SECONDS = 0.2
STEP_EVENTS = ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE")


def make_data(rows: int, seed: int, path: Path) -> int:
    """Write the generated set as Parquet; returns its number of positives."""
    X, y = make_classification(
        n_samples=rows,
        n_features=30,
        n_informative=12,
        n_redundant=4,
        n_clusters_per_class=3,
        weights=[0.98],
        flip_y=0.005,
        class_sep=3.0,
        random_state=seed,
    )
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    frame[TARGET] = y.astype(int)
    frame.to_parquet(path, index=False)
    return int(y.sum())


def _parents() -> dict[int, int]:
    """Parent pid of every live process, from ``/proc/*/stat``."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _rss_bytes(pid: int) -> int:
    """VmRSS of one process (0 once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> int:
    """Summed VmRSS of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += _rss_bytes(pid)
        pending.extend(children.get(pid, ()))
    return total


def run_cli(data: Path, work: Path, timeout: float) -> dict:
    """The README's own-data command on ``data``; exit code, wall time and peak memory."""
    home = work / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "SMOTE_PIPELINE_SOURCE": str(data.resolve()),
        "SMOTE_PIPELINE_TARGET": TARGET,
        "SMOTE_PIPELINE_POSITIVE_LABEL": POSITIVE_LABEL,
        "SMOTE_PIPELINE_STORAGE": str(work / "storage"),
    }
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "asset", "materialize", "-m", "smote_pipeline.definitions"]
    peak_tree, timed_out = 0, False
    with open(work / "cli.log", "wb") as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            [*command, "--select", SELECT],
            env=env,
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while True:
            peak_tree = max(peak_tree, tree_rss(process.pid))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if not timed_out and time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - start
        ended = time.time()
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "code": process.returncode,
        "timed_out": timed_out,
        "seconds": seconds,
        "peak_tree": peak_tree,
        "peak_single": usage.ru_maxrss * 1024,  # kilobytes on Linux
        "home": home,
        "ended": ended,
    }


def step_seconds(home: Path, ended: float) -> tuple[list[tuple[str, float, str]], str]:
    """Each step's wall time and outcome, from the run's events; and the run id.

    A step still running when the process ended (killed at the timeout) is
    timed up to ``ended`` (epoch seconds) and marked ``unfinished``.
    """
    from dagster import DagsterEventType, DagsterInstance

    kinds = {getattr(DagsterEventType, name) for name in STEP_EVENTS}
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        if not runs:
            return [], "-"
        run_id = runs[0].run_id
        started: dict[str, float] = {}
        steps = []
        for record in instance.all_logs(run_id, of_type=kinds):
            kind = record.dagster_event.event_type_value
            if kind == "STEP_START":
                started[record.step_key] = record.timestamp
            elif record.step_key in started:
                outcome = "ok" if kind == "STEP_SUCCESS" else "failed"
                steps.append(
                    (record.step_key, record.timestamp - started.pop(record.step_key), outcome)
                )
        steps += [(key, ended - begun, "unfinished") for key, begun in started.items()]
    return steps, run_id


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return "".join(deque(handle, maxlen=lines))


def run_one(rows: int, seed: int, work: Path, timeout: float) -> dict:
    """Generate, run and measure one row count; prints its step table."""
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data.parquet"
    positives = make_data(rows, seed, data)
    result = {"rows": rows, "positives": positives, **run_cli(data, work, timeout)}
    steps, run_id = step_seconds(result["home"], result["ended"])
    total = result["seconds"]
    print(f"\n{rows:,} rows ({positives:,} positives), run {run_id}")
    print(f"{'step':44} {'seconds':>9} {'share':>7}")
    inside = 0.0
    for key, seconds, outcome in steps:
        inside += seconds
        note = "" if outcome == "ok" else f"  {outcome}"
        print(f"{key.split('__', 1)[-1]:44} {seconds:9.1f} {seconds / total:7.1%}{note}")
    print(
        f"{'(outside steps: start, load, orchestration)':44} {total - inside:9.1f} "
        f"{(total - inside) / total:7.1%}"
    )
    print(f"{'total wall':44} {total:9.1f} {1:7.1%}")
    result["ok"] = result["code"] == 0
    if result["ok"]:
        result["champion"], result["ap"], _ = champion_scores(work / "storage" / PIPELINE)
    else:
        output = (work / "cli.log").read_text(encoding="utf-8", errors="replace")
        reason = "timed out" if result["timed_out"] else failure(output)
        print(f"run failed (exit {result['code']}): {reason}\n--- tail of {work / 'cli.log'}")
        print(tail(work / "cli.log"), end="")
        print("---")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=SEED, help=f"data seed (default {SEED})")
    parser.add_argument("--keep", type=Path, help="keep data and storage here (not a temp dir)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    args = parser.parse_args()
    if args.keep:
        for rows in args.rows:
            folder = args.keep / f"rows_{rows}"
            if folder.exists() and any(folder.iterdir()):
                parser.error(f"{folder} is not empty: each run needs a fresh folder")
    results = []
    for rows in args.rows:
        if args.keep:
            results.append(run_one(rows, args.seed, args.keep / f"rows_{rows}", args.timeout))
        else:
            with tempfile.TemporaryDirectory(prefix=f"bench_scale_{rows}_") as folder:
                results.append(run_one(rows, args.seed, Path(folder), args.timeout))
    gb = 1024**3
    print(
        f"\n{'rows':>10} {'wall s':>8} {'peak RSS tree GB':>17} {'max process GB':>15}  "
        f"{'champion':32} {'hold-out AP':>11}"
    )
    for r in results:
        champion, ap = (r["champion"], f"{r['ap']:11.4f}") if r["ok"] else ("failed", f"{'-':>11}")
        print(
            f"{r['rows']:10d} {r['seconds']:8.1f} {r['peak_tree'] / gb:17.2f} "
            f"{r['peak_single'] / gb:15.2f}  {champion[:32]:32} {ap}"
        )
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
