"""A failed step is re-executed from the failure without recomputing what came before."""

from __future__ import annotations

import importlib

import dagster as dg
import pytest
import yaml
from dagster._core.definitions.reconstruct import ReconstructableRepository

from smote_pipeline.cli.reexecute import main, reexecute_from_failure
from smote_pipeline_tests.conftest import make_frame


@pytest.fixture
def small_pipeline_module(tmp_path, monkeypatch):
    """``smote_pipeline.definitions`` loaded for a small generated pipeline."""
    source = tmp_path / "small.csv"
    make_frame(540, 60, seed=3).to_csv(source, index=False)
    config = tmp_path / "pipelines.yaml"
    entry = {
        "name": "small",
        "source": str(source),
        "target": "label",
        "positive_label": "yes",
        "options": {
            "cv_folds": 3,
            "models": ("logistic_regression",),
            "strategies": ["no_resampling", "cluster_smote"],
        },
    }
    config.write_text(yaml.safe_dump({"pipelines": [entry]}))
    monkeypatch.setenv("SMOTE_PIPELINE_CONFIG", str(config))
    monkeypatch.setenv("SMOTE_PIPELINE_STORAGE", str(tmp_path / "storage"))
    monkeypatch.chdir(tmp_path)
    import smote_pipeline.definitions as module

    importlib.reload(module)
    yield tmp_path / "storage" / "small"
    monkeypatch.undo()
    importlib.reload(module)


def _materialized(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    return {r.event_log_entry.dagster_event.asset_key.path[-1] for r in records}


def test_reexecution_starts_at_the_failed_step(small_pipeline_module, tmp_path):
    storage = small_pipeline_module
    blocker = storage / "minority_clusters.parquet"
    blocker.mkdir(parents=True)  # a folder where the file must go: the write fails
    home = tmp_path / "home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        repository = ReconstructableRepository.for_module(
            "smote_pipeline.definitions", "defs", str(tmp_path)
        )
        job = repository.get_reconstructable_job("small_pipeline")
        with dg.execute_job(job, instance=instance) as failed:
            assert not failed.success
            failed_id = failed.run_id
        first = _materialized(instance, failed_id)
        assert {"raw_dataset", "training_set", "denoised_training_set"} <= first
        assert "minority_clusters" not in first and "smote_report" not in first

        blocker.rmdir()
        run = reexecute_from_failure(failed_id, instance)
        assert run.status == dg.DagsterRunStatus.SUCCESS
        second = _materialized(instance, run.run_id)
        assert "minority_clusters" in second and "smote_report" in second
        assert not second & {"raw_dataset", "training_set", "denoised_training_set"}

        with pytest.raises(ValueError, match="only a failed run"):
            reexecute_from_failure(run.run_id, instance)
        with pytest.raises(ValueError, match="No run"):
            reexecute_from_failure("missing", instance)


def test_command_line_reports_unknown_run(small_pipeline_module, tmp_path, monkeypatch):
    home = tmp_path / "cli_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with pytest.raises(ValueError, match="No run 'nope'"):
        main(["nope"])
