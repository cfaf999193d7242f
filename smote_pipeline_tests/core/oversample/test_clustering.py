"""The minority clusters of the embedded demo, as the pipeline finds them."""

import warnings

import numpy as np
from sklearn.datasets import load_digits

from smote_pipeline.core import pipeline
from smote_pipeline.core.columns import CLUSTER_ID, ROW_ID
from smote_pipeline.core.ingest.datasets import DIGITS_POSITIVE, DIGITS_TARGET, rare_digits
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions


def test_the_demo_minority_clusters_are_the_zeros_and_the_ones():
    """The demo's rare class is two subpopulations (0s and 1s): with default options,
    ``minority_clusters`` separates them, each cluster at least 90% one digit."""
    target = TargetSpec(DIGITS_TARGET, DIGITS_POSITIVE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sets = pipeline.training_sets(rare_digits(), target, PipelineOptions())
    denoised, found = sets.noise.denoised, sets.minority_clusters
    pixels = [c for c in denoised.columns if c.startswith("pixel_")]  # constant ones dropped
    positions = [8 * int(c.split("_")[1]) + int(c.split("_")[2]) for c in pixels]
    digits = load_digits()
    known = {tuple(r[positions].astype(int)): t for r, t in zip(digits.data, digits.target)}
    rows = denoised.set_index(ROW_ID).loc[found.assignments[ROW_ID], pixels].to_numpy()
    digit = np.array([known[tuple(r.astype(int))] for r in rows])
    labels = found.assignments[CLUSTER_ID].to_numpy()
    assert len(found.sizes) == 2
    majority_digit = set()
    for cluster in found.sizes:
        counts = np.bincount(digit[labels == cluster], minlength=2)
        assert counts.max() / counts.sum() >= 0.9
        majority_digit.add(int(counts.argmax()))
    assert majority_digit == {0, 1}
    assert any(name.startswith("valley") for name in found.separation)
