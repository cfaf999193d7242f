"""MLflow tracking of trained champions, on a SQLite store in a temporary folder."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from smote_pipeline.core import pipeline, serve
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.serve import tracking
from smote_pipeline.core.serve.tracking import (
    CHAMPION_ALIAS,
    FINGERPRINT_TAG,
    VERSION_TAG,
    Tracked,
    track_versions,
)
from smote_pipeline_tests.core.test_pipeline import FAST

NAME = "demo"
OPTIONS = PipelineOptions().updated(FAST)
DOCUMENTS = {"smote_report.md": "# SMOTE report\n\nhelped: no\n", "model_card.md": "# Card\n"}
HTTP_LIMITS = (
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES",
    "MLFLOW_HTTP_REQUEST_TIMEOUT",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR",
)


def _table(seed: int = 0) -> pd.DataFrame:
    """360 rows, 4 features; 40 positives shifted in two of them (classes overlap)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(360, 4))
    y = np.r_[np.ones(40), np.zeros(320)]
    X[y == 1, :2] += 1.2
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(4)])
    return frame.assign(label=np.where(y == 1, "yes", "no"))


@pytest.fixture(scope="module")
def runs() -> dict[str, pipeline.PipelineRun]:
    """Real pipeline runs: ``first`` (version 1, promoted); ``kept`` (version 2 trained
    with another seed, version 1 pinned: 2 not promoted); ``moved`` (the same version 2,
    pinned: promoted)."""
    target, table = TargetSpec("label", "yes"), _table()
    first = pipeline.run(table, target, OPTIONS)
    registry = first.promoted_model
    other = OPTIONS.updated({"random_state": 1})
    kept = pipeline.run(table, target, other.updated({"promoted_version": 1}), previous=registry)
    moved = pipeline.run(table, target, other.updated({"promoted_version": 2}), previous=registry)
    return {"first": first, "kept": kept, "moved": moved}


def _uri(folder: Path) -> str:
    return f"sqlite:///{folder / 'mlflow.db'}"


def _example(done: pipeline.PipelineRun) -> pd.DataFrame:
    return done.holdout_set[[f"f{i}" for i in range(4)]].head(8).reset_index(drop=True)


def _track(uri: str, done: pipeline.PipelineRun, options: PipelineOptions = OPTIONS) -> Tracked:
    registry, evaluation = done.promoted_model, done.holdout_evaluation
    return track_versions(uri, NAME, registry, evaluation, options, DOCUMENTS, _example(done))


def _counts(client: MlflowClient) -> tuple[int, int]:
    """Runs of the experiment and versions of the registered model."""
    experiment = client.get_experiment_by_name(f"smote_pipeline/{NAME}")
    versions = client.search_model_versions(f"name = '{NAME}'")
    return len(client.search_runs([experiment.experiment_id])), len(versions)


def _champion(client: MlflowClient) -> str:
    """The registered model version carrying the alias (MLflow's SQL store gives ints)."""
    return str(client.get_model_version_by_alias(NAME, CHAMPION_ALIAS).version)


def test_a_call_logs_the_run_the_documents_and_a_registered_loadable_model(
    runs, tmp_path, monkeypatch
):
    done, uri = runs["first"], _uri(tmp_path)
    latest = done.promoted_model.latest
    global_uri = mlflow.get_tracking_uri()
    tracked = _track(uri, done)
    assert tracked.logged and tracked.created and tracked.error is None, tracked
    assert (tracked.model_name, tracked.model_version, tracked.champion_version) == (NAME, "1", "1")
    # MLflow's global state is the caller's: same tracking URI, no active run
    assert mlflow.get_tracking_uri() == global_uri and mlflow.active_run() is None

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    run = client.get_run(tracked.run_id)
    assert client.get_experiment(run.info.experiment_id).name == f"smote_pipeline/{NAME}"
    assert tracked.run_url == run.info.artifact_uri and tracked.run_url.startswith("file://")
    assert tracked.run_url.startswith((tmp_path / "mlartifacts").as_uri())
    figures = done.holdout_evaluation.metrics_of(latest.strategy)
    metrics = run.data.metrics
    assert 0 < figures["average_precision"] < 1  # a real figure, not a degenerate one
    assert metrics["holdout_average_precision"] == pytest.approx(figures["average_precision"])
    low, high = metrics["holdout_average_precision_low"], metrics["holdout_average_precision_high"]
    assert low <= metrics["holdout_average_precision"] <= high
    assert metrics["holdout_brier"] == pytest.approx(figures["brier"])
    assert metrics["holdout_roc_auc_low"] == pytest.approx(figures["roc_auc_low"])
    assert metrics["cv_score"] == pytest.approx(latest.cv_score)
    assert metrics["threshold"] == pytest.approx(latest.threshold)
    assert run.data.params["cv_folds"] == "2"
    assert run.data.params["strategies"] == '["no_resampling", "cluster_smote"]'
    tags = run.data.tags
    assert (tags[VERSION_TAG], tags[FINGERPRINT_TAG]) == ("1", latest.fingerprint)
    assert (tags["strategy"], tags["promoted"], tags["pipeline"]) == (latest.strategy, "true", NAME)
    assert tags["training_fingerprint"] == latest.training_fingerprint
    assert run.info.status == "FINISHED"

    for name, text in DOCUMENTS.items():
        path = mlflow.artifacts.download_artifacts(
            run_id=tracked.run_id, artifact_path=name, tracking_uri=uri, dst_path=str(tmp_path)
        )
        assert Path(path).read_text(encoding="utf-8") == text

    version = client.get_model_version_by_alias(NAME, CHAMPION_ALIAS)
    assert (str(version.version), version.run_id) == ("1", tracked.run_id)
    assert version.tags[VERSION_TAG] == "1" and version.tags[FINGERPRINT_TAG] == latest.fingerprint
    example = _example(done)
    expected = latest.model.predict_proba(example)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", uri)
    loaded = mlflow.sklearn.load_model(f"models:/{NAME}@{CHAMPION_ALIAS}")
    np.testing.assert_allclose(loaded.predict_proba(example), expected)
    served = mlflow.pyfunc.load_model(f"models:/{NAME}/1")
    assert served.metadata.get_input_schema().input_names() == list(example.columns)
    np.testing.assert_allclose(np.asarray(served.predict(example)), expected)


def test_a_second_call_for_the_same_version_logs_nothing_new(runs, tmp_path):
    done, uri = runs["first"], _uri(tmp_path)
    first = _track(uri, done)
    again = _track(uri, done)
    assert again.logged and not again.created and again.error is None
    assert (again.run_id, again.model_version, again.champion_version) == (
        first.run_id,
        first.model_version,
        "1",
    )
    assert _counts(MlflowClient(tracking_uri=uri, registry_uri=uri)) == (1, 1)


def test_the_champion_alias_follows_promotion_and_rollback(runs, tmp_path):
    uri = _uri(tmp_path)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    kept, moved = runs["kept"].promoted_model, runs["moved"].promoted_model
    # the same training pinned two ways: one version 2, promoted or not
    assert (kept.latest.version, kept.promoted, moved.promoted) == (2, 1, 2)
    assert kept.latest.fingerprint == moved.latest.fingerprint

    assert _track(uri, runs["first"]).champion_version == "1"
    newer = _track(uri, runs["kept"])  # version 2 trained, not promoted
    assert newer.created and newer.error is None
    assert (newer.model_version, newer.champion_version) == ("2", "1")
    assert client.get_run(newer.run_id).data.tags["promoted"] == "false"
    assert _champion(client) == "1"
    assert _counts(client) == (2, 2)

    promoted = _track(uri, runs["moved"])  # version 2 promoted: the alias moves
    assert not promoted.created and promoted.run_id == newer.run_id
    assert (promoted.model_version, promoted.champion_version) == ("2", "2")
    assert _champion(client) == "2"

    rollback = _track(uri, runs["kept"])  # version 1 pinned again
    assert (rollback.model_version, rollback.champion_version) == ("2", "1")
    assert _champion(client) == "1"
    assert _counts(client) == (2, 2)


def test_a_promoted_version_that_predates_tracking_leaves_the_alias(runs, tmp_path):
    uri = _uri(tmp_path)
    tracked = _track(uri, runs["kept"])  # version 1 (promoted) was never logged
    assert tracked.logged and tracked.created and tracked.model_version == "1"
    assert tracked.champion_version is None
    assert "promoted version 1 was never logged" in tracked.error
    assert CHAMPION_ALIAS not in MlflowClient(tracking_uri=uri).get_registered_model(NAME).aliases
    assert "never logged" in tracked.text()


def test_mlflow_errors_are_reported_and_a_later_call_completes(runs, tmp_path, monkeypatch):
    uri, done = _uri(tmp_path), runs["first"]
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)

    def refuse(*args, **kwargs):
        raise MlflowException("the registry is read-only")

    with monkeypatch.context() as patch:
        patch.setattr(MlflowClient, "create_model_version", refuse)
        broken = _track(uri, done)
    assert not broken.logged and broken.run_id is None
    assert f"MLflow tracking at {uri} failed" in broken.error
    assert "the registry is read-only" in broken.error
    (failed,) = client.search_runs(
        [client.get_experiment_by_name("smote_pipeline/demo").experiment_id]
    )
    assert failed.info.status == "FAILED"

    with monkeypatch.context() as patch:
        patch.setattr(MlflowClient, "set_registered_model_alias", refuse)
        unaliased = _track(uri, done)  # logged; only the alias failed
    assert unaliased.logged and unaliased.created and unaliased.champion_version is None
    assert f"failed to move the alias {CHAMPION_ALIAS}" in unaliased.error

    done_now = _track(uri, done)
    assert not done_now.created and done_now.run_id == unaliased.run_id
    assert (done_now.champion_version, done_now.error) == ("1", None)
    assert _counts(client) == (2, 1)  # the failed run, and the run with the model


def test_an_unreachable_server_is_reported_fast_and_the_environment_restored(runs, monkeypatch):
    for name in HTTP_LIMITS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0")  # the user's own setting
    started = time.monotonic()
    tracked = _track("http://127.0.0.1:9", runs["first"])
    assert time.monotonic() - started < 20
    assert not tracked.logged and tracked.run_id is None
    assert "http://127.0.0.1:9" in tracked.error
    assert "MLFLOW_HTTP_REQUEST_MAX_RETRIES" not in os.environ
    assert "MLFLOW_HTTP_REQUEST_TIMEOUT" not in os.environ
    assert os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] == "0"
    assert tracked.text().startswith("not tracked in MLflow: MLflow tracking at http://127.0.0.1:9")


def test_without_mlflow_the_module_imports_and_nothing_is_logged(runs, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # `import mlflow` raises ImportError
    monkeypatch.delitem(sys.modules, "smote_pipeline.core.serve.tracking")
    monkeypatch.setattr(serve, "tracking", tracking)  # restored after the re-import
    fresh = importlib.import_module("smote_pipeline.core.serve.tracking")
    done = runs["first"]
    tracked = fresh.track_versions(
        _uri(tmp_path),
        NAME,
        done.promoted_model,
        done.holdout_evaluation,
        OPTIONS,
        DOCUMENTS,
        _example(done),
    )
    assert not tracked.logged and "mlflow cannot be imported (ModuleNotFoundError" in tracked.error
    assert not (tmp_path / "mlflow.db").exists()


def test_options_become_flat_parameters_within_mlflows_limit():
    params = tracking._flat_params(
        {"realism_thresholds": {"max_detection_auc": 0.9}, "empty": {}, "long": "x" * 7000}
        | {"models": ["a", "b"], "cv_n_jobs": None, "auto_reduce": False}
    )
    assert params == {
        "realism_thresholds.max_detection_auc": "0.9",
        "empty": "{}",
        "long": "x" * tracking.MAX_PARAM_LENGTH,
        "models": '["a", "b"]',
        "cv_n_jobs": "null",
        "auto_reduce": "false",
    }


def test_run_links_point_at_the_server_page_and_hide_passwords():
    tracked = Tracked(logged=True, run_id="abc", experiment_id="7", run_url="file:///x")
    url = tracking._run_url("https://user:secret@mlflow.example:5000/", tracked)
    assert url == "https://user:***@mlflow.example:5000/#/experiments/7/runs/abc"
    assert tracking._run_url("sqlite:///m.db", tracked) == "file:///x"
