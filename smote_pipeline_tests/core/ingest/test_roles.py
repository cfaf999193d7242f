"""Column roles: one test per kind of messy column a real export brings."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.ingest.ingestion import (
    MISSING_CATEGORY,
    TargetSpec,
    ingest,
    prepare_dataset,
)
from smote_pipeline.core.ingest.numbers import NumberFormat, NumberSettings, read_numbers
from smote_pipeline.core.ingest.roles import decide_roles, roles_table
from smote_pipeline_tests.conftest import make_frame


def _roles(frame: pd.DataFrame, overrides: dict[str, str] | None = None) -> dict[str, str]:
    roles, _ = decide_roles(frame, "label", overrides)
    return {r.column: r.role for r in roles}


@pytest.fixture
def base() -> pd.DataFrame:
    return make_frame(180, 20, seed=0)


def test_identifiers_are_excluded(base):
    n = len(base)
    frame = base.assign(
        **{"": np.arange(n)},  # the index column of DataFrame.to_csv(index=True)
        customer_id=np.arange(5000, 5000 + n),
        order=np.random.default_rng(0).permutation(n),  # a shuffled row number
        code=[f"K-{i:05d}" for i in range(n)],
    )
    roles = _roles(frame)
    assert {c: roles[c] for c in ("", "customer_id", "order", "code")} == dict.fromkeys(
        ("", "customer_id", "order", "code"), "identifier"
    )
    out = prepare_dataset(frame, TargetSpec("label", "yes"))
    assert list(out.columns) == ["row_id", "a", "b", "c", "label"]


def test_integer_features_that_are_not_ids_stay(base):
    rng = np.random.default_rng(1)
    frame = base.assign(age=rng.integers(18, 90, len(base)), count=rng.integers(0, 5, len(base)))
    roles = _roles(frame)
    assert roles["age"] == roles["count"] == "numeric"


def test_numbers_written_as_text_and_missing_markers_are_parsed(base):
    n = len(base)
    amounts = [f"{v:,.2f}" for v in np.linspace(100, 9000, n)]
    amounts[3] = "?"
    amounts[5] = "NA"
    amounts[7] = ""
    frame = base.assign(amount=amounts, level=["?" if i % 9 == 0 else "high" for i in range(n)])
    out = prepare_dataset(frame, TargetSpec("label", "yes"))
    assert out["amount"].dtype == np.float64
    assert out["amount"].isna().sum() == 3
    assert out["amount"].iloc[-1] == pytest.approx(9000.0)
    assert out.loc[1, "amount"] == pytest.approx(float(amounts[1].replace(",", "")))
    # in a text column a marker is a missing value, which becomes the missing category
    assert set(out["level"]) == {"high", MISSING_CATEGORY}


def test_decimals_become_numbers(base):
    frame = base.assign(price=[decimal.Decimal(f"{v:.2f}") for v in base["a"]])
    out = prepare_dataset(frame, TargetSpec("label", "yes"))
    assert out["price"].dtype == np.float64
    assert np.allclose(out["price"], base["a"].round(2))


def test_lists_and_mappings_are_excluded_with_the_reason(base):
    frame = base.assign(tags=[["a", "b"]] * len(base), attrs=[{"k": i} for i in range(len(base))])
    roles, _ = decide_roles(frame, "label")
    table = roles_table(roles).set_index("column")
    assert table.loc["tags", "becomes"] == "excluded"
    assert table.loc["tags", "role"] == "unsupported" and "list" in table.loc["tags", "reason"]
    assert table.loc["attrs", "role"] == "unsupported" and "dict" in table.loc["attrs", "reason"]


def test_free_text_and_constants_are_excluded(base):
    frame = base.assign(
        comment=[f"the client called about parcel {i} twice" for i in range(len(base))],
        country="FR",
        empty=np.nan,
    )
    roles = _roles(frame)
    assert roles["comment"] == "text"
    assert roles["country"] == roles["empty"] == "constant"


def test_naive_and_aware_dates_become_numeric_parts(base):
    n = len(base)
    stamps = pd.Timestamp("2024-03-01 08:00") + pd.to_timedelta(np.arange(n) * 13, unit="h")
    frame = base.assign(
        created=stamps.strftime("%Y-%m-%d %H:%M"),  # ISO text, as in a CSV
        day=stamps.date,  # datetime.date objects, as pyarrow reads a date32 column
        aware=stamps.tz_localize("Europe/Paris"),
    )
    frame.loc[4, "created"] = ""
    out = prepare_dataset(frame, TargetSpec("label", "yes"))
    assert {"created__month", "created__day", "created__weekday", "created__hour"} <= set(out)
    assert "created__year" not in out  # every value is in 2024: a part that never varies
    assert "created" not in out and "day" not in out and "aware" not in out
    assert "day__hour" not in out  # dates without a time of day have no hour part
    assert out["created__hour"].isna().sum() == 1
    assert out.loc[0, "created__hour"] == 8.0
    assert (out.loc[0, "created__month"], out.loc[0, "created__day"]) == (3.0, 1.0)  # ISO order
    assert out.loc[0, "aware__hour"] == 7.0  # read in UTC
    assert all(out[c].dtype == np.float64 for c in out if "__" in c)


def test_overrides_win_and_bad_ones_are_named(base):
    frame = base.assign(zip=[f"{75000 + i % 20}" for i in range(len(base))], note="x")
    assert _roles(frame)["zip"] == "numeric"
    assert _roles(frame, {"zip": "categorical", "a": "ignore"})["zip"] == "categorical"
    out = prepare_dataset(frame, TargetSpec("label", "yes"), {"zip": "categorical", "a": "ignore"})
    assert "a" not in out and out["zip"].dtype == object
    with pytest.raises(ValueError, match=r"`columns:` names \['nope'\]"):
        prepare_dataset(frame, TargetSpec("label", "yes"), {"nope": "ignore"})
    with pytest.raises(ValueError, match=r"unknown role\(s\) \{'a': 'id'\}.*numeric"):
        prepare_dataset(frame, TargetSpec("label", "yes"), {"a": "id"})
    with pytest.raises(ValueError, match=r"Column 'note' is set to `numeric`.*\['x'\]"):
        prepare_dataset(frame, TargetSpec("label", "yes"), {"note": "numeric"})
    with pytest.raises(ValueError, match=r"Column 'note' is set to `datetime`"):
        prepare_dataset(frame, TargetSpec("label", "yes"), {"note": "datetime"})


def test_nothing_left_names_what_was_excluded(base):
    frame = base[["label"]].assign(uid=[f"u{i}" for i in range(len(base))])
    with pytest.raises(ValueError, match=r"no usable feature columns.*'uid' \(identifier\)"):
        ingest(frame, TargetSpec("label", "yes"))


def test_roles_table_lists_every_source_column(base):
    frame = base.assign(customer_id=np.arange(len(base)))
    table = ingest(frame, TargetSpec("label", "yes")).roles_table()
    assert list(table["column"]) == ["a", "b", "c", "customer_id"]
    assert table.set_index("column").loc["customer_id", "becomes"] == "excluded"
    assert set(table.columns) >= {"role", "reason", "missing", "distinct", "becomes"}


def test_slash_dates_are_read_day_first(base):
    days = pd.Timestamp("2024-01-20") + pd.to_timedelta(np.arange(len(base)), unit="D")
    frame = base.assign(when=days.strftime("%d/%m/%Y"))
    out = prepare_dataset(frame, TargetSpec("label", "yes"))
    assert (out.loc[0, "when__day"], out.loc[0, "when__month"]) == (20.0, 1.0)


# Numbers as people write them (core.ingest.numbers): one convention per table.


def _european(value: float) -> str:
    """``1234.5`` as ``1.234,50``."""
    return f"{value:,.2f}".translate(str.maketrans({",": ".", ".": ","}))


def _by_column(roles) -> dict:
    return {r.column: r for r in roles}


def test_decimal_commas_are_decimals_never_thousands(base):
    n = len(base)
    rng = np.random.default_rng(2)
    ratio = rng.uniform(0, 1, n).round(3)
    ratio[0] = 0.908
    amount = rng.uniform(-5000, 90000, n).round(2)
    frame = base.assign(
        ratio=[f"{v:.3f}".replace(".", ",") for v in ratio],  # 0,908
        amount=[_european(v) for v in amount],  # 1.234,50 and -4.321,09
        tiny=[f"{v:.1e}".replace(".", ",") for v in ratio * 1e-3],  # 1,5e-04
        spaced=[f"{v:,.1f}".replace(",", "\u00a0").replace(".", ",") for v in amount],
    )
    frame.loc[[2, 4], "amount"] = ["?", " NA "]
    roles, out = decide_roles(frame, "label")
    by = _by_column(roles)
    assert {by[c].role for c in ("ratio", "amount", "tiny", "spaced")} == {"numeric"}
    assert out.loc[0, "ratio"] == pytest.approx(0.908)
    np.testing.assert_allclose(out["ratio"], ratio)
    assert out["amount"].isna().tolist() == [i in (2, 4) for i in range(n)]
    np.testing.assert_allclose(out["amount"].drop([2, 4]), np.delete(amount, [2, 4]))
    assert (out["amount"] < 0).any()
    np.testing.assert_allclose(out["tiny"], [float(f"{v:.1e}") for v in ratio * 1e-3])
    np.testing.assert_allclose(out["spaced"], [float(f"{v:.1f}") for v in amount])
    assert (by["ratio"].decimal, by["amount"].non_numbers) == (",", 0)  # markers are missing


def test_dot_thousands_amounts_are_numbers_not_identifiers(base):
    amounts = [_european(1000 + 37.31 * i) for i in range(len(base))]  # all distinct
    roles, out = decide_roles(base.assign(amount=amounts), "label")
    assert _by_column(roles)["amount"].role == "numeric"
    assert out.loc[1, "amount"] == pytest.approx(1037.31)


def test_thousands_commas_with_decimal_points_still_read(base):
    frame = base.assign(amount=[f"{v:,.2f}" for v in np.linspace(-900, 1e6, len(base))])
    _, out = decide_roles(frame, "label")
    assert out["amount"].iloc[-1] == pytest.approx(1e6) and out["amount"].iloc[0] == -900


def _integers_with_commas(n: int) -> list[str]:
    return [f"{1000 + 7 * i:,}" for i in range(n)]  # 1,000 1,007 ...: 1.007 or 1007?


def test_a_value_that_reads_two_ways_fails_naming_column_value_and_fields(base):
    # no other column: the features of `base` are floats with decimal points
    frame = base[["label"]].assign(amount=_integers_with_commas(len(base)))
    with pytest.raises(ValueError) as info:
        decide_roles(frame, "label")
    message = str(info.value)
    assert "['amount']" in message and "'1,000'" in message
    assert '`decimal: ","`' in message and '`thousands: ","`' in message
    assert "';'-delimited" not in message
    with pytest.raises(ValueError, match="';'-delimited"):
        decide_roles(frame, "label", numbers=NumberSettings(delimiter=";"))


def test_the_spec_or_other_values_settle_a_value_that_reads_two_ways(base):
    frame = base[["label"]].assign(amount=_integers_with_commas(len(base)))
    _, comma = decide_roles(frame, "label", numbers=NumberSettings(decimal=","))
    _, grouped = decide_roles(frame, "label", numbers=NumberSettings(thousands=","))
    assert comma.loc[1, "amount"] == pytest.approx(1.007) and grouped.loc[1, "amount"] == 1007
    points = frame.assign(price=[f"{v:.1f}" if i else "x" for i, v in enumerate(base["a"])])
    assert decide_roles(points, "label")[1].loc[1, "amount"] == 1007  # 12.5: a point
    commas = frame.assign(price=[f"{v:.1f}".replace(".", ",") for v in base["a"]])
    assert decide_roles(commas, "label")[1].loc[1, "amount"] == pytest.approx(1.007)
    floats = frame.assign(share=base["a"])  # already numbers, with decimal points
    assert decide_roles(floats, "label")[1].loc[1, "amount"] == 1007


def test_columns_that_need_different_decimal_marks_fail_naming_both(base):
    n = len(base)
    frame = base.assign(
        ratio=[f"0,{i % 900 + 100}" for i in range(n)], price=[f"{i}.5" for i in range(n)]
    )
    expected = r"a comma \(e.g. '0,100' in 'ratio'\) and a point \(e.g. '0.5' in 'price'\)"
    with pytest.raises(ValueError, match=expected):
        decide_roles(frame, "label")
    _, out = decide_roles(frame, "label", {"price": "categorical"})
    assert out.loc[0, "ratio"] == pytest.approx(0.1)


def test_nothing_at_stake_uses_the_delimiter_as_weak_evidence(base):
    counts = [str(i % 30) for i in range(len(base))]
    frame = base[["label"]].assign(count=counts)
    frame.loc[3, "count"] = "twelve"  # text column, but nothing depends on the mark
    roles, _ = decide_roles(frame, "label", numbers=NumberSettings(delimiter=";"))
    assert _by_column(roles)["count"].decimal == ","
    assert _by_column(decide_roles(frame, "label")[0])["count"].decimal == "."


def test_a_few_words_in_a_numeric_column_become_missing_and_are_counted(base):
    n = len(base)
    counts = [str(i % 31) for i in range(n)]
    for i in (5, 60, 120):
        counts[i] = "twelve"
    counts[7], counts[8] = "?", ""  # missing markers: missing, not words
    roles, out = decide_roles(base.assign(count=counts), "label")
    role = _by_column(roles)["count"]
    assert role.role == "numeric" and role.non_numbers == 3
    assert role.non_number_examples == ("twelve",)
    assert role.missing == 5
    assert "3 cells that are not numbers (e.g. 'twelve') read as missing" in role.reason
    assert out["count"].isna().sum() == 5 and out.loc[6, "count"] == 6.0
    row = roles_table(roles).set_index("column").loc["count"]
    assert (row["non_numbers"], row["non_number_examples"]) == (3, "'twelve'")
    assert row["number_format"].startswith("decimal '.'")
    warnings = ingest(base.assign(count=counts), TargetSpec("label", "yes")).warnings()
    assert len(warnings) == 1 and "'count'" in warnings[0] and "'twelve'" in warnings[0]


def test_many_words_keep_a_column_categorical_and_say_why(base):
    n = len(base)
    mostly = [["low", "high", "mid"][i % 3] if i % 5 else str(i) for i in range(n)]
    words = [str(i % 40) for i in range(n)]
    spellings = ["one", "two", "three", "four", "five", "six"]
    for k, word in enumerate(spellings):  # 6 different words in 3% of the cells
        words[k * 30] = word
    share = [str(i) if i % 10 < 6 else "n/a." for i in range(n)]  # 40% words
    roles, _ = decide_roles(base.assign(mostly=mostly, words=words, share=share), "label")
    by = _by_column(roles)
    assert {by[c].role for c in ("mostly", "words", "share")} == {"categorical"}
    assert by["share"].reason.startswith("40% of values are not numbers")
    assert by["mostly"].reason.startswith("80% of values are not numbers")
    assert by["words"].reason.startswith("6 different values that are not numbers")
    assert by["share"].non_numbers == 0  # only numeric roles count them


def test_forcing_numeric_reads_with_the_table_format_and_names_the_fields(base):
    amounts = [_european(100 + 3.5 * i) for i in range(len(base))]
    frame = base.assign(amount=amounts)
    roles, out = decide_roles(frame, "label", {"amount": "numeric"})
    assert out.loc[2, "amount"] == pytest.approx(107.0)
    assert _by_column(roles)["amount"].reason == "set in the spec"
    with pytest.raises(ValueError) as info:
        decide_roles(frame, "label", {"amount": "numeric"}, NumberSettings(decimal="."))
    message = str(info.value)
    assert "Column 'amount' is set to `numeric`" in message and "'100,00'" in message
    assert "`decimal:`" in message and "`thousands:`" in message
    with pytest.raises(ValueError) as words:
        decide_roles(base.assign(note="x"), "label", {"note": "numeric"})
    assert "`decimal:`" not in str(words.value)  # no comma or point: no hint


def test_zero_comma_digits_is_never_a_thousand(base):
    for settings in (NumberSettings(), NumberSettings(decimal="."), NumberSettings(decimal=",")):
        frame = base.assign(x=["0,908"] * 30 + ["1"] * (len(base) - 30))
        frame.loc[::7, "x"] = "0,5"
        try:
            _, out = decide_roles(frame, "label", {"x": "numeric"}, settings)
        except ValueError as error:
            assert "'0,908'" in str(error) and settings.decimal == "."
            continue
        assert out.loc[1, "x"] == pytest.approx(0.908)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234,50", ",", 1234.5),
        ("-1.234,50", ",", -1234.5),
        ("\u22121,5", ",", -1.5),  # a typographic minus
        ("0,908", ",", 0.908),
        ("0,908", ".", None),  # never 908
        ("12,5", ".", None),  # never 125
        ("1,234.50", ".", 1234.5),
        ("1,5e-3", ",", 0.0015),
        ("+2,5E+2", ",", 250.0),
        (",5", ",", 0.5),
        ("1 234 567,8", ",", 1234567.8),
        ("1\u202f234,5", ",", 1234.5),  # a narrow no-break space
        ("1'234.5", ".", 1234.5),
        ("1.234.567", ",", 1234567.0),
        ("1.234.567", ".", None),
        ("1,23,456", ".", None),  # groups of three only
        ("1,234 567", ",", None),  # one separator per number
        ("12 ", ".", None),  # values are trimmed before (by the roles), not here
        ("$1,234.50", ".", 1234.5),  # currency signs and percent signs are dropped
        ("-$5", ".", -5.0),
        ("$-5", ".", -5.0),
        ("1.234,50 €", ",", 1234.5),
        ("£ 12", ".", 12.0),
        ("12.5%", ".", 12.5),
        ("32,0 %", ",", 32.0),
        ("(1,234.50)", ".", -1234.5),  # accounting negatives
        ("($12)", ".", -12.0),
        ("(12", ".", None),
        ("12)", ".", None),
        ("$", ".", None),
        ("%12", ".", None),
        ("12 USD", ".", None),  # currency codes are words
    ],
)
def test_how_one_value_reads(text, decimal, expected):
    fmt = NumberFormat(decimal, NumberSettings().separators(decimal))
    value = read_numbers(pd.Series([text], dtype=object), fmt).values[0]
    assert np.isnan(value) if expected is None else value == pytest.approx(expected), value


# Dates as people write them (core.ingest.dates): day and month in each column's order.


def _days(n: int, seed: int) -> pd.DatetimeIndex:
    """``n`` random days of 2024 (a leap year); the first is 3 February."""
    offsets = np.random.default_rng(seed).integers(0, 366, n)
    offsets[0] = 33
    return pd.Timestamp("2024-01-01") + pd.to_timedelta(offsets, unit="D")


def _assert_days(out: pd.DataFrame, column: str, days: pd.DatetimeIndex, rows=None) -> None:
    """Every month and day of ``column``'s parts is the true one (on ``rows``)."""
    rows = np.arange(len(days)) if rows is None else rows
    np.testing.assert_array_equal(out[f"{column}__month"].to_numpy()[rows], days.month[rows])
    np.testing.assert_array_equal(out[f"{column}__day"].to_numpy()[rows], days.day[rows])
    np.testing.assert_array_equal(
        out[f"{column}__weekday"].to_numpy()[rows], days.day_of_week[rows]
    )


def test_us_and_european_dates_are_each_read_exactly_in_their_order(base):
    days = _days(len(base), 3)
    frame = base.assign(
        us=days.strftime("%m/%d/%Y"),  # 02/03/2024 is 3 February here ...
        eu=days.strftime("%d/%m/%Y"),  # ... and 03/02/2024 here
        dots=days.strftime("%d.%m.%Y"),
        dashes=days.strftime("%m-%d-%Y"),
        bare=[f"{d.month}/{d.day}/{d.year}" for d in days],  # 2/3/2024
    )
    roles, out = decide_roles(frame, "label")
    for column in ("us", "eu", "dots", "dashes", "bare"):
        _assert_days(out, column, days)
    assert (out.loc[0, "us__month"], out.loc[0, "us__day"]) == (2.0, 3.0)
    by = _by_column(roles)
    assert {c: by[c].date_order for c in ("us", "eu", "dots", "dashes", "bare")} == {
        "us": "month_first",
        "eu": "day_first",
        "dots": "day_first",
        "dashes": "month_first",
        "bare": "month_first",
    }
    first_us = next(v for v in frame["us"] if int(v[3:5]) > 12)  # the value that told
    assert by["us"].reason == f"dates, month first ({first_us})"
    assert by["dots"].reason.startswith("dates, day first (") and by["eu"].role == "datetime"
    table = roles_table(roles).set_index("column")
    assert (table.loc["us", "date_order"], table.loc["eu", "date_order"]) == (
        "month first",
        "day first",
    )
    assert table.loc["a", "date_order"] == ""


def test_dates_with_times_keep_their_order_and_their_hour(base):
    days = _days(len(base), 4)
    stamps = days + pd.to_timedelta(np.random.default_rng(5).integers(0, 1440, len(base)), "min")
    stamps = stamps.where(np.arange(len(base)) != 1, pd.Timestamp("2024-01-31 10:30"))
    frame = base.assign(
        at=stamps.strftime("%m/%d/%Y %H:%M"),  # 01/31/2024 10:30
        pm=stamps.strftime("%m/%d/%Y %I:%M:%S %p"),  # 01/31/2024 10:30:00 PM
        seconds=stamps.strftime("%d.%m.%Y %H:%M:%S"),
    )
    assert frame.loc[1, "at"] == "01/31/2024 10:30"
    roles, out = decide_roles(frame, "label")
    for column in ("at", "pm", "seconds"):
        _assert_days(out, column, stamps)
        np.testing.assert_array_equal(out[f"{column}__hour"], stamps.hour)
    by = _by_column(roles)
    assert by["at"].date_order == by["pm"].date_order == "month_first"
    assert by["seconds"].date_order == "day_first"


def test_iso_dates_need_no_order_and_are_read_as_before(base):
    days = _days(len(base), 6)
    frame = base.assign(
        iso=days.strftime("%Y-%m-%d"), slashes=days.strftime("%Y/%m/%d"), when=days.date
    )
    frame.loc[0, "iso"] = "2024-02-03T08:15+01:00"  # read in UTC
    roles, out = decide_roles(frame, "label")
    for column in ("iso", "slashes", "when"):
        _assert_days(out, column, days)
    assert out.loc[0, "iso__hour"] == 7.0
    by = _by_column(roles)
    assert {by[c].date_order for c in ("iso", "slashes", "when")} == {"none"}
    assert by["iso"].reason == by["slashes"].reason == by["when"].reason == "dates"
    _, forced = decide_roles(frame, "label", dates="month_first")  # nothing to swap here
    _assert_days(forced, "iso", days)


def test_dates_that_all_read_both_ways_fail_naming_column_value_and_option(base):
    n = len(base)
    firsts = pd.DatetimeIndex([pd.Timestamp(2024, 1 + i % 12, 1 + (5 * i) % 12) for i in range(n)])
    frame = base.assign(billed=firsts.strftime("%m/%d/%Y"))  # every field at most 12
    with pytest.raises(ValueError) as info:
        decide_roles(frame, "label")
    message = str(info.value)
    value = frame.loc[0, "billed"]
    assert f"Column 'billed' holds dates such as {value!r} that read two ways" in message
    assert "`date_order: day_first`" in message and "`date_order: month_first`" in message
    assert "SMOTE_PIPELINE_DATE_ORDER" in message
    with pytest.raises(ValueError, match=r"Column 'billed' holds dates such as"):
        decide_roles(frame, "label", {"billed": "datetime"})  # forcing the role: the same
    roles, out = decide_roles(frame, "label", dates="month_first")
    _assert_days(out, "billed", firsts)
    assert _by_column(roles)["billed"].reason == "dates, month first (date_order in the spec)"
    _, day_first = decide_roles(frame, "label", dates="day_first")
    np.testing.assert_array_equal(day_first["billed__month"], firsts.day)
    frame.attrs["date_order"] = "month_first"  # as read_source leaves the spec's setting
    _assert_days(decide_roles(frame, "label")[1], "billed", firsts)
    frame.attrs.clear()
    kept_as_text = decide_roles(frame, "label", {"billed": "categorical"})[0]
    assert _by_column(kept_as_text)["billed"].role == "categorical"  # another way out


def test_an_order_the_values_contradict_fails_naming_column_and_value(base):
    days = _days(len(base), 7)
    frame = base.assign(us=days.strftime("%m/%d/%Y"))
    value = next(v for v in frame["us"] if int(v[3:5]) > 12)
    expected = rf"Column 'us' holds '{value}' as .* \(month first\), a date only that way, but "
    with pytest.raises(ValueError, match=expected + r"`date_order: day_first` is set"):
        decide_roles(frame, "label", dates="day_first")
    with pytest.raises(ValueError, match=expected):
        decide_roles(frame, "label", {"us": "datetime"}, dates="day_first")
    roles, out = decide_roles(frame, "label", {"us": "datetime"})
    _assert_days(out, "us", days)
    assert _by_column(roles)["us"].reason == f"set in the spec; dates, month first ({value})"


def test_a_column_mixing_both_orders_is_refused_naming_a_value_of_each(base):
    days = _days(len(base), 8)
    mixed = np.where(
        np.arange(len(base)) % 2 == 0, days.strftime("%d/%m/%Y"), days.strftime("%m/%d/%Y")
    )
    frame = base.assign(when=mixed)
    day_first = next(v for v in mixed if int(v[:2]) > 12)
    month_first = next(v for v in mixed if int(v[3:5]) > 12)
    first, second = sorted([day_first, month_first], key=list(mixed).index)
    with pytest.raises(ValueError) as info:
        decide_roles(frame, "label")
    message = str(info.value)
    assert "Column 'when' holds dates written in both orders" in message
    assert f"{day_first!r} is a date only with the day first" in message
    assert f"{month_first!r} only with the month first" in message
    assert "`columns:`" in message and first in message and second in message
    for order in ("day_first", "month_first"):  # no setting reads both
        with pytest.raises(
            ValueError, match=r"Column 'when' holds '.*' as .*, a date only that way"
        ):
            decide_roles(frame, "label", dates=order)
    roles, _ = decide_roles(frame, "label", {"when": "categorical"})
    assert _by_column(roles)["when"].role == "categorical"


def test_missing_markers_in_a_date_column_are_missing_dates(base):
    days = _days(len(base), 9)
    us = days.strftime("%m/%d/%Y").to_numpy(dtype=object)
    gaps = [2, 5, 7, 11]
    us[gaps] = ["?", "", " NA ", None]
    roles, out = decide_roles(base.assign(us=us), "label")
    kept = np.setdiff1d(np.arange(len(base)), gaps)
    _assert_days(out, "us", days, kept)
    assert out.loc[gaps, ["us__month", "us__day", "us__weekday"]].isna().all().all()
    us_role = _by_column(roles)["us"]
    assert (us_role.role, us_role.date_order, us_role.missing) == ("datetime", "month_first", 4)


def test_what_is_no_date_either_way_is_not_read_as_one(base):
    days = _days(len(base), 10)
    typo = days.strftime("%m/%d/%Y").to_numpy(dtype=object)
    typo[4] = "02/30/2024"  # no 30 February, and no 30th month
    frame = base.assign(typo=typo, short=days.strftime("%m/%d/%y"))  # 02/03/24
    roles = _by_column(decide_roles(frame, "label")[0])
    assert roles["typo"].role != "datetime" and roles["short"].role != "datetime"
    with pytest.raises(ValueError, match=r"Column 'typo' is set to `datetime`.*'02/30/2024'"):
        decide_roles(frame, "label", {"typo": "datetime"})
    with pytest.raises(ValueError, match=r"Column 'short' holds dates such as .*two-digit year"):
        decide_roles(frame, "label", {"short": "datetime"})


def test_the_time_column_is_read_in_its_order_too(base):
    days = _days(len(base), 11)
    frame = base.assign(when=days.strftime("%m/%d/%Y"))
    out = ingest(frame, TargetSpec("label", "yes", time_column="when")).frame
    np.testing.assert_array_equal(out["time_key"].to_numpy(), days.to_numpy())
    ambiguous = base.assign(when=["01/02/2024", "03/04/2024"] * (len(base) // 2))
    with pytest.raises(ValueError, match=r"Column 'when' holds .*`date_order: day_first`"):
        ingest(ambiguous, TargetSpec("label", "yes", time_column="when"))
