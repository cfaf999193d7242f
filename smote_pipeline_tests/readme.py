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
