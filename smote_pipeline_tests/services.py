"""Access to the real local servers the tests use (PostgreSQL).

A test that needs a server skips with a reason when none answers, except under
``CI=true``, where it fails: CI must not pass by skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGRES_HOST = os.environ.get("SMOTE_TEST_PG_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("SMOTE_TEST_PG_PORT", "5432"))
POSTGRES_USER = os.environ.get("SMOTE_TEST_PG_USER", "postgres")
POSTGRES_ADMIN_DB = os.environ.get("SMOTE_TEST_PG_DB", "test")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: tests that need PostgreSQL must not be skipped)")
    pytest.skip(reason)


def postgres_url(database: str) -> str:
    """SQLAlchemy URL of ``database`` on the test server."""
    return f"postgresql+psycopg://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{database}"


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create a uniquely named database, yield its name, drop it afterwards."""
    import psycopg

    try:
        admin = psycopg.connect(
            host=POSTGRES_HOST,
            port=POSTGRES_PORT,
            user=POSTGRES_USER,
            dbname=POSTGRES_ADMIN_DB,
            connect_timeout=3,
            autocommit=True,
        )
    except psycopg.OperationalError as error:
        _unavailable(f"No PostgreSQL server at {POSTGRES_HOST}:{POSTGRES_PORT}: {error}")
    name = f"smote_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
