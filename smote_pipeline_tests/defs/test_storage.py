from __future__ import annotations

import os
import zipfile
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from smote_pipeline.core.train.estimators import SoftVotingEnsemble
from smote_pipeline.defs.storage import (
    STALE_TEMPORARY_SECONDS,
    UntrustedModelError,
    atomic_write,
    decode,
    encode,
    find_stored,
)

LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy"


def _write(tmp_path, name, value):
    suffix, payload = encode(value)
    path = tmp_path / f"{name}{suffix}"
    atomic_write(path, payload)
    return path


def test_round_trips_every_kind(tmp_path):
    frame = pd.DataFrame({"x": [1, 2], "c": ["a", "b"]})
    pd.testing.assert_frame_equal(decode(_write(tmp_path, "f", frame)), frame)
    assert decode(_write(tmp_path, "j", {"a": [1, 2.5]})) == {"a": [1, 2.5]}
    assert decode(_write(tmp_path, "t", "# report")) == "# report"
    model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    loaded = decode(_write(tmp_path, "m", {"model": model, "threshold": 0.5}))
    assert loaded["threshold"] == 0.5
    assert loaded["model"].predict([[1.0]])[0] == 1
    assert find_stored(tmp_path / "m").suffix == ".skops"


def test_parquet_bytes_are_deterministic():
    frame = pd.DataFrame({"x": [1.5, 2.5], "c": ["a", "b"]})
    assert encode(frame) == encode(frame.copy())


def test_untrusted_model_is_refused(tmp_path):
    path = tmp_path / "m.skops"
    path.write_bytes(sio.dumps({"f": os.path.join}))
    with pytest.raises(UntrustedModelError, match="untrusted types"):
        decode(path)
    path.write_bytes(b"not a model")
    with pytest.raises(UntrustedModelError, match="not a readable skops file"):
        decode(path)


def test_a_model_the_loader_would_refuse_is_not_written(tmp_path):
    with pytest.raises(UntrustedModelError, match=r"\['posixpath.join'\].*trusted_types --write"):
        encode({"f": os.path.join})


def test_categorical_gradient_boosting_round_trips(tmp_path):
    # scikit-learn >= 1.9 keeps a functools.partial in its categorical preprocessor
    from smote_pipeline.core.options import PipelineOptions
    from smote_pipeline.core.train.strategies import build_strategy

    frame = pd.DataFrame({"x": [0.1, 0.5, 0.9, 0.3] * 10, "c": ["a", "b", "a", "c"] * 10})
    y = [0, 1, 1, 0] * 10
    model = build_strategy(
        "no_resampling",
        model="hist_gradient_boosting",
        features=["x", "c"],
        categorical=["c"],
        options=PipelineOptions(),
    ).fit(frame, y)
    loaded = decode(_write(tmp_path, "m", {"model": model}))["model"]
    pd.testing.assert_series_equal(
        pd.Series(loaded.predict_proba(frame)[:, 1]), pd.Series(model.predict_proba(frame)[:, 1])
    )


def test_trusted_list_covers_what_the_pipeline_writes():
    from smote_pipeline.defs.storage.model_files import stored_types
    from smote_pipeline.defs.storage.trusted_types import written_types

    # Forests store slowly with skops; `python -m smote_pipeline.defs.storage.trusted_types`
    # covers every family. These two families hold every wrapper and sampler.
    derived = written_types(("hist_gradient_boosting", "logistic_regression"))
    missing = sorted(set(derived) - set(stored_types()))
    assert not missing, (
        f"Models of this pipeline now hold {missing}: run `python -m "
        "smote_pipeline.defs.storage.trusted_types --write`, review and commit trusted_types.json."
    )


def test_failed_write_keeps_previous_file(tmp_path):
    path = tmp_path / "f.json"
    atomic_write(path, b'{"v": 1}')

    with pytest.raises(TypeError):
        atomic_write(path, object())  # type: ignore[arg-type]
    assert decode(path) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_killed_writer_leaves_the_previous_value_readable(tmp_path):
    """SIGKILL a process while it rewrites a stored frame: readers see a whole value."""
    import signal
    import subprocess
    import sys
    import textwrap
    import time

    path = tmp_path / "frame.parquet"
    atomic_write(path, encode(pd.DataFrame({"x": [1, 2, 3]}))[1])
    script = textwrap.dedent(
        f"""
        import numpy as np, pandas as pd
        from pathlib import Path
        from smote_pipeline.defs.storage import atomic_write, encode
        big = pd.DataFrame(np.random.default_rng(0).normal(size=(400_000, 20)))
        big.columns = [str(c) for c in big.columns]
        payload = encode(big)[1]
        print("ready", flush=True)
        while True:
            atomic_write(Path({str(path)!r}), payload)
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.7)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    value = decode(path)
    assert value.shape in {(3, 1), (400_000, 20)}


def test_stale_temporaries_of_a_killed_writer_are_removed_on_the_next_write(tmp_path):
    path = tmp_path / "frame.json"
    stale = tmp_path / ".frame.json.abc123.tmp"  # what a SIGKILLed atomic_write leaves
    fresh = tmp_path / ".frame.json.def456.tmp"  # a concurrent writer's, still in use
    other = tmp_path / ".other.json.abc123.tmp"  # another file's: not ours to remove
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"partial")
    old = os.path.getmtime(stale) - STALE_TEMPORARY_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    atomic_write(path, b'{"v": 2}')
    assert not stale.exists()
    assert fresh.exists() and other.exists()
    assert decode(path) == {"v": 2}


def test_io_manager_never_writes_outside_its_root(tmp_path):
    import dagster as dg

    from smote_pipeline.defs.io_manager import PipelineIOManager

    manager = PipelineIOManager(base_dir=str(tmp_path / "root"))
    inside = dg.build_output_context(asset_key=dg.AssetKey(["demo", "x"]))
    manager.handle_output(inside, {"a": 1})
    assert (tmp_path / "root" / "demo" / "x.json").exists()
    escaping = dg.build_output_context(asset_key=dg.AssetKey(["..", "..", "evil"]))
    with pytest.raises(ValueError, match="outside"):
        manager.handle_output(escaping, {"a": 1})
    assert not (tmp_path / "evil.json").exists()


def test_a_model_stored_before_the_core_moved_into_groups_still_loads():
    """Written with ``smote_pipeline.core.estimators`` (now ``core.train.estimators``).

    The file was made before the move: a soft-voting ensemble of a prior-corrected
    logistic regression and a one-class classifier, fitted on
    ``make_classification(n_samples=120, n_features=4, weights=[0.85], random_state=0)``.
    """
    path = LEGACY / "model_before_core_groups.skops"
    assert b"smote_pipeline.core.estimators" in _schema(path)
    model = decode(path)
    assert isinstance(model, SoftVotingEnsemble)
    X, _ = make_classification(n_samples=120, n_features=4, weights=[0.85], random_state=0)
    np.testing.assert_allclose(
        model.predict_proba(X[:3])[:, 1], [0.070561, 0.205163, 0.56462], atol=1e-6
    )


def _schema(path):
    with zipfile.ZipFile(path) as archive:
        return archive.read("schema.json")


def test_records_are_stored_as_their_dict_and_read_back_typed(tmp_path):
    """Candidates and the champion go to disk in the layout of files written before the
    records existed, so both old and new files load as records."""
    from smote_pipeline.core.train.records import Candidate, Champion
    from smote_pipeline.defs.io_manager import read_stored, stored_form

    model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    candidates = {
        "smote": Candidate(
            model=model, threshold=0.4, cv_mean=0.7, cv_sem=0.1, cv_scores=(0.6, 0.8)
        )
    }
    stored = decode(_write(tmp_path, "c", stored_form(candidates)))
    assert stored["smote"]["cv_scores"] == [0.6, 0.8] and stored["smote"]["threshold"] == 0.4
    loaded = read_stored(dg.AssetKey(["p", "candidate_models"]), stored)
    assert loaded["smote"].cv_scores == (0.6, 0.8)
    assert loaded["smote"].model.predict([[1.0]])[0] == 1
    legacy = {"strategy": "smote", "model": model, "threshold": 0.5, "cv_metric": "roc_auc",
              "cv_mean": 0.7, "cv_sem": 0.1, "selection_rule": "max", "members": []}  # fmt: skip
    champion = read_stored(
        dg.AssetKey(["p", "champion_model"]), decode(_write(tmp_path, "m", legacy))
    )
    assert isinstance(champion, Champion) and champion.members == ()
    assert champion.predict([[1.0], [0.0]]).tolist() == [1, 0]
    frame = pd.DataFrame({"x": [1]})
    assert read_stored(dg.AssetKey(["p", "training_set"]), frame) is frame


def _without_arrays(race):
    """A race's stored form, out-of-fold arrays compared apart (as lists)."""
    form = race.to_dict()
    form["scored"] = {k: {**v, "oof": v["oof"].tolist()} for k, v in form["scored"].items()}
    return form


def test_records_are_read_back_by_their_type_whatever_the_asset(tmp_path):
    """The IO manager reads a stored record by the type it carries, like a type handler:
    the asset's name plays no part (it does only for files written before the tags)."""
    from smote_pipeline.core.holdout.records import HoldoutEvaluation
    from smote_pipeline.core.options import PipelineOptions
    from smote_pipeline.core.train.plan import Rung, SearchPlan
    from smote_pipeline.core.train.records import Race, Scored
    from smote_pipeline.defs.io_manager import RECORD_TAG, read_stored, stored_form

    plan = SearchPlan(rungs=(Rung(40, 2), Rung(80, 3)), n_folds=5, random_state=0)
    scored = Scored([0.5, 0.6], np.zeros((1, 40)), rung=0, dropped="behind")
    race = Race(plan=plan, options=PipelineOptions(cv_folds=4), candidates={"x": {"key": "k"}},
                scored={"k": scored}, skipped={"a": "b"})  # fmt: skip
    stored = decode(_write(tmp_path, "r", stored_form(race)))
    assert stored[RECORD_TAG] == "Race" and stored["options"]["cv_folds"] == 4
    loaded = read_stored(dg.AssetKey(["p", "any_name"]), stored)
    assert loaded.plan == plan and loaded.options == race.options
    assert loaded.scored["k"].dropped == "behind" and loaded.scored["k"].oof.shape == (1, 40)
    assert _without_arrays(loaded) == _without_arrays(race)
    evaluation = HoldoutEvaluation(
        metrics=({"strategy": "s", "average_precision": 0.5},), curves={}, calibration={},
        verdicts=(), holdout_rows=10, holdout_positives=2, baseline=None, champion="s",
        selection_rule="max", recall_at_precision_level=0.8, n_bootstrap=100,
        smote_helped=False, summary={},
    )  # fmt: skip
    both = stored_form({"first": evaluation, "second": evaluation})
    loaded = read_stored(dg.AssetKey(["p", "other"]), decode(_write(tmp_path, "e", both)))
    assert loaded == {"first": evaluation, "second": evaluation}
    untagged = {k: v for k, v in stored.items() if k != RECORD_TAG}  # written before the tags
    legacy = read_stored(dg.AssetKey(["p", "candidate_screen"]), untagged)
    assert _without_arrays(legacy) == _without_arrays(race)
    assert read_stored(dg.AssetKey(["p", "any_name"]), untagged) == untagged


@pytest.mark.parametrize("asset", ["leakage_screen", "synthetic_realism"])
def test_screens_written_as_plain_dicts_load_as_records_and_store_tagged(tmp_path, asset):
    """``leakage_screen`` and ``synthetic_realism`` files written before they were
    records (``data/legacy``, made by 68c193c's code) load as their record; stored
    again, they carry their type and come back equal, whatever the asset's name."""
    from smote_pipeline.core.ingest.leakage import LeakScreen
    from smote_pipeline.core.oversample.realism.report import RealismSummary
    from smote_pipeline.defs.io_manager import RECORD_TAG, read_stored, stored_form

    old = decode(LEGACY / f"{asset}_before_types.json")
    loaded = read_stored(dg.AssetKey(["p", asset]), old)
    if asset == "leakage_screen":
        assert isinstance(loaded, LeakScreen)
        assert loaded.suspected == old["suspected"] == ["b"]
        assert loaded.warnings == old["warnings"] and loaded.rows_used == old["rows_used"]
    else:
        assert isinstance(loaded, RealismSummary)
        assert loaded.passed == old["passed"] and loaded.failed_gates == old["failed_gates"]
        assert loaded.drop_table().to_dict(orient="records") == old["rows_to_drop"]
        assert [g.name for g in loaded.gates] == [g["name"] for g in old["gates"]]
    stored = decode(_write(tmp_path, asset, stored_form(loaded)))
    assert stored[RECORD_TAG] == type(loaded).__name__
    again = read_stored(dg.AssetKey(["p", "any_name"]), stored)
    assert stored_form(again) == stored_form(loaded)
