"""Re-execute a failed run from the failed step: ``python -m smote_pipeline.cli.reexecute RUN_ID``.

Steps that succeeded in the failed run are not recomputed: their stored values are read
back through the IO manager. Uses the instance in ``DAGSTER_HOME`` and the definitions of
``smote_pipeline.definitions`` (same environment variables as the original run).
"""

from __future__ import annotations

import argparse
import os
import sys

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository

MODULE = "smote_pipeline.definitions"


def reexecute_from_failure(run_id: str, instance: dg.DagsterInstance) -> dg.DagsterRun:
    """Launch the re-execution of ``run_id`` from its failed steps and wait for it.

    Raises
    ------
    ValueError
        If the run does not exist or did not fail.
    """
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise ValueError(f"No run {run_id!r} in the Dagster instance at {instance.root_directory}.")
    if run.status != dg.DagsterRunStatus.FAILURE:
        raise ValueError(
            f"Run {run_id!r} has status {run.status.value}; only a failed run can "
            "be re-executed from failure."
        )
    repository = ReconstructableRepository.for_module(MODULE, "defs", os.getcwd())
    job = repository.get_reconstructable_job(run.job_name)
    options = dg.ReexecutionOptions.from_failure(run_id, instance)
    with dg.execute_job(job, instance=instance, reexecution_options=options) as result:
        return result.dagster_run


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Re-execute a failed run from the failure.")
    parser.add_argument("run_id", help="id of the failed run (see the UI or `dagster run list`)")
    args = parser.parse_args(argv)
    with dg.DagsterInstance.get() as instance:
        run = reexecute_from_failure(args.run_id, instance)
    sys.stdout.write(f"run {run.run_id}: {run.status.value}\n")
    return 0 if run.status == dg.DagsterRunStatus.SUCCESS else 1


if __name__ == "__main__":
    sys.exit(main())
