"""Which pipelines to build: a YAML file, environment variables, or the demo."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from smote_pipeline.core.spec import PipelineSpec, demo_spec, spec_from_mapping

CONFIG_ENV = "SMOTE_PIPELINE_CONFIG"
STORAGE_ENV = "SMOTE_PIPELINE_STORAGE"
#: Environment variables that describe one pipeline without a file.
SINGLE_ENV = {
    "source": "SMOTE_PIPELINE_SOURCE",
    "target": "SMOTE_PIPELINE_TARGET",
    "positive_label": "SMOTE_PIPELINE_POSITIVE_LABEL",
    "name": "SMOTE_PIPELINE_NAME",
}


def specs_from_yaml(path: str | Path) -> list[PipelineSpec]:
    """Read ``pipelines:`` entries from a YAML file.

    Raises
    ------
    ValueError
        Naming the file, the entry and the field at fault.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{CONFIG_ENV} points to {str(path)!r}, which does not exist.")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = document.get("pipelines") if isinstance(document, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{str(path)!r} must hold a non-empty list under the key `pipelines:`.")
    specs = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ValueError(f"{str(path)!r}: pipelines[{position}] must be a mapping.")
        try:
            specs.append(spec_from_mapping(dict(entry)))
        except ValueError as error:
            raise ValueError(f"{str(path)!r}: pipelines[{position}]: {error}") from error
    return specs


def specs_from_environment(environ: Mapping[str, str] = os.environ) -> list[PipelineSpec]:
    """The pipelines to build, from ``environ``.

    ``SMOTE_PIPELINE_CONFIG`` (a YAML file) wins; otherwise
    ``SMOTE_PIPELINE_SOURCE`` + ``SMOTE_PIPELINE_TARGET`` +
    ``SMOTE_PIPELINE_POSITIVE_LABEL`` (and optional ``SMOTE_PIPELINE_NAME``,
    default ``custom``) describe one pipeline; otherwise the embedded demo.
    """
    if environ.get(CONFIG_ENV):
        return specs_from_yaml(environ[CONFIG_ENV])
    given = {k: environ[v] for k, v in SINGLE_ENV.items() if environ.get(v)}
    if given.keys() - {"name"}:
        missing = [SINGLE_ENV[k] for k in ("source", "target", "positive_label") if k not in given]
        if missing:
            raise ValueError(f"Set {missing} too: a pipeline needs a source, target and label.")
        return [spec_from_mapping({"name": "custom", **given})]
    return [demo_spec()]


def storage_from_environment(environ: Mapping[str, str] = os.environ) -> Path:
    """Storage folder: ``SMOTE_PIPELINE_STORAGE`` or ``./smote_pipeline_storage``."""
    return Path(environ.get(STORAGE_ENV, "smote_pipeline_storage")).resolve()
