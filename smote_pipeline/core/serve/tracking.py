"""Optional MLflow tracking of trained champions.

After a training run, :func:`track_versions` logs the newest :class:`ModelVersion` of a
pipeline's :class:`ModelRegistry` to an MLflow tracking store once: a run in the
experiment ``smote_pipeline/<pipeline>`` with the options as parameters, the
cross-validation and hold-out figures (with their 95% bounds) as metrics, the reports as
artifacts and the fitted model in MLflow's scikit-learn flavour, registered as a new
version of the registered model ``<pipeline>``. The alias ``champion`` follows the
promoted version, including a rollback (a pin to an older version).

Tracking never breaks a run: when ``mlflow`` is not installed, the store cannot be
reached or MLflow fails, the answer is a :class:`Tracked` with ``logged`` False and the
reason. Only :class:`mlflow.MlflowClient` is used, so MLflow's global tracking URI and
active run stay as the caller had them; ``mlflow`` is imported only when called.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.serve.promotion import ModelRegistry, ModelVersion

__all__ = [
    "CHAMPION_ALIAS",
    "EXPERIMENT_PREFIX",
    "FINGERPRINT_TAG",
    "VERSION_TAG",
    "Tracked",
    "experiment_name",
    "track_versions",
]

#: Experiments are named ``smote_pipeline/<pipeline>``.
EXPERIMENT_PREFIX = "smote_pipeline/"
#: Alias of the registered model's version that is promoted.
CHAMPION_ALIAS = "champion"
#: Tag (run and model version) holding our version number.
VERSION_TAG = "smote_pipeline_version"
#: Tag (run and model version) holding :attr:`ModelVersion.fingerprint`.
FINGERPRINT_TAG = "model_fingerprint"
#: Name of the logged model inside the run.
MODEL_NAME = "model"

#: HTTP limits while the store is first reached (an unreachable one fails fast), then
#: for the rest (artifact uploads); a limit the user set in the environment is kept.
FIRST_CONTACT = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1", "MLFLOW_HTTP_REQUEST_TIMEOUT": "5"}
LOGGING = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3", "MLFLOW_HTTP_REQUEST_TIMEOUT": "60"}
BACKOFF = {"MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1"}

#: MLflow's limits (``mlflow.utils.validation``), for the import-free parts.
MAX_PARAM_LENGTH = 6000
MAX_PARAMS_PER_BATCH = 100


@dataclass(frozen=True)
class Tracked:
    """What :func:`track_versions` did.

    Attributes
    ----------
    logged : bool
        Whether the newest version is in MLflow now (logged by this call or before).
    run_id : str or None
        The MLflow run of the newest version.
    run_url : str or None
        A link to that run: the tracking server's page for ``http(s)`` tracking URIs,
        otherwise the run's artifact URI.
    model_name : str or None
        The registered model (the pipeline's name).
    model_version : str or None
        The registered model's version holding the newest version.
    champion_version : str or None
        The registered model's version carrying the alias ``champion`` after the call.
    created : bool
        Whether this call created the run and the model version (False: found).
    experiment_id : str or None
        The experiment ``smote_pipeline/<pipeline>``.
    error : str or None
        Why nothing, or not everything, was logged.
    """

    logged: bool
    run_id: str | None = None
    run_url: str | None = None
    model_name: str | None = None
    model_version: str | None = None
    champion_version: str | None = None
    created: bool = False
    experiment_id: str | None = None
    error: str | None = None

    def text(self) -> str:
        """One line on what was tracked, or why not."""
        if not self.logged:
            return f"not tracked in MLflow: {self.error}"
        done = "logged" if self.created else "already logged"
        line = (
            f"{done} as run {self.run_id}, model {self.model_name} version "
            f"{self.model_version}; alias {CHAMPION_ALIAS} on version {self.champion_version}"
        )
        return line if self.error is None else f"{line} ({self.error})"


def experiment_name(pipeline: str) -> str:
    """The MLflow experiment of ``pipeline``."""
    return f"{EXPERIMENT_PREFIX}{pipeline}"


def track_versions(
    tracking_uri: str,
    pipeline: str,
    registry: ModelRegistry,
    evaluation: HoldoutEvaluation,
    options: PipelineOptions,
    documents: Mapping[str, str],
    input_example: pd.DataFrame,
) -> Tracked:
    """Log the newest version once and point the alias ``champion`` at the promoted one.

    Parameters
    ----------
    tracking_uri : str
        MLflow tracking (and registry) URI: a server (``http(s)://...``) or a database
        (``sqlite:///path/mlflow.db``: artifacts then go to ``mlartifacts/`` beside it).
    pipeline : str
        The pipeline's name: the experiment ``smote_pipeline/<pipeline>`` and the
        registered model ``<pipeline>``.
    registry : ModelRegistry
        ``registry.latest`` is logged, ``registry.promoted`` gets the alias.
    evaluation : HoldoutEvaluation
        The hold-out evaluation of the run that trained ``registry.latest``.
    options : PipelineOptions
        That run's options (the run's parameters).
    documents : mapping of str to str
        File name -> text (markdown reports), logged as the run's artifacts.
    input_example : pandas.DataFrame
        A few rows of the model's input features, for the model's signature (the rows
        themselves are not stored).

    Returns
    -------
    Tracked
        ``logged`` False with ``error`` when ``mlflow`` is missing, the store cannot be
        reached or MLflow fails; this function does not raise.
    """
    try:
        import mlflow  # noqa: F401
    except Exception as error:  # not installed (ImportError), or a broken installation
        reason = f"mlflow cannot be imported ({_reason(error)}); install smote_pipeline[mlflow]"
        return Tracked(logged=False, error=reason)
    failed = f"MLflow tracking at {_shown_uri(tracking_uri)} failed"
    training = _Training(evaluation, options, documents, input_example)
    try:
        with _http_limits(FIRST_CONTACT):
            client, experiment_id = _open(tracking_uri, pipeline)
        with _http_limits(LOGGING):
            tracked = _log_latest(client, experiment_id, pipeline, registry, training)
    except Exception as error:  # tracking must never break a training run
        return Tracked(logged=False, error=f"{failed}: {_reason(error)}")
    tracked = replace(tracked, run_url=_run_url(tracking_uri, tracked))
    try:
        with _http_limits(LOGGING):
            return _move_alias(client, tracked, registry)
    except Exception as error:
        reason = f"{failed} to move the alias {CHAMPION_ALIAS}: {_reason(error)}"
        return replace(tracked, error=reason)


def _reason(error: BaseException) -> str:
    """The error's type and first lines, short enough for a log line."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:500]}"


def _shown_uri(uri: str) -> str:
    """``uri`` without a password, for messages."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@contextlib.contextmanager
def _http_limits(limits: Mapping[str, str]) -> Iterator[None]:
    """Bound MLflow's HTTP retries and timeouts (environment variables it reads per
    request) where the user set none; the environment is restored afterwards."""
    wanted = {**limits, **BACKOFF}
    added = {name: value for name, value in wanted.items() if name not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for name, value in added.items():
            if os.environ.get(name) == value:
                del os.environ[name]


def _open(tracking_uri: str, pipeline: str) -> tuple[Any, str]:
    """A client of ``tracking_uri`` and the id of the pipeline's experiment (created
    when missing)."""
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    name = experiment_name(pipeline)
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return client, experiment.experiment_id
    location = _artifact_location(tracking_uri, pipeline)
    return client, client.create_experiment(name, artifact_location=location)


def _artifact_location(tracking_uri: str, pipeline: str) -> str | None:
    """Beside a SQLite database file, ``mlartifacts/<pipeline>`` (MLflow's default would
    be ``./mlruns`` in whatever the working directory is); None: the store decides."""
    if not tracking_uri.startswith("sqlite:///"):
        return None
    database = tracking_uri.removeprefix("sqlite:///").split("?")[0]
    if database in ("", ":memory:"):
        return None
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", pipeline)
    return (Path(database).resolve().parent / "mlartifacts" / safe).as_uri()


def _run_url(tracking_uri: str, tracked: Tracked) -> str | None:
    """The server's page of the run, or the run's artifact URI (see :class:`Tracked`)."""
    if tracking_uri.startswith(("http://", "https://")):
        base = _shown_uri(tracking_uri).rstrip("/")
        return f"{base}/#/experiments/{tracked.experiment_id}/runs/{tracked.run_id}"
    return tracked.run_url


def _version_filter(pipeline: str, version: ModelVersion) -> str:
    """Search filter of the registered model versions holding ``version``."""
    return (
        f"name = {_quoted(pipeline)} and tags.{VERSION_TAG} = '{version.version}' "
        f"and tags.{FINGERPRINT_TAG} = '{version.fingerprint}'"
    )


def _quoted(text: str) -> str:
    """A string literal of MLflow's search syntax."""
    return f'"{text}"' if "'" in text else f"'{text}'"


def _find_version(client: Any, pipeline: str, version: ModelVersion) -> Any | None:
    """The registered model version holding ``version`` (the newest such), or None."""
    found = client.search_model_versions(_version_filter(pipeline, version))
    return max(found, key=lambda v: int(v.version), default=None)


@dataclass(frozen=True)
class _Training:
    """What the run that trained the newest version gives besides the registry."""

    evaluation: HoldoutEvaluation
    options: PipelineOptions
    documents: Mapping[str, str]
    example: pd.DataFrame


def _log_latest(
    client: Any, experiment_id: str, pipeline: str, registry: ModelRegistry, training: _Training
) -> Tracked:
    """Log ``registry.latest`` as a run and a registered model version, unless a model
    version already holds it (same number and fingerprint)."""
    latest = registry.latest
    known = _find_version(client, pipeline, latest)
    if known is not None:
        run = client.get_run(known.run_id)
        return _tracked(experiment_id, pipeline, run, known, created=False)
    tags = _run_tags(pipeline, registry)
    run = client.create_run(experiment_id, tags=tags, run_name=f"{pipeline} v{latest.version}")
    run_id = run.info.run_id
    try:
        _log_params(client, run_id, _flat_params(training.options.to_dict()))
        _log_documents(client, run_id, training.documents)
        logged = _log_model(client, experiment_id, run_id, latest, training.example)
        _log_metrics(client, run_id, logged.model_id, _metrics(latest, training.evaluation))
        version = _register(client, pipeline, run_id, logged, latest)
    except Exception:
        client.set_terminated(run_id, status="FAILED")
        raise
    client.set_terminated(run_id, status="FINISHED")
    return _tracked(experiment_id, pipeline, client.get_run(run_id), version, created=True)


def _tracked(experiment_id: str, pipeline: str, run: Any, version: Any, created: bool) -> Tracked:
    return Tracked(
        logged=True,
        run_id=run.info.run_id,
        run_url=run.info.artifact_uri,
        model_name=pipeline,
        model_version=str(version.version),
        created=created,
        experiment_id=str(experiment_id),
    )


def _run_tags(pipeline: str, registry: ModelRegistry) -> dict[str, str]:
    latest = registry.latest
    return {
        "pipeline": pipeline,
        VERSION_TAG: str(latest.version),
        "strategy": latest.strategy,
        "cv_metric": latest.cv_metric,
        "training_fingerprint": latest.training_fingerprint,
        FINGERPRINT_TAG: latest.fingerprint,
        "promoted": str(registry.promoted == latest.version).lower(),
        "promotion_decision": registry.decision[:MAX_PARAM_LENGTH],
    }


def _flat_params(options: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Options as MLflow parameters: nested mappings flattened with dots, values as
    text (lists and None as JSON) cut to MLflow's length limit."""
    params: dict[str, str] = {}
    for key, value in options.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            params.update(_flat_params(value, f"{name}."))
            continue
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        params[name] = text[:MAX_PARAM_LENGTH]
    return params


def _log_params(client: Any, run_id: str, params: Mapping[str, str]) -> None:
    from mlflow.entities import Param

    entries = [Param(key, value) for key, value in params.items()]
    for start in range(0, len(entries), MAX_PARAMS_PER_BATCH):
        client.log_batch(run_id, params=entries[start : start + MAX_PARAMS_PER_BATCH])


def _metrics(latest: ModelVersion, evaluation: HoldoutEvaluation) -> dict[str, float]:
    """CV score, threshold, and the champion's hold-out figures (with their bounds) as
    far as ``evaluation`` holds them (``holdout_`` + the record's key)."""
    figures = {
        "cv_score": latest.cv_score,
        "threshold": latest.threshold,
        "holdout_average_precision": latest.holdout_average_precision,
        "holdout_rows": latest.holdout_rows,
        "holdout_positives": evaluation.holdout_positives,
    }
    record = next((m for m in evaluation.metrics if m.get("strategy") == latest.strategy), {})
    for key, value in record.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            figures.setdefault(key if key.startswith("cv_") else f"holdout_{key}", value)
    figures.pop("holdout_threshold", None)
    return {key: float(value) for key, value in figures.items()}


def _log_metrics(client: Any, run_id: str, model_id: str, metrics: Mapping[str, float]) -> None:
    """The metrics of the run, linked to its logged model."""
    from mlflow.entities import Metric

    now = int(time.time() * 1000)
    entries = [Metric(key, value, now, 0, model_id=model_id) for key, value in metrics.items()]
    client.log_batch(run_id, metrics=entries)


def _log_documents(client: Any, run_id: str, documents: Mapping[str, str]) -> None:
    """Each document as a file at the run's artifact root (its base name only)."""
    if not documents:
        return
    with tempfile.TemporaryDirectory() as folder:
        for name, text in documents.items():
            Path(folder, Path(name).name).write_text(text, encoding="utf-8")
        client.log_artifacts(run_id, folder)


def _log_model(
    client: Any, experiment_id: str, run_id: str, version: ModelVersion, example: pd.DataFrame
) -> Any:
    """The model as an MLflow logged model of the run (scikit-learn flavour, skops
    format, signature from ``example`` and its predicted probabilities)."""
    from mlflow.entities import LoggedModelOutput, LoggedModelStatus

    tags = {VERSION_TAG: str(version.version), FINGERPRINT_TAG: version.fingerprint}
    logged = client.create_logged_model(
        experiment_id, name=MODEL_NAME, source_run_id=run_id, tags=tags, model_type="sklearn"
    )
    try:
        client.log_outputs(run_id, [LoggedModelOutput(logged.model_id, step=0)])
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder, MODEL_NAME))
            _save_model(version.model, path, logged, run_id, example)
            client.log_model_artifacts(logged.model_id, path)
    except Exception:
        client.finalize_logged_model(logged.model_id, LoggedModelStatus.FAILED)
        raise
    return client.finalize_logged_model(logged.model_id, LoggedModelStatus.READY)


def _save_model(model: Any, path: str, logged: Any, run_id: str, example: pd.DataFrame) -> None:
    """Write the MLflow model folder (pyfunc predicts probabilities)."""
    import mlflow.sklearn
    import skops.io
    from mlflow.models import Model, infer_signature

    trusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    mlflow_model = Model(
        artifact_path=logged.artifact_location,
        model_uuid=logged.model_id,
        run_id=run_id,
        model_id=logged.model_id,
    )
    mlflow.sklearn.save_model(
        model,
        path,
        mlflow_model=mlflow_model,
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS,
        skops_trusted_types=trusted,
        signature=infer_signature(example, model.predict_proba(example)),
        pip_requirements=_requirements(trusted),
        pyfunc_predict_fn="predict_proba",
    )


def _requirements(types: list[str]) -> list[str]:
    """MLflow's scikit-learn requirements plus the distributions of the model's other
    types (given without inferring them, which would load the model in a subprocess)."""
    import mlflow.sklearn

    needed = mlflow.sklearn.get_default_pip_requirements(include_skops=True)
    distributions = {"imblearn": "imbalanced-learn", "smote_pipeline": "smote_pipeline"}
    roots = {name.split(".")[0] for name in types}
    for root, distribution in distributions.items():
        if root in roots:
            with contextlib.suppress(importlib.metadata.PackageNotFoundError):
                needed.append(f"{distribution}=={importlib.metadata.version(distribution)}")
    return needed


def _register(client: Any, pipeline: str, run_id: str, logged: Any, version: ModelVersion) -> Any:
    """A new version of the registered model ``pipeline`` (created when missing), whose
    source is the logged model's artifact location: a ``models:/<model_id>`` source would
    be resolved by a local store through MLflow's global tracking URI, not this client's."""
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import RESOURCE_ALREADY_EXISTS, ErrorCode

    try:
        client.create_registered_model(
            pipeline, description=f"Champions of the smote_pipeline pipeline {pipeline}."
        )
    except MlflowException as error:
        if error.error_code != ErrorCode.Name(RESOURCE_ALREADY_EXISTS):
            raise
    tags = {
        VERSION_TAG: str(version.version),
        FINGERPRINT_TAG: version.fingerprint,
        "strategy": version.strategy,
    }
    return client.create_model_version(
        pipeline,
        source=logged.artifact_location,
        run_id=run_id,
        tags=tags,
        model_id=logged.model_id,
        await_creation_for=60,
    )


def _move_alias(client: Any, tracked: Tracked, registry: ModelRegistry) -> Tracked:
    """Point ``champion`` at the model version holding ``registry.promoted``; when that
    version was never logged, leave the alias and say so."""
    name = tracked.model_name
    aliases = client.get_registered_model(name).aliases
    current = aliases.get(CHAMPION_ALIAS)
    current = None if current is None else str(current)
    promoted = registry.promoted_version
    found = _find_version(client, name, promoted)
    if found is None:
        where = "is on no version" if current is None else f"stays on version {current}"
        error = (
            f"promoted version {promoted.version} was never logged to MLflow (it predates "
            f"tracking), so the alias {CHAMPION_ALIAS} {where}"
        )
        return replace(tracked, champion_version=current, error=error)
    if str(found.version) != current:
        client.set_registered_model_alias(name, CHAMPION_ALIAS, str(found.version))
    return replace(tracked, champion_version=str(found.version))
