"""The pipeline on real Celery workers: RabbitMQ broker, Redis results, PostgreSQL instance.

One deployment for the session, set up as the README's "Beyond one machine"
says: a pipelines file, a ``DAGSTER_HOME`` holding ``dagster.postgres.yaml``
and the README's run queue, the README's worker command (on a queue of this
session only) and one ``dagster asset materialize`` of three pipelines:

``small``
    every asset, three strategies; ``cluster_smote`` goes to a queue of its own.
``gated``
    up to ``augmented_training_set``, with a realism threshold no synthetic row
    can meet: the blocking ``detection_auc`` gate fails.
``flaky``
    ``raw_dataset`` from a PostgreSQL table, reached through a proxy that drops
    the first connection (a transient error).

While the Celery run goes on, ``small`` also runs in process for comparison.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy

from smote_pipeline.defs.executors import (
    DEFAULT_QUEUE,
    EXECUTOR_ENV,
    QUEUE_ENV,
    ExecutorSetting,
    executor_setting,
)
from smote_pipeline.defs.loading import specs_from_yaml
from smote_pipeline.defs.storage import decode
from smote_pipeline_tests.celery_worker import README, ROOT, CeleryWorker, celery_worker
from smote_pipeline_tests.services import (
    CELERY_BACKEND,
    CELERY_BROKER,
    POSTGRES_HOST,
    POSTGRES_PORT,
    POSTGRES_USER,
    fresh_postgres_database,
    postgres_url,
    require_celery_services,
)

from .conftest import Materialized, run_pipeline, small_spec, stored_bytes

#: What the Celery run materializes (the README's selection syntax).
SELECTION = (
    'key:"small/*" or +key:"gated/augmented_training_set" '
    'or key:"gated/rejected_synthetic_samples" or key:"flaky/raw_dataset"'
)
STRATEGIES = ("no_resampling", "class_weight", "cluster_smote")
RUN_TIMEOUT = 300

PIPELINES = """\
pipelines:
  - name: small
    source: {csv}
    target: label
    positive_label: "yes"
    options: &options
      cv_folds: 3
      models: [logistic_regression]
      max_clusters: 4
      strategies: [{strategies}]
    queues:
      cluster_smote: {heavy}
  - name: gated
    source: {csv}
    target: label
    positive_label: "yes"
    options:
      <<: *options
      realism_thresholds: {{max_detection_auc: 0.01}}
  - name: flaky
    source: {database}
    query: SELECT * FROM customers
    target: label
    positive_label: "yes"
    options: *options
"""


class DroppingProxy:
    """A TCP proxy to a server that closes its first ``drop`` connections at once.

    Attributes
    ----------
    port : int
        Port it listens on (127.0.0.1).
    accepted, dropped : int
        Connections accepted, and closed without reaching the server.
    """

    def __init__(self, host: str, port: int, drop: int = 1) -> None:
        self._target, self._drop = (host, port), drop
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._stopped = threading.Event()
        self.port = self._server.getsockname()[1]
        self.accepted = self.dropped = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:  # closed
                return
            self.accepted += 1
            if self.dropped < self._drop:
                self.dropped += 1
                client.close()
                continue
            upstream = socket.create_connection(self._target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        """Stop accepting connections."""
        self._stopped.set()
        self._server.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes from ``source`` to ``sink`` until either side closes."""
    try:
        while data := source.recv(1 << 16):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        source.close()
        sink.close()


def readme_run_queue() -> str:
    """The run-queue lines the README appends to ``dagster.postgres.yaml``."""
    bodies = re.findall(r"<<'YAML'\n(.*?\n)YAML\n", README.read_text(encoding="utf-8"), re.S)
    (body,) = [b for b in bodies if "max_concurrent_runs" in b]
    return body


@dataclass
class Deployment:
    """The session's Celery deployment and its finished run."""

    storage: Path
    worker: CeleryWorker
    pool: list[int]
    queue: str
    instance: dg.DagsterInstance
    run: dg.DagsterRun
    proxy: DroppingProxy
    in_process: Materialized

    def entries(self, event_type: dg.DagsterEventType | None) -> list[dg.EventLogEntry]:
        """The run's events of ``event_type`` (None: all), in order."""
        records = self.instance.get_records_for_run(self.run.run_id, of_type=event_type).records
        return [r.event_log_entry for r in records]

    def stored(self, pipeline: str, asset: str) -> Any:
        """The stored value of ``pipeline/asset``."""
        (path,) = (self.storage / pipeline).glob(f"{asset}.*")
        return decode(path)


def _launch(environment: dict[str, str], log: Path) -> subprocess.Popen:
    """``dagster asset materialize`` of :data:`SELECTION`, as the README launches runs."""
    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster), "asset", "materialize", "-m", "smote_pipeline.definitions"]
    with log.open("wb") as output:
        return subprocess.Popen(
            [*command, "--select", SELECTION],
            env=environment,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait(process: subprocess.Popen, log: Path) -> None:
    try:
        process.wait(RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        pytest.fail(f"The Celery run took over {RUN_TIMEOUT} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    """The deployment, after its run (see the module docstring)."""
    require_celery_services()
    root = tmp_path_factory.mktemp("celery")
    csv = small_spec(root, "customers").source
    queue = f"smote_test_{uuid.uuid4().hex[:8]}"
    with (
        fresh_postgres_database() as database,
        pytest.MonkeyPatch.context() as patch,
        closing(DroppingProxy(POSTGRES_HOST, POSTGRES_PORT)) as proxy,
    ):
        engine = sqlalchemy.create_engine(postgres_url(database))
        pd.read_csv(csv).to_sql("customers", engine, index=False)
        engine.dispose()
        flaky_url = postgres_url(database).replace(f":{POSTGRES_PORT}/", f":{proxy.port}/")
        pipelines = root / "pipelines.yaml"
        pipelines.write_text(
            PIPELINES.format(
                csv=csv,
                strategies=", ".join(STRATEGIES),
                heavy=f"{queue}_heavy",
                database=flaky_url,
            )
        )
        home = root / "dagster_home"
        home.mkdir()
        base = (ROOT / "dagster.postgres.yaml").read_text(encoding="utf-8")
        (home / "dagster.yaml").write_text(base + readme_run_queue(), encoding="utf-8")
        settings = {
            "DAGSTER_HOME": str(home),
            "DAGSTER_PG_HOST": POSTGRES_HOST,
            "DAGSTER_PG_USER": POSTGRES_USER,
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": database,
        }
        for name, value in settings.items():
            patch.setenv(name, value)  # for the instance this process reads
        environment = {
            **os.environ,
            "SMOTE_PIPELINE_CONFIG": str(pipelines),
            "SMOTE_PIPELINE_STORAGE": str(root / "storage"),
            "SMOTE_PIPELINE_EXECUTOR": "celery",
            "SMOTE_PIPELINE_CELERY_BROKER": CELERY_BROKER,
            "SMOTE_PIPELINE_CELERY_BACKEND": CELERY_BACKEND,
            "SMOTE_PIPELINE_CELERY_QUEUE": queue,
        }
        worker_log, run_log = root / "worker.log", root / "run.log"
        with celery_worker(
            environment, [queue, f"{queue}_heavy"], worker_log, CELERY_BROKER, CELERY_BACKEND
        ) as worker:
            process = _launch(environment, run_log)  # its steps wait for the worker
            try:
                (spec,) = [s for s in specs_from_yaml(pipelines) if s.name == "small"]
                in_process = run_pipeline(spec, root / "in_process")
                worker.wait_until_answering()
                pool = worker.pool_pids()
                _wait(process, run_log)
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
            with dg.DagsterInstance.from_config(str(home)) as instance:
                (run,) = instance.get_runs()
                if run.status != dg.DagsterRunStatus.SUCCESS:
                    pytest.fail(
                        f"The Celery run ended {run.status}:\n{run_log.read_text()[-4000:]}\n"
                        f"worker:\n{worker.log_tail()}"
                    )
                yield Deployment(
                    root / "storage", worker, pool, queue, instance, run, proxy, in_process
                )


def test_steps_run_in_several_worker_processes(deployment):
    starts = deployment.entries(dg.DagsterEventType.STEP_START)
    (run_start,) = deployment.entries(dg.DagsterEventType.RUN_START)
    pids = {e.dagster_event.pid for e in starts}
    assert len(pids) >= 2, pids
    assert pids <= set(deployment.pool) and run_start.dagster_event.pid not in pids
    steps = {e.step_key for e in starts}
    assert {f"small__candidate__{s}" for s in STRATEGIES} <= steps
    engine = [e.message for e in deployment.entries(dg.DagsterEventType.ENGINE_EVENT)]
    queues = dict(re.findall(r'task for step "(\w+)" to queue "(\w+)"', "\n".join(engine)))
    assert set(queues) == steps
    assert queues.pop("small__candidate__cluster_smote") == f"{deployment.queue}_heavy"
    assert set(queues.values()) == {deployment.queue}
    workers = {
        e.dagster_event.engine_event_data.metadata["Celery worker"].value
        for e in deployment.entries(dg.DagsterEventType.ENGINE_EVENT)
        if "Celery worker" in e.dagster_event.engine_event_data.metadata
    }
    assert workers == {deployment.worker.node}
    for strategy in STRATEGIES:
        event = deployment.instance.get_latest_materialization_event(
            dg.AssetKey(["small", f"candidate__{strategy}"])
        )
        assert event.asset_materialization.metadata["cv_n_jobs"].value == 1


def test_every_stored_value_is_the_in_process_one(deployment):
    celery = stored_bytes(deployment.storage / "small")
    in_process = stored_bytes(deployment.in_process.storage / "small")
    assert sorted(celery) == sorted(in_process)
    assert {"champion_model.skops", "smote_report.md", "smote_report.html"} <= set(celery)
    assert any(name.startswith(".models/") for name in celery)
    assert [n for n in celery if celery[n] != in_process[n]] == []


def test_a_failed_blocking_gate_keeps_synthetic_rows_out_of_training(deployment):
    evaluations = [
        e.dagster_event.event_specific_data
        for e in deployment.entries(dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    ]
    gated = {c.check_name: c.passed for c in evaluations if c.asset_key.path[0] == "gated"}
    assert gated["detection_auc"] is False and gated["synthetic_expectations"] is True
    synthetic = deployment.stored("gated", "synthetic_samples")
    augmented = deployment.stored("gated", "augmented_training_set")
    rejected = deployment.stored("gated", "rejected_synthetic_samples")
    assert not augmented["is_synthetic"].any()
    assert len(rejected) == len(synthetic) > 0
    assert rejected["reason"].str.contains("detection_auc").all()


def test_a_transient_source_error_is_retried(deployment):
    kinds = ("STEP_START", "STEP_UP_FOR_RETRY", "STEP_RESTARTED", "STEP_FAILURE", "STEP_SUCCESS")
    attempts = [
        e.dagster_event.event_type_value
        for e in deployment.entries(None)
        if e.step_key == "flaky__raw_dataset" and e.dagster_event.event_type_value in kinds
    ]
    assert attempts == ["STEP_START", "STEP_UP_FOR_RETRY", "STEP_RESTARTED", "STEP_SUCCESS"]
    sent = [
        e
        for e in deployment.entries(dg.DagsterEventType.ENGINE_EVENT)
        if e.step_key == "flaky__raw_dataset" and e.message.startswith("Submitting celery task")
    ]
    assert len(sent) == 2  # the retry is a second Celery task
    assert deployment.proxy.dropped == 1 and deployment.proxy.accepted >= 2
    event = deployment.instance.get_latest_materialization_event(
        dg.AssetKey(["flaky", "raw_dataset"])
    )
    assert event.asset_materialization.metadata["dagster/row_count"].value == 600


def test_the_readme_run_queue_reaches_the_instance(deployment):
    config = deployment.instance.get_concurrency_config()
    assert config.run_queue_config.max_concurrent_runs == 4


def test_the_celery_queue_is_a_setting():
    assert ExecutorSetting().queue == DEFAULT_QUEUE == "dagster"
    document = {"executor": {"name": "celery", "queue": "staging"}}
    assert executor_setting(document, environ={}).queue == "staging"
    environ = {EXECUTOR_ENV: "celery", QUEUE_ENV: "production"}
    assert executor_setting(document, environ).queue == "production"
    with pytest.raises(ValueError, match="allowed: name, broker, backend, queue"):
        executor_setting({"executor": {"queues": "x"}}, environ={})
