"""Quality per segment: a model good on average and useless for one segment is shown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smote_pipeline.core.holdout.segments import OTHER, by_segment, segment_table, weak_segments


def _holdout(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Region a: the model ranks well; region b: it guesses; region c: 2 positives."""
    rng = np.random.default_rng(seed)
    region = np.array(["a"] * 600 + ["b"] * 600 + ["c"] * 60 + [None] * 150, dtype=object)
    y = (rng.random(len(region)) < 0.1).astype(int)
    y[1200:1260] = 0
    y[[1200, 1201]] = 1
    proba = np.where(region == "a", 0.6 * y + 0.4 * rng.random(len(y)), rng.random(len(y)))
    frame = pd.DataFrame({"region": region, "size": rng.normal(size=len(y))})
    return frame, y, proba


def _by(frame, y, proba, columns):
    return by_segment(frame, y, proba, columns, threshold=0.5, n_bootstrap=200, seed=0)


def test_a_segment_the_model_cannot_rank_is_named():
    frame, y, proba = _holdout()
    records = {r["segment"]: r for r in _by(frame, y, proba, ("region",))}
    assert records["a"]["average_precision_low"] > records["b"]["average_precision_high"]
    overall = 0.5  # the a/b mix: well above b's chance level of about 0.1
    weak = weak_segments(tuple(records.values()), overall)
    assert "`region` = b" in weak and "`region` = a" not in weak
    assert records["<missing>"]["rows"] == 150  # missing is a segment of its own


def test_values_with_few_positives_are_pooled_into_other_and_said():
    frame, y, proba = _holdout()
    records = {r["segment"]: r for r in _by(frame, y, proba, ("region",))}
    assert "c" not in records and "c" in records[OTHER]["pooled"].split(", ")
    assert records[OTHER]["positives"] >= 2
    table = segment_table(tuple(records.values()))
    assert table.loc[table["segment"] == OTHER, "note"].str.contains("pools").all()


def test_a_numeric_column_is_cut_at_quartiles_and_a_missing_column_is_reported():
    frame, y, proba = _holdout()
    records = _by(frame, y, proba, ("size", "device"))
    sizes = [r for r in records if r["column"] == "size"]
    assert 2 <= len(sizes) <= 4 and sum(r["rows"] for r in sizes) == len(frame)
    (device,) = [r for r in records if r["column"] == "device"]
    assert "not a kept column" in device["note"]
