"""What ``workspace.yaml`` and ``dagster ... -m smote_pipeline.definitions`` load."""

from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.loading import load_pipelines, storage_from_environment

_loaded = load_pipelines()
defs = build_definitions(
    _loaded.specs, storage_from_environment(), errors=_loaded.errors, executor=_loaded.executor
)
