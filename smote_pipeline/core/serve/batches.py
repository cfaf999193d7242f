"""Batches of a score source: which exist, how each is read, where scores are written.

A score source is one of:

- a local folder: every CSV or Parquet file in it (subfolders included; names starting
  with ``.`` or ``_`` skipped) is one batch, keyed by its path relative to the folder;
- one local CSV or Parquet file: one batch, keyed by its file name;
- a database (an SQLAlchemy URL with ``score_query``): each version of the query's
  result is a batch, keyed ``batch-<12 hex digits>`` by the hash of the
  ``score_change_query`` result (or of the whole result); scoring a key reads the
  query as it is then, so an old key rescored reads today's rows.

Each batch is read through :func:`~smote_pipeline.core.ingest.sources.read_source`,
like the training source (same encoding, number and date settings); its columns are
then read with the roles, number format and date orders of the training data
(:meth:`~smote_pipeline.core.serve.schema.InputSchema.prepare`), never detected again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from smote_pipeline.core.ingest.sources import SUPPORTED_SUFFIXES, Source, fingerprint, read_source

__all__ = ["batch_key", "batch_versions", "read_batch", "write_scores_table"]

#: Characters Dagster does not allow in a partition key, replaced by ``_``.
_UNSAFE = re.compile(r"[,\[\]\n\r\t]")


def _key(relative: str) -> str:
    return _UNSAFE.sub("_", relative)


def _files(folder: Path) -> list[Path]:
    return sorted(
        f
        for f in folder.rglob("*")
        if f.is_file()
        and f.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(p.startswith((".", "_")) for p in f.relative_to(folder).parts)
    )


def batch_versions(source: Source, change_query: str = "") -> dict[str, str]:
    """Every batch key of ``source`` and a token that changes with its content.

    Files: size and modification time (cheap: a sensor lists them often). A database:
    one key, from the fingerprint of ``change_query``
    (:func:`~smote_pipeline.core.ingest.sources.fingerprint`). A location that does not
    exist (yet) has no batches.
    """
    if source.is_sql:
        token = fingerprint(source, change_query)
        return {f"batch-{token[:12]}": token}
    path = Path(source.location.removeprefix("file://")).expanduser()
    if path.is_dir():
        files = {f.relative_to(path).as_posix(): f for f in _files(path)}
    elif path.is_file():
        files = {path.name: path}
    else:
        return {}
    return {_key(k): f"{f.stat().st_size}:{f.stat().st_mtime_ns}" for k, f in files.items()}


def batch_key(source: Source, name: str) -> str:
    """The batch key a user means by ``name``: a key as listed, or the path of a file
    of the score folder (relative to the working directory, or absolute).

    Raises
    ------
    ValueError
        ``name`` is no batch of ``source``, naming the batches there are.
    """
    keys = batch_versions(source)
    if name in keys:
        return name
    folder = Path(source.location.removeprefix("file://")).expanduser().resolve()
    given = Path(name).expanduser().resolve()
    if not source.is_sql and folder.is_dir() and given.is_relative_to(folder):
        key = _key(given.relative_to(folder).as_posix())
        if key in keys:
            return key
    listed = ", ".join(sorted(keys)[:10]) or "none"
    raise ValueError(
        f"{name!r} is not a batch of the score source {source.location!r} (batches: "
        f"{listed}); copy the file into that folder, or name one of its batches."
    )


def read_batch(source: Source, key: str) -> pd.DataFrame:
    """The rows of batch ``key`` of ``source``.

    Raises
    ------
    FileNotFoundError
        The batch's file is gone (it was renamed or removed after the sensor saw it).
    """
    if source.is_sql:
        return read_source(source)
    path = Path(source.location.removeprefix("file://")).expanduser()
    if path.is_dir():
        matches = [f for f in _files(path) if _key(f.relative_to(path).as_posix()) == key]
        if not matches:
            raise FileNotFoundError(
                f"Batch {key!r} is not in the score source folder {source.location!r} any more; "
                "put the file back, or delete the partition in the UI."
            )
        return read_source(replace(source, location=str(matches[0])))
    return read_source(source)


def write_scores_table(url: str, table: str, frame: pd.DataFrame, key: str) -> int:
    """Write a batch's scores to the database table ``table``, replacing that batch's rows;
    returns the rows written. The rows get a ``batch`` column holding ``key``; the table
    is created on first use."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if inspect(connection).has_table(table):
                connection.execute(text(f'DELETE FROM "{table}" WHERE batch = :key'), {"key": key})
            frame.assign(batch=key).to_sql(table, connection, if_exists="append", index=False)
    finally:
        engine.dispose()
    return len(frame)
