from __future__ import annotations

import numpy as np
import pytest

from smote_pipeline.core.ingest.ingestion import TargetSpec, prepare_dataset
from smote_pipeline.core.ingest.split import split_holdout


@pytest.fixture
def prepared(frame):
    return prepare_dataset(frame, TargetSpec("label", "yes"))


def test_split_is_disjoint_stratified_and_seeded(prepared):
    train, holdout = split_holdout(prepared, "label", holdout_fraction=0.25, random_state=1)
    assert len(train) + len(holdout) == len(prepared)
    assert not set(train["row_id"]) & set(holdout["row_id"])
    assert holdout["label"].sum() in (7, 8)
    again, _ = split_holdout(prepared, "label", holdout_fraction=0.25, random_state=1)
    assert train.equals(again)
    other, _ = split_holdout(prepared, "label", holdout_fraction=0.25, random_state=2)
    assert not train["row_id"].equals(other["row_id"])


def test_duplicate_rows_stay_on_one_side(prepared):
    duplicated = prepared.copy()
    features = ["a", "b", "c"]
    duplicated.loc[10:59, features] = duplicated.loc[0:49, features].to_numpy()
    train, holdout = split_holdout(duplicated, "label", holdout_fraction=0.3, random_state=0)
    train_rows = {tuple(r) for r in train[features].to_numpy()}
    holdout_rows = {tuple(r) for r in holdout[features].to_numpy()}
    assert not train_rows & holdout_rows


def test_too_few_positives_names_holdout_fraction(prepared):
    tiny = prepared[(prepared["label"] == 0) | (prepared.index.isin(np.arange(300, 302)))]
    with pytest.raises(ValueError, match="holdout_fraction"):
        split_holdout(tiny, "label", holdout_fraction=0.5, random_state=0)
