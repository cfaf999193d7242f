from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import create_engine

from smote_pipeline.core.sources import Source, describe, fingerprint, is_transient, read_source
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
