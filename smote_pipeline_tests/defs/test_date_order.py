"""Dates as people write them, through the own-data path (environment variables) to
`raw_dataset`: US dates are read month first, never with day and month swapped.

Two materializations of `raw_dataset` alone: a file whose values tell the order, and
the same file with a column whose dates all read both ways, settled by
`SMOTE_PIPELINE_DATE_ORDER`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smote_pipeline.defs.storage import decode

from .test_number_formats import ROWS, _labels, _materialize, _metadata, _own_data


def _us_export(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """US dates (`02/03/2024` is 3 February) beside a number: the table, the true days."""
    offsets = rng.integers(0, 366, ROWS)
    offsets[0] = 33  # 3 February 2024, which day-first reading makes 2 March
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(offsets, unit="D")
    frame = pd.DataFrame(
        {
            "billed": days.strftime("%m/%d/%Y"),
            "amount": rng.normal(size=ROWS),
            "label": _labels(),
        }
    )
    return frame, days


def test_us_dates_are_read_month_first_through_the_own_data_path(tmp_path):
    frame, days = _us_export(np.random.default_rng(21))
    path = tmp_path / "us.csv"
    frame.to_csv(path, index=False)
    detected = _materialize(_own_data(path), tmp_path / "auto", "raw_dataset")
    assert detected.result.success
    raw = decode(detected.stored("raw_dataset"))
    np.testing.assert_array_equal(raw["billed__month"], days.month)
    np.testing.assert_array_equal(raw["billed__day"], days.day)
    assert (raw.loc[0, "billed__month"], raw.loc[0, "billed__day"]) == (2.0, 3.0)
    roles = {r.data["column"]: r.data for r in _metadata(detected)["column_roles"].records}
    told = next(v for v in frame["billed"] if int(v[3:5]) > 12)
    assert roles["billed"]["reason"] == f"dates, month first ({told})"
    assert roles["billed"]["date_order"] == "month first"

    firsts = pd.DatetimeIndex([pd.Timestamp(2024, 1 + i % 12, 1 + i % 7) for i in range(ROWS)])
    frame["renewed"] = firsts.strftime("%m/%d/%Y")  # 01/01, 02/02, ..., 05/05: both ways
    frame.to_csv(path, index=False)
    spec = _own_data(path, SMOTE_PIPELINE_DATE_ORDER="month_first")
    assert spec.date_order == "month_first"
    settled = _materialize(spec, tmp_path / "set", "raw_dataset")
    assert settled.result.success
    raw = decode(settled.stored("raw_dataset"))
    np.testing.assert_array_equal(raw["renewed__month"], firsts.month)
    np.testing.assert_array_equal(raw["renewed__day"], firsts.day)
    np.testing.assert_array_equal(raw["billed__month"], days.month)
    roles = {r.data["column"]: r.data for r in _metadata(settled)["column_roles"].records}
    assert roles["renewed"]["reason"] == "dates, month first (date_order in the spec)"
