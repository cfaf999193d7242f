"""What ``workspace.yaml`` and ``dagster ... -m smote_pipeline.definitions`` load."""

from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.loading import specs_from_environment, storage_from_environment

defs = build_definitions(specs_from_environment(), storage_from_environment())
