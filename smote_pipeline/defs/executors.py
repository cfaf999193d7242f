"""Where steps run: one process, one process per step, or Celery workers.

The executor is a setting of the whole code location, read from the
environment (``SMOTE_PIPELINE_EXECUTOR``, and for Celery
``SMOTE_PIPELINE_CELERY_BROKER`` / ``SMOTE_PIPELINE_CELERY_BACKEND``) or from
the ``executor:`` mapping at the top of the pipelines file:

``in_process`` (default)
    Every step of a run in the run's process, one after the other; a step
    fits its cross-validation folds on every core (``cv_n_jobs``).
``multiprocess``
    One process per step, up to ``max_concurrent`` at once: the strategies'
    candidate assets run side by side.
``celery``
    Dagster's ``celery_executor`` (the ``smote_pipeline[celery]`` extra):
    every step is a Celery task on the ``broker``, its result on the
    ``backend``. Workers (``celery -A dagster_celery.app worker -Q dagster``)
    need the same code, environment variables and storage folder, and the
    instance must be shared (PostgreSQL). Steps go to the ``queue``
    (``SMOTE_PIPELINE_CELERY_QUEUE``, default ``dagster``), so deployments that
    share a broker keep their steps apart; a strategy is sent to its own queue
    with the spec's ``queues:`` mapping (the ``dagster-celery/queue`` tag).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg

__all__ = ["EXECUTORS", "ExecutorSetting", "executor_definition", "executor_setting"]

EXECUTOR_ENV = "SMOTE_PIPELINE_EXECUTOR"
BROKER_ENV = "SMOTE_PIPELINE_CELERY_BROKER"
BACKEND_ENV = "SMOTE_PIPELINE_CELERY_BACKEND"
QUEUE_ENV = "SMOTE_PIPELINE_CELERY_QUEUE"
EXECUTORS = ("in_process", "multiprocess", "celery")

#: Broker and result backend of the local RabbitMQ and Redis.
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_BACKEND = "redis://127.0.0.1:6379/0"
#: dagster-celery's queue: steps without a ``queues:`` entry go there.
DEFAULT_QUEUE = "dagster"


@dataclass(frozen=True)
class ExecutorSetting:
    """Which executor runs the steps, and its connection settings.

    Attributes
    ----------
    name : str
        One of :data:`EXECUTORS`.
    broker, backend : str
        Celery broker and result backend URLs (``celery`` only).
    queue : str
        Celery queue of the steps the spec's ``queues:`` does not route
        (``celery`` only); the workers listen on it (``-Q``).
    max_concurrent : int or None
        Steps at once under ``multiprocess`` (None: one per core).
    """

    name: str = "in_process"
    broker: str = DEFAULT_BROKER
    backend: str = DEFAULT_BACKEND
    queue: str = DEFAULT_QUEUE
    max_concurrent: int | None = None

    def __post_init__(self) -> None:
        if self.name not in EXECUTORS:
            raise ValueError(
                f"executor {self.name!r} is not one of {list(EXECUTORS)}: set "
                f"{EXECUTOR_ENV} or `executor: {{name: ...}}` in the pipelines file to one "
                "of them."
            )


def executor_setting(
    document: Mapping[str, Any] | None = None, environ: Mapping[str, str] = os.environ
) -> ExecutorSetting:
    """The setting from ``environ`` (wins) or a pipelines file's ``executor:`` mapping.

    Raises
    ------
    ValueError
        An unknown executor name or field, naming the fix.
    """
    given = dict((document or {}).get("executor") or {})
    unknown = sorted(set(given) - {"name", "broker", "backend", "queue", "max_concurrent"})
    if unknown:
        raise ValueError(
            f"`executor:` has unknown field(s) {unknown}; allowed: name, broker, backend, "
            "queue, max_concurrent."
        )
    for field_name, env in (
        ("name", EXECUTOR_ENV),
        ("broker", BROKER_ENV),
        ("backend", BACKEND_ENV),
        ("queue", QUEUE_ENV),
    ):
        if environ.get(env):
            given[field_name] = environ[env]
    return ExecutorSetting(**given)


def executor_definition(setting: ExecutorSetting) -> dg.ExecutorDefinition:
    """The Dagster executor of ``setting``.

    Raises
    ------
    ImportError
        ``celery`` without the ``smote_pipeline[celery]`` extra installed.
    """
    if setting.name == "in_process":
        return dg.in_process_executor
    if setting.name == "multiprocess":
        config = (
            {} if setting.max_concurrent is None else {"max_concurrent": setting.max_concurrent}
        )
        return dg.multiprocess_executor.configured(config)
    try:
        from dagster_celery import celery_executor
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            "executor 'celery' needs dagster-celery: pip install 'smote_pipeline[celery]'."
        ) from error
    return celery_executor.configured(
        {
            "broker": setting.broker,
            "backend": setting.backend,
            "config_source": {"task_default_queue": setting.queue},
        }
    )
