"""Reading a source table: embedded demos, files (local or fsspec URLs),
folders of Parquet files, and SQL tables or queries through SQLAlchemy."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq

from smote_pipeline.core.ingest import dates
from smote_pipeline.core.ingest.datasets import EMBEDDED_DATASETS
from smote_pipeline.core.ingest.numbers import ATTRS_KEY, AUTO, NumberSettings

EMBEDDED_PREFIX = "embedded:"
SUPPORTED_SUFFIXES = (".csv", ".parquet", ".pq")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
DELIMITERS = (",", ";", "\t", "|")
_COLUMN_COUNTS = re.compile(r"Expected (\d+) columns, got (\d+)")
_HEADER_LIMIT = 1 << 24


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
    encoding : str
        Text encoding of CSV files (any Python codec name, for example
        ``latin-1``); ignored for Parquet, SQL and embedded sources.
    decimal, thousands : str
        How numbers are written as text (the spec's fields of these names, see
        :mod:`~smote_pipeline.core.ingest.numbers`); ``auto``: decided from the values
        at ingestion. A CSV file with decimal commas (``decimal: ","``, or
        ``thousands: "."``) is read with them, so ``1.234`` is not read as a decimal.
    date_order : str
        Which of day and month comes first in dates written as text: ``day_first``,
        ``month_first``, or ``auto`` (decided per column from its values, see
        :mod:`~smote_pipeline.core.ingest.dates`).
    """

    location: str
    query: str = ""
    encoding: str = "utf-8"
    decimal: str = AUTO
    thousands: str = AUTO
    date_order: str = dates.AUTO

    @property
    def numbers(self) -> NumberSettings:
        """The number settings (raises ``ValueError`` naming a wrong one)."""
        return NumberSettings(self.decimal, self.thousands)

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

    CSV files are decoded with ``source.encoding`` (UTF-8 by default). Their
    delimiter is detected from the header line (the file's first line): it is
    whichever of ``,`` ``;`` tab ``|`` occurs most often there, ``,`` when none
    occurs; ties go to the earlier one in that order. A header cell that is
    empty (as ``DataFrame.to_csv(index=True)`` writes for the index) becomes a
    column named ``""``.

    The frame's ``attrs`` keep the source's number settings and, for a CSV file,
    its delimiter, and its ``date_order`` (read by
    :func:`~smote_pipeline.core.ingest.ingestion.ingest`).

    Parameters
    ----------
    source : Source or str
        The source, or a location (read as ``Source(location)``).

    Returns
    -------
    pandas.DataFrame
        All rows, columns in source order.

    Raises
    ------
    FileNotFoundError
        The path or URL does not exist.
    ValueError
        Unknown embedded name, unsupported file type, an empty table, a CSV
        file that is not valid text in its encoding or has a row with the
        wrong number of fields, or duplicate column names; each message names
        the source and the fix.
    """
    source = Source(source) if isinstance(source, str) else source
    numbers, date_order = source.numbers, dates.check_setting(source.date_order)
    if source.is_sql:
        frame = _read_sql(source)
    elif source.location.startswith(EMBEDDED_PREFIX):
        frame = _read_embedded(source.location)
    else:
        frame = _read_file(source.location, source.encoding, numbers.decimals())
    _check_unique_columns(frame, source)
    if frame.empty:
        raise ValueError(f"Source {describe(source)!r} has no rows.")
    delimiter = frame.attrs.get(ATTRS_KEY, {}).get("delimiter", "")
    frame.attrs[ATTRS_KEY] = asdict(replace(numbers, delimiter=delimiter))
    frame.attrs[dates.ATTRS_KEY] = date_order
    return frame


def _check_unique_columns(frame: pd.DataFrame, source: Source) -> None:
    """Raise ``ValueError`` when ``frame`` has repeated column names."""
    if frame.columns.has_duplicates:
        raise _duplicate_columns_error(describe(source), list(frame.columns))


def _duplicate_columns_error(described: str, names: list[Any]) -> ValueError:
    """A ``ValueError`` listing each repeated name of ``names`` and its 1-based positions."""
    positions: dict[Any, list[int]] = {}
    for position, name in enumerate(names, start=1):
        positions.setdefault(name, []).append(position)
    details = "; ".join(
        f"{name!r} (columns {', '.join(map(str, where))})"
        for name, where in positions.items()
        if len(where) > 1
    )
    return ValueError(
        f"Source {described!r} has duplicate column names: {details}. "
        "Rename them so every column has its own name."
    )


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


def _read_file(
    location: str, encoding: str = "utf-8", decimals: tuple[str, ...] = (".", ",")
) -> pd.DataFrame:
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
        try:
            table = pa_ds.dataset(path, format="parquet", filesystem=fs).to_table()
        except pa.ArrowInvalid as error:
            names = _duplicated_names_in_folder(fs, path) if "duplicate" in str(error) else None
            if names is None:
                raise
            raise _duplicate_columns_error(location, names) from error
        return table.to_pandas()
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(
            f"Unsupported file type {suffix!r} for source {location!r}; "
            f"use one of {list(SUPPORTED_SUFFIXES)} or a folder of Parquet files."
        )
    size = fs.size(path) if fs else Path(path).stat().st_size
    if size == 0:
        raise ValueError(f"Source file {location!r} is empty; it needs a header and rows.")
    if suffix == ".csv":
        return _read_csv(location, fs, path, encoding, decimals == (",",))
    with _open(fs, path) as stream:
        # ParquetFile keeps duplicate column names (read_table refuses them), so
        # read_source can report them like any other source's.
        table = pq.ParquetFile(stream).read()
    return table.to_pandas()


def _duplicated_names_in_folder(fs: Any, path: str) -> list[str] | None:
    """The column names of the first Parquet file in a folder that repeats a name."""
    files = sorted(fs.find(path)) if fs else sorted(str(f) for f in Path(path).rglob("*"))
    for file in files:
        if Path(file).name.startswith(("_", ".")) or not (
            fs.isfile(file) if fs else Path(file).is_file()
        ):
            continue
        try:
            with _open(fs, file) as stream:
                names = pq.read_schema(stream).names
        except (pa.ArrowException, OSError):
            continue
        if len(set(names)) < len(names):
            return names
    return None


def _open(fs: Any, path: str) -> IO[bytes]:
    """Open a local path (``fs`` is None) or a filesystem path for binary reading."""
    return fs.open(path, "rb") if fs else open(path, "rb")


def detect_delimiter(header: str) -> str:
    """The delimiter of a CSV file, from its header line.

    Parameters
    ----------
    header : str
        The file's first line, decoded.

    Returns
    -------
    str
        Whichever of ``,`` ``;`` tab ``|`` occurs most often in ``header``;
        ``,`` when none occurs. Ties go to the earlier one in that order.
    """
    return max(DELIMITERS, key=header.count)


def _read_csv(
    location: str, fs: Any, path: str, encoding: str, decimal_comma: bool = False
) -> pd.DataFrame:
    """Read a CSV file with pyarrow, turning its failures into actionable errors; with
    ``decimal_comma``, pyarrow reads ``0,908`` as a number and leaves ``1.234`` text."""
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise ValueError(
            f"Unknown encoding {encoding!r} for source file {location!r}; set `encoding:` in "
            "the pipeline spec to a Python codec name (for example `utf-8` or `latin-1`)."
        ) from error
    with _open(fs, path) as stream:
        start = stream.read(4096)
    encoding = _bom_encoding(start, encoding, location)
    with _open(fs, path) as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        header = text.readline(_HEADER_LIMIT)
    delimiter = detect_delimiter(header)
    read_options = pa_csv.ReadOptions(encoding=encoding)
    parse_options = pa_csv.ParseOptions(delimiter=delimiter)
    convert_options = pa_csv.ConvertOptions(decimal_point="," if decimal_comma else ".")
    try:
        with _open(fs, path) as stream:
            table = pa_csv.read_csv(
                stream,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
    except UnicodeDecodeError as error:
        raise _encoding_error(location, encoding, _first_undecodable(fs, path, encoding)) from error
    except pa.ArrowInvalid as error:
        message = str(error)
        counts = _COLUMN_COUNTS.search(message)
        if counts:
            raise _ragged_error(
                location, fs, path, encoding, delimiter, int(counts[1]), int(counts[2])
            ) from error
        raise ValueError(
            f"Source file {location!r} could not be parsed as CSV (delimiter "
            f"{delimiter!r}): {message}"
        ) from error
    # pyarrow keeps undecodable text as binary columns (and undecodable header
    # cells as raw bytes), so the file is only scanned when one of those shows up.
    try:
        _ = table.column_names  # decodes the header cells
    except UnicodeDecodeError as error:
        raise _encoding_error(location, encoding, _first_undecodable(fs, path, encoding)) from error
    if any(pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type) for f in table.schema):
        raise _encoding_error(location, encoding, _first_undecodable(fs, path, encoding))
    frame = table.to_pandas()
    frame.attrs[ATTRS_KEY] = {"delimiter": delimiter}
    return frame


#: Byte-order marks and the codec that reads (and drops) them; UTF-32 before UTF-16,
#: whose little-endian mark starts UTF-32's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom_encoding(start: bytes, encoding: str, location: str) -> str:
    """The encoding a UTF-16 or UTF-32 byte-order mark at the file's ``start`` names
    (such a file is never valid UTF-8, so the mark wins over a UTF-8 setting);
    otherwise ``encoding``.

    Raises
    ------
    ValueError
        With a UTF-8 setting, the file has no mark but a third of its first bytes are
        zero (UTF-16 or UTF-32 without a mark), naming the encoding to set.
    """
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        return encoding
    marked = next((name for bom, name in _BOMS if start.startswith(bom)), None)
    if marked or not start or start.count(0) < len(start) / 3:
        return marked or encoding
    odd = start[1::2].count(0) > start[0::2].count(0)
    raise ValueError(
        f"Source file {location!r} is not UTF-8: a third of its first bytes are zero, as in "
        "UTF-16 or UTF-32 text without a byte-order mark. Set `encoding:` in the pipeline "
        f"spec, most likely `encoding: {'utf-16-le' if odd else 'utf-16-be'}`, or save the "
        "file as UTF-8."
    )


def _first_undecodable(fs: Any, path: str, encoding: str) -> tuple[int, int] | None:
    """The 1-based line number and value of the first byte that does not decode.

    None when the whole file decodes.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    number = 0
    with _open(fs, path) as stream:
        for number, line in enumerate(stream, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError as error:
                return number, error.object[error.start]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return number, error.object[error.start]
    return None


def _encoding_error(location: str, encoding: str, bad: tuple[int, int] | None) -> ValueError:
    """A ``ValueError`` for a file that is not valid text in ``encoding``."""
    name = "UTF-8" if codecs.lookup(encoding).name == "utf-8" else encoding
    where = f" (byte 0x{bad[1]:02x} on line {bad[0]})" if bad else ""
    return ValueError(
        f"Source file {location!r} is not valid {name} text{where}. Re-save it as {name}, "
        "or set `encoding:` in the pipeline spec to the file's encoding "
        "(for example `encoding: latin-1`)."
    )


def _ragged_error(
    location: str,
    fs: Any,
    path: str,
    encoding: str,
    delimiter: str,
    expected: int,
    found: int,
) -> ValueError:
    """A ``ValueError`` naming the first row whose field count differs from the header's.

    ``expected`` and ``found`` (from pyarrow's message) are used when the scan
    cannot find the row; the line number is then left out.
    """
    where = ""
    try:
        with _open(fs, path) as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            reader = csv.reader(text, delimiter=delimiter)
            width = None
            line = 1
            for row in reader:
                start, line = line, reader.line_num + 1
                if not row:
                    continue
                if width is None:
                    width = len(row)
                elif len(row) != width:
                    expected, found, where = width, len(row), f" on line {start}"
                    break
    except (csv.Error, UnicodeDecodeError):
        where = ""
    return ValueError(
        f"Source file {location!r} has a row with {found} fields{where}, but its header has "
        f"{expected} (delimiter {delimiter!r}). Quote values that contain the delimiter, or "
        "fix that line."
    )


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
