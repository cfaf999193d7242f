from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import pytest
from dagster.components.testing import create_defs_folder_sandbox

from smote_pipeline.defs.component import SmotePipelineComponent


def _attributes(tmp_path, **extra):
    return {
        "name": "from_component",
        "source": "embedded:rare_digits",
        "target": "digit_class",
        "positive_label": "zero_or_one",
        "storage": str(tmp_path / "storage"),
        "options": {"sampling_strategy": 0.3},
        **extra,
    }


@contextmanager
def _built(attributes: dict) -> Iterator[dg.Definitions]:
    """The definitions of a ``defs.yaml`` holding the component with ``attributes``."""
    with create_defs_folder_sandbox() as sandbox:
        sandbox.scaffold_component(
            component_cls=SmotePipelineComponent,
            defs_path="careful_smote",
            defs_yaml_contents={
                "type": "smote_pipeline.defs.component.SmotePipelineComponent",
                "attributes": attributes,
            },
        )
        with sandbox.build_all_defs() as defs:
            yield defs


def test_component_from_defs_yaml_builds_the_pipeline(tmp_path):
    attributes = _attributes(tmp_path, columns={"pixel_0_0": "ignore"}, encoding="latin-1")
    with _built(attributes) as defs:
        keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
        assert "from_component/holdout_evaluation" in keys
        assert defs.resolve_job_def("from_component_pipeline") is not None
        settings = defs.resources["from_component_settings"]
        assert settings.sampling_strategy == 0.3


def test_component_validation_names_the_field(tmp_path):
    component = SmotePipelineComponent(**_attributes(tmp_path, options={"k_neighbors": 0}))
    with pytest.raises(ValueError, match="k_neighbors=0"):
        component.build_defs(dg.ComponentTree.for_test().load_context)


def test_component_with_a_score_source_builds_the_scoring(tmp_path):
    attributes = _attributes(
        tmp_path, score_source=str(tmp_path / "new_rows"), retrain_on_drift=True
    )
    with _built(attributes) as defs:
        keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
        assert "from_component_serve/scored_batch" in keys
        drift = defs.get_sensor_def("from_component_drift_sensor")
        assert drift.default_status == dg.DefaultSensorStatus.RUNNING
        assert defs.get_sensor_def("from_component_score_sensor") is not None


def test_component_fields_are_the_spec_fields():
    from smote_pipeline.core.spec import PipelineSpec

    spec_fields = set(PipelineSpec.__dataclass_fields__)
    assert set(SmotePipelineComponent.model_fields) - {"storage"} == spec_fields


def test_the_component_attributes_are_the_spec_fields():
    from dataclasses import MISSING, fields

    from smote_pipeline.core.spec import PipelineSpec

    attributes = SmotePipelineComponent.model_fields
    assert set(attributes) == {f.name for f in fields(PipelineSpec)} | {"storage"}
    for declared in fields(PipelineSpec):
        attribute = attributes[declared.name]
        assert attribute.description == declared.metadata["description"]
        required = declared.default is MISSING and declared.default_factory is MISSING
        assert attribute.is_required() == required, declared.name
        if declared.default is not MISSING:
            assert attribute.default == declared.default
