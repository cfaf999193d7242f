"""Build GX Data Docs for a pipeline's synthetic rows.

``python -m smote_pipeline.cli.data_docs NAME``

Reads pipeline NAME's stored ``denoised_training_set`` and ``synthetic_samples`` (same
environment variables as the Dagster definitions), rebuilds the suite the
``synthetic_expectations`` check used, validates and renders the site under
``<storage>/<NAME>/data_docs/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smote_pipeline.core.oversample.data_docs import build_data_docs
from smote_pipeline.core.pipeline import synthetic_suite
from smote_pipeline.defs.loading import specs_from_environment, storage_from_environment
from smote_pipeline.defs.storage import decode, find_stored


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the path of the site's index page."""
    parser = argparse.ArgumentParser(description="Build GX Data Docs for synthetic rows.")
    parser.add_argument("pipeline", help="pipeline name (asset-key prefix), e.g. demo")
    args = parser.parse_args(argv)
    specs = {s.name: s for s in specs_from_environment()}
    if args.pipeline not in specs:
        raise SystemExit(f"Unknown pipeline {args.pipeline!r}; known: {sorted(specs)}.")
    spec = specs[args.pipeline]
    folder: Path = storage_from_environment() / spec.name
    denoised = decode(find_stored(folder / "denoised_training_set"))
    synthetic = decode(find_stored(folder / "synthetic_samples"))
    suite = synthetic_suite(denoised, spec.target, spec.name)
    index = build_data_docs(suite.to_json_dict(), synthetic, spec.target, folder / "gx")
    sys.stdout.write(f"{index}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
