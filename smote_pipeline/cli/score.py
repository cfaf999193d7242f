"""Score batches once, without a daemon.

``python -m smote_pipeline.cli.score PIPELINE [BATCH ...]``:

Each batch (a file of the pipeline's ``score_source`` folder, by path or by key; all of
them when none is named) gets its partition of ``<name>_serve/scored_batch`` and one run
of the score job ``<name>_score``, in this process, recorded in the instance of
``DAGSTER_HOME`` (a temporary one when it is unset). The promoted model must have been
trained before (the pipeline's job, or ``dagster asset materialize --select
'key:"<name>/*"'``). Uses the definitions of ``smote_pipeline.definitions`` (the same
environment variables as the other commands).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import dagster as dg

from smote_pipeline.core.serve import batches
from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs import serve


def _spec(name: str) -> PipelineSpec:
    """The loaded pipeline ``name`` that has a score source."""
    from smote_pipeline.definitions import loaded

    specs = {s.name: s for s in loaded.specs}
    if name not in specs:
        raise ValueError(f"No pipeline {name!r} is loaded (pipelines: {', '.join(specs)}).")
    if specs[name].scoring_source is None:
        raise ValueError(
            f"Pipeline {name!r} has no `score_source`: name the folder or file of rows to "
            "score in its spec (or SMOTE_PIPELINE_SCORE_SOURCE)."
        )
    return specs[name]


def score_batches(
    name: str, wanted: Sequence[str], instance: dg.DagsterInstance
) -> list[tuple[str, dg.DagsterRun]]:
    """Register and score the batches ``wanted`` (all when empty) of pipeline ``name``;
    returns each batch key with its run.

    Raises
    ------
    ValueError
        The pipeline is not loaded or has no score source, or a name is no batch of it.
    """
    from smote_pipeline.definitions import defs

    spec = _spec(name)
    source = spec.scoring_source
    keys = [batches.batch_key(source, w) for w in wanted] or sorted(batches.batch_versions(source))
    if not keys:
        raise ValueError(f"The score source {spec.score_source!r} holds no batch yet.")
    partitions = serve.partitions(spec).name
    known = set(instance.get_dynamic_partitions(partitions))
    new = [k for k in keys if k not in known]
    if new:
        instance.add_dynamic_partitions(partitions, new)
    job = defs.get_job_def(serve.score_job_name(spec))
    runs = []
    for key in keys:
        result = job.execute_in_process(instance=instance, partition_key=key, raise_on_error=False)
        runs.append((key, result.dagster_run))
    return runs


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Score batches once with the promoted model.")
    parser.add_argument("pipeline", help="the pipeline's name")
    parser.add_argument("batches", nargs="*", help="files of its score folder, or batch keys")
    args = parser.parse_args(argv)
    home = os.environ.get("DAGSTER_HOME")
    with dg.DagsterInstance.get() if home else dg.DagsterInstance.ephemeral() as instance:
        try:
            runs = score_batches(args.pipeline, args.batches, instance)
        except ValueError as error:
            sys.stderr.write(f"error: {error}\n")
            return 2
    for key, run in runs:
        sys.stdout.write(f"batch {key}: run {run.run_id} {run.status.value}\n")
    return 0 if all(r.status == dg.DagsterRunStatus.SUCCESS for _, r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
