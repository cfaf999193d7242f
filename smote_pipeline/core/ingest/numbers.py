"""Numbers written as text: the decimal mark and the thousands separator of a table.

A source table writes all its numbers one way. That way is decided once per table,
at ingestion, from its values (:func:`decide_format`), unless the spec sets it
(``decimal:``, ``thousands:``); every numeric column is read with it, and it is kept
with the column roles so that a batch scored later is read the same way.

Reading a value (:func:`read_numbers`)
    An optional sign, digits with at most one decimal mark, an optional exponent
    (``-1,5e-3`` with a decimal comma). A thousands separator must group exactly
    three digits after a first group of one to three digits that does not start
    with 0, so ``0,908`` is never 908 and ``12,5`` never 125. A space separator also
    stands for the no-break spaces (U+00A0, U+202F, U+2009); ``−`` (U+2212) is a
    minus. With ``thousands: auto`` any of ``,`` ``.`` space ``'`` other than the
    decimal mark separates thousands: once the decimal mark is known, none of them
    can be read two ways. A currency sign before or after (:data:`CURRENCY`), a
    ``%`` after and accounting parentheses are part of a number: ``12,5 %`` is
    12.5 and ``(1,234.50)`` is -1234.5; currency codes (``12 USD``) are not.

Deciding the decimal mark (``decimal: auto``), on the first :data:`SAMPLE` present
values of each text column that is not given a role other than ``numeric``:

1. A column *looks numeric* under a mark when its sample holds numbers and few
   that are not (:attr:`NumberReading.few`); a column that looks numeric under
   neither mark takes no part.
2. A mark is *possible* when every column that looks numeric under either mark
   still does under it. No mark possible: the columns disagree and the step raises,
   naming them. One possible: that one.
3. Both possible: the mark that more sampled values can only be read with wins
   (``1.234,50``, ``0,908``, ``12,5``, ``1,5e-3``: a comma; ``1,234.50``, ``12.5``:
   a point). Columns already read as numbers (by the file reader or the database)
   are never changed, but their values with a fraction that cannot be a group of
   thousands (below 1, or more than three decimals) count for the point.
4. A tie: when some value reads two ways (``1,234``: 1.234 or 1234), the user must
   choose and the step raises, naming the columns, a value and the spec fields; when
   as many values need a comma as a point, the step raises too. Otherwise nothing
   in the sample depends on the mark: ``,`` for a ``;``-delimited file and ``.``
   otherwise (the delimiter is weak evidence, used only here).

A numeric column may hold a few cells that are not numbers (``twelve``, ``n.a.``):
at most :data:`MAX_NON_NUMBER_SHARE` of its present values, spelled at most
:data:`MAX_NON_NUMBER_SPELLINGS` ways; they become missing values and are counted.
Missing markers (``?``, ``NA``, empty) are missing values, not non-numbers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "AUTO",
    "DECIMAL_SETTINGS",
    "MAX_NON_NUMBER_SHARE",
    "MAX_NON_NUMBER_SPELLINGS",
    "NO_SEPARATOR",
    "SAMPLE",
    "THOUSANDS_SETTINGS",
    "NumberFormat",
    "NumberReading",
    "NumberSettings",
    "decide_format",
    "read_numbers",
]

#: Setting value: decide from the values.
AUTO = "auto"
#: ``thousands:`` value: numbers have no thousands separator.
NO_SEPARATOR = "none"
DECIMALS: tuple[str, ...] = (".", ",")
SEPARATORS: tuple[str, ...] = (",", ".", " ", "'")
#: Values of the spec's ``decimal:`` field.
DECIMAL_SETTINGS: tuple[str, ...] = (AUTO, *DECIMALS)
#: Values of the spec's ``thousands:`` field.
THOUSANDS_SETTINGS: tuple[str, ...] = (AUTO, *SEPARATORS, NO_SEPARATOR)
#: Largest share of a numeric column's present values that may be other than numbers:
#: one cell in twenty is a slip or a placeholder; more is a column of words and numbers.
MAX_NON_NUMBER_SHARE = 0.05
#: Most distinct spellings of those cells: a handful of placeholders or typos
#: (``-``, ``unknown``, ``n.a.``); more suggest words that carry meaning, a category.
MAX_NON_NUMBER_SPELLINGS = 5
#: Present values per column inspected to decide the decimal mark (all rows are read).
SAMPLE = 1000
#: Key of ``DataFrame.attrs`` where a reader leaves the settings of its source.
ATTRS_KEY = "number_format"
#: Non-number spellings kept as examples.
EXAMPLES = 5

_NAMES = {",": "','", ".": "'.'", " ": "space", "'": "apostrophe"}
_TRANSLATE = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})
_SPEC_FIELDS = (
    "in the pipeline spec (`SMOTE_PIPELINE_DECIMAL` or `SMOTE_PIPELINE_THOUSANDS` for the "
    "own-data command)"
)


@dataclass(frozen=True)
class NumberSettings:
    """What the spec says of a source's numbers, and how its file is delimited.

    Attributes
    ----------
    decimal : str
        One of :data:`DECIMAL_SETTINGS`.
    thousands : str
        One of :data:`THOUSANDS_SETTINGS`.
    delimiter : str
        The CSV delimiter (empty for other sources): weak evidence only.
    """

    decimal: str = AUTO
    thousands: str = AUTO
    delimiter: str = ""

    def __post_init__(self) -> None:
        if self.decimal not in DECIMAL_SETTINGS:
            raise ValueError(
                f"`decimal` {self.decimal!r} is not one of {list(DECIMAL_SETTINGS)}; write it "
                'quoted, for example `decimal: ","`.'
            )
        if self.thousands not in THOUSANDS_SETTINGS:
            raise ValueError(
                f"`thousands` {self.thousands!r} is not one of {list(THOUSANDS_SETTINGS)} (a "
                'space is written quoted: `thousands: " "`).'
            )
        if self.decimal == self.thousands != AUTO:
            raise ValueError(
                f"`decimal` and `thousands` are both {self.decimal!r}; a number cannot use one "
                "mark for both."
            )

    @classmethod
    def from_attrs(cls, attrs: Mapping[str, Any]) -> NumberSettings:
        """The settings a reader left in a frame's ``attrs`` (defaults when none)."""
        given = attrs.get(ATTRS_KEY) or {}
        return cls(
            **{k: str(given[k]) for k in ("decimal", "thousands", "delimiter") if k in given}
        )

    def decimals(self) -> tuple[str, ...]:
        """The decimal marks these settings leave possible."""
        if self.decimal != AUTO:
            return (self.decimal,)
        return tuple(d for d in DECIMALS if d != self.thousands)

    def separators(self, decimal: str) -> str:
        """The thousands separators accepted with ``decimal``."""
        if self.thousands == AUTO:
            return "".join(s for s in SEPARATORS if s != decimal)
        return "" if self.thousands == NO_SEPARATOR else self.thousands


@dataclass(frozen=True)
class NumberFormat:
    """How a table writes numbers as text.

    Attributes
    ----------
    decimal : str
        ``.`` or ``,``.
    thousands : str
        The accepted thousands separators, one character each (empty: none).
    reason : str
        How it was decided.
    warnings : tuple of str
        What the run log should say about it.
    """

    decimal: str = "."
    thousands: str = ","
    reason: str = field(default="", compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of_role(cls, role: Mapping[str, Any]) -> NumberFormat:
        """The format kept with a column role; a role stored without one (before formats
        were kept) gets the format of that time: ``.`` decimals, ``,`` thousands."""
        decimal = role.get("decimal") or ""
        return cls(decimal, str(role.get("thousands") or "")) if decimal else cls()

    def describe(self) -> str:
        """For people: ``decimal ',', thousands '.' or space or apostrophe``."""
        separators = " or ".join(_NAMES[s] for s in self.thousands) or "none"
        return f"decimal {_NAMES[self.decimal]}, thousands {separators}"


@dataclass(frozen=True)
class NumberReading:
    """A column read as numbers.

    Attributes
    ----------
    values : pandas.Series
        float64 on the column's index; missing where the cell is missing or not a number.
    present : int
        Present (non-missing) cells.
    non_numbers : int
        Present cells that are not numbers.
    spellings : int
        Distinct values among those.
    examples : tuple of str
        The first of them (at most :data:`EXAMPLES`), in row order.
    """

    values: pd.Series
    present: int
    non_numbers: int
    spellings: int
    examples: tuple[str, ...] = ()

    @property
    def numbers(self) -> int:
        """Present cells that are numbers."""
        return self.present - self.non_numbers

    @property
    def share(self) -> float:
        """Share of present cells that are not numbers."""
        return self.non_numbers / self.present if self.present else 0.0

    @property
    def few(self) -> bool:
        """Whether the column is numbers with few non-numbers (see the module)."""
        return (
            self.numbers > 0
            and self.share <= MAX_NON_NUMBER_SHARE
            and self.spellings <= MAX_NON_NUMBER_SPELLINGS
        )

    def note(self) -> str:
        """``3 cells that are not numbers (e.g. 'twelve') read as missing``, or empty."""
        if not self.non_numbers:
            return ""
        shown = ", ".join(repr(e) for e in self.examples[:3])
        cells = "cell that is" if self.non_numbers == 1 else "cells that are"
        return f"{self.non_numbers} {cells} not numbers (e.g. {shown}) read as missing"

    def too_many(self) -> str:
        """Why the column is not numeric although it holds numbers."""
        if self.share > MAX_NON_NUMBER_SHARE:
            return (
                f"{self.share:.0%} of values are not numbers (a numeric column may have at "
                f"most {MAX_NON_NUMBER_SHARE:.0%}, read as missing)"
            )
        return (
            f"{self.spellings} different values that are not numbers (a numeric column may "
            f"have at most {MAX_NON_NUMBER_SPELLINGS}, read as missing)"
        )


#: Currency signs a number may carry before or after it (``$1,234.50``, ``12,50 €``).
CURRENCY = "$€£¥₹"


@functools.lru_cache(maxsize=64)
def _pattern(decimal: str, thousands: str) -> str:
    """A number in the format, with its affixes: a sign, a currency sign before or after,
    a ``%`` after, or accounting parentheses for a negative (``(1,234.50)``)."""
    mark = re.escape(decimal)
    groups = "|".join(rf"[1-9]\d{{0,2}}(?:{re.escape(s)}\d{{3}})+" for s in thousands)
    whole = rf"(?:{groups}|\d+)" if groups else r"\d+"
    number = rf"(?:{whole}(?:{mark}\d+)?|{mark}\d+)(?:[eE][+-]?\d+)?"
    cash = rf"[{re.escape(CURRENCY)}]"
    before = rf"(?P<sign>[+-])? ?(?:{cash} ?)?(?P<sign2>[+-])?"
    core = rf"{before}(?P<number>{number})(?: ?{cash})?(?: ?%)?"
    return rf"(?P<open>\()?{core}(?(open)\))"


def _parse(strings: pd.Series, fmt: NumberFormat) -> np.ndarray:
    """Trimmed strings as float64, by position (NaN where one is not a number in ``fmt``).

    Affixes (:func:`_pattern`) are dropped: ``12.5%`` is 12.5 and ``(3)`` is -3."""
    text = strings.astype(object).str.translate(_TRANSLATE)
    parts = text.str.extract(rf"^{_pattern(fmt.decimal, fmt.thousands)}$")
    ok = parts["number"].notna().to_numpy()
    clean = parts.loc[ok, "number"]
    for separator in fmt.thousands:
        clean = clean.str.replace(separator, "", regex=False)
    if fmt.decimal != ".":
        clean = clean.str.replace(fmt.decimal, ".", regex=False)
    negative = (
        parts.loc[ok, "open"].notna()
        | parts.loc[ok, "sign"].eq("-")
        | parts.loc[ok, "sign2"].eq("-")
    ).to_numpy()
    out = np.full(len(strings), np.nan)
    magnitude = pd.to_numeric(clean, errors="coerce").to_numpy(dtype=np.float64)
    out[ok] = np.where(negative, -magnitude, magnitude)
    return out


def _real(value: Any) -> float:
    """A number that is not text (int, float, Decimal) as float; NaN for anything else."""
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.number | Decimal
    ):
        return np.nan
    return float(value)


def read_numbers(text: pd.Series, fmt: NumberFormat) -> NumberReading:
    """Cells as numbers in ``fmt`` (see the module); linear in the rows.

    Parameters
    ----------
    text : pandas.Series
        Trimmed values with missing markers already missing. Strings are parsed; other
        present values count as numbers when they are ints, floats or decimals.
    fmt : NumberFormat

    Returns
    -------
    NumberReading
    """
    where = np.flatnonzero(text.notna().to_numpy())
    present = text.iloc[where]
    out = np.full(len(text), np.nan)
    if pd.api.types.infer_dtype(present, skipna=True) == "string":
        out[where] = _parse(present, fmt)
    elif len(present):
        strings = present.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        out[where[strings]] = _parse(present[strings], fmt)
        out[where[~strings]] = present[~strings].map(_real).to_numpy(dtype=np.float64)
    spelled = present[np.isnan(out[where])].astype(str)
    return NumberReading(
        values=pd.Series(out, index=text.index, dtype=np.float64),
        present=len(present),
        non_numbers=len(spelled),
        spellings=int(spelled.nunique()),
        examples=tuple(pd.unique(spelled)[:EXAMPLES].tolist()),
    )


def _looks(readings: dict[str, NumberReading]) -> bool:
    return any(r.few for r in readings.values())


def _show(number: float) -> str:
    return f"{number:.10g}"


def decide_format(
    samples: Mapping[str, pd.Series],
    settings: NumberSettings,
    floats: Mapping[str, pd.Series] | None = None,
) -> NumberFormat:
    """The table's number format (rules in the module).

    Parameters
    ----------
    samples : mapping of str to pandas.Series
        By column, the first :data:`SAMPLE` present values of each text column that may
        be numeric: trimmed strings, missing markers left out.
    settings : NumberSettings
    floats : mapping of str to pandas.Series, optional
        By column, the first :data:`SAMPLE` present values of columns already read as
        floating-point numbers.

    Raises
    ------
    ValueError
        The columns disagree on the decimal mark, or a value reads two ways and nothing
        tells which: the message names the columns, a value and the spec fields to set.
    """
    formats = {d: NumberFormat(d, settings.separators(d)) for d in settings.decimals()}
    if len(formats) == 1:
        return replace(next(iter(formats.values())), reason="set in the spec")
    readings = {
        name: {d: read_numbers(sample, f) for d, f in formats.items()}
        for name, sample in samples.items()
    }
    looking = {name: r for name, r in readings.items() if _looks(r)}
    possible = [d for d in formats if all(r[d].few for r in looking.values())]
    if not possible:
        raise _disagreement(looking, samples)
    support = _support(looking, samples, floats or {})
    if len(possible) == 1:
        decimal, why = possible[0], "only it reads every column of numbers"
    elif support["."][0] != support[","][0]:
        decimal = "." if support["."][0] > support[","][0] else ","
        other = support["." if decimal == "," else ","][0]
        why = f"{support[decimal][0]} sampled value(s) read only with it, {other} with the other"
    elif support["?"][0]:
        raise _ambiguous(looking, samples, settings)
    elif support["."][0]:
        raise _disagreement(looking, samples, support)
    else:
        decimal = "," if settings.delimiter == ";" else "."
        why = "no value depends on it; " + (
            "the file is ';'-delimited" if decimal == "," else "the usual mark"
        )
    example = support[decimal][1]
    reason = f"detected: {why}" + (f", e.g. {example}" if example else "")
    return replace(formats[decimal], reason=reason, warnings=_float_warnings(decimal, support))


def _support(
    looking: dict[str, dict[str, NumberReading]],
    samples: Mapping[str, pd.Series],
    floats: Mapping[str, pd.Series],
) -> dict[str, tuple[int, str]]:
    """By mark, the sampled values read only with it and one of them (``value in column``);
    under ``?`` those read with both marks as different numbers; under ``float`` the
    values of float columns that only a decimal point explains (counted for ``.`` too),
    under ``maybe`` one float column whose points may as well separate thousands."""
    counts: dict[str, list] = {k: [0, ""] for k in (".", ",", "?", "float", "maybe")}
    for name, readings in looking.items():
        point, comma = readings["."].values, readings[","].values
        masks = {
            ".": point.notna() & comma.isna(),
            ",": comma.notna() & point.isna(),
            "?": point.notna() & comma.notna() & (point != comma),
        }
        for key, mask in masks.items():
            counts[key][0] += int(mask.sum())
            if mask.any() and not counts[key][1]:
                counts[key][1] = f"{samples[name][mask].iloc[0]!r} in {name!r}"
    for name, values in floats.items():
        x = values.to_numpy(dtype=np.float64, na_value=np.nan)
        x = x[np.isfinite(x) & (x != np.round(x))]
        thousandths = np.abs(x * 1000 - np.round(x * 1000)) <= 1e-6 * np.maximum(1, np.abs(x))
        point = (np.abs(x) < 1) | ~thousandths
        if point.any():
            counts["float"][0] += int(point.sum())
            counts["float"][1] = counts["float"][1] or f"{_show(x[point][0])} in {name!r}"
        elif len(x) and not counts["maybe"][1]:  # 1.234: a decimal, or 1234 read wrongly
            counts["maybe"] = [len(x), f"{_show(x[0])} in {name!r}"]
    counts["."][0] += counts["float"][0]
    counts["."][1] = counts["."][1] or counts["float"][1]
    return {k: (v[0], v[1]) for k, v in counts.items()}


def _float_warnings(decimal: str, support: dict[str, tuple[int, str]]) -> tuple[str, ...]:
    if decimal != "," or not support["maybe"][0]:
        return ()
    return (
        "Numbers written as text use a decimal comma, but a column was read as numbers with "
        f"a decimal point ({support['maybe'][1]}) and is kept as read. If its points separate "
        f'thousands (1.234 meaning 1234), set `decimal: ","` {_SPEC_FIELDS}: the file is then '
        "read with decimal commas throughout.",
    )


def _ambiguous(
    looking: dict[str, dict[str, NumberReading]],
    samples: Mapping[str, pd.Series],
    settings: NumberSettings,
) -> ValueError:
    """The error for values that read two ways, with nothing to tell which."""
    columns, example = [], None
    for name, readings in looking.items():
        point, comma = readings["."].values, readings[","].values
        differ = point.notna() & comma.notna() & (point != comma)
        if differ.any():
            columns.append(name)
            if example is None:
                position = int(np.flatnonzero(differ.to_numpy())[0])
                value = str(samples[name].iloc[position])
                mark = "," if "," in value else "."
                numbers = {".": point.iloc[position], ",": comma.iloc[position]}
                other = "." if mark == "," else ","
                example = (value, mark, numbers[mark], numbers[other])
    value, mark, as_decimal, as_thousands = example
    hint = (
        " The file is ';'-delimited, as files with decimal commas often are."
        if settings.delimiter == ";"
        else ""
    )
    return ValueError(
        f"Column(s) {columns} hold numbers such as {value!r} that read two ways: "
        f"{_show(as_decimal)} with {mark!r} as the decimal mark, or {_show(as_thousands)} "
        f"with {mark!r} separating thousands, and no value of the table tells which. Set "
        f'`decimal: "{mark}"` (to read {_show(as_decimal)}) or `thousands: "{mark}"` (to read '
        f"{_show(as_thousands)}) {_SPEC_FIELDS}.{hint}"
    )


def _disagreement(
    looking: dict[str, dict[str, NumberReading]],
    samples: Mapping[str, pd.Series],
    support: dict[str, tuple[int, str]] | None = None,
) -> ValueError:
    """The error for columns (or values) that need different decimal marks."""
    needs = {}
    for mark, other in ((",", "."), (".", ",")):
        if support is not None:
            needs[mark] = support[mark][1]
            continue
        name = next(n for n, r in looking.items() if not r[other].few)
        readings = looking[name]
        only = readings[mark].values.notna() & readings[other].values.isna()
        needs[mark] = f"{samples[name][only].iloc[0]!r} in {name!r}"
    return ValueError(
        "The table writes numbers with both decimal marks: a comma (e.g. "
        f"{needs[',']}) and a point (e.g. {needs['.']}), and one table is read with one. "
        'Set `decimal: ","` or `decimal: "."` '
        f"{_SPEC_FIELDS} (values written the other way then are not numbers), or make the "
        "source consistent."
    )
