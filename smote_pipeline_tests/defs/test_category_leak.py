"""A category value that leaks the label, end to end through the README's own-data command.

A ``status`` column equal to ``chargeback`` on 90% of the positives and on no
negative does not reach the column screen's average precision of 0.98 alone; the
category-value screen names it in the ``target_leak`` check and at the top of the
report. The command runs as the README writes it, selecting the leakage screen and
what it needs (training is not needed to screen).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.holdout.report import leak_lines
from smote_pipeline.core.ingest.leakage import (
    LEAK_AVERAGE_PRECISION,
    LEAK_VALUE_SHARE,
    LeakScreen,
)
from smote_pipeline_tests.readme import ROOT, OwnDataRun, bash_with, own_data_environment


def _leaky_csv(path: Path, seed: int = 37) -> None:
    """150 rows, 30 positive (``outcome`` = ``fraud``); ``status`` is ``chargeback`` on
    27 positives and no negative, ``amount`` and ``tenure`` are weakly informative."""
    rng = np.random.default_rng(seed)
    n, positives = 150, 30
    label = np.r_[np.ones(positives), np.zeros(n - positives)].astype(bool)
    status = rng.choice(["open", "closed", "pending"], size=n).astype(object)
    status[:27] = "chargeback"
    frame = pd.DataFrame(
        {
            "amount": np.round(rng.normal(100.0, 30.0, size=n) + 15.0 * label, 2),
            "tenure": np.round(rng.gamma(2.0, 10.0, size=n) - 3.0 * label, 3),
            "status": status,
            "outcome": np.where(label, "fraud", "ok"),
        }
    )
    frame.sample(frac=1.0, random_state=seed).to_csv(path, index=False)


def _run_own_data_command(root: Path, variables: dict[str, str]) -> OwnDataRun:
    """The README's own-data command with its ``SMOTE_PIPELINE_*`` values replaced by
    ``variables``, run like :func:`~smote_pipeline_tests.readme.run_own_data_example`."""
    command = bash_with("SMOTE_PIPELINE_SOURCE=").strip()
    for name, value in own_data_environment().items():
        command = command.replace(f"{name}={value}", f"{name}={variables[name]}")
    command = command.replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    assert """--select 'key:"custom/*"'""" in command
    command = command.replace("""'key:"custom/*"'""", """'+key:"custom/leakage_screen"'""")
    home, storage = root / "dagster_home", root / "storage"
    home.mkdir(parents=True)
    environment = {**os.environ, "DAGSTER_HOME": str(home), "SMOTE_PIPELINE_STORAGE": str(storage)}
    environment.pop("SMOTE_PIPELINE_CONFIG", None)
    done = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    return OwnDataRun(done, {**environment, **variables}, home, storage)


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory) -> OwnDataRun:
    root = tmp_path_factory.mktemp("category_leak")
    _leaky_csv(root / "claims.csv")
    variables = {
        "SMOTE_PIPELINE_SOURCE": str(root / "claims.csv"),
        "SMOTE_PIPELINE_TARGET": "outcome",
        "SMOTE_PIPELINE_POSITIVE_LABEL": "fraud",
    }
    assert set(variables) == set(own_data_environment())
    run = _run_own_data_command(root, variables)
    assert run.done.returncode == 0, run.done.stdout[-3000:] + run.done.stderr[-3000:]
    return run


def test_target_leak_check_warns_naming_the_column_and_the_value(leaky_run):
    with dg.DagsterInstance.from_config(str(leaky_run.home)) as instance:
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        records = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    (leak,) = [e for e in evaluations if e.check_name == "target_leak"]
    assert leak.passed is False
    assert leak.severity == dg.AssetCheckSeverity.WARN
    assert "`status` = 'chargeback' marks " in leak.description
    assert "(precision 1.00)" in leak.description
    assert "`columns: {status: ignore}`" in leak.description
    assert leak.metadata["suspected_columns"].value == "status"


def test_report_opens_with_the_leak_warning_naming_status(leaky_run):
    """The report's leak block (placed right after its heading) names the value."""
    stored = json.loads((leaky_run.storage / "custom" / "leakage_screen.json").read_text())
    (warning, blank) = leak_lines(LeakScreen.from_dict(stored))
    assert warning.startswith("> **Possible target leak.** `status` = 'chargeback' marks ")
    assert "positive training rows (precision 1.00)" in warning
    assert "`columns: {<name>: ignore}`" in warning and blank == ""


def test_the_value_screen_not_the_column_figure_found_it(leaky_run):
    """``status`` stays below the column screen's 0.98; its stored value record says why
    it is named anyway, and reads back as the check's figures."""
    stored = json.loads((leaky_run.storage / "custom" / "leakage_screen.json").read_text())
    screen = LeakScreen.from_dict(stored)
    assert screen.average_precision_suspects == []
    assert screen.figures["status"] < LEAK_AVERAGE_PRECISION
    (record,) = screen.leaking_values.to_dict(orient="records")
    assert record["column"] == "status" and record["value"] == "chargeback"
    assert record["positives"] == record["rows"] and record["precision"] == 1.0
    assert record["share"] >= LEAK_VALUE_SHARE
    assert screen.suspected == ["status"]
    assert f"marks {record['positives']} of " in screen.message()
