"""Shared fixtures: small generated datasets with fixed seeds."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from smote_pipeline_tests.readme import (
    OwnDataRun,
    ScoringRun,
    run_own_data_example,
    run_scoring_example,
)

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two workers share the machine's cores: a step's "all cores" (n_jobs=-1) is one
    # per worker, not a process pool per worker (subprocesses inherit the setting).
    os.environ.setdefault("LOKY_MAX_CPU_COUNT", "1")


def make_frame(
    n_negative: int = 300,
    n_positive: int = 30,
    *,
    seed: int = 0,
    categorical: bool = False,
    label_values: tuple[object, object] = ("no", "yes"),
) -> pd.DataFrame:
    """Negatives around the origin, positives in two separated blobs."""
    rng = np.random.default_rng(seed)
    negative = rng.normal(0.0, 1.0, size=(n_negative, 3))
    half = n_positive // 2
    positive = np.vstack(
        [
            rng.normal([4.0, 4.0, 0.0], 0.4, size=(half, 3)),
            rng.normal([-4.0, 4.0, 0.0], 0.4, size=(n_positive - half, 3)),
        ]
    )
    frame = pd.DataFrame(np.vstack([negative, positive]), columns=["a", "b", "c"])
    frame["label"] = [label_values[0]] * n_negative + [label_values[1]] * n_positive
    if categorical:
        frame["colour"] = rng.choice(["red", "green", "blue"], size=len(frame))
    return frame


@pytest.fixture
def frame() -> pd.DataFrame:
    """330 rows, 3 numeric features, label 'yes' (30 rows, two blobs) vs 'no'."""
    return make_frame()


@pytest.fixture(scope="session")
def own_data_run(tmp_path_factory) -> OwnDataRun:
    """The README's own-data command, run once: its test and the browser test read it."""
    return run_own_data_example(tmp_path_factory.mktemp("own_data"))


@pytest.fixture(scope="session")
def scoring_run(tmp_path_factory) -> ScoringRun:
    """The README's scoring example, run once: its test and the browser test read it."""
    return run_scoring_example(tmp_path_factory.mktemp("scoring_example"))


#: Session fixtures whose tests must share one xdist worker (the fixture runs once).
SHARED_SESSION_RUNS = ("scoring_run", "own_data_run", "small_run", "deployment")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n`` (``--dist loadgroup``): the tests of one file run on one worker,
    so a module fixture is built once, and so do the tests of one shared session run
    (the README examples, the small run, the Celery deployment) across files."""
    rank = {}
    for item in items:
        shared = [f for f in SHARED_SESSION_RUNS if f in getattr(item, "fixturenames", ())]
        group = shared[0] if shared else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
        rank[item.nodeid] = SHARED_SESSION_RUNS.index(group) if shared else len(SHARED_SESSION_RUNS)
    # the longest groups (the README examples first) start first, so none ends the run alone
    items.sort(key=lambda item: rank[item.nodeid])
