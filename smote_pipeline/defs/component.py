"""The pipeline as a Dagster component, configured by a ``defs.yaml``.

.. code-block:: yaml

    # defs/fraud/defs.yaml
    type: smote_pipeline.defs.component.SmotePipelineComponent
    attributes:
      name: fraud
      source: data/transactions.parquet
      target: is_fraud
      positive_label: 1
      options:
        sampling_strategy: 0.3
"""

from __future__ import annotations

import typing
from dataclasses import MISSING, fields
from typing import Any

import dagster as dg
from pydantic import Field, create_model

from smote_pipeline.core.spec import PipelineSpec, spec_from_mapping
from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.loading import storage_from_environment
from smote_pipeline.defs.storage import DEFAULT_FOLDER

#: Component types of the spec fields whose spec type is not plain YAML.
YAML_TYPES: dict[str, Any] = {
    "positive_label": str | int | float | bool,
    "options": dict[str, Any],
}


def _attributes() -> dict[str, Any]:
    """The component's attributes: the spec's fields (declared once, in
    :class:`~smote_pipeline.core.spec.PipelineSpec`) and the storage folder."""
    hints = typing.get_type_hints(PipelineSpec)
    attributes: dict[str, Any] = {}
    for declaration in fields(PipelineSpec):
        kind = YAML_TYPES.get(declaration.name, hints[declaration.name])
        description = declaration.metadata["description"]
        if declaration.default is not MISSING:
            info = Field(declaration.default, description=description)
        elif declaration.default_factory is not MISSING:  # a mapping in YAML
            factory = dict if declaration.name in YAML_TYPES else declaration.default_factory
            info = Field(default_factory=factory, description=description)
        else:
            info = Field(description=description)
        attributes[declaration.name] = (kind, info)
    storage = f"storage folder (default: SMOTE_PIPELINE_STORAGE or ./{DEFAULT_FOLDER})"
    attributes["storage"] = (str | None, Field(None, description=storage))
    return attributes


SpecAttributes = create_model("SpecAttributes", __base__=dg.Model, **_attributes())


class SmotePipelineComponent(dg.Component, SpecAttributes, dg.Resolvable):
    """One careful-SMOTE pipeline: the whole asset graph, its job, schedule and sensor.

    The attributes are those of a pipeline entry in the YAML file read through
    ``SMOTE_PIPELINE_CONFIG`` (see the README), derived from
    :class:`~smote_pipeline.core.spec.PipelineSpec`; they are validated the same way.
    """

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        """Build the pipeline's definitions through the same factory as the YAML file."""
        entry = self.model_dump(exclude={"storage"})
        spec = spec_from_mapping(entry)
        storage = self.storage or storage_from_environment()
        return build_definitions([spec], storage)
