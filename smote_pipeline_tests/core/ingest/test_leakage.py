from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from smote_pipeline.core.ingest.leakage import LEAK_AVERAGE_PRECISION, screen_leaks


def _sorted_by_label(n: int = 1000, positives: int = 200, seed: int = 0) -> pd.DataFrame:
    """A frame sorted by label (positives first), as some exports are."""
    rng = np.random.default_rng(seed)
    label = np.zeros(n, dtype=np.int8)
    label[:positives] = 1
    return pd.DataFrame(
        {
            "row_id": np.arange(n),
            "position": np.arange(n),
            "noisy": rng.normal(size=n) + 0.5 * label,
            "label": label,
        }
    )


def _figures(screen) -> dict[str, float]:
    return dict(zip(screen.columns["column"], screen.columns["average_precision"], strict=True))


def test_id_of_a_file_sorted_by_label_is_suspected_and_a_noisy_feature_is_not():
    screen = screen_leaks(_sorted_by_label(), "label")
    figures = _figures(screen)
    assert figures["position"] > LEAK_AVERAGE_PRECISION
    assert figures["noisy"] < 0.6
    assert screen.suspected == ["position"]
    assert list(screen.columns.columns) == ["column", "average_precision", "suspected"]
    assert screen.columns["suspected"].dtype == bool
    assert screen.threshold == LEAK_AVERAGE_PRECISION
    assert screen.rows_used == 1000


def test_categorical_copy_of_the_label_is_suspected():
    rng = np.random.default_rng(1)
    n = 800
    label = (rng.uniform(size=n) < 0.25).astype(np.int8)
    copy = np.where(label == 1, "p", "n").astype(object)
    copy[rng.choice(n, size=12, replace=False)] = "<missing>"
    frame = pd.DataFrame(
        {
            "row_id": np.arange(n),
            "outcome_code": copy,
            "colour": rng.choice(["red", "green", "blue"], size=n),
            "label": label,
        }
    )
    screen = screen_leaks(frame, "label")
    figures = _figures(screen)
    assert screen.suspected == ["outcome_code"]
    assert figures["outcome_code"] > 0.99
    assert figures["colour"] < 0.5


def test_non_monotone_separation_is_caught_by_the_bins():
    rng = np.random.default_rng(2)
    n = 2000
    value = rng.uniform(0.0, 100.0, size=n)
    label = ((value > 35.0) & (value < 65.0)).astype(np.int8)
    frame = pd.DataFrame({"row_id": np.arange(n), "middle": value, "label": label})
    # Not monotone: the raw value alone ranks the positives poorly.
    assert average_precision_score(label, value) < 0.5
    assert average_precision_score(label, -value) < 0.5
    screen = screen_leaks(frame, "label")
    assert _figures(screen)["middle"] > LEAK_AVERAGE_PRECISION
    assert screen.suspected == ["middle"]


def test_pure_noise_is_not_suspected_and_the_summary_is_json():
    rng = np.random.default_rng(3)
    n = 1000
    label = (rng.uniform(size=n) < 0.3).astype(np.int8)
    noise = rng.normal(size=n)
    noise[rng.choice(n, size=50, replace=False)] = np.nan
    frame = pd.DataFrame(
        {
            "row_id": np.arange(n),
            "noise": noise,
            "small_ints": rng.integers(0, 5, size=n),
            "constant": 7.0,
            "label": label,
        }
    )
    screen = screen_leaks(frame, "label")
    figures = _figures(screen)
    assert screen.suspected == []
    assert screen.warnings == []
    assert screen.message() == ""
    assert figures["noise"] < 0.5
    # A constant column ranks nothing: its figure is the positive rate.
    assert figures["constant"] == pytest.approx(round(label.mean(), 4))
    summary = json.loads(json.dumps(screen.to_dict()))
    assert summary["suspected"] == []
    assert summary["rows_used"] == n
    assert summary["threshold"] == LEAK_AVERAGE_PRECISION
    assert [record["column"] for record in summary["columns"]] == [
        "noise",
        "small_ints",
        "constant",
    ]
    assert all(record["suspected"] is False for record in summary["columns"])


def test_fewer_than_two_positives_gives_an_empty_screen():
    frame = _sorted_by_label(n=100, positives=1)
    screen = screen_leaks(frame, "label")
    assert screen.suspected == []
    assert screen.columns.empty
    assert list(screen.columns.columns) == ["column", "average_precision", "suspected"]
    assert screen.rows_used == 0
    assert screen.message() == ""
    assert json.loads(json.dumps(screen.to_dict()))["columns"] == []


def test_large_frame_is_sampled_and_the_leak_is_still_flagged():
    rng = np.random.default_rng(4)
    n = 50_000
    label = (rng.uniform(size=n) < 0.1).astype(np.int8)
    frame = pd.DataFrame(
        {
            "row_id": np.arange(n),
            # Recorded after the outcome: days until refund, 0 when there was none.
            "refund_days": np.where(label == 1, rng.integers(1, 30, size=n), 0),
            "noise": rng.normal(size=n),
            "label": label,
        }
    )
    screen = screen_leaks(frame, "label", max_rows=5_000)
    assert screen.rows_used == 5000
    assert screen.suspected == ["refund_days"]
    assert _figures(screen)["noise"] < 0.3


def test_message_names_the_column_and_the_spec_option():
    screen = screen_leaks(_sorted_by_label(), "label")
    (warning,) = screen.warnings
    assert "Column 'position' alone predicts the target almost perfectly" in warning
    assert "(average precision 1.000 on the training rows" in warning
    assert "`columns: {position: ignore}`" in warning
    assert screen.message() == warning


def test_suspected_columns_are_ordered_by_average_precision():
    frame = _sorted_by_label()
    frame["status"] = np.where(frame["label"] == 1, "closed", "open")
    # one negative row shares the positives' position range: still a leak, a little weaker
    frame.loc[frame.index[-1], "position"] = -1
    screen = screen_leaks(frame, "label")
    figures = _figures(screen)
    assert figures["status"] > figures["position"] >= LEAK_AVERAGE_PRECISION
    assert screen.suspected == ["status", "position"]
    assert len(screen.warnings) == 2
    assert "`columns: {status: ignore}`" in screen.warnings[0]


def test_screen_is_deterministic_for_a_fixed_seed():
    frame = _sorted_by_label()
    first = screen_leaks(frame, "label", random_state=7, max_rows=600)
    second = screen_leaks(frame, "label", random_state=7, max_rows=600)
    pd.testing.assert_frame_equal(first.columns, second.columns)
    assert first.rows_used == second.rows_used == 600


def test_target_must_be_encoded_zero_one():
    frame = _sorted_by_label().assign(label=lambda f: f["label"] * 2)
    with pytest.raises(ValueError, match="0/1"):
        screen_leaks(frame, "label")


def test_a_sorted_id_is_caught_when_positives_are_rare():
    """The binned figure alone misses it at 2% positives; the ranking does not."""
    n = 5000
    y = np.r_[np.ones(100), np.zeros(n - 100)].astype(np.int8)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"row_id": np.arange(n), "order": np.arange(n) * 3.0, "noise": rng.normal(size=n), "y": y}
    )
    screen = screen_leaks(frame, "y", random_state=0)
    assert screen.suspected == ["order"]
