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
