"""A real Celery worker for the tests: the README's command, on its own queues.

:func:`celery_worker` starts the worker command of the README's "Beyond one
machine" section with this session's broker, backend, queues and a unique node
name (so stray workers on the same broker neither take its tasks nor answer
for it); :meth:`CeleryWorker.wait_until_answering` waits until it answers a
ping; on exit it is stopped by its process id: SIGTERM on the ``celery``
process (a warm shutdown that also ends its pool), then SIGKILL on its process
group and on any pool process still alive.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: The flags of the README's worker command that this session sets itself; the
#: first two are options of ``celery`` itself, the others of ``celery worker``.
SESSION_FLAGS = ("-b", "--result-backend", "-Q", "-n")


def readme_worker_command() -> list[str]:
    """The README's worker command (the ``celery ... worker -Q dagster`` line), split.

    Raises
    ------
    ValueError
        When the README has no such line, or more than one.
    """
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    lines = [
        line.strip()
        for block in blocks
        for line in block.replace("\\\n", " ").splitlines()
        if line.startswith(".venv/bin/celery ") and " worker " in line and "-Q dagster" in line
    ]
    if len(lines) != 1:
        raise ValueError(
            f"README.md must hold exactly one worker command `.venv/bin/celery ... worker "
            f"-Q dagster ...` in a bash block; found {len(lines)}."
        )
    return shlex.split(lines[0].split(" #")[0])


def worker_command(broker: str, backend: str, queues: Sequence[str], node: str) -> list[str]:
    """The README's worker command with this session's connection, queues and node name."""
    words = readme_worker_command()
    words[0] = str(Path(sys.executable).parent / Path(words[0]).name)
    for flag, value in zip(SESSION_FLAGS, (broker, backend, ",".join(queues), node), strict=True):
        if flag in words:
            words[words.index(flag) + 1] = value
        else:
            at = words.index("worker") if flag in SESSION_FLAGS[:2] else len(words)
            words[at:at] = [flag, value]
    return words


@dataclass
class CeleryWorker:
    """A running worker.

    Attributes
    ----------
    process : subprocess.Popen
        The ``celery`` process (the leader of its own process group).
    node : str
        Its node name, ``<unique>@<host>``.
    queues : tuple of str
        The queues it consumes.
    log : pathlib.Path
        Its standard output and error.
    broker : str
        The broker it listens on.
    """

    process: subprocess.Popen
    node: str
    queues: tuple[str, ...]
    log: Path
    broker: str

    def _control(self):
        import celery

        return celery.Celery("smote_test_control", broker=self.broker)

    def wait_until_answering(self, timeout: float = 120.0) -> None:
        """Wait for the first answer (the worker imports the definitions first).

        Fails the test with the worker's log when it exits or stays silent.
        """
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None:
                pytest.fail(
                    f"The Celery worker exited ({self.process.returncode}):\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"The Celery worker did not answer in {timeout:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.5)

    def answers(self, timeout: float = 1.0) -> bool:
        """Whether the worker answers a ping on the broker."""
        app = self._control()
        try:
            return bool(app.control.ping(destination=[self.node], timeout=timeout))
        finally:
            app.close()

    def pool_pids(self) -> list[int]:
        """Process ids of the worker's pool (the processes that run the steps)."""
        app = self._control()
        try:
            stats = app.control.inspect(destination=[self.node], timeout=5.0).stats() or {}
        finally:
            app.close()
        return [int(pid) for pid in stats.get(self.node, {}).get("pool", {}).get("processes", [])]

    def log_tail(self, characters: int = 4000) -> str:
        """The end of the worker's log."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-characters:]

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the ``celery`` process, then SIGKILL whatever of it is left."""
        pool = self.pool_pids() if self.process.poll() is None else []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        for pid in pool:
            _kill_if_alive(pid)


def _kill_if_alive(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def celery_worker(
    environment: Mapping[str, str],
    queues: Sequence[str],
    log: Path,
    broker: str,
    backend: str,
) -> Iterator[CeleryWorker]:
    """Start the README's worker command, yield it at once, stop it afterwards.

    Tasks sent before it answers wait on the broker (the sender declares the
    queue); :meth:`CeleryWorker.wait_until_answering` waits for it.

    Parameters
    ----------
    environment : mapping of str to str
        The worker's whole environment (``DAGSTER_HOME``, ``SMOTE_PIPELINE_*``...).
    queues : sequence of str
        Queues to consume (unique to the session, so no other worker takes its tasks).
    log : pathlib.Path
        File for the worker's output.
    broker, backend : str
        Celery broker and result backend URLs.
    """
    node = f"smote_test_{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    command = worker_command(broker, backend, queues, node)
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=dict(environment),
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = CeleryWorker(process, node, tuple(queues), log, broker)
    try:
        yield worker
    finally:
        worker.stop()
