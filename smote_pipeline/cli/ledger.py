"""Show or reset a pipeline's hold-out ledger: ``python -m smote_pipeline.cli.ledger PIPELINE``.

The ledger records the side of every row group the split has assigned, so that a
retrained model never sees a row an earlier run held out
(:mod:`~smote_pipeline.core.ingest.split`). Without options the command prints what
it holds. With ``--reset`` it retires the ledger (renamed
``holdout_ledger.retired-<UTC time>.parquet``, kept for the record): the next
materialization splits every row afresh, so rows an earlier run held out may reach
training. That is the user's decision, taken on purpose; the split refuses to make
it when a schema change leaves earlier rows unmatched. Uses the storage folder of
``SMOTE_PIPELINE_STORAGE`` and the pipelines of ``smote_pipeline.definitions``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from smote_pipeline.core.ingest.split import HoldoutLedger
from smote_pipeline.defs.ingest import LEDGER
from smote_pipeline.defs.loading import storage_from_environment


def ledger_path(name: str, storage: Path | None = None) -> Path:
    """The ledger file of pipeline ``name``.

    Raises
    ------
    ValueError
        If no pipeline ``name`` is loaded.
    """
    from smote_pipeline.definitions import loaded

    names = [s.name for s in loaded.specs]
    if name not in names:
        raise ValueError(f"No pipeline {name!r} is loaded (pipelines: {', '.join(names)}).")
    return (storage or storage_from_environment()) / name / f"{LEDGER}.parquet"


def describe(path: Path) -> str:
    """What the ledger at ``path`` holds, in one line."""
    if not path.exists():
        return f"{path}: no ledger (the next split assigns every row afresh)"
    ledger = HoldoutLedger.from_frame(pd.read_parquet(path))
    return (
        f"{path}: {len(ledger)} row groups, {int(ledger.holdout.sum())} in the hold-out, "
        f"keyed by {', '.join(ledger.columns) or 'nothing'}"
    )


def reset(path: Path) -> Path | None:
    """Retire the ledger at ``path``; returns where it went (None when there was none)."""
    if not path.exists():
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    retired = path.with_name(f"{LEDGER}.retired-{stamp}.parquet")
    path.rename(retired)
    return retired


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Show or reset a pipeline's hold-out ledger.")
    parser.add_argument("pipeline", help="the pipeline's name")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="retire the ledger: the next run splits every row afresh",
    )
    args = parser.parse_args(argv)
    try:
        path = ledger_path(args.pipeline)
    except ValueError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    sys.stdout.write(describe(path) + "\n")
    if args.reset:
        retired = reset(path)
        sys.stdout.write(f"retired to {retired}\n" if retired else "nothing to reset\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
