"""The Dagster UI in a real browser (runs when Debian's Chromium is installed)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from smote_pipeline.core.vocabulary import DEFAULT_STRATEGIES

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "ui_check.py"
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


def test_every_asset_and_check_is_shown(tmp_path, monkeypatch):
    ui = _ui_check()
    home, out = tmp_path / "home", tmp_path / "screens"
    home.mkdir()
    out.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    env.pop("SMOTE_PIPELINE_CONFIG", None)
    env.pop("SMOTE_PIPELINE_SOURCE", None)
    ui.materialize_demo(env, home)
    assert (home / "smote_pipeline_storage" / "demo" / "smote_report.md").exists()
    with ui.webserver(env, home, ui.free_port()) as url:
        seen = ui.visit(url, out)
    assert seen["catalog"] == [f"demo/{a}" for a in ui.ASSETS]
    assert len(seen["graph"]) == 5
    for asset, checks in ui.CHECKS.items():
        assert seen[f"{asset}_checks"] == checks, asset
    assert (
        len(ui.ASSETS) == 16 + len(DEFAULT_STRATEGIES) and sum(map(len, ui.CHECKS.values())) == 11
    )
    assert seen["smote_report"] == ["demo_holdout", "report"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in seen)
