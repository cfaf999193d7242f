"""Partition: cells and leaves cover every row once, also with duplicate rows."""

import numpy as np
import pytest

from smote_pipeline.samplers import _safety
from smote_pipeline.samplers._fast_enn import edited_nearest_neighbours
from smote_pipeline.samplers._partition import Partition
from smote_pipeline.samplers._space32 import Space32


def _covered_once(groups, n_rows):
    together = np.concatenate(groups)
    return together.size == n_rows and np.array_equal(np.sort(together), np.arange(n_rows))


def test_cells_and_leaves_partition_the_rows_and_place_finds_own_leaf():
    X = np.random.RandomState(0).normal(size=(5000, 8))
    space = Space32.from_rows(X)
    rows = np.arange(0, 5000, 2)  # a subset: positions refer to it
    part = Partition(space, rows, 100, np.random.RandomState(1))
    assert len(part.cells) == round(np.sqrt(rows.size / 100))
    assert _covered_once(part.cells, rows.size) and _covered_once(part.leaves, rows.size)
    leaf_of = np.empty(rows.size, dtype=int)
    for number, leaf in enumerate(part.leaves):
        leaf_of[leaf] = number
        assert np.array_equal(part.members[number], rows[leaf])
    placed = part.place(space.left(rows), probes=2)
    assert np.array_equal(placed[:, 0], leaf_of)  # a row's nearest centres built its leaf


def test_duplicate_rows_leave_empty_groups_without_failing():
    X = np.repeat(np.eye(3, 20), 2000, axis=0)  # 3 distinct rows, 2000 copies each
    space = Space32.from_rows(X)
    part = Partition(space, np.arange(len(X)), 64, np.random.RandomState(0))
    assert _covered_once(part.cells, len(X)) and _covered_once(part.leaves, len(X))
    assert sum(cell.size == 0 for cell in part.cells) > 0  # equal centres: empty cells
    placed = part.place(space.augment(X[:5]), probes=3)
    assert placed.shape == (5, 3)
    for leaf in placed[:, 0]:  # copies of row 0 land in a leaf of copies of row 0
        assert part.leaves[leaf].size and np.all(X[part.members[leaf]] == X[0])


def test_screened_enn_and_sampled_safety_filter_on_duplicated_data(monkeypatch):
    rng = np.random.RandomState(0)
    base = rng.normal(size=(400, 20))
    X = np.vstack([base[rng.randint(0, 400, 9000)], base[:60] + 0.01])  # many duplicates
    y = np.r_[np.zeros(9000, dtype=int), np.ones(60, dtype=int)]
    result = edited_nearest_neighbours(X, y, [0, 1], 3, "mode")
    assert 0 < result.flagged.sum() < len(y)
    monkeypatch.setattr(_safety, "EXACT_BUDGET", 0)
    monkeypatch.setattr(_safety, "REFERENCE_CAP", 256)
    index = _safety.SafetyIndex(X, np.zeros((len(X), 0), dtype=int), [], y, 5, True, 0)
    flags = index.unsafe(X[:300], np.zeros((300, 0), dtype=int), 0)
    assert flags.shape == (300,) and flags.mean() < 0.5  # copies of majority rows: safe


@pytest.mark.parametrize("seed", [0, 1])
def test_same_seed_same_partition(seed):
    X = np.random.RandomState(3).normal(size=(3000, 5))
    space = Space32.from_rows(X)
    a = Partition(space, np.arange(3000), 50, np.random.RandomState(seed))
    b = Partition(space, np.arange(3000), 50, np.random.RandomState(seed))
    assert all(np.array_equal(p, q) for p, q in zip(a.leaves, b.leaves, strict=True))


def test_in_threads_runs_every_item_once_and_small_work_inline():
    import threading

    from smote_pipeline.samplers._space32 import THREAD_MIN_DISTANCES, in_threads

    def work(share):
        return [(item, threading.get_ident()) for item in share]

    done = in_threads(work, list(range(10)), 2, THREAD_MIN_DISTANCES)
    assert [[item for item, _ in share] for share in done] == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    assert threading.get_ident() not in {ident for share in done for _, ident in share}
    inline = in_threads(work, list(range(10)), 2, THREAD_MIN_DISTANCES - 1)
    assert len(inline) == 1 and {ident for _, ident in inline[0]} == {threading.get_ident()}
