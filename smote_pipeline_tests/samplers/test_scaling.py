"""The class's column scales: spread inside groups, not between them."""

from __future__ import annotations

import numpy as np
import pytest

from smote_pipeline.samplers._scaling import neighbourhood_scale, pooled_scale


def _two_groups(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two groups 30 within-spreads apart along column 0; columns in different units."""
    rng = np.random.default_rng(seed)
    units = np.array([1.0, 100.0, 0.01, 5.0])
    groups = np.repeat([0, 1], [60, 40])
    X = rng.normal(size=(100, 4))
    X[groups == 1, 0] += 30.0
    return X * units, groups


def test_the_neighbourhood_scale_measures_the_spread_inside_the_groups():
    X, _ = _two_groups()
    units = np.array([1.0, 100.0, 0.01, 5.0])
    std_ratio = X.std(axis=0) / units  # column 0 is inflated about 15 times
    assert std_ratio[0] > 10 * std_ratio[1:].max()
    scale = neighbourhood_scale(X, X.std(axis=0)) / units
    assert scale.max() / scale.min() < 2.0


def test_pooled_scale_is_the_standard_deviation_for_one_group():
    X, _ = _two_groups()
    std = X.std(axis=0)
    assert pooled_scale(X, np.zeros(len(X)), std, np.ones(4)) == pytest.approx(std)


def test_pooled_scale_is_the_spread_inside_the_groups_in_a_common_unit():
    X, groups = _two_groups()
    scale = pooled_scale(X, groups, X.std(axis=0), np.ones(4))
    relative = scale / np.array([1.0, 100.0, 0.01, 5.0])
    assert relative.max() / relative.min() < 1.5


def test_a_column_constant_inside_every_group_keeps_its_fallback():
    X, groups = _two_groups()
    X[:, 3] = groups * 7.0  # tells the groups apart, constant inside each
    fallback = np.array([1.0, 2.0, 3.0, 4.0])
    scale = pooled_scale(X, groups, X.std(axis=0), fallback)
    others = scale[:3] / np.array([1.0, 100.0, 0.01])
    assert np.isfinite(scale).all() and (scale > 0).all()
    assert others.max() / others.min() < 1.5
    within = np.sqrt(np.mean([X[groups == g, 0].var() for g in (0, 1)]))
    assert scale[3] / scale[0] == pytest.approx(4.0 / within, rel=0.05)
