"""A pipeline spec: which data, which target, which options, which schedule."""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from smote_pipeline.core.ingest.dates import check_setting
from smote_pipeline.core.ingest.numbers import (
    AUTO,
    DECIMAL_SETTINGS,
    THOUSANDS_SETTINGS,
    NumberSettings,
)
from smote_pipeline.core.ingest.roles import USER_ROLES
from smote_pipeline.core.ingest.sources import Source
from smote_pipeline.core.options import PipelineOptions

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
DEFAULT_SCHEDULE = "0 3 * * *"


def spec_field(description: str, default: Any = MISSING, *, factory: Any = MISSING) -> Any:
    """Declare a field of :class:`PipelineSpec` with its one description (also the
    component's, :class:`~smote_pipeline.defs.component.SmotePipelineComponent`)."""
    return field(default=default, default_factory=factory, metadata={"description": description})


@dataclass(frozen=True)
class PipelineSpec:
    """Everything that defines one pipeline; the factory builds its assets from it
    (attributes below, one per field of a pipeline entry)."""

    name: str = spec_field(
        "asset-key prefix of the pipeline (letters, digits, underscores; starts with a letter)"
    )
    source: str = spec_field("`embedded:<name>`, a CSV/Parquet path or URL, or a database URL")
    target: str = spec_field("target column")
    positive_label: Any = spec_field("the target value of the positive (minority) class")
    group_column: str = spec_field(
        "column holding each row's entity (customer, patient, machine): every row of an "
        "entity stays on one side of the hold-out and of each cross-validation fold; not a "
        "feature unless `columns` gives it a role",
        "",
    )
    time_column: str = spec_field(
        "column holding each row's time: the hold-out is the latest `holdout_fraction` of the "
        "rows, cross-validation uses blocks of time; not a feature unless `columns` gives it "
        "a role",
        "",
    )
    options: PipelineOptions = spec_field(
        "tunable options (`PipelineOptions`); every one can still be overridden per run",
        factory=PipelineOptions,
    )
    schedule: str = spec_field(
        "cron string of the pipeline's schedule (created stopped)", DEFAULT_SCHEDULE
    )
    automation: str = spec_field(
        "`none`: runs start from the schedule and sensors (created stopped); `eager`: the "
        "training graph runs when the source changes, never past a failed blocking check, "
        "and new score batches are scored as they appear; `on_cron`: as `eager`, but at most "
        "once per tick of `schedule`",
        "none",
    )
    freshness: str = spec_field(
        "how old `promoted_model` (and the newest scored batch) may get before the UI marks "
        "it late: a duration such as `36h` or `30d`, or `none`; empty: three `schedule` "
        "periods with `on_cron`, 30 days with `eager`, none otherwise",
        "",
    )
    pool: str = spec_field(
        "Dagster concurrency pool of the heavy training steps (the race and the candidates); "
        "its limit (`dagster instance concurrency set <pool> 1`) keeps pipelines from "
        "training at once; empty: no pool",
        "smote_training",
    )
    mlflow_tracking_uri: str = spec_field(
        "MLflow tracking URI (`sqlite:///mlflow.db`, `http://host:5000`): each new champion "
        "is logged as an MLflow run and registered as a version of the model `<name>`, the "
        "promoted one under the alias `champion` (needs the `mlflow` extra); empty: off",
        "",
    )
    description: str = spec_field("shown in the Dagster UI", "")
    query: str = spec_field(
        "for a database source: a `SELECT` statement or a table name (`source` is then an "
        "SQLAlchemy URL)",
        "",
    )
    change_query: str = spec_field(
        "for a database source: a cheap query whose result changes when the data does "
        "(e.g. `SELECT max(updated_at) FROM t`); the source sensor runs it",
        "",
    )
    sensor_interval: int = spec_field("seconds between two checks of the source by its sensor", 60)
    columns: dict[str, str] = spec_field(
        "role overrides by column: `numeric`, `categorical`, `datetime` or `ignore`",
        factory=dict,
    )
    encoding: str = spec_field("text encoding of a CSV source", "utf-8")
    decimal: str = spec_field(
        "decimal mark of numbers written as text: `.` or `,` (quoted in YAML); `auto`: "
        "decided from the table's values, and a value that reads two ways (`1,234`) with "
        "nothing to tell which stops the run naming this field",
        AUTO,
    )
    thousands: str = spec_field(
        'thousands separator of numbers written as text: `,`, `.`, a space `" "`, an '
        'apostrophe `"\'"` or `none`; `auto`: any of them but the decimal mark',
        AUTO,
    )
    date_order: str = spec_field(
        "which of day and month comes first in dates written as text, in every column: "
        "`day_first` (31/01/2024) or `month_first` (01/31/2024); `auto`: decided per "
        "column from its values, and a column whose dates all read both ways (02/03/2024) "
        "stops the run naming this field",
        AUTO,
    )
    queues: dict[str, str] = spec_field(
        "Celery queue by strategy: the step `candidate__<strategy>` goes to that queue under "
        "the `celery` executor; other steps to the default queue `dagster`",
        factory=dict,
    )
    score_source: str = spec_field(
        "new rows to score with the promoted model: a folder of CSV/Parquet files (one batch "
        "per file), one file, or an SQLAlchemy URL with `score_query`; empty: no scoring",
        "",
    )
    score_query: str = spec_field(
        "for a database score source: a `SELECT` statement or a table name", ""
    )
    score_change_query: str = spec_field(
        "for a database score source: a cheap query whose result changes when a new batch "
        "is there (the score sensor's test)",
        "",
    )
    score_table: str = spec_field("for a database score source: also write the scores here", "")
    retrain_on_drift: bool = spec_field(
        "start the drift sensor running: a scored batch that fails a drift check then "
        "requests a run of the pipeline (a retraining)",
        False,
    )

    @property
    def data_source(self) -> Source:
        """The :class:`Source` this pipeline reads."""
        return Source(
            self.source, self.query, self.encoding, self.decimal, self.thousands, self.date_order
        )

    @property
    def scoring_source(self) -> Source | None:
        """The :class:`Source` of the batches to score, None when there is none."""
        if not self.score_source:
            return None
        return Source(
            self.score_source,
            self.score_query,
            self.encoding,
            self.decimal,
            self.thousands,
            self.date_order,
        )

    def __post_init__(self) -> None:
        if not NAME_PATTERN.match(self.name):
            raise ValueError(
                f"Pipeline name {self.name!r} is invalid: use letters, digits and underscores, "
                "starting with a letter (it becomes the asset-key prefix)."
            )
        for attribute in ("source", "target"):
            if not isinstance(getattr(self, attribute), str) or not getattr(self, attribute):
                raise ValueError(f"Pipeline {self.name!r}: `{attribute}` must be a non-empty text.")
        if self.positive_label is None or self.positive_label == "":
            raise ValueError(f"Pipeline {self.name!r}: `positive_label` is required.")
        if isinstance(self.sensor_interval, bool) or not isinstance(self.sensor_interval, int):
            raise ValueError(f"Pipeline {self.name!r}: `sensor_interval` must be whole seconds.")
        if self.sensor_interval < 1:
            raise ValueError(f"Pipeline {self.name!r}: `sensor_interval` must be at least 1.")
        if not isinstance(self.columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.columns.items()
        ):
            raise ValueError(
                f"Pipeline {self.name!r}: `columns` must map column names to roles, for "
                "example `columns: {id: ignore, created_at: datetime}`."
            )
        wrong = {c: r for c, r in self.columns.items() if r not in USER_ROLES}
        if wrong:
            raise ValueError(
                f"Pipeline {self.name!r}: `columns` gives unknown role(s) {wrong}; use one of "
                f"{list(USER_ROLES)}."
            )
        if not isinstance(self.encoding, str) or not _known_encoding(self.encoding):
            raise ValueError(
                f"Pipeline {self.name!r}: `encoding` {self.encoding!r} is not a text encoding "
                "Python knows (for example utf-8, latin-1, cp1252)."
            )
        self._check_numbers()
        self._check_queues()
        self._check_scoring()
        self._check_automation()
        if len(self.schedule.split()) != 5:
            raise ValueError(
                f"Pipeline {self.name!r}: schedule {self.schedule!r} is not a cron string "
                "of five fields (e.g. '0 3 * * *')."
            )

    def _check_numbers(self) -> None:
        for attribute, allowed in (
            ("decimal", DECIMAL_SETTINGS),
            ("thousands", THOUSANDS_SETTINGS),
        ):
            if not isinstance(getattr(self, attribute), str):
                raise ValueError(
                    f"Pipeline {self.name!r}: `{attribute}` must be one of {list(allowed)}, "
                    'written quoted (`decimal: ","`).'
                )
        try:
            NumberSettings(self.decimal, self.thousands)
            check_setting(self.date_order)
        except ValueError as error:
            raise ValueError(f"Pipeline {self.name!r}: {error}") from error

    def _check_queues(self) -> None:
        if not isinstance(self.queues, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in self.queues.items()
        ):
            raise ValueError(
                f"Pipeline {self.name!r}: `queues` must map strategy names to Celery queue "
                "names, for example `queues: {smote_bagging: heavy}`."
            )
        unknown = sorted(set(self.queues) - set(self.options.strategies))
        if unknown:
            raise ValueError(
                f"Pipeline {self.name!r}: `queues` names strategies {unknown} that are not "
                f"among its options.strategies {list(self.options.strategies)}."
            )

    def _check_automation(self) -> None:
        if self.automation not in AUTOMATIONS:
            raise ValueError(
                f"Pipeline {self.name!r}: `automation` {self.automation!r} is not one of "
                f"{list(AUTOMATIONS)}."
            )
        if self.freshness not in ("", "none") and freshness_seconds(self.freshness) is None:
            raise ValueError(
                f"Pipeline {self.name!r}: `freshness` {self.freshness!r} is not a duration: "
                "write a whole number and a unit, m, h, d or w (for example `36h` or `30d`), "
                "or `none`."
            )
        if self.pool and not _TABLE.match(self.pool):
            raise ValueError(
                f"Pipeline {self.name!r}: `pool` {self.pool!r} must be letters, digits and "
                "underscores (or empty for no pool)."
            )

    def _check_scoring(self) -> None:
        for attribute in ("score_source", "score_query", "score_change_query", "score_table"):
            if not isinstance(getattr(self, attribute), str):
                raise ValueError(f"Pipeline {self.name!r}: `{attribute}` must be a text.")
        if not isinstance(self.retrain_on_drift, bool):
            raise ValueError(f"Pipeline {self.name!r}: `retrain_on_drift` must be true or false.")
        if not self.score_source:
            extra = [a for a in ("score_query", "score_table") if getattr(self, a)]
            if extra or self.retrain_on_drift:
                named = extra or ["retrain_on_drift"]
                raise ValueError(
                    f"Pipeline {self.name!r}: {named} need a `score_source` (a folder or file "
                    "of rows to score, or a database URL)."
                )
        remote = bool(_URL.match(self.score_source)) and not self.score_source.startswith("file://")
        if remote and not self.score_query:
            raise ValueError(
                f"Pipeline {self.name!r}: `score_source` {self.score_source!r} is a URL: for a "
                "database, set `score_query` (a SELECT statement or a table name); remote "
                "folders are not read for scoring yet, so copy the files to a local folder."
            )
        if self.score_table and not self.score_query:
            raise ValueError(
                f"Pipeline {self.name!r}: `score_table` writes scores to the database of an SQL "
                "score source; set `score_query` too, or remove `score_table` (scores are "
                "always stored as Parquet)."
            )
        if self.score_table and not _TABLE.match(self.score_table):
            raise ValueError(
                f"Pipeline {self.name!r}: `score_table` {self.score_table!r} must be a plain "
                "table name (letters, digits, underscores)."
            )


_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: The values of ``automation``.
AUTOMATIONS = ("none", "eager", "on_cron")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def freshness_seconds(text: str) -> int | None:
    """Seconds of a duration such as ``36h`` or ``30d`` (units m, h, d, w); None when
    ``text`` is not one (or is not at least a minute)."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", str(text))
    if match is None or int(match.group(1)) < 1:
        return None
    return int(match.group(1)) * _UNITS[match.group(2)]


_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _readers(name: str) -> dict[str, Any]:
    """How each non-text field of the entry ``name`` is read (text: :func:`_text`)."""
    return {
        "positive_label": lambda v: v,
        "options": lambda v: _options(v, name),
        "sensor_interval": lambda v: v,
        "columns": lambda v: _column_roles(v or {}, name),
        "queues": lambda v: dict(v or {}),
        "retrain_on_drift": lambda v: _flag(v, name),
    }


def spec_from_mapping(entry: dict[str, Any]) -> PipelineSpec:
    """Build a spec from a plain mapping (a YAML entry or environment variables).

    Keys: the fields of :class:`PipelineSpec` (``options`` a mapping of
    :class:`PipelineOptions` fields); ``name``, ``source``, ``target`` and
    ``positive_label`` are required, the others take the spec's defaults.

    Raises
    ------
    ValueError
        Naming the entry and the missing or unknown field.
    """
    name = entry.get("name", "<unnamed>")
    declared = {f.name: f for f in fields(PipelineSpec)}
    unknown = sorted(set(entry) - set(declared))
    if unknown:
        raise ValueError(
            f"Pipeline {name!r}: unknown field(s) {unknown}; allowed: {sorted(declared)}."
        )
    required = [
        k for k, f in declared.items() if f.default is MISSING and f.default_factory is MISSING
    ]
    missing = [k for k in required if k not in entry]
    if missing:
        raise ValueError(f"Pipeline {name!r}: missing required field(s) {missing}.")
    readers = _readers(name)
    return PipelineSpec(**{k: readers.get(k, _text)(v) for k, v in entry.items() if k in declared})


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _options(value: Any, name: str) -> PipelineOptions:
    try:
        return PipelineOptions().updated(dict(value or {}))
    except ValueError as error:
        raise ValueError(f"Pipeline {name!r}: {error}") from error


def _flag(value: Any, name: str) -> bool:
    """A yes/no field, also from the text an environment variable holds."""
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    if isinstance(value, bool):
        return value
    raise ValueError(f"Pipeline {name!r}: `retrain_on_drift` must be true or false, not {value!r}.")


def _column_roles(value: Any, name: str) -> dict[str, str]:
    """``columns:`` as a mapping, or from the text form ``"id=ignore,created=datetime"``."""
    if isinstance(value, str):
        pairs = [p.split("=", 1) for p in value.split(",") if p.strip()]
        if any(len(p) != 2 for p in pairs):
            raise ValueError(
                f"Pipeline {name!r}: `columns` {value!r} must read like "
                "'id=ignore,created_at=datetime'."
            )
        return {k.strip(): v.strip() for k, v in pairs}
    if not isinstance(value, dict):
        raise ValueError(
            f"Pipeline {name!r}: `columns` must map column names to roles, for example "
            "`columns: {id: ignore, created_at: datetime}`."
        )
    return {str(k): str(v) for k, v in value.items()}


def _known_encoding(encoding: str) -> bool:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def demo_spec() -> PipelineSpec:
    """The embedded default pipeline: rare handwritten digits (see ``datasets``)."""
    from smote_pipeline.core.ingest.datasets import DIGITS_POSITIVE, DIGITS_TARGET

    return PipelineSpec(
        name="demo",
        source="embedded:rare_digits",
        target=DIGITS_TARGET,
        positive_label=DIGITS_POSITIVE,
        description="scikit-learn's digits; the rare class is 'a 0 or a 1' (two subpopulations).",
    )


PipelineSpec.__doc__ = (PipelineSpec.__doc__ or "") + (
    "\n\n    Attributes\n    ----------\n"
    + "".join(
        f"    {f.name} : {f.type}\n        {_sentence(f.metadata['description'])}\n"
        for f in fields(PipelineSpec)
    )
)
