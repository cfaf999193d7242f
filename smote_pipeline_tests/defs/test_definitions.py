from __future__ import annotations

import dagster as dg
import pytest

from smote_pipeline.core.spec import demo_spec
from smote_pipeline.core.vocabulary import DEFAULT_STRATEGIES
from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.loading import specs_from_environment, specs_from_yaml

STEPS = [
    "raw_dataset",
    "training_set",
    "holdout_set",
    "leakage_screen",
    "denoised_training_set",
    "noise_quarantine",
    "oversampling_space",
    "minority_clusters",
    "synthetic_samples",
    "synthetic_realism",
    "augmented_training_set",
    "rejected_synthetic_samples",
    "candidate_screen",
    *(f"candidate__{strategy}" for strategy in DEFAULT_STRATEGIES),
    "candidate_models",
    "champion_model",
    "holdout_evaluation",
    "smote_report",
    "model_card",
    "promoted_model",
]


def test_workspace_module_loads_the_demo(monkeypatch):
    for var in ("SMOTE_PIPELINE_CONFIG", "SMOTE_PIPELINE_SOURCE"):
        monkeypatch.delenv(var, raising=False)
    import importlib

    import smote_pipeline.definitions as module

    module = importlib.reload(module)
    assert isinstance(module.defs, dg.Definitions)
    graph = module.defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {f"demo/{s}" for s in STEPS} | {"demo/source"}
    assert module.defs.resolve_schedule_def("demo_schedule").default_status == (
        dg.DefaultScheduleStatus.STOPPED
    )


def _descendants(graph, key):
    found, stack = set(), [key]
    while stack:
        for child in graph.get(stack.pop()).child_keys:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def test_holdout_lineage_is_separate(tmp_path):
    defs = build_definitions([demo_spec()], tmp_path)
    graph = defs.resolve_asset_graph()
    holdout = dg.AssetKey(["demo", "holdout_set"])
    below = {k.to_user_string() for k in _descendants(graph, holdout)}
    assert below == {
        "demo/holdout_evaluation",
        "demo/smote_report",
        "demo/model_card",
        "demo/promoted_model",
    }
    raw = dg.AssetKey(["demo", "raw_dataset"])
    training_side = {k.to_user_string() for k in _descendants(graph, raw)} - below
    assert "demo/champion_model" in training_side
    assert "demo/candidate_models" in training_side
    groups = {
        graph.get(dg.AssetKey(["demo", s])).group_name for s in ("holdout_set", "smote_report")
    }
    assert groups == {"demo_holdout"}
    assert graph.get(dg.AssetKey(["demo", "promoted_model"])).group_name == "demo_serve"


def test_environment_variables_describe_one_pipeline(tmp_path):
    specs = specs_from_environment(
        {
            "SMOTE_PIPELINE_SOURCE": str(tmp_path / "x.csv"),
            "SMOTE_PIPELINE_TARGET": "y",
            "SMOTE_PIPELINE_POSITIVE_LABEL": "1",
        }
    )
    assert [(s.name, s.target, s.positive_label) for s in specs] == [("custom", "y", "1")]
    with pytest.raises(ValueError, match="SMOTE_PIPELINE_TARGET"):
        specs_from_environment({"SMOTE_PIPELINE_SOURCE": "x.csv"})


def test_yaml_errors_name_entry_and_field(tmp_path):
    path = tmp_path / "pipelines.yaml"
    path.write_text(
        "pipelines:\n"
        "  - {name: ok, source: a.csv, target: y, positive_label: 1}\n"
        "  - {name: bad, source: a.csv, target: y, positive_label: 1,"
        " options: {k_neighbors: -2}}\n"
    )
    with pytest.raises(ValueError, match=r"pipelines\[1\]: Pipeline 'bad'.*k_neighbors=-2"):
        specs_from_yaml(path)
    path.write_text("pipelines:\n  - {name: ok, source: a.csv, target: y}\n")
    with pytest.raises(ValueError, match=r"missing required field\(s\) \['positive_label'\]"):
        specs_from_yaml(path)


def test_two_pipelines_live_side_by_side(tmp_path):
    from smote_pipeline.core.spec import PipelineSpec

    other = PipelineSpec(name="other", source="x.csv", target="y", positive_label=1)
    defs = build_definitions([demo_spec(), other], tmp_path)
    keys = defs.resolve_asset_graph().get_all_asset_keys()
    assert len(keys) == 2 * (len(STEPS) + 1)
    assert defs.resolve_job_def("other_pipeline") is not None
    assert defs.resolve_schedule_def("other_schedule").cron_schedule == "0 3 * * *"
    with pytest.raises(ValueError, match="unique"):
        build_definitions([demo_spec(), demo_spec()], tmp_path)


def test_one_bad_pipeline_is_skipped_and_shown_while_the_others_load(tmp_path):
    from smote_pipeline.defs.loading import load_yaml

    path = tmp_path / "pipelines.yaml"
    path.write_text(
        "pipelines:\n"
        "  - {name: good, source: a.csv, target: y, positive_label: 1}\n"
        "  - {name: quoted, source: a.csv, target: y, positive_label: 1,"
        ' options: {holdout_fraction: "0.3"}}\n'
        "  - {name: roles, source: a.csv, target: y, positive_label: 1, columns: {id: drop}}\n"
    )
    loaded = load_yaml(path)
    assert [s.name for s in loaded.specs] == ["good"]
    (quoted, roles) = loaded.errors
    assert quoted.name == "quoted" and "pipelines[1]: Pipeline 'quoted'" in quoted.message
    assert "holdout_fraction='0.3': expected a number" in quoted.message
    assert "(write it without quotes" in quoted.message
    assert "unknown role(s) {'id': 'drop'}" in roles.message
    defs = build_definitions(loaded.specs, tmp_path, errors=loaded.errors)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert "good/raw_dataset" in keys
    assert {"quoted/invalid_spec", "roles/invalid_spec"} <= keys
    placeholder = defs.resolve_assets_def(dg.AssetKey(["quoted", "invalid_spec"]))
    assert "holdout_fraction" in placeholder.descriptions_by_key[placeholder.key]
    result = dg.materialize([placeholder], raise_on_error=False)
    assert not result.success


def test_option_values_of_the_wrong_type_are_named():
    from smote_pipeline.core.options import PipelineOptions

    for overrides, message in [
        ({"one_vs_rest": "true"}, r"one_vs_rest='true': expected true or false \(write it"),
        ({"random_state": 1.5}, r"random_state=1.5: expected a whole number"),
        ({"strategies": "smote"}, r"strategies='smote': expected a list"),
        ({"false_negative_cost": "5"}, r"false_negative_cost='5'"),
    ]:
        with pytest.raises(ValueError, match=message):
            PipelineOptions().updated(overrides)


def test_loading_the_definitions_prints_at_most_one_warning(tmp_path):
    """Each asset's code references used to print two beta notices (46 lines); only
    those are silenced, where they are raised: other warnings still show."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SMOTE_PIPELINE_")}
    loaded = subprocess.run(
        [sys.executable, "-W", "default", "-c", "import smote_pipeline.definitions"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    )  # fmt: skip
    warnings = [line for line in loaded.stderr.splitlines() if "Warning:" in line]
    assert len(warnings) <= 1, loaded.stderr
