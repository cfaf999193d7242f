"""The Dagster UI in a real browser (runs when Debian's Chromium is installed).

The webserver serves the ``DAGSTER_HOME`` of the README's own-data command
(the ``own_data_run`` fixture, which its own test in ``test_readme.py`` checks
too): what a user sees after materializing their own CSV from the CLI.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from smote_pipeline.core.vocabulary import DEFAULT_STRATEGIES
from smote_pipeline_tests.readme import ROOT

TOOLS = ROOT / "tools" / "ui_check.py"
CHROMIUM = os.environ.get("SMOTE_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None, reason="playwright is not installed"
    ),
]


def _ui_check():
    spec = importlib.util.spec_from_file_location("ui_check", TOOLS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_asset_and_check_is_shown(own_data_run, tmp_path):
    ui = _ui_check()
    assert own_data_run.done.returncode == 0, own_data_run.done.stderr[-3000:]
    assert (own_data_run.storage / "custom" / "smote_report.md").exists()
    out = tmp_path / "screens"
    out.mkdir()
    with ui.webserver(own_data_run.environment, ROOT, ui.free_port()) as url:
        seen = ui.visit(url, out, pipeline="custom")
    assert seen["catalog"] == [f"custom/{a}" for a in ui.ASSETS]
    assert seen["graph"] == [f"custom_{g}" for g in ui.GROUPS]
    for asset, checks in ui.CHECKS.items():
        assert seen[f"{asset}_checks"] == checks, asset
    assert (
        len(ui.ASSETS) == 18 + len(DEFAULT_STRATEGIES) and sum(map(len, ui.CHECKS.values())) == 12
    )
    assert seen["smote_report"] == ["custom_holdout", "report"]
    for asset, shown in ui.METADATA.items():
        assert seen[asset] == shown, asset
    for asset, (_, shown) in ui.OPENED.items():
        assert seen[f"{asset}_opened"] == shown, asset
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in seen)


def test_the_scoring_assets_partitions_checks_and_sensors_are_shown(scoring_run, tmp_path):
    """After the README's scoring example: what a user sees of a scored batch."""
    ui = _ui_check()
    assert "tuesday.csv" in scoring_run.scored, scoring_run.daemon_log[-3000:]
    out = tmp_path / "screens"
    out.mkdir()
    with ui.webserver(scoring_run.environment, scoring_run.root, ui.free_port()) as url:
        seen = ui.browse(url, out, ui.scoring_pages("lympho"))
    for name, shown in ui.SCORING.items():
        assert seen[f"scoring_{name}"] == shown, name
    assert sorted(p.name for p in out.iterdir()) == sorted(f"scoring_{n}.png" for n in ui.SCORING)
