"""Rounding integer columns must not turn synthetic rows into copies of their parents."""

from __future__ import annotations

import numpy as np

from smote_pipeline import ClusterAwareSMOTE
from smote_pipeline.core.ingest.datasets import DIGITS_POSITIVE, DIGITS_TARGET, rare_digits


def test_integer_rows_rarely_copy_a_parent():
    data = rare_digits()
    X = data.drop(columns=DIGITS_TARGET)
    y = (data[DIGITS_TARGET] == DIGITS_POSITIVE).astype(int).to_numpy()
    sampler = ClusterAwareSMOTE(sampling_strategy=0.5, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    synthetic = X_res.iloc[len(X) :].to_numpy()
    provenance = sampler.provenance_
    parents_a = X.to_numpy()[provenance["parent_index_a"].to_numpy()]
    parents_b = X.to_numpy()[provenance["parent_index_b"].to_numpy()]
    copies = np.all(synthetic == parents_a, axis=1) | np.all(synthetic == parents_b, axis=1)
    assert len(synthetic) > 600
    assert copies.mean() < 0.02
    assert np.array_equal(synthetic, np.round(synthetic))  # still integers
