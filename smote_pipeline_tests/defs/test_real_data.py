"""Real KEEL data sets end to end with default options, in a temporary DAGSTER_HOME.

The CSV files are copies from ``../shared/datasets/keel-dev`` (see
``smote_pipeline_tests/data/keel/README.md``). The categorical one runs through the
README's own-data command in ``smote_pipeline_tests/test_readme.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs.storage import decode

from .conftest import Materialized, run_pipeline

DATA = Path(__file__).resolve().parents[1] / "data" / "keel"


def _spec(name: str, path: Path) -> PipelineSpec:
    return PipelineSpec(name=name, source=str(path), target="Class", positive_label="positive")


def _checks(run: Materialized) -> dict[str, bool]:
    return {c.check_name: c.passed for c in run.result.get_asset_check_evaluations()}


def _metadata(run: Materialized, asset: str) -> dict:
    (event,) = [
        e.event_specific_data.materialization
        for e in run.result.get_asset_materialization_events()
        if e.event_specific_data.materialization.asset_key.path[-1] == asset
    ]
    return {k: v.value for k, v in event.metadata.items()}


def _assert_shipped(run: Materialized) -> None:
    assert run.result.success
    checks = _checks(run)
    assert checks["holdout_isolation"] and checks["synthetic_expectations"]
    champion = decode(run.stored("champion_model"))
    holdout = decode(run.stored("holdout_set"))
    features = [c for c in holdout.columns if c not in ("row_id", "Class")]
    proba = champion["model"].predict_proba(holdout[features])[:, 1]
    assert proba.shape == (len(holdout),) and np.all((proba >= 0) & (proba <= 1))
    evaluation = decode(run.stored("holdout_evaluation"))
    assert evaluation["champion"] == champion["strategy"]


@pytest.fixture(scope="module")
def tiny_minority(tmp_path_factory) -> Materialized:
    """winequality-white-9_vs_4: 168 rows, 5 positives (4 for training, 1 held out)."""
    root = tmp_path_factory.mktemp("tiny")
    return run_pipeline(_spec("wine", DATA / "winequality-white-9_vs_4.csv"), root)


def test_five_positives_reach_a_loadable_champion(tiny_minority):
    _assert_shipped(tiny_minority)
    assert decode(tiny_minority.stored("holdout_set"))["Class"].sum() >= 1
    assert _metadata(tiny_minority, "synthetic_samples")["rows"] > 0


@pytest.fixture(scope="module")
def with_gaps(tmp_path_factory) -> Materialized:
    """glass6 with 10% of every feature's values removed (fixed seed)."""
    root = tmp_path_factory.mktemp("gaps")
    frame = pd.read_csv(DATA / "glass6.csv")
    rng = np.random.default_rng(0)
    features = [c for c in frame.columns if c != "Class"]
    for column in features:
        frame.loc[rng.random(len(frame)) < 0.1, column] = np.nan
    path = root / "glass6_with_gaps.csv"
    frame.to_csv(path, index=False)
    return run_pipeline(_spec("gaps", path), root)


def test_missing_values_run_end_to_end(with_gaps):
    _assert_shipped(with_gaps)
    missing = _metadata(with_gaps, "raw_dataset")["missing_values_per_column"]
    assert sum(missing.values()) > 0
    synthetic = decode(with_gaps.stored("synthetic_samples"))
    real = decode(with_gaps.stored("denoised_training_set"))
    real = real[real["Class"] == 1]
    features = [c for c in real.columns if c not in ("row_id", "Class")]
    # synthetic rows miss values, about as often as the real minority rows
    assert synthetic[features].isna().any().any()
    gap = abs(synthetic[features].isna().mean() - real[features].isna().mean())
    assert gap.max() < 0.2
    checks = _checks(with_gaps)
    assert checks["invalid_share"]  # a synthetic null where real rows have nulls is valid
