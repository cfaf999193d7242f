"""Dates written as text: which of day and month comes first, decided once per column.

``31/01/2024`` has the day first, ``01/31/2024`` the month first, and ``02/03/2024``
reads both ways. A date is never read with its day and month swapped: the order of a
column is decided at ingestion from all its values (:func:`read_dates`), unless the
spec sets it (``date_order:``), and it is kept with the column's role, so that a
batch scored later is read the same way and never detected again (a batch of five
rows may hold no value that tells).

Forms read, each optionally followed (after ``T`` or spaces) by a time ``10:30``,
``10:30:15`` or ``10:30:15.25`` and, but for ISO, ``AM`` / ``PM``:

- ISO ``2024-01-31`` (also with a time zone, read in UTC), ``2024/01/31`` and
  ``2024.01.31``: the year first, then the month, never in doubt;
- ``31/01/2024``, ``31.01.2024`` and ``31-01-2024`` (one separator in a value, a
  four-digit year last): the day first or the month first, by the column's order.

Two-digit years (``31/01/24``) are not read: ``01/02/03`` may hold the year in any
place, and ``45`` in either century. A column of them is not a date column, and a
column the spec or the training data makes ``datetime`` stops at them, naming them.

Deciding the order (``date_order: auto``), from every value of the second form:

1. a value that is a date only with the day first (``31/01/2024``: there is no 31st
   month) makes the column day-first; one that is a date only with the month first
   (``01/31/2024``) makes it month-first;
2. both in one column: it mixes two date formats, which no single reading undoes, and
   the step raises naming the column and a value of each (fix the source, or give the
   column another role in the spec's ``columns:``);
3. neither (every first and second number is at most 12): each value reads two ways,
   and the step raises naming the column, a value, its two readings and the field to
   set, ``date_order: day_first`` or ``date_order: month_first``.

With ``date_order: day_first`` or ``month_first`` every column of the source is read
that way; a value that is a date only the other way is an error naming the column and
the value. A value that is a date neither way (``31/02/2024``) is not a date: a column
holding one is not recognised as dates (it stays text), and a column the spec or the
training data makes ``datetime`` raises, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ATTRS_KEY",
    "AUTO",
    "DATE_ORDERS",
    "DAY_FIRST",
    "LOOKS_LIKE_DATE",
    "MONTH_FIRST",
    "NO_ORDER",
    "DateOrder",
    "DateReading",
    "check_setting",
    "read_dates",
    "setting_of",
]

#: Setting value: decide each column's order from its values.
AUTO = "auto"
DAY_FIRST = "day_first"
MONTH_FIRST = "month_first"
#: Values of the spec's ``date_order:`` field.
DATE_ORDERS: tuple[str, ...] = (AUTO, DAY_FIRST, MONTH_FIRST)
#: The order kept with a date column none of whose values needed one (ISO dates, a
#: date type): a batch's value that reads two ways is then an error.
NO_ORDER = "none"
#: Key of ``DataFrame.attrs`` where a reader leaves the source's ``date_order``.
ATTRS_KEY = "date_order"

_WORDS = {DAY_FIRST: "day first", MONTH_FIRST: "month first"}
_SPEC_FIELD = "in the pipeline spec (`SMOTE_PIPELINE_DATE_ORDER` for the own-data command)"
_TIME = (
    r"(?:(?:T|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<sec>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?(?:\s*(?P<ampm>[AaPp][Mm]))?)?"
)
_DAY_MONTH = r"(?P<one>\d{1,2})(?P<sep>[/.-])(?P<two>\d{1,2})(?P=sep)(?P<year>\d{4})"
_YEAR_FIRST = r"(?P<year>\d{4})(?P<sep>[/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
_ISO = (
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
#: The start of a date of a form read here: enough to tell, on a sample, a column
#: worth reading as dates (:func:`read_dates` checks every value).
LOOKS_LIKE_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})")
#: A day and a month before a year or time that is not read (``31/01/24``).
_UNREAD = re.compile(r"^\d{1,2}([/.-])\d{1,2}\1\d")


def check_setting(value: Any) -> str:
    """``value`` if it is one of :data:`DATE_ORDERS`.

    Raises
    ------
    ValueError
        Naming the value and the allowed ones.
    """
    if value not in DATE_ORDERS:
        raise ValueError(
            f"`date_order` {value!r} is not one of {list(DATE_ORDERS)} (`day_first` reads "
            "31/01/2024, `month_first` 01/31/2024)."
        )
    return str(value)


def setting_of(attrs: Mapping[str, Any]) -> str:
    """The ``date_order`` a reader left in a frame's ``attrs`` (``auto`` when none)."""
    return check_setting(attrs.get(ATTRS_KEY) or AUTO)


@dataclass(frozen=True)
class DateOrder:
    """The order a date column is read with, and why.

    Attributes
    ----------
    order : str
        :data:`DAY_FIRST`, :data:`MONTH_FIRST` or :data:`NO_ORDER`.
    why : str
        A value only that order reads (``31/01/2024``), or ``date_order in the spec``;
        empty with :data:`NO_ORDER` and for an order kept in training.
    """

    order: str = NO_ORDER
    why: str = ""

    def describe(self) -> str:
        """``day first (31/01/2024)``, or empty when no value needed an order."""
        if self.order not in _WORDS:
            return ""
        return f"{_WORDS[self.order]} ({self.why})" if self.why else _WORDS[self.order]


@dataclass(frozen=True)
class DateReading:
    """A column read as dates.

    Attributes
    ----------
    stamps : pandas.Series
        Naive UTC timestamps on the column's index (NaT where missing or not a date).
    order : DateOrder
    """

    stamps: pd.Series
    order: DateOrder


def _numbers(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce")


def _build(year: pd.Series, month: pd.Series, day: pd.Series, fields: pd.DataFrame) -> pd.Series:
    """Timestamps from parts (NaT where they make no date or time), vectorised."""
    hour = _numbers(fields["hour"]).fillna(0)
    ampm = fields["ampm"].str.upper()
    twelve = ampm.notna()
    hour = hour.where(~twelve, hour % 12 + 12 * ampm.eq("PM"))
    hour = hour.where(~twelve | _numbers(fields["hour"]).between(1, 12))
    micro = fields["fraction"].str.pad(6, side="right", fillchar="0").str[:6]
    parts = pd.DataFrame(
        {
            "year": _numbers(year),
            "month": _numbers(month),
            "day": _numbers(day),
            "hour": hour,
            "minute": _numbers(fields["minute"]).fillna(0),
            "second": _numbers(fields["sec"]).fillna(0),
            "us": _numbers(micro).fillna(0),
        }
    )
    return pd.to_datetime(parts, errors="coerce").astype("datetime64[ns]")


def _day(stamp: pd.Timestamp) -> str:
    return f"{stamp.day} {stamp:%B %Y}"


def _reading(value: str, stamp: pd.Timestamp, order: str) -> str:
    return f"{value!r} as {_day(stamp)} ({_WORDS[order]})"


def _mixed(name: str, first: str, second: str) -> ValueError:
    return ValueError(
        f"Column {name!r} holds dates written in both orders: {first!r} is a date only with "
        f"the day first and {second!r} only with the month first, so no one reading is right "
        "for every value, and none is guessed. Write the column's dates one way in the "
        "source, or give the column another role (`categorical`, `ignore`) in the spec's "
        "`columns:`."
    )


def _ambiguous(name: str, value: str, readings: tuple[pd.Timestamp, pd.Timestamp]) -> ValueError:
    return ValueError(
        f"Column {name!r} holds dates such as {value!r} that read two ways, "
        f"{_day(readings[0])} with the day first or {_day(readings[1])} with the month "
        "first, and no value of the column tells which (none has a first or second number "
        "above 12). Set `date_order: day_first` "
        f"(31/01/2024) or `date_order: month_first` (01/31/2024) {_SPEC_FIELD}, or give "
        "the column another role in the spec's `columns:`."
    )


def _contradiction(name: str, value: str, stamp: pd.Timestamp, order: str, trained: bool) -> str:
    other = MONTH_FIRST if order == DAY_FIRST else DAY_FIRST
    if order == NO_ORDER:
        return (
            f"Column {name!r} held no date whose day and month could be swapped in the data "
            f"the model was trained on, and the batch's {value!r} reads two ways; write the "
            f"batch's dates as the training data did (e.g. ISO 2024-01-31), or retrain with "
            f"`date_order` set {_SPEC_FIELD}."
        )
    if trained:
        return (
            f"Column {name!r} was read with the {_WORDS[order]} in the data the model was "
            f"trained on, but the batch holds {_reading(value, stamp, other)}, a date only that "
            "way. Fix the batch, or retrain on data written like it."
        )
    return (
        f"Column {name!r} holds {_reading(value, stamp, other)}, a date only that way, but "
        f"`date_order: {order}` is set {_SPEC_FIELD}. Fix the value in the source, or set "
        f"`date_order: {other}` (or `auto`)."
    )


def _choose(
    name: str, strings: pd.Series, readings: dict[str, pd.Series], order: str, trained: bool
) -> DateOrder:
    """The order of the column's day/month values (see the module), or raise."""
    first, second = readings[DAY_FIRST].notna(), readings[MONTH_FIRST].notna()
    only = {DAY_FIRST: first & ~second, MONTH_FIRST: second & ~first}
    example = {k: strings[m].iloc[0] if m.any() else "" for k, m in only.items()}
    both = first & second
    if order == AUTO:
        if example[DAY_FIRST] and example[MONTH_FIRST]:
            raise _mixed(name, example[DAY_FIRST], example[MONTH_FIRST])
        for decided in (DAY_FIRST, MONTH_FIRST):
            if example[decided]:
                return DateOrder(decided, example[decided])
        if both.any():
            at = int(np.flatnonzero(both.to_numpy())[0])
            stamps = (readings[DAY_FIRST].iloc[at], readings[MONTH_FIRST].iloc[at])
            raise _ambiguous(name, strings.iloc[at], stamps)
        return DateOrder()
    other = MONTH_FIRST if order == DAY_FIRST else DAY_FIRST
    wrong = both if order == NO_ORDER else only[other]
    if wrong.any():
        at = int(np.flatnonzero(wrong.to_numpy())[0])
        stamp = readings[other].iloc[at]
        raise ValueError(_contradiction(name, strings.iloc[at], stamp, order, trained))
    return DateOrder(order, "" if trained else "date_order in the spec")


def _both_ways(pairs: pd.DataFrame) -> dict[str, pd.Series]:
    """Day/month values read with the day first and with the month first (NaT where
    that makes no date)."""
    return {
        DAY_FIRST: _build(pairs["year"], pairs["two"], pairs["one"], pairs),
        MONTH_FIRST: _build(pairs["year"], pairs["one"], pairs["two"], pairs),
    }


def _mixes_orders(readings: dict[str, pd.Series]) -> bool:
    """Whether some value is a date only with the day first and another only with the
    month first."""
    first, second = readings[DAY_FIRST].notna(), readings[MONTH_FIRST].notna()
    return bool((first & ~second).any() and (second & ~first).any())


def read_dates(
    name: str, text: pd.Series, order: str = AUTO, strict: bool = False, trained: bool = False
) -> DateReading | None:
    """Values as naive UTC timestamps (rules in the module); linear in the rows.

    Parameters
    ----------
    name : str
        The column, for messages.
    text : pandas.Series
        Trimmed values with missing markers already missing.
    order : str
        One of :data:`DATE_ORDERS` (the spec's setting), or the order kept with the
        column's role in training (:data:`DAY_FIRST`, :data:`MONTH_FIRST`,
        :data:`NO_ORDER`; empty for a role kept before orders were: day first).
    strict : bool
        Automatic detection: None unless every present value is a string of a form read
        here and a date. Otherwise other values go to pandas' parser (text months such as
        ``31 Jan 2024``), and what it cannot read is NaT.
    trained : bool
        Whether ``order`` is the training data's (a batch is read), for messages.

    Raises
    ------
    ValueError
        The column mixes both orders, its order cannot be told from its values, a value
        is a date only in the order that was not set, or (not ``strict``) a value has a
        day and month before a two-digit year: each message names the column and values.
    """
    present = text.notna().to_numpy(bool)
    is_string = text.map(lambda v: isinstance(v, str)).to_numpy(bool)
    if strict and (present & ~is_string).any():
        return None
    strings = pd.Series(text.to_numpy(dtype=object)).where(is_string, None)  # by position
    iso = strings.str.match(f"^{_ISO}$" if strict else r"^\d{4}-", na=False).to_numpy(bool)
    pairs = strings.str.extract(f"^{_DAY_MONTH}{_TIME}$")
    matched = pairs["one"].notna().to_numpy(bool)
    ymd = strings[present & ~(iso | matched)].str.extract(f"^{_YEAR_FIRST}{_TIME}$")
    in_ymd = strings.index.isin(ymd.index[ymd["year"].notna()])
    others = present & ~(iso | matched | in_ymd)
    if strict and others.any():
        return None
    readings, ymd = _both_ways(pairs[matched]), ymd[ymd["year"].notna()]
    neither = readings[DAY_FIRST].isna() & readings[MONTH_FIRST].isna()
    if strict and neither.any() and not (order == AUTO and _mixes_orders(readings)):
        return None  # 31/02/2024 is no date either way: not a column of dates
    chosen = _choose(name, strings[matched], readings, order or DAY_FIRST, trained)
    picked = readings.get(chosen.order, readings[DAY_FIRST].fillna(readings[MONTH_FIRST]))
    stamps = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    stamps[matched] = picked.to_numpy()
    stamps[in_ymd] = _build(ymd["year"], ymd["month"], ymd["day"], ymd).to_numpy()
    if iso.any():
        parsed = pd.to_datetime(strings[iso], utc=True, errors="coerce", format="ISO8601")
        stamps[iso] = parsed.dt.tz_localize(None).to_numpy()
    if others.any():
        stamps[others] = _other(name, text[others], chosen.order == DAY_FIRST).to_numpy()
    if strict and stamps[present].isna().any():
        return None
    return DateReading(stamps, chosen)


def _other(name: str, values: pd.Series, dayfirst: bool) -> pd.Series:
    """Values of no form read here, through pandas' parser (``31 Jan 2024``), refusing
    a day and month before a two-digit year or a time not read here, which it would
    guess."""
    unread = values.map(lambda v: isinstance(v, str) and bool(_UNREAD.match(v)))
    if unread.any():
        raise ValueError(
            f"Column {name!r} holds dates such as {values[unread].unique()[:3].tolist()} that "
            "are not read: with a two-digit year, the day, month and year may be in any "
            "order and either century. Write four-digit years (31/01/2024, or ISO "
            "2024-01-31), and a time as 10:30, 10:30:15 or 10:30 PM."
        )
    parsed = pd.to_datetime(values, utc=True, errors="coerce", format="mixed", dayfirst=dayfirst)
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")
