"""Column roles: what each source column is, decided on purpose and shown.

Every column other than the target gets one role at ingestion:

========================  =====================================================
role                      rule (first that applies; an override in the spec's
                          ``columns:`` mapping wins)
========================  =====================================================
``unsupported``           lists, mappings, arrays or bytes: excluded
``datetime``              a date/time dtype, or text that is entirely dates
                          (``2024-01-31``, ``2024-01-31 10:00``, ``31/01/2024``,
                          ``01/31/2024 10:30``, ``31.01.2024``): expanded into
                          numeric parts, day and month in the column's order
``constant``              a single value (missing counts as a value): excluded
``text``                  text with at least half its values distinct and three
                          or more words on average (free text): excluded
``identifier``            the name says so (``id``, ``*_id``, ``index``, an empty
                          or ``Unnamed: 0`` header) and at least 95% of values
                          are distinct; or integers, all distinct, forming a
                          contiguous run (a row number); or text with at least
                          95% distinct values: excluded
``numeric``               numbers, also numbers written as text (``"4,534.50"``,
                          ``"1.234,50"``, ``"0,908"``, with missing markers such
                          as ``?`` or ``NA``) in the table's number format
                          (:mod:`~smote_pipeline.core.ingest.numbers`), with at
                          most 5% of the values, spelled at most 5 ways, not
                          numbers (read as missing, counted in the role); and
                          decimals
``categorical``           everything else (text, booleans); missing markers
                          become missing values
========================  =====================================================

The number format (decimal mark, thousands separators) is decided once for the
table, from all its text columns (:func:`number_format`), and kept in every
numeric role, so that a batch scored later is read the same way
(:func:`convert_column`).

Which of day and month comes first in a date column's text (``31/01/2024`` or
``01/31/2024``) is decided per column from its values, unless the spec's
``date_order:`` sets it (:mod:`~smote_pipeline.core.ingest.dates`); a column whose
values all read both ways, or that mixes both orders, stops the step naming it. The
order is kept in the column's role, so a batch scored later is read the same way.

A ``datetime`` column becomes ``<name>__year``, ``__month``, ``__day``,
``__weekday`` (0 = Monday) and, when any value has a time of day,
``__hour``; parts that do not vary are left out. Time-zone-aware values
are read in UTC. Missing dates stay missing in every part.

Excluded columns (``ignore``, ``identifier``, ``constant``, ``text``,
``unsupported``) are dropped before anything else sees the data, so they
never reach a model or a synthetic row.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.ingest.dates import (
    AUTO,
    LOOKS_LIKE_DATE,
    DateOrder,
    read_dates,
    setting_of,
)
from smote_pipeline.core.ingest.numbers import (
    SAMPLE,
    NumberFormat,
    NumberReading,
    NumberSettings,
    decide_format,
    read_numbers,
)

__all__ = [
    "EXCLUDED_ROLES",
    "MISSING_MARKERS",
    "ROLES",
    "USER_ROLES",
    "ColumnRole",
    "convert_column",
    "decide_roles",
    "number_format",
    "roles_table",
]

#: Roles a user may give a column in the spec's ``columns:`` mapping.
USER_ROLES: tuple[str, ...] = ("numeric", "categorical", "datetime", "ignore")
#: Roles whose columns are dropped.
EXCLUDED_ROLES: tuple[str, ...] = ("ignore", "identifier", "constant", "text", "unsupported")
ROLES: tuple[str, ...] = ("numeric", "categorical", "datetime", *EXCLUDED_ROLES)

#: Text values read as missing in text columns (compared after trimming spaces).
MISSING_MARKERS: frozenset[str] = frozenset(
    {"", "?", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "Null", "None", "<null>"}
)

#: Share of distinct values from which a column counts as an identifier.
IDENTIFIER_SHARE = 0.95
#: Free text: at least this share of distinct values ...
TEXT_SHARE = 0.5
#: ... and at least this many words per value on average.
TEXT_WORDS = 3.0
#: Values inspected to recognise a column's kind (all rows are converted).
_SAMPLE = 1000

_ID_NAME = re.compile(
    r"^(|id|ids|idx|index|key|uuid|guid|unnamed: ?\d+|.*[_\s-](id|idx|key|uuid))$"
)
_DATE_PARTS = ("year", "month", "day", "weekday", "hour")


@dataclass(frozen=True)
class ColumnRole:
    """The decision for one source column.

    Attributes
    ----------
    column : str
        Source column name.
    role : str
        One of :data:`ROLES`.
    reason : str
        Why (the rule that applied, or "set in the spec").
    source_dtype : str
        The dtype as read.
    missing : int
        Missing values after missing markers are parsed.
    distinct : int
        Distinct non-missing values.
    becomes : tuple of str
        The feature columns it becomes (empty when excluded).
    non_numbers : int
        Numeric: cells that are not numbers, read as missing (counted in ``missing``).
    non_number_examples : tuple of str
        Numeric: the first few of those values.
    decimal : str
        Numeric: the table's decimal mark, with which text is read as numbers (also in
        a batch scored later); empty for other roles, and in roles stored before it was
        kept (read as ``.``, with ``,`` separating thousands).
    thousands : str
        Numeric: the thousands separators accepted with ``decimal`` (empty: none).
    date_order : str
        Datetime: ``day_first`` or ``month_first``, the order day and month were read in
        (also in a batch scored later), or ``none`` when no value needed one (ISO dates, a
        date type); empty for other roles, and in roles stored before it was kept (read
        as day first, as dates were then).
    """

    column: str
    role: str
    reason: str
    source_dtype: str
    missing: int
    distinct: int
    becomes: tuple[str, ...] = ()
    non_numbers: int = 0
    non_number_examples: tuple[str, ...] = ()
    decimal: str = ""
    thousands: str = ""
    date_order: str = ""

    @property
    def excluded(self) -> bool:
        """Whether the column is dropped."""
        return self.role in EXCLUDED_ROLES


def _distinct(values: pd.Series) -> int:
    """Distinct non-missing values (unhashable values are compared as text)."""
    try:
        return int(values.nunique())
    except TypeError:
        return int(values.dropna().astype(str).nunique())


def _first_values(values: pd.Series) -> list[Any]:
    present = values.dropna()
    return present.iloc[:_SAMPLE].tolist()


def is_text(values: pd.Series) -> bool:
    """Whether ``values`` are held as text (object or string dtype)."""
    return bool(
        pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)
    )


def _text(values: pd.Series) -> pd.Series:
    """Trimmed text with missing markers as missing (None)."""
    text = values.astype(object).where(values.notna(), None)
    stripped = text.map(lambda v: v.strip() if isinstance(v, str) else v)
    return stripped.where(~stripped.isin(list(MISSING_MARKERS)), None)


def _as_number(text: pd.Series, fmt: NumberFormat) -> NumberReading | None:
    """Text read as numbers in ``fmt``; None when its present values are not all strings
    (a column of other objects is not numbers written as text)."""
    present = text.dropna()
    if present.empty or pd.api.types.infer_dtype(present.iloc[:_SAMPLE], skipna=True) != "string":
        return None
    return read_numbers(text, fmt)


def _as_datetime(
    values: pd.Series, strict: bool, name: str = "", order: str = AUTO, trained: bool = False
) -> tuple[pd.Series, DateOrder] | None:
    """Values as naive UTC timestamps and the order of day and month they were read in,
    or None when they are not dates.

    ``strict`` (automatic detection) requires every text value to be a date of a form
    :func:`~smote_pipeline.core.ingest.dates.read_dates` reads; otherwise anything
    pandas can parse is accepted too. ``order``: the spec's ``date_order`` or, with
    ``trained``, the order kept in training.

    Raises
    ------
    ValueError
        The order of day and month cannot be told, or contradicts ``order`` (see
        :func:`~smote_pipeline.core.ingest.dates.read_dates`).
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None), DateOrder()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values, DateOrder()
    present = values.dropna()
    if present.empty:
        return None
    sample = present.iloc[:_SAMPLE]
    if all(isinstance(v, dt.date) for v in sample):
        parsed = pd.to_datetime(values, utc=True, errors="coerce")
        return parsed.dt.tz_localize(None), DateOrder()
    if strict and not all(isinstance(v, str) and LOOKS_LIKE_DATE.match(v) for v in sample):
        return None
    reading = read_dates(name, values, order, strict, trained)
    return None if reading is None else (reading.stamps, reading.order)


def as_timestamps(values: pd.Series, order: str = AUTO, name: str = "") -> pd.Series:
    """Values as naive UTC timestamps by the rules of the ``datetime`` role (day and
    month in the column's order, or ``order`` the spec sets); a value that is not a date
    becomes NaT (as does a missing one).

    Raises
    ------
    ValueError
        Naming the column ``name`` when the order of day and month cannot be told.
    """
    text = _text(values) if is_text(values) else values
    stamps = _as_datetime(text, False, name, order)
    if stamps is None:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    return stamps[0]


def _date_parts(
    name: str, stamps: pd.Series, keep: tuple[str, ...] | None = None
) -> dict[str, pd.Series]:
    """The numeric parts of a date column: those that vary, or exactly ``keep``
    (feature names, as a batch scored by a trained model needs them)."""
    parts = {
        "year": stamps.dt.year,
        "month": stamps.dt.month,
        "day": stamps.dt.day,
        "weekday": stamps.dt.day_of_week,
        "hour": stamps.dt.hour,
    }
    if keep is not None:
        return {f: parts[f.rsplit("__", 1)[1]].astype("float64") for f in keep}
    has_time = bool((stamps.dropna() != stamps.dropna().dt.normalize()).any())
    out = {}
    for part in _DATE_PARTS:
        if part == "hour" and not has_time:
            continue
        series = parts[part].astype("float64")
        if series.nunique() > 1:  # a missing date is missing in every part kept
            out[f"{name}__{part}"] = series
    return out


def _is_unsupported(values: pd.Series) -> str:
    if not pd.api.types.is_object_dtype(values.dtype):
        return ""
    for value in _first_values(values):
        if isinstance(value, list | tuple | dict | set | np.ndarray):
            return f"{type(value).__name__} values"
        if isinstance(value, bytes | bytearray):
            return "bytes values"
    return ""


def _is_decimal(values: pd.Series) -> bool:
    sample = _first_values(values)
    return bool(sample) and all(isinstance(v, decimal.Decimal) for v in sample)


def _identifier_reason(name: str, values: pd.Series, numeric: bool) -> str:
    present = values.dropna()
    if present.size < 2:
        return ""
    distinct = present.nunique()
    share = distinct / present.size
    if _ID_NAME.match(name.strip().lower()) and share >= IDENTIFIER_SHARE:
        return f"named like an identifier, {share:.0%} distinct values"
    if numeric:
        floats = present.to_numpy(dtype=np.float64)
        integral = bool(np.all(np.isfinite(floats)) and np.all(floats == np.round(floats)))
        if (
            integral
            and distinct == present.size
            and values.notna().all()
            and floats.max() - floats.min() + 1 == distinct
        ):
            return "distinct integers forming a contiguous run (a row number)"
        return ""
    if share >= IDENTIFIER_SHARE:
        return f"text with {share:.0%} distinct values"
    return ""


def _text_reason(values: pd.Series) -> str:
    present = values.dropna()
    if present.empty:
        return ""
    share = present.nunique() / present.size
    words = present.iloc[:_SAMPLE].astype(str).str.split().str.len().mean()
    if share >= TEXT_SHARE and words >= TEXT_WORDS:
        return f"free text ({share:.0%} distinct values, {words:.1f} words on average)"
    return ""


def _made(
    name: str,
    dtype: str,
    values: pd.Series,
    role: str,
    reason: str,
    parsed: dict[str, pd.Series],
    reading: NumberReading | None,
    fmt: NumberFormat,
    order: DateOrder | None = None,
) -> tuple[ColumnRole, dict[str, pd.Series]]:
    """The decision for a column and the feature columns it becomes; a numeric one keeps
    the number format ``fmt`` and the cells of ``reading`` that are not numbers, a date
    one the ``order`` of day and month."""
    present = next(iter(parsed.values())) if len(parsed) == 1 else values
    if role == "datetime" and is_text(values):  # a missing marker is a missing date
        present = _text(values)
    numeric = role == "numeric"
    return (
        ColumnRole(
            column=name,
            role=role,
            reason=reason,
            source_dtype=dtype,
            missing=int(present.isna().sum()),
            distinct=_distinct(present),
            becomes=tuple(parsed),
            non_numbers=reading.non_numbers if numeric and reading else 0,
            non_number_examples=tuple(reading.examples[:3]) if numeric and reading else (),
            decimal=fmt.decimal if numeric else "",
            thousands=fmt.thousands if numeric else "",
            date_order=(order or DateOrder()).order if role == "datetime" else "",
        ),
        parsed,
    )


def _with_note(reason: str, reading: NumberReading | None) -> str:
    """``reason`` followed by the cells read as missing because they are not numbers."""
    note = reading.note() if reading is not None else ""
    return f"{reason}; {note}" if note else reason


def _dated(reason: str, order: DateOrder, parts: dict[str, pd.Series]) -> str:
    """``reason`` with the order of day and month (``dates, day first (31/01/2024)``),
    and that nothing is kept when no part varies."""
    shown = order.describe()
    reason += f", {shown}" if shown else ""
    return reason + ("" if parts else "; no part varies, so nothing is kept")


def _decide(
    name: str,
    values: pd.Series,
    override: str | None,
    fmt: NumberFormat | None = None,
    dates: str = AUTO,
) -> tuple[ColumnRole, dict[str, pd.Series]]:
    """The role of one column and the feature columns it becomes; text is read as
    numbers in ``fmt`` (by default ``.`` decimals and ``,`` thousands), and as dates
    with day and month in the order ``dates`` (the spec's ``date_order``) sets."""
    dtype, fmt = str(values.dtype), fmt or NumberFormat()

    def done(role: str, reason: str, parsed: dict, reading: Any = None, order: Any = None) -> tuple:
        return _made(name, dtype, values, role, reason, parsed, reading, fmt, order)

    if override == "numeric":
        why = _SPEC[0].format(role=override), _SPEC[1]
        number, forced = _forced_numeric(name, values, *why, fmt, tolerate=True)
        return done(override, _with_note("set in the spec", forced), {name: number}, forced)
    if override == "datetime":
        parts, order = _forced_dates(name, values, _SPEC, dates)
        return done(override, _dated("set in the spec; dates", order, parts), parts, None, order)
    if override is not None:
        return done(override, "set in the spec", _forced(name, values, override))
    unsupported = _is_unsupported(values)
    if unsupported:
        return done("unsupported", f"{unsupported}: no model can use them", {})
    if pd.api.types.is_bool_dtype(values.dtype):
        return done("categorical", "booleans", {name: values})
    if _is_decimal(values):
        values = values.astype(np.float64)
    text = _text(values) if is_text(values) else None
    stamps = _as_datetime(text if text is not None else values, True, name, dates)
    if stamps is not None and not pd.api.types.is_numeric_dtype(values.dtype):
        parts = _date_parts(name, stamps[0])
        return done("datetime", _dated("dates", stamps[1], parts), parts, None, stamps[1])
    reading = _as_number(text, fmt) if text is not None else None
    if reading is not None and reading.few:
        values, text = reading.values, None
    current = text if text is not None else values
    if current.nunique(dropna=False) <= 1:
        return done("constant", "a single value", {})
    numeric = text is None and pd.api.types.is_numeric_dtype(current.dtype)
    free = "" if numeric else _text_reason(current)
    if free:
        return done("text", free, {})
    identifier = _identifier_reason(name, current, numeric)
    if identifier:
        return done("identifier", identifier, {})
    if numeric and reading is None:
        return done("numeric", "numbers", {name: current})
    if numeric:
        return done(
            "numeric", _with_note("numbers written as text", reading), {name: current}, reading
        )
    why = reading.too_many() if reading is not None and reading.numbers else "text values"
    return done("categorical", why, {name: current})


def convert_column(
    name: str,
    values: pd.Series,
    role: str,
    parts: tuple[str, ...] | None = None,
    numbers: NumberFormat | None = None,
    tolerate: bool = False,
    date_order: str = "",
) -> dict[str, pd.Series]:
    """A column converted to ``role`` as ingestion converts it: the feature columns
    it becomes (date ``parts`` given: exactly those). For a batch scored by a
    trained model, whose columns must be what they were in training.

    Parameters
    ----------
    name, values, role, parts
        The column, its values, its role in training and (dates) its parts.
    numbers : NumberFormat, optional
        The number format the training data was read with (kept in its numeric
        role, :meth:`NumberFormat.of_role`); by default ``.`` decimals and ``,``
        thousands. A batch is never detected again.
    tolerate : bool
        Whether a few cells that are not numbers become missing values, as they did
        in training (the role counted some); otherwise any such cell raises.
    date_order : str
        The order of day and month the training data's dates were read in (kept in
        its datetime role, :attr:`ColumnRole.date_order`); empty (a role kept before
        orders were): day first. A batch is never detected again: a value that is a date
        only the other way raises, and so, after ``none``, does one that reads two ways.

    Raises
    ------
    ValueError
        Naming the column and values that cannot be converted.
    """
    return _forced(name, values, role, parts, _TRAINED, numbers, tolerate, date_order)


#: Why a conversion is asked for, and the fix, in :func:`_forced`'s errors.
_SPEC = (
    "is set to `{role}` in the spec's `columns:`",
    "give the column another role (categorical, ignore)",
)
_TRAINED = (
    "was `{role}` in the data the model was trained on",
    "retrain with the column given another role in the spec's `columns:`",
)


def _forced(
    name: str,
    values: pd.Series,
    role: str,
    parts: tuple[str, ...] | None = None,
    why: tuple[str, str] = _SPEC,
    numbers: NumberFormat | None = None,
    tolerate: bool = False,
    dates: str = AUTO,
) -> dict[str, pd.Series]:
    """Convert a column to the role the user asked for, or raise naming it (dates: day
    and month in the order ``dates``, see :func:`_forced_dates`)."""
    reason, fix = why[0].format(role=role), why[1]
    if role == "ignore":
        return {}
    text = _text(values) if is_text(values) else values
    if role == "categorical":
        return {name: text}
    if role == "numeric":
        fmt = numbers or NumberFormat()
        return {name: _forced_numeric(name, values, reason, fix, fmt, tolerate)[0]}
    return _forced_dates(name, values, why, dates, parts)[0]


def _forced_dates(
    name: str,
    values: pd.Series,
    why: tuple[str, str],
    order: str,
    parts: tuple[str, ...] | None = None,
) -> tuple[dict[str, pd.Series], DateOrder]:
    """A column as the parts of a ``datetime`` role the spec or the training data
    (``why``) gave it, and the order of day and month: ``order`` is the spec's
    ``date_order`` or the one kept in training.

    Raises
    ------
    ValueError
        Naming the column and values that are not dates, or that contradict ``order``
        or read two ways (:func:`~smote_pipeline.core.ingest.dates.read_dates`).
    """
    reason, fix = why[0].format(role="datetime"), why[1]
    text = _text(values) if is_text(values) else values
    stamps = _as_datetime(text, False, name, order, trained=why is _TRAINED)
    if stamps is None or stamps[0][text.notna()].isna().any():
        bad = [] if stamps is None else text[text.notna() & stamps[0].isna()].unique()
        raise ValueError(
            f"Column {name!r} {reason}, but values such as {list(bad[:5].tolist())} are not "
            f"dates. Fix those values in the source, or {fix}."
        )
    return _date_parts(name, stamps[0], parts), stamps[1]


def _forced_numeric(
    name: str, values: pd.Series, reason: str, fix: str, fmt: NumberFormat, tolerate: bool
) -> tuple[pd.Series, NumberReading | None]:
    """A column as float64 for a ``numeric`` role the spec or the training data gave it:
    text read in ``fmt``; with ``tolerate``, few cells that are not numbers (see
    :mod:`~smote_pipeline.core.ingest.numbers`) become missing values.

    Raises
    ------
    ValueError
        Naming the column, how many values are not numbers and some of them, and, when
        those hold commas or points, the number format and the spec fields that set it.
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(np.float64), None
    text = _text(values) if is_text(values) else values.astype(object)
    reading = read_numbers(text.where(text.notna(), None), fmt)
    if not reading.non_numbers or (tolerate and reading.few):
        return reading.values, reading
    bad = list(reading.examples)
    hint = ""
    if any("," in v or "." in v for v in bad):
        hint = (
            f", read as the table writes numbers ({fmt.describe()}); numbers written "
            "another way need `decimal:` or `thousands:` set in the pipeline spec (for "
            'example `decimal: ","` for 0,908, `thousands: "."` for 1.234,50)'
        )
    raise ValueError(
        f"Column {name!r} {reason}, but {reading.non_numbers} of its {reading.present} "
        f"values, such as {bad}, are not numbers{hint}. Fix those values in the source, "
        f"or {fix}."
    )


def number_format(
    frame: pd.DataFrame,
    target: str,
    overrides: dict[str, str] | None = None,
    settings: NumberSettings | None = None,
) -> NumberFormat:
    """The number format of ``frame``'s numbers written as text (rules in
    :mod:`~smote_pipeline.core.ingest.numbers`), from the first
    :data:`~smote_pipeline.core.ingest.numbers.SAMPLE` present values of each text and
    float column; the target and columns ``overrides`` give a role other than
    ``numeric`` take no part.

    ``settings`` default to those the reader left in ``frame.attrs`` (the spec's
    ``decimal:`` and ``thousands:``, the CSV delimiter), else automatic.

    Raises
    ------
    ValueError
        See :func:`~smote_pipeline.core.ingest.numbers.decide_format`.
    """
    settings = settings or NumberSettings.from_attrs(frame.attrs)
    samples, floats = {}, {}
    for name in frame.columns:
        if name == target or (overrides or {}).get(str(name), "numeric") != "numeric":
            continue
        values = frame[name]
        head = values.iloc[np.flatnonzero(values.notna().to_numpy())[:SAMPLE]]
        if pd.api.types.is_float_dtype(values.dtype):
            floats[str(name)] = head
        elif is_text(values):
            text = _text(head).dropna()
            if len(text) and pd.api.types.infer_dtype(text, skipna=True) == "string":
                samples[str(name)] = text
    return decide_format(samples, settings, floats)


def _checked_overrides(
    frame: pd.DataFrame, target: str, overrides: dict[str, str] | None
) -> dict[str, str]:
    """The spec's ``columns:`` after checking its columns and roles."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(map(str, frame.columns)))
    if unknown:
        raise ValueError(
            f"The spec's `columns:` names {unknown}, which are not columns of the data; "
            f"available: {[c for c in frame.columns if c != target][:20]}."
        )
    if target in overrides:
        raise ValueError(
            f"The spec's `columns:` gives the target column {target!r} a role; remove it there."
        )
    wrong = {c: r for c, r in overrides.items() if r not in USER_ROLES}
    if wrong:
        raise ValueError(
            f"The spec's `columns:` gives unknown role(s) {wrong}; a column can be set to one "
            f"of {list(USER_ROLES)}."
        )
    return overrides


def decide_roles(
    frame: pd.DataFrame,
    target: str,
    overrides: dict[str, str] | None = None,
    numbers: NumberFormat | NumberSettings | None = None,
    dates: str | None = None,
) -> tuple[list[ColumnRole], pd.DataFrame]:
    """Decide the role of every column but ``target`` and build the feature frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read (the target column included).
    target : str
        Target column; kept as it is.
    overrides : dict of str to str, optional
        ``{column: role}`` from the spec's ``columns:`` mapping; roles among
        :data:`USER_ROLES`.
    numbers : NumberFormat or NumberSettings, optional
        The table's number format, or the settings to decide it with
        (:func:`number_format`; by default those in ``frame.attrs``).
    dates : str, optional
        The spec's ``date_order`` (:mod:`~smote_pipeline.core.ingest.dates`); by default
        the one in ``frame.attrs``, else ``auto``.

    Returns
    -------
    roles : list of ColumnRole
        One decision per source column, in source order.
    features : pandas.DataFrame
        The kept feature columns (parsed, dates expanded) followed by the
        target, on ``frame``'s index.

    Raises
    ------
    ValueError
        An override names a column that is not in the data or a role that does
        not exist, a forced conversion finds values it cannot convert, the
        number format cannot be decided (:func:`number_format`), nor the order of day
        and month in a date column, or a date part's name collides with a column.
    """
    overrides = _checked_overrides(frame, target, overrides)
    fmt = numbers if isinstance(numbers, NumberFormat) else None
    fmt = fmt or number_format(frame, target, overrides, numbers)
    roles, parts, dates = [], {}, dates or setting_of(frame.attrs)
    for name in (c for c in frame.columns if c != target):
        role, parsed = _decide(str(name), frame[name], overrides.get(str(name)), fmt, dates)
        roles.append(role)
        for column, series in parsed.items():
            if column != name and (column in frame.columns or column in parts):
                raise ValueError(
                    f"Column {name!r} is a date whose part {column!r} clashes with an existing "
                    "column; rename one of them in the source."
                )
            parts[column] = series
    features = pd.DataFrame(parts, index=frame.index)
    features[target] = frame[target]
    return roles, features


def roles_table(roles: list[ColumnRole]) -> pd.DataFrame:
    """The decisions as a table, for metadata and the report.

    An empty header (what ``DataFrame.to_csv(index=True)`` writes) is shown as
    ``(empty header)``. For numeric columns, ``non_numbers`` counts the cells read as
    missing because they are not numbers (``non_number_examples``: some of them) and
    ``number_format`` is how text is read as numbers in the column; for date columns,
    ``date_order`` is the order day and month were read in (``day first``).
    """
    columns = ["column", "role", "reason", "becomes", "missing", "distinct", "source_dtype"]
    columns += ["non_numbers", "non_number_examples", "number_format", "date_order"]
    return pd.DataFrame(
        [
            {
                "column": r.column or "(empty header)",
                "role": r.role,
                "reason": r.reason,
                "becomes": "excluded"
                if r.excluded
                else (", ".join(r.becomes) if r.becomes != (r.column,) else r.column),
                "missing": r.missing,
                "distinct": r.distinct,
                "source_dtype": r.source_dtype,
                "non_numbers": r.non_numbers,
                "non_number_examples": ", ".join(map(repr, r.non_number_examples)),
                "number_format": NumberFormat.of_role(
                    {"decimal": r.decimal, "thousands": r.thousands}
                ).describe()
                if r.role == "numeric"
                else "",
                "date_order": DateOrder(r.date_order).describe(),
            }
            for r in roles
        ],
        columns=columns,
    )
