"""Scoring a batch with a champion version: schema, scores and drift figures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import feature_columns
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.serve.profile import build_profile
from smote_pipeline.core.serve.promotion import ModelVersion
from smote_pipeline.core.serve.scoring import SCORE_COLUMNS

TARGET = TargetSpec("churned", "yes")
OPTIONS = PipelineOptions(n_bootstrap=200)


def _table(n: int, seed: int, positive_share: float = 0.1, shift: float = 0.0) -> pd.DataFrame:
    """Customers: two numbers, a colour, a sign-up date, an id; positives lean high."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < positive_share
    return pd.DataFrame(
        {
            "customer_id": [f"c{seed}-{i}" for i in range(n)],
            "spend": rng.normal(1.5 * y, 1.0) + shift,
            "visits": rng.poisson(3 + 2 * y).astype(float),
            "colour": rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]),
            "signed_up": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
            "churned": np.where(y, "yes", "no"),
        }
    )


@pytest.fixture(scope="module")
def version() -> ModelVersion:
    ingested = pipeline.raw_dataset(_table(3000, 0), TARGET)
    training = ingested.frame
    features = feature_columns(training, "churned")
    model = make_pipeline(
        ColumnTransformer(
            [("colour", OneHotEncoder(handle_unknown="ignore"), ["colour"])],
            remainder=SimpleImputer(),
        ),
        LogisticRegression(max_iter=1000),
    )
    X, y = training[features], training["churned"].to_numpy()
    model.fit(X, y)
    holdout = pipeline.raw_dataset(_table(1000, 99), TARGET).frame
    scores = model.predict_proba(holdout[features])[:, 1]
    roles = [r.__dict__ for r in ingested.roles]
    rate = float(np.mean(scores >= 0.3))
    profile = build_profile(roles, training, scores, rate, "churned", "yes", 0)
    return ModelVersion(
        version=3,
        strategy="logistic_regression/no_resampling",
        model=model,
        threshold=0.3,
        training_fingerprint="f" * 64,
        cv_metric="average_precision",
        cv_score=0.5,
        holdout_average_precision=0.5,
        holdout_rows=900,
        profile=profile,
    )


def test_scores_keep_every_row_with_the_version_and_its_threshold(version):
    batch = _table(400, 1).drop(columns="churned")
    batch["note"] = "extra column"
    scored = pipeline.scoring.score_batch(batch, version, OPTIONS)
    frame = scored.frame
    assert len(frame) == 400
    assert list(frame.columns) == ["row_id", "customer_id", *SCORE_COLUMNS]
    assert frame["row_id"].tolist() == list(range(400))
    assert frame["customer_id"].tolist() == batch["customer_id"].tolist()
    assert (frame["decision"] == (frame["probability"] >= 0.3)).all()
    assert set(frame["model_version"]) == {3}
    assert set(frame["model_fingerprint"]) == {version.fingerprint}
    assert scored.ignored_columns == ("note",)
    assert "label" not in frame


def test_an_undrifted_batch_passes_every_drift_check(version):
    scored = pipeline.scoring.score_batch(_table(1500, 2), version, OPTIONS)
    assert scored.drifted_features == []
    assert not scored.scores["drifted"], scored.scores
    assert scored.labels is not None and not scored.labels["worse"], scored.labels
    assert not scored.labels["miscalibrated"], scored.labels
    assert scored.labels["calibration_gap_low"] < 0 < scored.labels["calibration_gap_high"]
    assert not scored.drift_detected


def test_a_shifted_feature_and_a_changed_prevalence_are_drift(version):
    shifted = pipeline.scoring.score_batch(_table(1500, 3, shift=1.0), version, OPTIONS)
    assert shifted.drifted_features == ["spend"]
    assert shifted.drift_detected
    prevalent = pipeline.scoring.score_batch(
        _table(1500, 4, positive_share=0.4).drop(columns="churned"), version, OPTIONS
    )
    assert prevalent.scores["drifted"], prevalent.scores
    assert prevalent.scores["positive_rate"] > prevalent.scores["expected_positive_rate"]
    assert prevalent.labels is None
    labelled = pipeline.scoring.score_batch(_table(1500, 4, positive_share=0.4), version, OPTIONS)
    assert labelled.labels["miscalibrated"] and not labelled.labels["worse"], labelled.labels


def test_labels_that_no_longer_follow_the_features_are_worse(version):
    batch = _table(1500, 5)
    batch["churned"] = np.random.default_rng(0).permutation(batch["churned"].to_numpy())
    batch.loc[:99, "churned"] = None  # not labelled yet
    scored = pipeline.scoring.score_batch(batch, version, OPTIONS)
    assert scored.labels["labelled_rows"] == 1400
    assert scored.labels["worse"], scored.labels
    assert scored.frame["label"].isna().sum() == 100


def test_a_missing_column_is_named(version):
    batch = _table(50, 6).drop(columns=["visits"])
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['visits'\]"):
        pipeline.scoring.score_batch(batch, version, OPTIONS)


def test_a_wrong_dtype_is_named_with_its_values(version):
    batch = _table(50, 7)
    batch["spend"] = batch["spend"].astype(object)
    batch.loc[3, "spend"] = "lots"
    with pytest.raises(ValueError, match=r"Column 'spend' was `numeric`.*\['lots'\]"):
        pipeline.scoring.score_batch(batch, version, OPTIONS)


def test_unknown_categories_and_one_day_of_dates_are_scored_and_counted(version):
    batch = _table(60, 8)
    batch.loc[:9, "colour"] = "purple"
    batch["signed_up"] = pd.Timestamp("2025-03-04")  # no date part varies in this batch
    batch.loc[10, "visits"] = None
    scored = pipeline.scoring.score_batch(batch, version, OPTIONS)
    assert scored.unknown_categories == {"colour": 10}
    assert len(scored.frame) == 60 and scored.frame["probability"].notna().all()


def test_a_categorical_column_read_as_numbers_is_still_a_category(version):
    batch = _table(40, 10)
    batch["colour"] = 7  # a file where every value of the column happens to be a number
    scored = pipeline.scoring.score_batch(batch, version, OPTIONS)
    assert scored.unknown_categories == {"colour": 40}
    assert scored.frame["probability"].notna().all()


def test_a_version_without_a_profile_cannot_score(version):
    from dataclasses import replace

    with pytest.raises(ValueError, match="materialize the pipeline again"):
        pipeline.scoring.score_batch(_table(10, 9), replace(version, profile=None), OPTIONS)


def test_the_version_round_trips_with_its_profile(version):
    back = ModelVersion.from_dict(version.to_dict())
    assert back.profile.schema == version.profile.schema
    pd.testing.assert_frame_equal(back.profile.reference_frame(), version.profile.reference_frame())
    assert back.fingerprint == version.fingerprint


def test_a_batch_is_read_with_the_number_format_of_training():
    """Training read `0,5` with a decimal comma and a few words as missing; a batch is
    read the same way, never detected again (`1,234` alone would read two ways)."""
    rng = np.random.default_rng(11)
    table = _table(300, 11)
    table["ratio"] = [f"{v:.2f}".replace(".", ",") for v in rng.uniform(0, 1, 300)]
    table["count"] = [str(v) for v in rng.integers(0, 20, 300)]
    table.loc[[4, 9], "count"] = "twelve"
    ingested = pipeline.raw_dataset(table, TARGET)
    assert ingested.numbers.decimal == ","
    schema = build_profile(
        ingested.roles, ingested.frame, np.linspace(0, 1, 50), 0.1, "churned", "yes", 0
    ).schema
    batch = _table(40, 12).assign(ratio=["1,234", "0,25", "?"] + ["3"] * 37, count="4")
    batch.loc[1, "count"] = "twelve"  # one in 40: within the limits training applied
    features = schema.prepare(batch).features
    assert features["ratio"].tolist()[:2] == [1.234, 0.25] and np.isnan(features["ratio"][2])
    assert np.isnan(features["count"][1]) and features["count"][3] == 4.0
    with pytest.raises(ValueError, match=r"'count' was `numeric`.*4 of its 40 values"):
        schema.prepare(batch.assign(count=["twelve"] * 4 + ["4"] * 36))  # 10%: too many
    old = replace(
        schema, roles=tuple({k: r[k] for k in ("column", "role", "becomes")} for r in schema.roles)
    )
    assert old.prepare(batch.assign(ratio="1,234", count="4")).features["ratio"][0] == 1234.0
    with pytest.raises(ValueError, match=r"Column 'count' was `numeric`.*\['twelve'\]"):
        old.prepare(batch.assign(ratio="3"))  # a schema from before tolerates no word
    with pytest.raises(ValueError, match=r"'ratio'.*\['0,25'\].*`decimal:`"):
        old.prepare(batch.assign(count="4"))  # nor reads 0,25 as 25


def test_a_batch_is_read_with_the_date_order_of_training():
    """Training read US dates month first (a value such as 01/31/2024 told); a batch
    whose dates all read both ways is read the same way, never detected again."""
    rng = np.random.default_rng(12)
    table = _table(300, 13)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 366, 300), "D")
    table["billed"] = days.strftime("%m/%d/%Y")
    ingested = pipeline.raw_dataset(table, TARGET)
    (role,) = [r for r in ingested.roles if r.column == "billed"]
    assert (role.date_order, role.reason.startswith("dates, month first (")) == (
        "month_first",
        True,
    )
    schema = build_profile(
        ingested.roles, ingested.frame, np.linspace(0, 1, 50), 0.1, "churned", "yes", 0
    ).schema
    schema = type(schema).from_dict(schema.to_dict())  # as stored with the model version
    batch = _table(5, 14).assign(
        billed=["02/03/2024", "03/04/2024", "12/01/2024", "?", " 01/12/2024 10:00 "]
    )
    features = schema.prepare(batch).features
    months, days_ = features["billed__month"].tolist(), features["billed__day"].tolist()
    assert (months[:3], days_[:3]) == ([2.0, 3.0, 12.0], [3.0, 4.0, 1.0])
    assert np.isnan(months[3]) and (months[4], days_[4]) == (1.0, 12.0)
    with pytest.raises(ValueError, match=r"'billed' was read with the month first.*'13/02/2024'"):
        schema.prepare(batch.assign(billed="13/02/2024"))  # a date only day first
    # signed_up was a date type in training: nothing to swap, so no order was kept
    assert schema.prepare(batch.assign(signed_up="31/01/2024")).features["signed_up__day"][0] == 31
    with pytest.raises(ValueError, match=r"'signed_up' held no date whose day and month"):
        schema.prepare(batch.assign(signed_up="02/03/2024"))
    old = replace(
        schema, roles=tuple({k: r[k] for k in ("column", "role", "becomes")} for r in schema.roles)
    )
    assert old.prepare(batch).features["billed__month"][0] == 3.0  # kept before: day first


def test_infinite_values_of_a_batch_are_read_as_missing_and_counted():
    """As in training: an infinite value cannot be scored, the row can; the batch says
    how many per column."""
    rng = np.random.default_rng(13)
    table = _table(300, 13)
    table["ratio"] = rng.uniform(0, 1, 300)
    ingested = pipeline.raw_dataset(table, TARGET)
    schema = build_profile(
        ingested.roles, ingested.frame, np.linspace(0, 1, 50), 0.1, "churned", "yes", 0
    ).schema
    batch = _table(40, 14).assign(ratio=[np.inf, -np.inf] + [0.5] * 38)
    prepared = schema.prepare(batch)
    assert prepared.infinite_values == {"ratio": 2} and len(prepared.features) == 40
    assert prepared.features["ratio"][:2].isna().all() and prepared.features["ratio"][2] == 0.5
