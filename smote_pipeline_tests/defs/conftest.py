"""Fixtures that materialize real pipelines in a temporary DAGSTER_HOME."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs.factory import build_definitions, job_name
from smote_pipeline_tests.conftest import make_frame


@dataclass
class Materialized:
    """A finished run and where it stored its values."""

    spec: PipelineSpec
    defs: dg.Definitions
    result: dg.ExecuteInProcessResult
    instance: dg.DagsterInstance
    storage: Path

    def stored(self, asset: str) -> Path:
        (path,) = [
            p for p in (self.storage / self.spec.name).glob(f"{asset}.*") if p.suffix != ".html"
        ]
        return path


def stored_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the model store too), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def messy_columns(frame: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """``frame`` plus the columns real exports carry: an id, a date, numbers as text
    with a ``?`` marker, free text and a constant (see ``core.roles``)."""
    rng = np.random.default_rng(seed)
    n = len(frame)
    amount = [f"{v:,.2f}" for v in rng.uniform(10, 5000, n)]
    amount[::17] = ["?"] * len(amount[::17])
    return frame.assign(
        customer_id=[f"C{i:06d}" for i in rng.permutation(n)],
        signup=pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
        amount=amount,
        notes=[f"called on day {i} about order number {i * 7}" for i in range(n)],
        source_system="crm",
    )


def small_spec(tmp_path: Path, name: str = "small", **options) -> PipelineSpec:
    """A pipeline on a generated CSV: 600 rows, 60 positives in two blobs, written with
    the index column of ``to_csv(index=True)`` and the :func:`messy_columns`."""
    path = tmp_path / f"{name}.csv"
    messy_columns(make_frame(540, 60, seed=3, categorical=True)).to_csv(path, index=True)
    defaults = {"cv_folds": 3, "models": ("logistic_regression",), "max_clusters": 4}
    return PipelineSpec(
        name=name,
        source=str(path),
        target="label",
        positive_label="yes",
        options=PipelineOptions().updated({**defaults, **options}),
    )


def run_pipeline(spec: PipelineSpec, root: Path, *, raise_on_error: bool = True) -> Materialized:
    """Materialize every asset and check of ``spec`` in a fresh instance under ``root``."""
    storage, home = root / "storage", root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    defs = build_definitions([spec], storage)
    instance = dg.DagsterInstance.local_temp(str(home))
    result = defs.resolve_job_def(job_name(spec)).execute_in_process(
        instance=instance, raise_on_error=raise_on_error
    )
    return Materialized(spec, defs, result, instance, storage)


@pytest.fixture(scope="session")
def small_run(tmp_path_factory) -> Materialized:
    """One full run of the small pipeline, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("small_run")
    return run_pipeline(small_spec(root), root)
