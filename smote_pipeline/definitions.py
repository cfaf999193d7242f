"""What ``workspace.yaml`` and ``dagster ... -m smote_pipeline.definitions`` load."""

from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.loading import load_pipelines, storage_from_environment

#: The pipelines built (and the entries skipped), as read from the environment.
loaded = load_pipelines()
defs = build_definitions(
    loaded.specs, storage_from_environment(), errors=loaded.errors, executor=loaded.executor
)
