"""The formats of asset values: atomic, deterministic files (pure helpers, no dagster).

DataFrames are Parquet (pyarrow), JSON-like values sorted JSON, text Markdown, values
holding fitted models skops files (:mod:`~smote_pipeline.defs.storage.model_files`);
each model is written once, in the content-addressed store of
:mod:`~smote_pipeline.defs.storage.model_store`, and referenced.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from smote_pipeline.defs.storage.model_files import encode_model, load_model
from smote_pipeline.defs.storage.model_store import ModelStore, holds_models

SUFFIXES = (".parquet", ".json", ".md", ".skops")


def encode(value: Any, models: ModelStore | None = None) -> tuple[str, bytes]:
    """Serialise ``value``; returns the file suffix and the bytes.

    With ``models``, every fitted model in ``value`` is written to that store once and
    the skops file holds references to it (:mod:`~smote_pipeline.defs.storage.model_store`);
    without, models are embedded. A value that holds models is always a skops file.
    """
    if holds_models(value):
        return ".skops", encode_model(value if models is None else models.swap_out(value))
    if isinstance(value, pd.DataFrame):
        table = pa.Table.from_pandas(value, preserve_index=False)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return ".parquet", sink.getvalue().to_pybytes()
    if isinstance(value, str):
        return ".md", value.encode("utf-8")
    if _is_json(value):
        return ".json", json.dumps(value, indent=2, sort_keys=True).encode("utf-8")
    return ".skops", encode_model(value)


def _is_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_is_json(v) for v in value)
    return value is None or isinstance(value, bool | int | float | str)


def decode(path: Path) -> Any:
    """Read a value written by :func:`encode` (chosen by the file suffix)."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    if path.suffix == ".skops":
        return ModelStore(path.parent).swap_in(load_model(path))
    raise ValueError(f"Unknown stored file type {path.suffix!r} at {str(path)!r}.")


def find_stored(base: Path) -> Path:
    """The stored file for a value whose path without suffix is ``base``.

    Raises
    ------
    FileNotFoundError
        When nothing was stored there: materialize the upstream asset first.
    """
    for suffix in SUFFIXES:
        candidate = base.with_name(base.name + suffix)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"No stored value at {str(base)!r}.*; materialize the upstream asset first."
    )
