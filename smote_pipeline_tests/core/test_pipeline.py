"""The Dagster-free pipeline: one decision per run, seen by every step that needs it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core import pipeline
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.samplers import ClusterAwareSMOTE

FAST = {
    "cv_folds": 2,
    "cv_repeats": 1,
    "model": "logistic_regression",
    "strategies": ["no_resampling", "cluster_smote"],
    "n_bootstrap": 100,
    "noise_method": "none",
}


def _concentrated(n: int = 400, d: int = 120, seed: int = 0) -> pd.DataFrame:
    """Gaussian noise in many dimensions: nearest-neighbour distances concentrate."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.r_[np.ones(40), np.zeros(n - 40)]
    X[y == 1, :5] += 1.5
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(d)])
    return frame.assign(label=np.where(y == 1, "yes", "no"))


@pytest.fixture
def spaces(monkeypatch) -> list[object]:
    """The ``n_components`` of every ClusterAwareSMOTE that resamples, in call order."""
    seen: list[object] = []
    original = ClusterAwareSMOTE.fit_resample

    def spy(self, X, y, **kwargs):
        seen.append(self.n_components)
        return original(self, X, y, **kwargs)

    monkeypatch.setattr(ClusterAwareSMOTE, "fit_resample", spy)
    return seen


def test_auto_reduce_is_decided_once_and_reaches_cross_validation(spaces):
    seen = spaces
    options = PipelineOptions().updated({**FAST, "auto_reduce": True})
    done = pipeline.run(_concentrated(), TargetSpec("label", "yes"), options)
    resolved, contrast = pipeline.oversampling_options(done.noise.denoised, "label", options)
    assert resolved.n_components == pipeline.AUTO_REDUCE_VARIANCE and contrast < 0.5
    # synthetic_samples and every cross-validation fold of cluster_smote work in that space
    assert len(seen) >= 1 + FAST["cv_folds"]
    assert set(seen) == {pipeline.AUTO_REDUCE_VARIANCE}
    assert len(done.synthetic_samples) > 0


def test_without_auto_reduce_the_original_space_is_kept(spaces):
    seen = spaces
    options = PipelineOptions().updated(FAST)
    pipeline.run(_concentrated(), TargetSpec("label", "yes"), options)
    assert seen and set(seen) == {None}
    assert pipeline.oversampling_options(_concentrated(), "label", options) == (options, None)


def test_run_gates_synthetic_rows_as_a_dagster_run_does():
    done = pipeline.run(
        _concentrated(seed=1), TargetSpec("label", "yes"), PipelineOptions().updated(FAST)
    )
    synthetic = int(done.augmented_training_set["is_synthetic"].sum())
    assert synthetic == len(done.synthetic_samples) - len(done.rejected_synthetic_samples)
    assert set(done.rejected_synthetic_samples["row_id"]) == set(
        done.synthetic_realism.rows_to_drop()["row_id"]
    )
