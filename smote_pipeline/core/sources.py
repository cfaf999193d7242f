"""Reading a source table: embedded demos, files (local or fsspec URLs),
folders of Parquet files, and SQL tables or queries through SQLAlchemy."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq

from smote_pipeline.core.datasets import EMBEDDED_DATASETS

EMBEDDED_PREFIX = "embedded:"
SUPPORTED_SUFFIXES = (".csv", ".parquet", ".pq")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class Source:
    """Where a pipeline's rows come from.

    Attributes
    ----------
    location : str
        ``embedded:<name>``; a ``.csv`` / ``.parquet`` path or fsspec URL; a
        folder of Parquet files (read as one dataset); or, when ``query`` is
        set, an SQLAlchemy database URL.
    query : str
        For SQL sources: a ``SELECT`` statement or a table name.
    """

    location: str
    query: str = ""

    @property
    def is_sql(self) -> bool:
        """Whether rows come from a database."""
        return bool(self.query)

    def sql(self) -> str:
        """The statement to run: the query, or ``SELECT *`` from a table name."""
        query = self.query.strip().rstrip(";")
        return f"SELECT * FROM {query}" if _TABLE_NAME.match(query) else query


def _filesystem(location: str):
    """An fsspec filesystem and path for a URL, or None and the local path."""
    if _URL.match(location) and not location.startswith("file://"):
        import fsspec

        fs, path = fsspec.core.url_to_fs(location)
        return fs, path
    return None, str(Path(location.removeprefix("file://")).expanduser())


def read_source(source: Source | str) -> pd.DataFrame:
    """Read every row of ``source``.

    Raises
    ------
    FileNotFoundError
        The path or URL does not exist.
    ValueError
        Unknown embedded name, unsupported file type, or an empty table; each
        message names the source and the fix.
    """
    source = Source(source) if isinstance(source, str) else source
    if source.is_sql:
        frame = _read_sql(source)
    elif source.location.startswith(EMBEDDED_PREFIX):
        frame = _read_embedded(source.location)
    else:
        frame = _read_file(source.location)
    if frame.empty:
        raise ValueError(f"Source {describe(source)!r} has no rows.")
    return frame


def describe(source: Source) -> str:
    """A human-readable name of the source, without credentials."""
    if source.is_sql:
        from sqlalchemy.engine import make_url

        return f"{make_url(source.location).render_as_string(hide_password=True)} :: {source.query}"
    return source.location


def _read_embedded(location: str) -> pd.DataFrame:
    name = location[len(EMBEDDED_PREFIX) :]
    if name not in EMBEDDED_DATASETS:
        raise ValueError(
            f"Unknown embedded dataset {name!r} in source {location!r}; "
            f"available: {[EMBEDDED_PREFIX + n for n in EMBEDDED_DATASETS]}."
        )
    return EMBEDDED_DATASETS[name]()


def _read_file(location: str) -> pd.DataFrame:
    fs, path = _filesystem(location)
    exists = fs.exists(path) if fs else Path(path).exists()
    if not exists:
        raise FileNotFoundError(
            f"Source {location!r} does not exist; set the pipeline's `source` to a CSV or "
            "Parquet file, a folder of Parquet files, or an fsspec URL (relative paths are "
            "resolved from the current directory)."
        )
    is_dir = fs.isdir(path) if fs else Path(path).is_dir()
    if is_dir:
        return pa_ds.dataset(path, format="parquet", filesystem=fs).to_table().to_pandas()
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(
            f"Unsupported file type {suffix!r} for source {location!r}; "
            f"use one of {list(SUPPORTED_SUFFIXES)} or a folder of Parquet files."
        )
    size = fs.size(path) if fs else Path(path).stat().st_size
    if size == 0:
        raise ValueError(f"Source file {location!r} is empty; it needs a header and rows.")
    opener = fs.open(path, "rb") if fs else open(path, "rb")
    with opener as stream:
        table = pa_csv.read_csv(stream) if suffix == ".csv" else pq.read_table(stream)
    return table.to_pandas()


def _read_sql(source: Source) -> pd.DataFrame:
    from sqlalchemy import create_engine, text

    engine = create_engine(source.location)
    try:
        with engine.connect() as connection:
            return pd.read_sql_query(text(source.sql()), connection)
    finally:
        engine.dispose()


def fingerprint(source: Source, change_query: str = "") -> str:
    """A cheap token that changes when the source's content changes.

    Files: SHA-256 of the bytes (local files are streamed; remote files use the
    filesystem's checksum where it has one, else size and modification time).
    Folders: the fingerprints of their files. SQL: the result of
    ``change_query`` (for example ``SELECT max(updated_at) FROM t``), or a
    content hash of the whole result when no query is given. Embedded demos
    never change.
    """
    if source.is_sql:
        if change_query:
            from sqlalchemy import create_engine, text

            engine = create_engine(source.location)
            try:
                with engine.connect() as connection:
                    rows = connection.execute(text(change_query)).fetchall()
            finally:
                engine.dispose()
            return hashlib.sha256(repr(rows).encode()).hexdigest()
        frame = read_source(source)
        return str(pd.util.hash_pandas_object(frame, index=False).sum())
    if source.location.startswith(EMBEDDED_PREFIX):
        return source.location
    fs, path = _filesystem(source.location)
    digest = hashlib.sha256()
    if fs is None:
        local = Path(path)
        files = sorted(local.rglob("*")) if local.is_dir() else [local]
        for file in (f for f in files if f.is_file()):
            digest.update(str(file.relative_to(local) if local.is_dir() else file.name).encode())
            with open(file, "rb") as stream:
                for block in iter(lambda s=stream: s.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()
    for name in sorted(fs.find(path)) if fs.isdir(path) else [path]:
        info = fs.info(name)
        token = info.get("checksum") or info.get("ETag") or (info.get("size"), info.get("mtime"))
        digest.update(f"{name}:{token}".encode())
    return digest.hexdigest()


def is_transient(error: BaseException) -> bool:
    """Whether a read failure is worth retrying (I/O hiccup, lost connection).

    Missing files, permissions and bad content are not: retrying cannot fix them.
    """
    if isinstance(error, FileNotFoundError | IsADirectoryError | PermissionError):
        return False
    if isinstance(error, TimeoutError | ConnectionError):
        return True
    try:
        from sqlalchemy.exc import OperationalError
    except ImportError:  # pragma: no cover
        return isinstance(error, OSError)
    return isinstance(error, OSError | OperationalError)
