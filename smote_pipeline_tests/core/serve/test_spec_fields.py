"""The spec's scoring fields: what is accepted, and the errors that name the fix."""

from __future__ import annotations

import pytest

from smote_pipeline.core.spec import spec_from_mapping

BASE = {"name": "churn", "source": "data.csv", "target": "churned", "positive_label": "yes"}


def test_a_folder_a_database_and_the_retraining_flag_are_read():
    spec = spec_from_mapping({**BASE, "score_source": "new_rows", "retrain_on_drift": "yes"})
    assert spec.scoring_source.location == "new_rows" and spec.retrain_on_drift is True
    sql = spec_from_mapping(
        {
            **BASE,
            "score_source": "postgresql+psycopg://u@h/db",
            "score_query": "new_rows",
            "score_table": "scores",
        }
    )
    assert sql.scoring_source.is_sql and sql.score_table == "scores"
    assert spec_from_mapping(BASE).scoring_source is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"score_table": "scores"}, "need a `score_source`"),
        ({"retrain_on_drift": True}, r"\['retrain_on_drift'\] need a `score_source`"),
        ({"score_source": "s3://bucket/new"}, "set `score_query`"),
        ({"score_source": "new_rows", "score_table": "scores"}, "set `score_query` too"),
        (
            {"score_source": "sqlite:///x.db", "score_query": "t", "score_table": "a b"},
            "plain table name",
        ),
        ({"score_source": "new_rows", "retrain_on_drift": "maybe"}, "true or false"),
    ],
)
def test_scoring_fields_that_cannot_work_are_refused_by_name(fields, message):
    with pytest.raises(ValueError, match=message):
        spec_from_mapping({**BASE, **fields})


def test_number_fields_reach_the_training_and_the_scoring_source():
    spec = spec_from_mapping({**BASE, "decimal": ",", "thousands": " ", "score_source": "new"})
    assert (spec.data_source.decimal, spec.data_source.thousands) == (",", " ")
    assert (spec.scoring_source.decimal, spec.scoring_source.thousands) == (",", " ")
    assert (spec_from_mapping(BASE).decimal, spec_from_mapping(BASE).thousands) == ("auto",) * 2
    assert (
        spec_from_mapping({**BASE, "thousands": "none"}).data_source.numbers.separators(".") == ""
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"decimal": ";"}, r"Pipeline 'churn': `decimal` ';' is not one of"),
        ({"thousands": "_"}, r"`thousands` '_' is not one of .*quoted"),
        ({"decimal": ",", "thousands": ","}, "both ','"),
        ({"decimal": None}, r"`decimal` '' is not one of"),
        ({"date_order": "us"}, r"Pipeline 'churn': `date_order` 'us' is not one of .*day_first"),
        ({"date_order": None}, r"`date_order` '' is not one of"),
    ],
)
def test_number_fields_that_cannot_work_are_refused_by_name(fields, message):
    with pytest.raises(ValueError, match=message):
        spec_from_mapping({**BASE, **fields})


def test_the_date_order_reaches_the_training_and_the_scoring_source():
    spec = spec_from_mapping({**BASE, "date_order": "month_first", "score_source": "new"})
    assert spec.data_source.date_order == spec.scoring_source.date_order == "month_first"
    assert spec_from_mapping(BASE).data_source.date_order == "auto"
