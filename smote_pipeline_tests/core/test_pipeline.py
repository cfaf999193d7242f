"""The Dagster-free pipeline: one decision per run, seen by every step that needs it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core import pipeline
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.oversample.space_choice import AUTO_REDUCE_VARIANCE
from smote_pipeline.samplers import ClusterAwareSMOTE
from smote_pipeline_tests.samplers.gaps import Shape, gap_mask, make_shape

FAST = {
    "cv_folds": 2,
    "cv_repeats": 1,
    "models": ("logistic_regression",),
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
    space = done.oversampling_space
    assert space.n_components == AUTO_REDUCE_VARIANCE and space.relative_contrast < 0.5
    assert space == pipeline.oversampling_space(done.noise.denoised, "label", options)
    # synthetic_samples and every cross-validation fold of cluster_smote work in that space
    assert len(seen) >= 1 + FAST["cv_folds"]
    assert set(seen) == {AUTO_REDUCE_VARIANCE}
    assert len(done.synthetic_samples.frame) > 0


def test_without_auto_reduce_the_original_space_is_kept(spaces):
    seen = spaces
    options = PipelineOptions().updated(FAST)
    pipeline.run(_concentrated(), TargetSpec("label", "yes"), options)
    assert seen and set(seen) == {None}
    assert (
        pipeline.oversampling_space(_concentrated(), "label", options).applied(options) == options
    )


def test_run_gates_synthetic_rows_as_a_dagster_run_does():
    done = pipeline.run(
        _concentrated(seed=1), TargetSpec("label", "yes"), PipelineOptions().updated(FAST)
    )
    synthetic = int(done.augmented_training_set["is_synthetic"].sum())
    assert synthetic == len(done.synthetic_samples.frame) - len(done.rejected_synthetic_samples)
    assert set(done.rejected_synthetic_samples["row_id"]) == set(
        done.synthetic_realism.rows_to_drop()["row_id"]
    )


def test_tiny_subpopulations_get_their_own_clusters_and_no_row_in_a_gap():
    """Tiny subpopulations through the whole pipeline: one 40-row group and three
    groups of 3-4 rows, 20 within-group deviations apart, majority rows around and
    between them, 5 dimensions."""
    groups = make_shape(seed=0, sizes=[40, 4, 3, 4], n_dims=5)
    table = groups.X.assign(label=np.where(groups.y == 1, "yes", "no"))
    options = PipelineOptions().updated({**FAST, "holdout_fraction": 0.2})
    done = pipeline.run(table, TargetSpec("label", "yes"), options)
    clusters = done.minority_clusters
    assert clusters.clusterer == "GapClustering"
    assert len(clusters.sizes) >= 4 and len(clusters.separation) == len(clusters.sizes) - 1
    rows = done.synthetic_samples
    assert len(rows.frame) > 0 and rows.n_pairs > 0
    assert f"refused {rows.n_rejected_pairs} of {rows.n_pairs}" in rows.guard_text()
    real = done.noise.denoised
    numeric = [c for c in groups.X.columns if c.startswith("x")]
    seen = Shape(real[numeric], real["label"].to_numpy(), np.full(len(real), -1), groups.unit)
    assert not gap_mask(seen, rows.frame[numeric]).any()


def test_run_goes_from_the_source_to_the_promoted_model_and_a_rerun_gates_it():
    options = PipelineOptions().updated(FAST)
    table = _concentrated(seed=2)
    first = pipeline.run(table, TargetSpec("label", "yes"), options)
    assert first.champion_model.strategy == first.holdout_evaluation.champion
    registry = first.promoted_model
    assert registry.promoted == 1 and registry.comparison is None
    assert registry.latest.profile is not None  # it can score batches
    # the same rows and options again: the same training, so no new version
    again = pipeline.run(table, TargetSpec("label", "yes"), options, previous=registry)
    assert again.promoted_model is registry
    # another seed trains another champion: it is gated against version 1
    other = options.updated({"random_state": 1})
    third = pipeline.run(table, TargetSpec("label", "yes"), other, previous=registry)
    assert third.promoted_model.latest.version == 2
    assert third.promoted_model.comparison["against_version"] == 1
