"""Access to the real local servers the tests use (PostgreSQL, RabbitMQ, Redis).

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
#: Celery broker (RabbitMQ) and result backend (Redis) of the Celery tests.
CELERY_BROKER = os.environ.get("SMOTE_TEST_CELERY_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
CELERY_BACKEND = os.environ.get("SMOTE_TEST_CELERY_BACKEND", "redis://127.0.0.1:6379/0")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: tests that need a local server must not be skipped)")
    pytest.skip(reason)


def require_celery_services(broker: str = CELERY_BROKER, backend: str = CELERY_BACKEND) -> None:
    """Skip (fail under ``CI=true``) unless the broker and the Redis backend answer."""
    import kombu
    import redis

    connection = kombu.Connection(broker, connect_timeout=3)
    try:
        connection.ensure_connection(max_retries=1)
    except Exception as error:  # kombu raises the transport's own errors
        _unavailable(f"No Celery broker (RabbitMQ) at {connection.as_uri()}: {error}")
    finally:
        connection.release()
    try:
        redis.Redis.from_url(backend, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        _unavailable(f"No Celery result backend (Redis) at {backend}: {error}")


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
