"""Each fitted model is written once, referenced by the SHA-256 of its bytes."""

import os
import time

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from smote_pipeline.core.train.estimators import SoftVotingEnsemble
from smote_pipeline.defs.storage import (
    UntrustedModelError,
    atomic_write,
    decode,
    encode,
    model_store,
)
from smote_pipeline.defs.storage.files import STALE_TEMPORARY_SECONDS
from smote_pipeline.defs.storage.model_store import MODELS_FOLDER, ModelStore

X, Y = make_classification(n_samples=200, n_features=5, weights=[0.8], random_state=0)


@pytest.fixture(autouse=True)
def _fresh_process():
    """Each test as in a new process: no model loaded yet."""
    model_store._LOADED.clear()


def _members():
    return (
        LogisticRegression().fit(X, Y),
        RandomForestClassifier(n_estimators=10, random_state=0).fit(X, Y),
    )


def _write(folder, name, value):
    suffix, payload = encode(value, models=ModelStore(folder))
    path = folder / f"{name}{suffix}"
    atomic_write(path, payload)
    return path


def test_an_ensemble_refers_to_its_members_and_round_trips(tmp_path):
    logistic, tree = _members()
    ensemble = SoftVotingEnsemble([("a", logistic), ("b", tree)]).fit()
    value = {
        "a": {"model": logistic, "oof": np.arange(3.0)},
        "b": {"model": tree},
        "ensemble": {"model": ensemble},
    }
    path = _write(tmp_path, "candidate_models", value)
    # two members and the ensemble's shell, which holds references only
    files = sorted((tmp_path / MODELS_FOLDER).glob("*.skops"))
    assert len(files) == 3
    embedded = len(encode(value)[1])  # the members inside the ensemble a second time
    assert path.stat().st_size + sum(f.stat().st_size for f in files) < 0.7 * embedded
    loaded = decode(path)
    np.testing.assert_array_equal(loaded["a"]["oof"], np.arange(3.0))
    np.testing.assert_allclose(
        loaded["ensemble"]["model"].predict_proba(X), ensemble.predict_proba(X)
    )
    assert loaded["ensemble"]["model"].members[0][1] is not None
    assert loaded["b"]["model"].predict(X).tolist() == tree.predict(X).tolist()


def test_a_loaded_model_is_passed_on_without_serialising_it_again(tmp_path, monkeypatch):
    logistic, _ = _members()
    first = decode(_write(tmp_path, "candidate__x", {"x": {"model": logistic}}))
    calls = []
    real = model_store.encode_model
    monkeypatch.setattr(model_store, "encode_model", lambda v: calls.append(v) or real(v))
    _write(tmp_path, "champion_model", {"model": first["x"]["model"], "threshold": 0.5})
    assert calls == []
    assert len(list((tmp_path / MODELS_FOLDER).glob("*.skops"))) == 1
    # a model that is not known is serialised
    _write(tmp_path, "other", {"model": LogisticRegression(C=0.5).fit(X, Y)})
    assert len(calls) == 1


def test_the_same_model_gets_the_same_file_in_another_store(tmp_path):
    logistic, _ = _members()
    a = _write(tmp_path / "a", "m", {"model": logistic})
    b = _write(tmp_path / "b", "m", {"model": LogisticRegression().fit(X, Y)})
    names = {p.name for p in (tmp_path / "a" / MODELS_FOLDER).glob("*")}
    assert names == {p.name for p in (tmp_path / "b" / MODELS_FOLDER).glob("*")}
    assert a.read_bytes() == b.read_bytes()


def test_a_changed_model_file_is_refused(tmp_path):
    path = _write(tmp_path, "m", {"model": _members()[0]})
    (stored,) = (tmp_path / MODELS_FOLDER).glob("*.skops")
    stored.write_bytes(stored.read_bytes() + b"\0")
    with pytest.raises(UntrustedModelError, match="SHA-256"):
        decode(path)
    stored.unlink()
    with pytest.raises(FileNotFoundError, match="rematerialize"):
        decode(path)


def test_garbage_collection_removes_old_unreferenced_models_only(tmp_path):
    logistic, tree = _members()
    store = ModelStore(tmp_path)
    path = _write(tmp_path, "m", {"model": logistic})
    (old,) = (tmp_path / MODELS_FOLDER).glob("*.skops")
    _write(tmp_path, "m", {"model": tree})  # replaces the value: the first model is orphaned
    assert store.collect_garbage([path]) == []  # young: a concurrent writer may need it
    past = time.time() - STALE_TEMPORARY_SECONDS - 10
    for model_file in (tmp_path / MODELS_FOLDER).glob("*.skops"):
        os.utime(model_file, (past, past))
    assert store.collect_garbage([path]) == [old]
    assert decode(path)["model"].predict(X).tolist() == tree.predict(X).tolist()


def test_ensemble_members_stay_while_the_ensemble_is_referenced(tmp_path):
    logistic, tree = _members()
    ensemble = SoftVotingEnsemble([("a", logistic), ("b", tree)]).fit()
    path = _write(tmp_path, "champion_model", {"model": ensemble})
    past = time.time() - STALE_TEMPORARY_SECONDS - 10
    for model_file in (tmp_path / MODELS_FOLDER).glob("*.skops"):
        os.utime(model_file, (past, past))
    assert ModelStore(tmp_path).collect_garbage([path]) == []
    np.testing.assert_allclose(decode(path)["model"].predict_proba(X), ensemble.predict_proba(X))


def test_a_process_loads_a_model_once_within_its_budget(tmp_path, monkeypatch):
    path = _write(tmp_path, "m", {"model": _members()[1]})
    first = decode(path)["model"]
    assert decode(path)["model"] is first
    monkeypatch.setattr(model_store, "CACHE_BYTES", 1)
    model_store._LOADED.clear()
    first = decode(path)["model"]
    _write(tmp_path, "n", {"model": _members()[0]})
    decode(tmp_path / "n.skops")  # the budget holds one model: the first one is dropped
    assert decode(path)["model"] is not first
