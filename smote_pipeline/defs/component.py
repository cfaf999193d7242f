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

from typing import Any

import dagster as dg
from pydantic import Field

from smote_pipeline.core.spec import DEFAULT_SCHEDULE, spec_from_mapping
from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.loading import storage_from_environment


class SmotePipelineComponent(dg.Component, dg.Model, dg.Resolvable):
    """One careful-SMOTE pipeline: the whole asset graph, its job, schedule and sensor.

    The attributes are those of a pipeline entry in the YAML file read through
    ``SMOTE_PIPELINE_CONFIG`` (see the README); they are validated the same way.
    """

    name: str = Field(description="Asset-key prefix of the pipeline.")
    source: str = Field(description="embedded:<name>, a CSV/Parquet path or URL, or a DB URL.")
    target: str = Field(description="Target column.")
    positive_label: str | int | float | bool = Field(description="Value of the rare class.")
    query: str = Field("", description="For a database source: a SELECT or a table name.")
    change_query: str = Field("", description="For a database source: the sensor's query.")
    schedule: str = Field(DEFAULT_SCHEDULE, description="Cron string (schedule starts stopped).")
    sensor_interval: int = Field(60, description="Seconds between two looks at the source.")
    description: str = Field("", description="Shown in the UI.")
    options: dict[str, Any] = Field(default_factory=dict, description="Pipeline options.")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Column roles: numeric, categorical, datetime or ignore, by column name.",
    )
    encoding: str = Field("utf-8", description="Text encoding of a CSV source.")
    queues: dict[str, str] = Field(
        default_factory=dict, description="Celery queue by strategy (the celery executor)."
    )
    score_source: str = Field(
        "", description="Rows to score: a folder (one batch per file), a file, or a DB URL."
    )
    score_query: str = Field("", description="For a database score source: SELECT or table.")
    score_change_query: str = Field(
        "", description="For a database score source: the sensor's query."
    )
    score_table: str = Field("", description="For a database score source: write scores here too.")
    retrain_on_drift: bool = Field(
        False, description="Start the drift sensor: a drifted batch requests a retraining."
    )
    storage: str | None = Field(
        None,
        description="Storage folder (default: SMOTE_PIPELINE_STORAGE or ./smote_pipeline_storage).",
    )

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        """Build the pipeline's definitions through the same factory as the YAML file."""
        entry = self.model_dump(exclude={"storage"})
        spec = spec_from_mapping(entry)
        storage = self.storage or storage_from_environment()
        return build_definitions([spec], storage)
