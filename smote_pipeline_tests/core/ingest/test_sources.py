from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import create_engine

from smote_pipeline.core.ingest.numbers import NumberSettings
from smote_pipeline.core.ingest.roles import decide_roles, number_format
from smote_pipeline.core.ingest.sources import (
    Source,
    describe,
    fingerprint,
    is_transient,
    read_source,
)
from smote_pipeline_tests.services import fresh_postgres_database, postgres_url


def test_folder_of_parquet_files_is_one_dataset(tmp_path, frame):
    folder = tmp_path / "parts"
    folder.mkdir()
    frame.iloc[:100].to_parquet(folder / "part-0.parquet", index=False)
    frame.iloc[100:].to_parquet(folder / "part-1.parquet", index=False)
    read = read_source(str(folder))
    assert len(read) == len(frame)
    assert sorted(read["a"]) == sorted(frame["a"])


def test_fsspec_url(tmp_path, frame):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    assert len(read_source(f"file://{path}")) == len(frame)
    import fsspec

    with fsspec.open("memory://bucket/data.csv", "w") as stream:
        frame.to_csv(stream, index=False)
    assert len(read_source("memory://bucket/data.csv")) == len(frame)


def test_fingerprint_changes_with_content(tmp_path, frame):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    before = fingerprint(Source(str(path)))
    assert fingerprint(Source(str(path))) == before
    frame.iloc[:-1].to_csv(path, index=False)
    assert fingerprint(Source(str(path))) != before
    assert fingerprint(Source("embedded:rare_digits")) == "embedded:rare_digits"


def test_transient_errors():
    assert is_transient(TimeoutError())
    assert is_transient(OSError("connection reset"))
    assert not is_transient(FileNotFoundError())
    assert not is_transient(ValueError())


@pytest.fixture
def database():
    with fresh_postgres_database() as name:
        yield name


def test_sql_table_and_query_from_postgres(database, frame):
    url = postgres_url(database)
    engine = create_engine(url)
    frame.assign(updated=pd.Timestamp("2026-01-01")).to_sql("rows", engine, index=False)
    by_table = read_source(Source(url, "rows"))
    assert len(by_table) == len(frame)
    by_query = read_source(Source(url, "SELECT a, b, c, label FROM rows WHERE label = 'yes'"))
    assert len(by_query) == 30 and set(by_query.columns) == {"a", "b", "c", "label"}
    change = "SELECT max(updated) FROM rows"
    before = fingerprint(Source(url, "rows"), change)
    pd.DataFrame({"updated": [pd.Timestamp("2026-02-01")]}).to_sql(
        "rows", engine, index=False, if_exists="append"
    )
    assert fingerprint(Source(url, "rows"), change) != before
    assert "rows" in describe(Source(url, "rows"))
    engine.dispose()


def test_latin1_file_read_as_utf8_names_file_line_and_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,n\ntea,1\ncafé,2\n".encode("latin-1"))
    expected = r"latin\.csv.*not valid UTF-8.*byte 0xe9 on line 3"
    with pytest.raises(ValueError, match=expected) as info:
        read_source(str(path))
    assert "`encoding:`" in str(info.value) and "encoding: latin-1" in str(info.value)


def test_latin1_file_reads_with_its_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,n\ntea,1\ncafé,2\n".encode("latin-1"))
    read = read_source(Source(str(path), encoding="latin-1"))
    assert list(read["name"]) == ["tea", "café"]
    assert list(read["n"]) == [1, 2]


def test_semicolon_delimited_file_reads_into_its_columns(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("a;b;label\n1,5;2;yes\n3;4;no\n")
    read = read_source(str(path))
    assert list(read.columns) == ["a", "b", "label"]
    assert list(read["a"]) == ["1,5", "3"]
    assert list(read["label"]) == ["yes", "no"]


def test_tab_delimited_file_reads_into_its_columns(tmp_path):
    path = tmp_path / "tabs.csv"
    path.write_text("a\tb\tlabel\n1\t2\tyes\n3\t4\tno\n")
    read = read_source(str(path))
    assert list(read.columns) == ["a", "b", "label"]
    assert list(read["b"]) == [2, 4]


def test_ragged_file_names_line_and_field_counts(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n6,7\n")
    with pytest.raises(
        ValueError, match=r"ragged\.csv.*3 fields on line 3, but its header has 2"
    ) as info:
        read_source(str(path))
    assert "Quote values that contain the delimiter, or fix that line" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)


def test_duplicate_csv_headers_are_named(tmp_path):
    path = tmp_path / "dups.csv"
    path.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(
        ValueError, match=r"dups\.csv.*duplicate column names: 'a' \(columns 1, 3\)"
    ) as info:
        read_source(str(path))
    assert "rename them so every column has its own name" in str(info.value).lower()


def test_empty_index_header_cell_stays_a_column(tmp_path, frame):
    path = tmp_path / "indexed.csv"
    frame.to_csv(path, index=True)
    assert list(read_source(str(path)).columns) == ["", *frame.columns]


def test_duplicate_sql_columns_are_named(tmp_path):
    url = f"sqlite:///{tmp_path / 'rows.db'}"
    engine = create_engine(url)
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_sql("t", engine, index=False)
    engine.dispose()
    with pytest.raises(ValueError, match=r"SELECT a, b, a AS a FROM t.*'a' \(columns 1, 3\)"):
        read_source(Source(url, "SELECT a, b, a AS a FROM t"))


def test_duplicate_parquet_columns_are_named(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(pa.table([[1], [2], [3]], names=["x", "y", "x"]), folder / "part-0.parquet")
    for location in (folder / "part-0.parquet", folder):
        with pytest.raises(ValueError, match=r"duplicate column names: 'x' \(columns 1, 3\)"):
            read_source(str(location))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("sep", [",", ";"])
def test_a_file_with_a_byte_order_mark_reads_in_its_encoding(tmp_path, frame, encoding, sep):
    """Excel and Windows tools save UTF-16 with a mark; the default setting reads it."""
    written = frame.assign(city=["Zürich", "Genève", "Köln"] * 110)
    path = tmp_path / "exported.csv"
    written.to_csv(path, index=False, encoding=encoding, sep=sep)
    table = read_source(str(path))
    assert list(table.columns) == list(written.columns)
    assert table["city"].tolist() == written["city"].tolist()
    pd.testing.assert_series_equal(table["a"], written["a"], check_exact=False)


def test_utf16_without_a_mark_names_the_encoding_to_set(tmp_path, frame):
    path = tmp_path / "no_mark.csv"
    path.write_bytes(frame.to_csv(index=False).encode("utf-16-le"))
    with pytest.raises(ValueError, match=r"'.*no_mark.csv' is not UTF-8.*`encoding: utf-16-le`"):
        read_source(str(path))
    assert read_source(Source(str(path), encoding="utf-16-le"))["label"].eq("yes").sum() == 30


def test_a_csv_file_leaves_its_delimiter_and_number_settings_for_ingestion(tmp_path, frame):
    path = tmp_path / "semicolons.csv"
    frame.to_csv(path, index=False, sep=";")
    settings = NumberSettings.from_attrs(read_source(str(path)).attrs)
    assert settings == NumberSettings("auto", "auto", ";")
    given = read_source(Source(str(path), decimal=",", thousands=" ")).attrs
    assert NumberSettings.from_attrs(given) == NumberSettings(",", " ", ";")
    with pytest.raises(ValueError, match=r"`decimal` 'x' is not one of"):
        read_source(Source(str(path), decimal="x"))
    assert read_source(str(path)).attrs["date_order"] == "auto"
    assert read_source(Source(str(path), date_order="day_first")).attrs["date_order"] == "day_first"
    with pytest.raises(ValueError, match=r"`date_order` 'dmy' is not one of"):
        read_source(Source(str(path), date_order="dmy"))


def test_a_decimal_comma_setting_reads_the_file_with_commas(tmp_path):
    """pyarrow would read `1.234` as a decimal; with `decimal: ","` it is 1234."""
    path = tmp_path / "german.csv"
    path.write_text("ratio;amount;label\n0,908;1.234;yes\n0,5;12.345;no\n1,25;7;no\n")
    auto = read_source(str(path))
    assert auto["amount"].tolist() == [1.234, 12.345, 7.0]  # as pyarrow reads it: kept,
    (warning,) = number_format(auto, "label").warnings  # with a warning naming the fix
    assert "1.234 in 'amount'" in warning and '`decimal: ","`' in warning
    table = read_source(Source(str(path), decimal=","))
    assert table["ratio"].tolist() == [0.908, 0.5, 1.25]
    _, out = decide_roles(table, "label")
    assert out["amount"].tolist() == [1234.0, 12345.0, 7.0]
    assert read_source(Source(str(path), thousands="."))["ratio"].tolist() == [0.908, 0.5, 1.25]
