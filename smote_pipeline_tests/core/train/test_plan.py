"""The search plan: nested stratified subsamples that grow to at most CV_MAX_ROWS rows."""

from __future__ import annotations

import numpy as np

from smote_pipeline.core.train.plan import (
    CV_MAX_ROWS,
    MIN_RUNG_POSITIVES,
    MIN_RUNG_ROWS,
    RUNG_GROWTH,
    SCREEN_REPEATS,
    Rung,
    SearchPlan,
    plan_search,
)


def _labels(n, share, seed=0):
    return (np.random.default_rng(seed).random(n) < share).astype(int)


def test_small_data_has_one_size_with_half_the_repeats_first():
    y = _labels(800, 0.1)
    plan = plan_search(y, n_folds=5, cv_repeats=None, random_state=0)
    assert plan.rungs == (Rung(800, 2), Rung(800, 5)) and plan.bounded
    assert plan_search(y, n_folds=5, cv_repeats=1, random_state=0).rungs == (Rung(800, 1),)


def test_large_data_grows_by_a_factor_and_caps_the_last_rung():
    y = _labels(750_000, 0.02)
    plan = plan_search(y, n_folds=5, cv_repeats=None, random_state=0)
    sizes = [r.rows for r in plan.rungs]
    assert sizes[-1] == CV_MAX_ROWS and plan.final.repeats == 2
    assert all(b == a * RUNG_GROWTH or b == CV_MAX_ROWS for a, b in zip(sizes, sizes[1:]))
    assert sizes[0] * 0.02 >= MIN_RUNG_POSITIVES * 0.9
    assert sizes[0] * 0.02 < MIN_RUNG_POSITIVES * RUNG_GROWTH * 1.1


def test_subsamples_are_nested_stratified_and_the_splits_repeat_their_prefix():
    y = _labels(40_000, 0.05)
    plan = plan_search(y, n_folds=5, cv_repeats=None, random_state=0)
    assert len(plan.rungs) >= 2
    small, large = (plan.rows(y, r) for r in plan.rungs[-2:])
    assert set(small) <= set(large) and len(large) == plan.final.rows
    assert abs(y[small].mean() - y.mean()) < 0.002
    longer = SearchPlan(plan.rungs[:-1] + (Rung(plan.final.rows, 4),), 5, 0)
    first = plan.splits(y, plan.final)
    again = longer.splits(y, longer.final)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first, again[: len(first)]))
    assert SearchPlan.from_dict(plan.to_dict()) == plan


def test_screening_rungs_start_at_enough_positives_and_rows_with_few_repeats():
    rare = _labels(75_000, 0.02)
    plan = plan_search(rare, n_folds=5, cv_repeats=None, random_state=0)
    first = plan.rows(rare, plan.rungs[0])
    assert rare[first].sum() >= MIN_RUNG_POSITIVES > rare[first].sum() - 3
    assert all(r.repeats <= SCREEN_REPEATS for r in plan.rungs[:-1])
    assert all(2 * r.rows <= plan.final.rows for r in plan.rungs[:-1])
    common = _labels(75_000, 0.3)  # 100 positives in 340 rows: too few rows to judge trees
    assert plan_search(common, n_folds=5, cv_repeats=None, random_state=0).rungs[0].rows == (
        MIN_RUNG_ROWS
    )
