"""The README's commands work as written: selections resolve, the own-data example runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from smote_pipeline.core.options import PipelineOptions, describe_options, options_table
from smote_pipeline.core.oversample.realism.report import GATE_SPECS
from smote_pipeline.core.spec import PipelineSpec, demo_spec, spec_from_mapping
from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.loading import specs_from_environment
from smote_pipeline.defs.settings import PipelineSettings
from smote_pipeline_tests.readme import BLOCKS, README, ROOT, bash_with, own_data_environment

SELECTIONS = sorted(set(re.findall(r"--(?:select|assets) '([^']+)'", README)))


def _specs_for(selection: str) -> list[PipelineSpec]:
    """The pipelines a README selection is written against."""
    if "custom/" in selection:
        return specs_from_environment(own_data_environment())
    for name in ("fraud", "lympho"):
        if f"{name}/" in selection:
            (document,) = [
                yaml.safe_load(b.split("<<'YAML'\n")[-1].split("YAML\n")[0])
                for k, b in BLOCKS
                if k in ("yaml", "bash") and f"pipelines:\n  - name: {name}\n" in b
            ]
            return [spec_from_mapping(document["pipelines"][0])]
    return [demo_spec()]


@pytest.mark.parametrize("selection", SELECTIONS)
def test_every_readme_selection_resolves(selection, tmp_path):
    defs = build_definitions(_specs_for(selection), tmp_path)
    graph = defs.resolve_asset_graph()
    keys = dg.AssetSelection.from_coercible(selection.split(",")).resolve(graph)
    materializable = {k for k in keys if graph.get(k).is_materializable}
    assert materializable, f"--select {selection!r} selects nothing to materialize"
    if selection.endswith('/*"') or selection == "*":
        # "every asset of the pipeline" must really be every materializable asset (but
        # the partitioned scored batches, under their own prefix)
        everything = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
        assert materializable == {k for k in everything if not k.path[0].endswith("_serve")}


def test_readme_selections_were_found():
    assert {'key:"custom/*"', 'key:"fraud/*"', 'key:"lympho/*"', 'key:"demo/*"', "*"} <= set(
        SELECTIONS
    )


def test_own_data_example_runs_verbatim(own_data_run):
    """The README's own-data command, as written, on the real CSV it names."""
    done = own_data_run.done
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    stored = {p.name for p in (own_data_run.storage / "custom").iterdir()}
    assert {"champion_model.skops", "holdout_evaluation.json", "smote_report.md"} <= stored
    assert "RUN_SUCCESS" in done.stdout + done.stderr


def test_scoring_example_runs_verbatim(scoring_run):
    """The README's scoring example: train and score a file from the command line alone,
    then start the sensor, and the daemon scores the next file dropped in the folder."""
    setup = scoring_run.setup
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert "batch monday.csv: run" in setup.stdout and "SUCCESS" in setup.stdout
    assert "Started sensor lympho_score_sensor" in setup.stdout + setup.stderr
    assert set(scoring_run.scored) == {"monday.csv", "tuesday.csv"}, scoring_run.daemon_log[-3000:]
    batch = pd.read_csv(scoring_run.root / "new_rows" / "monday.csv")
    for path in scoring_run.scored.values():
        scores = pd.read_parquet(path)
        assert len(scores) == len(batch)
        assert {"row_id", "probability", "decision", "model_version"} <= set(scores.columns)
        assert scores["probability"].between(0, 1).all()


def test_every_readme_pipelines_block_is_a_valid_spec():
    """The YAML examples (including `columns:`, `encoding:` and a quoted `yes`) load."""
    documents = [yaml.safe_load(b) for k, b in BLOCKS if k == "yaml" and "pipelines:" in b]
    entries = [e for d in documents for e in d["pipelines"]]
    specs = {e["name"]: spec_from_mapping(e) for e in entries}
    assert {"fraud", "claims", "churn"} <= set(specs)
    churn = specs["churn"]
    assert churn.positive_label == "yes" and churn.encoding == "latin-1"
    assert churn.columns == {
        "customer_ref": "ignore",
        "signup": "datetime",
        "postcode": "categorical",
    }


def test_readme_gate_table_matches_the_gate_registry():
    """Every realism gate is in the README table, in order, with its real severity."""
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| (blocking|warning)[^|]*\|", README, flags=re.M)
    gates = [
        (name, severity)
        for name, severity in rows
        if name.endswith(("_share", "_auc", "_similarity", "_contrast"))
    ]
    expected = [(g.name, "blocking" if g.blocking else "warning") for g in GATE_SPECS]
    assert gates == expected


def test_readme_options_table_is_the_declared_options():
    """The README's options table is derived from the declarations in core/options.py.

    After changing an option, paste the output of
    ``python -c "from smote_pipeline.core.options import options_table; print(options_table())"``.
    """
    assert options_table() in README


def test_launchpad_settings_are_the_declared_options():
    """Every option reaches the run configuration with its default and description."""
    fields = PipelineSettings.model_fields
    assert list(fields) == [name for name, _, _ in describe_options()]
    assert all(fields[name].description == text for name, _, text in describe_options())
    assert PipelineSettings().options() == PipelineOptions()
    changed = PipelineOptions(k_neighbors=3, n_components=2, strategies=("smote",))
    assert PipelineSettings.from_options(changed).options() == changed


def test_dg_and_pool_commands_run_verbatim(tmp_path):
    """The README's `dg` block (check, list, launch one step) and the pool limit, as
    written, in a fresh DAGSTER_HOME."""
    home, storage = tmp_path / "home", tmp_path / "storage"
    home.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SMOTE_PIPELINE_")}
    environment.update(DAGSTER_HOME=str(home), SMOTE_PIPELINE_STORAGE=str(storage), COLUMNS="250")
    script = "set -e\n" + bash_with("dg check defs") + bash_with("concurrency set")
    script = script.replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    script += f"{Path(sys.executable).parent}/dagster instance concurrency get smote_training\n"
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "All definitions loaded successfully" in output
    for name in ("demo/promoted_model", "demo/holdout_set:holdout_isolation", "demo_pipeline"):
        assert name in output, name
    assert "demo_schedule" in output and "demo_source_sensor" in output
    assert (storage / "demo" / "raw_dataset.parquet").exists()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        info = instance.event_log_storage.get_concurrency_info("smote_training")
    assert info.slot_count == 1
