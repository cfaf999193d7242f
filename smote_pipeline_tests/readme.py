"""The README as the tests read it: its code blocks, and its own-data command run once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)


def bash_with(text: str) -> str:
    """The (single) bash block of the README that contains ``text``."""
    (block,) = [body for kind, body in BLOCKS if kind == "bash" and text in body]
    return block


def own_data_environment() -> dict[str, str]:
    """The environment variables the README's own-data example sets."""
    block = bash_with("SMOTE_PIPELINE_SOURCE=")
    return dict(re.findall(r"^(SMOTE_PIPELINE_\w+)=(\S+) \\$", block, flags=re.M))


@dataclass(frozen=True)
class OwnDataRun:
    """The README's own-data command after it ran in a fresh ``DAGSTER_HOME``.

    Attributes
    ----------
    done : subprocess.CompletedProcess
        The command's exit code and output.
    environment : dict of str to str
        The process environment it ran with, the README's variables included
        (what a webserver on the same pipeline needs).
    home, storage : Path
        Its ``DAGSTER_HOME`` and ``SMOTE_PIPELINE_STORAGE``.
    """

    done: subprocess.CompletedProcess
    environment: dict[str, str]
    home: Path
    storage: Path


def run_own_data_example(root: Path) -> OwnDataRun:
    """Run the README's own-data command verbatim (with this venv's ``bin``) under ``root``."""
    command = bash_with("SMOTE_PIPELINE_SOURCE=").strip()
    command = command.replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    home, storage = root / "dagster_home", root / "storage"
    home.mkdir(parents=True)
    environment = {**os.environ, "DAGSTER_HOME": str(home), "SMOTE_PIPELINE_STORAGE": str(storage)}
    environment.pop("SMOTE_PIPELINE_CONFIG", None)
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return OwnDataRun(done, {**environment, **own_data_environment()}, home, storage)


@dataclass(frozen=True)
class ScoringRun:
    """The README's scoring example: trained and scored from the command line, then
    its daemon scored the next batch.

    Attributes
    ----------
    setup : subprocess.CompletedProcess
        The command-line block (training, scoring ``monday.csv``) and, after it, the
        lines of the daemon block before the daemon (a new file, starting the sensor).
    scored : dict of str to Path
        The stored scores of each batch (``monday.csv``, ``tuesday.csv``) that exist
        after the commands and the daemon ran.
    daemon_log : str
        What the daemon printed.
    environment : dict of str to str
        The process environment of the commands (a webserver on the same
        instance needs it), the example's exports included.
    root : Path
        The folder it ran in.
    """

    setup: subprocess.CompletedProcess
    scored: dict[str, Path]
    daemon_log: str
    environment: dict[str, str]
    root: Path


def _script(text: str) -> str:
    return text.strip().replace(".venv/bin/", f"{Path(sys.executable).parent}/")


def run_scoring_example(root: Path, timeout: float = 240.0) -> ScoringRun:
    """Run the README's scoring example verbatim in ``root`` (the test data linked in).

    The command-line block runs as one script, then the daemon block's lines but
    the last; the last (the daemon, which runs until stopped) runs until the new
    batch is scored or ``timeout`` passes, and is then stopped.
    """
    import time

    *later, daemon = _script(bash_with("lympho_score_sensor")).splitlines()
    setup = _script(bash_with("score_source: new_rows")) + "\n" + "\n".join(later)
    (root / "smote_pipeline_tests").symlink_to(ROOT / "smote_pipeline_tests")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SMOTE_PIPELINE_")}
    done = subprocess.run(
        ["bash", "-c", setup],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    exports = dict(re.findall(r"export (\w+)=\$PWD(/\S+)", setup))
    environment.update({k: f"{root}{v}" for k, v in exports.items()})
    folder = root / "smote_pipeline_storage" / "lympho_serve" / "scored_batch"
    log = root / "daemon.log"
    if done.returncode == 0:
        with open(log, "w") as out:
            process = subprocess.Popen(
                ["bash", "-c", daemon],
                cwd=root,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not (folder / "tuesday.csv.parquet").exists():
                time.sleep(1)
            time.sleep(2)  # the run's check results are written after its output
            os.killpg(process.pid, 15)
            process.wait(timeout=60)
    scored = {p.name.removesuffix(".parquet"): p for p in folder.glob("*.parquet")}
    return ScoringRun(
        done,
        scored,
        log.read_text() if log.exists() else "",
        environment,
        root,
    )
