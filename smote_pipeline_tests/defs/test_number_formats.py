"""Numbers as people write them, through the own-data path (files, environment
variables, a pipelines file) to `raw_dataset` and `training_set`.

Three materializations: a `;`-delimited export with decimal commas and messy columns;
a file whose `1,234` values read two ways (the run stops, naming the field to set);
the same file with `decimal: ","` in a pipelines file.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from smote_pipeline.core.spec import PipelineSpec
from smote_pipeline.defs.factory import build_definitions
from smote_pipeline.defs.loading import specs_from_environment
from smote_pipeline.defs.storage import decode

from .conftest import Materialized

ROWS, POSITIVES = 240, 48


def _labels() -> np.ndarray:
    return np.where(np.arange(ROWS) < POSITIVES, "yes", "no")


def _european(value: float) -> str:
    """``-1234.5`` as ``-1.234,50``."""
    return f"{value:,.2f}".translate(str.maketrans({",": ".", ".": ","}))


def _german_export(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A `;` export with decimal commas: what each column holds, and the true numbers."""
    positive = np.arange(ROWS) < POSITIVES
    truth = {
        "ratio": np.round(rng.uniform(0, 0.6, ROWS) + 0.4 * positive, 3),
        "amount": np.round(rng.uniform(-2000, 90000, ROWS), 2),
        "tiny": np.round(rng.uniform(1, 9, ROWS), 1) * 1e-3,
        "spaced": np.round(rng.uniform(1000, 900000, ROWS), 1),
        "price": np.round(rng.uniform(-500, 5000, ROWS), 2),
        "share": np.round(rng.uniform(0, 100, ROWS), 1),
    }
    truth["ratio"][0], truth["amount"][0] = 0.908, 1234.5
    count = rng.integers(0, 30, ROWS).astype(str).astype(object)
    count[[5, 70, 150]] = "twelve"
    count[[9, 10]] = ["?", ""]  # missing markers: missing, not words
    amount = np.array([_european(v) for v in truth["amount"]], dtype=object)
    amount[[3, 4]] = ["NA", "?"]
    frame = pd.DataFrame(
        {
            "ratio": [f"{v:.3f}".replace(".", ",") for v in truth["ratio"]],
            "amount": amount,
            "tiny": [f"{v:.1e}".replace(".", ",") for v in truth["tiny"]],
            "spaced": [f"{v:,.1f}".replace(",", " ").replace(".", ",") for v in truth["spaced"]],
            "price": [  # a currency sign after, accounting parentheses for negatives
                f"({_european(-v)} €)" if v < 0 else f"{_european(v)} €" for v in truth["price"]
            ],
            "share": [f"{v:.1f} %".replace(".", ",") for v in truth["share"]],
            "count": count,
            "grade": [str(i) if i % 5 == 0 else ["low", "mid", "high"][i % 3] for i in range(ROWS)],
            "label": _labels(),
        }
    )
    return frame, truth


def _ledger(rng: np.random.Generator) -> pd.DataFrame:
    """Integers only, `1,234` style (quoted in a comma-delimited file): 1.234 or 1234?"""
    positive = np.arange(ROWS) < POSITIVES
    amount = rng.integers(1000, 60000, ROWS) + 30000 * positive
    return pd.DataFrame(
        {
            "amount": [f"{v:,}" for v in amount],
            "visits": rng.poisson(3 + 3 * positive),
            "label": _labels(),
        }
    )


def _materialize(spec: PipelineSpec, root: Path, *assets: str) -> Materialized:
    """Materialize ``assets`` of ``spec`` alone in a fresh instance under ``root``."""
    storage, home = root / "storage", root / "dagster_home"
    home.mkdir(parents=True)
    defs = build_definitions([spec], storage)
    instance = dg.DagsterInstance.local_temp(str(home))
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance,
        asset_selection=[dg.AssetKey([spec.name, a]) for a in assets],
        raise_on_error=False,
    )
    return Materialized(spec, defs, result, instance, storage)


def _own_data(path: Path, **more: str) -> PipelineSpec:
    """The spec the README's own-data environment variables describe."""
    environ = {
        "SMOTE_PIPELINE_SOURCE": str(path),
        "SMOTE_PIPELINE_TARGET": "label",
        "SMOTE_PIPELINE_POSITIVE_LABEL": "yes",
        **more,
    }
    (spec,) = specs_from_environment(environ)
    return spec


def _failure(result: dg.ExecuteInProcessResult) -> str:
    (event,) = [e for e in result.all_events if e.is_step_failure]
    error, messages = event.step_failure_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> tuple[Materialized, dict[str, np.ndarray]]:
    root = tmp_path_factory.mktemp("german")
    frame, truth = _german_export(np.random.default_rng(7))
    path = root / "export.csv"
    frame.to_csv(path, sep=";", index=False)
    spec = _own_data(path, SMOTE_PIPELINE_NAME="german")
    return _materialize(spec, root, "raw_dataset", "training_set"), truth


def _metadata(run: Materialized) -> dict:
    event = run.instance.get_latest_materialization_event(
        dg.AssetKey([run.spec.name, "raw_dataset"])
    )
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_decimal_commas_and_dot_thousands_read_as_the_numbers_they_are(german):
    run, truth = german
    assert run.result.success
    raw = decode(run.stored("raw_dataset"))
    assert raw.loc[0, "ratio"] == pytest.approx(0.908)  # not 908
    assert raw.loc[0, "amount"] == pytest.approx(1234.5)  # not dropped, not 123450
    np.testing.assert_allclose(raw["ratio"], truth["ratio"])
    kept = ~np.isin(np.arange(ROWS), [3, 4])
    np.testing.assert_allclose(raw["amount"][kept], truth["amount"][kept])
    assert raw["amount"].isna().tolist() == list(~kept) and (raw["amount"] < 0).any()
    np.testing.assert_allclose(raw["tiny"], truth["tiny"])  # 1,5e-03
    np.testing.assert_allclose(raw["spaced"], truth["spaced"])  # 123 456,7
    np.testing.assert_allclose(raw["price"], truth["price"])  # (1.234,50 €) is -1234.5
    np.testing.assert_allclose(raw["share"], truth["share"])  # 12,5 % is 12.5
    training = decode(run.stored("training_set"))
    assert training["ratio"].dtype == np.float64 and training["ratio"].max() <= 1.0


def test_the_roles_metadata_and_log_show_words_read_as_missing(german):
    run, _ = german
    metadata = _metadata(run)
    roles = {r.data["column"]: r.data for r in metadata["column_roles"].records}
    assert {roles[c]["role"] for c in ("ratio", "amount", "tiny", "spaced", "count")} == {"numeric"}
    count = roles["count"]
    assert (count["non_numbers"], count["non_number_examples"], count["missing"]) == (
        3,
        "'twelve'",
        5,
    )
    assert "3 cells that are not numbers (e.g. 'twelve') read as missing" in count["reason"]
    assert roles["amount"]["non_numbers"] == 0  # `?` and `NA` are missing markers
    assert roles["grade"]["role"] == "categorical"
    assert roles["grade"]["reason"].startswith("80% of values are not numbers")
    assert metadata["non_number_cells"] == {"count": 3}
    assert metadata["number_format"].startswith("decimal ',', thousands '.' or space")
    assert "'0,908' in 'ratio'" in metadata["number_format"]
    warnings = [
        e.user_message
        for e in run.instance.all_logs(run.result.run_id)
        if e.level >= 30 and "'count'" in (e.user_message or "")
    ]
    assert len(warnings) == 1 and "3 of its cells are not numbers" in warnings[0]


def test_numbers_that_read_two_ways_stop_the_run_until_the_spec_says(tmp_path):
    ledger = tmp_path / "ledger.csv"
    _ledger(np.random.default_rng(3)).to_csv(ledger, index=False)
    assert '"' in ledger.read_text().splitlines()[1]  # `1,234` is quoted in the file
    stopped = _materialize(_own_data(ledger), tmp_path / "auto", "raw_dataset")
    assert not stopped.result.success
    message = _failure(stopped.result)
    assert "['amount']" in message and "read two ways" in message
    assert '`decimal: ","`' in message and '`thousands: ","`' in message
    config = tmp_path / "pipelines.yaml"
    config.write_text(
        "pipelines:\n"
        "  - name: ledger\n"
        f"    source: {ledger}\n"
        "    target: label\n"
        '    positive_label: "yes"\n'
        '    decimal: ","\n'
    )
    (spec,) = specs_from_environment({"SMOTE_PIPELINE_CONFIG": str(config)})
    read = _materialize(spec, tmp_path / "comma", "raw_dataset")
    assert read.result.success
    raw = decode(read.stored("raw_dataset"))
    expected = pd.read_csv(ledger, dtype=str)["amount"].str.replace(",", ".").astype(float)
    np.testing.assert_allclose(raw["amount"], expected)  # 1,234 is 1.234 as the spec says
    assert raw["amount"].max() < 100


def test_the_environment_variables_set_the_number_fields(tmp_path):
    spec = _own_data(
        tmp_path / "x.csv", SMOTE_PIPELINE_DECIMAL=",", SMOTE_PIPELINE_THOUSANDS="none"
    )
    assert (spec.decimal, spec.thousands) == (",", "none")
    assert specs_from_environment({"SMOTE_PIPELINE_DECIMAL": ","})[0].name == "demo"
