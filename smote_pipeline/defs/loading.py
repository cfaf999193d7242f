"""Which pipelines to build: a YAML file, environment variables, or the demo."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from smote_pipeline.core.spec import PipelineSpec, demo_spec, spec_from_mapping
from smote_pipeline.defs.executors import ExecutorSetting, executor_setting
from smote_pipeline.defs.storage import DEFAULT_FOLDER

logger = logging.getLogger("smote_pipeline")

CONFIG_ENV = "SMOTE_PIPELINE_CONFIG"
STORAGE_ENV = "SMOTE_PIPELINE_STORAGE"
#: Environment variables that describe one pipeline without a file.
SINGLE_ENV = {
    "source": "SMOTE_PIPELINE_SOURCE",
    "target": "SMOTE_PIPELINE_TARGET",
    "positive_label": "SMOTE_PIPELINE_POSITIVE_LABEL",
    "group_column": "SMOTE_PIPELINE_GROUP_COLUMN",
    "time_column": "SMOTE_PIPELINE_TIME_COLUMN",
    "name": "SMOTE_PIPELINE_NAME",
    "columns": "SMOTE_PIPELINE_COLUMNS",
    "encoding": "SMOTE_PIPELINE_ENCODING",
    "decimal": "SMOTE_PIPELINE_DECIMAL",
    "thousands": "SMOTE_PIPELINE_THOUSANDS",
    "date_order": "SMOTE_PIPELINE_DATE_ORDER",
    "score_source": "SMOTE_PIPELINE_SCORE_SOURCE",
}


@dataclass(frozen=True)
class SpecError:
    """A pipeline entry that could not be built, and why.

    Attributes
    ----------
    name : str
        The entry's ``name`` (or ``pipelines[i]`` when it has no usable name).
    message : str
        The error, naming the file, the entry and the field.
    """

    name: str
    message: str


@dataclass(frozen=True)
class LoadedSpecs:
    """The pipelines that were built, the entries that were skipped, and the executor."""

    specs: list[PipelineSpec]
    errors: list[SpecError] = field(default_factory=list)
    executor: ExecutorSetting = field(default_factory=ExecutorSetting)


def load_yaml(path: str | Path, environ: Mapping[str, str] = os.environ) -> LoadedSpecs:
    """Read ``pipelines:`` entries from a YAML file; a bad entry is skipped, not fatal.

    An optional top-level ``executor:`` mapping chooses where steps run (see
    :mod:`smote_pipeline.defs.executors`; the environment wins).

    Raises
    ------
    FileNotFoundError, ValueError
        The file is missing or holds no ``pipelines:`` list (nothing can be built).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{CONFIG_ENV} points to {str(path)!r}, which does not exist.")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = document.get("pipelines") if isinstance(document, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{str(path)!r} must hold a non-empty list under the key `pipelines:`.")
    specs, errors = [], []
    for position, entry in enumerate(entries):
        label = f"pipelines[{position}]"
        name = str(entry.get("name", label)) if isinstance(entry, Mapping) else label
        try:
            if not isinstance(entry, Mapping):
                raise ValueError("must be a mapping.")
            specs.append(spec_from_mapping(dict(entry)))
        except (ValueError, TypeError) as error:
            message = f"{str(path)!r}: {label}: {error}"
            logger.error("Pipeline skipped: %s", message)
            errors.append(SpecError(name, message))
    return LoadedSpecs(specs, errors, executor_setting(document, environ))


def specs_from_yaml(path: str | Path) -> list[PipelineSpec]:
    """Read ``pipelines:`` entries from a YAML file, strictly.

    Raises
    ------
    ValueError
        Naming the file, the entry and the field at fault (the first bad entry).
    """
    loaded = load_yaml(path)
    if loaded.errors:
        raise ValueError(loaded.errors[0].message)
    return loaded.specs


def load_pipelines(environ: Mapping[str, str] = os.environ) -> LoadedSpecs:
    """The pipelines to build from ``environ``, with the entries that were skipped.

    ``SMOTE_PIPELINE_CONFIG`` (a YAML file, see :func:`load_yaml`) wins;
    otherwise see :func:`specs_from_environment`.
    """
    if environ.get(CONFIG_ENV):
        return load_yaml(environ[CONFIG_ENV], environ)
    return LoadedSpecs(specs_from_environment(environ), executor=executor_setting(None, environ))


def specs_from_environment(environ: Mapping[str, str] = os.environ) -> list[PipelineSpec]:
    """The pipelines to build, from ``environ``.

    ``SMOTE_PIPELINE_CONFIG`` (a YAML file) wins; otherwise
    ``SMOTE_PIPELINE_SOURCE`` + ``SMOTE_PIPELINE_TARGET`` +
    ``SMOTE_PIPELINE_POSITIVE_LABEL`` (and optional ``SMOTE_PIPELINE_NAME``,
    default ``custom``, ``SMOTE_PIPELINE_COLUMNS`` such as
    ``id=ignore,created=datetime``, ``SMOTE_PIPELINE_ENCODING``,
    ``SMOTE_PIPELINE_DECIMAL``, ``SMOTE_PIPELINE_THOUSANDS`` and
    ``SMOTE_PIPELINE_DATE_ORDER`` (the spec's ``decimal:``, ``thousands:`` and
    ``date_order:``) and ``SMOTE_PIPELINE_SCORE_SOURCE``, a folder
    of files to score) describe one pipeline; otherwise the embedded demo.
    """
    if environ.get(CONFIG_ENV):
        return specs_from_yaml(environ[CONFIG_ENV])
    given = {k: environ[v] for k, v in SINGLE_ENV.items() if environ.get(v)}
    if given.keys() - {"name", "columns", "encoding", "decimal", "thousands", "date_order"}:
        missing = [SINGLE_ENV[k] for k in ("source", "target", "positive_label") if k not in given]
        if missing:
            raise ValueError(f"Set {missing} too: a pipeline needs a source, target and label.")
        return [spec_from_mapping({"name": "custom", **given})]
    return [demo_spec()]


def storage_from_environment(environ: Mapping[str, str] = os.environ) -> Path:
    """Storage folder: ``SMOTE_PIPELINE_STORAGE`` or ``./smote_pipeline_storage``."""
    return Path(environ.get(STORAGE_ENV, DEFAULT_FOLDER)).resolve()
