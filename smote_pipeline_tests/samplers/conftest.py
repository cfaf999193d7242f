"""Small seeded datasets shared by the sampler tests."""

import numpy as np
import pytest


@pytest.fixture
def two_cluster_minority():
    """Majority around the origin; minority in two blobs at (-10, -10) and (10, 10)."""
    rng = np.random.RandomState(0)
    majority = rng.normal(0, 3, size=(400, 2))
    left = rng.normal(-10, 0.5, size=(30, 2))
    right = rng.normal(10, 0.5, size=(30, 2))
    X = np.vstack([majority, left, right])
    y = np.array([0] * 400 + [1] * 60)
    return X, y
