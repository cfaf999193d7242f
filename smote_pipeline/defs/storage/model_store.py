"""Content-addressed model files: every fitted model is written once and referenced.

A value that holds fitted models (a strategy's candidates, all candidates, the
champion) is stored as a small skops envelope in which each model is replaced by a
reference ``{"__stored_model__": "<sha256>"}``. The model itself is the file
``.models/<sha256>.skops`` beside the envelope, named by the SHA-256 of its bytes;
loading checks that hash, so a changed file is refused. A soft-voting ensemble is
stored as a shell whose members are references, so its members (candidates too) are
not copied.

Model bytes are reproducible (:func:`~smote_pipeline.defs.storage.model_files.encode_model`),
so the same model always gets the same name. A model loaded from a store is remembered
(weakly, by object identity) with its file, so passing it on to a downstream value
(``candidate_models`` gathering the strategies, ``champion_model`` naming one of them)
costs no new serialisation. A process also keeps the models it loaded last (up to
:data:`CACHE_BYTES` of uncompressed file bytes), by hash, so the steps of an in-process
run that read the same candidates deserialise them once. Stored and loaded models are
therefore immutable: code that refits a model clones it first, as scikit-learn does.

:meth:`ModelStore.collect_garbage` removes files no envelope refers to any more once
they are older than :data:`~smote_pipeline.defs.storage.files.STALE_TEMPORARY_SECONDS`,
so a concurrent writer's new model is never removed before its envelope exists.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import time
import weakref
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

from sklearn.base import BaseEstimator

from smote_pipeline.core.train.estimators import SoftVotingEnsemble
from smote_pipeline.defs.storage.files import STALE_TEMPORARY_SECONDS, atomic_write
from smote_pipeline.defs.storage.model_files import (
    UntrustedModelError,
    encode_model,
    load_model_bytes,
)

__all__ = ["MODELS_FOLDER", "REFERENCE_KEY", "ModelStore", "holds_models"]

#: Key of the dict that stands for a stored model inside an envelope.
REFERENCE_KEY = "__stored_model__"

#: Folder, beside the envelopes, that holds the model files (a dot name is never
#: a pipeline name, so it cannot collide with an asset's folder).
MODELS_FOLDER = ".models"

#: Runs of hex digits in a skops schema; those of exactly 64 are SHA-256 names (a
#: reference, or another hash: extra names only keep files).
_HEX_RUN = re.compile(rb"[0-9a-f]{64,}")
_HEX = re.compile(r"[0-9a-f]{64}")

#: Model object -> the file it was loaded from or written to (weak: forgets
#: models that are gone).
_KNOWN: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()

#: Uncompressed bytes of the model files that :data:`_LOADED` may keep.
CACHE_BYTES = 256 * 2**20

#: SHA-256 -> (model, uncompressed bytes of its file): the models this process loaded
#: last, so the steps of an in-process run (and a Celery worker's tasks) that read the
#: same model deserialise it once.
_LOADED: OrderedDict[str, tuple[Any, int]] = OrderedDict()


def holds_models(value: Any) -> bool:
    """Whether ``value`` (dicts, lists and tuples of plain values) holds a fitted model."""
    if isinstance(value, BaseEstimator):
        return True
    if isinstance(value, dict):
        return any(holds_models(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(holds_models(v) for v in value)
    return False


def is_reference(value: Any) -> bool:
    """Whether ``value`` is a model reference of an envelope."""
    return isinstance(value, dict) and set(value) == {REFERENCE_KEY}


class ModelStore:
    """The model files of one folder of stored values.

    Parameters
    ----------
    folder : Path
        The folder of the envelopes; models go to ``folder / MODELS_FOLDER``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder) / MODELS_FOLDER

    def path(self, sha: str) -> Path:
        """File of the model whose bytes hash to ``sha``."""
        if not _HEX.fullmatch(sha):
            raise UntrustedModelError(f"{sha!r} is not a stored model's SHA-256.")
        return self.folder / f"{sha}.skops"

    def swap_out(self, value: Any) -> Any:
        """``value`` with every fitted model written to the store and replaced by a reference."""
        if isinstance(value, BaseEstimator):
            return {REFERENCE_KEY: self.put(value)}
        if isinstance(value, dict):
            return {k: self.swap_out(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.swap_out(v) for v in value)
        return value

    def swap_in(self, value: Any) -> Any:
        """``value`` with every reference replaced by the stored model."""
        if is_reference(value):
            return self.get(value[REFERENCE_KEY])
        if isinstance(value, dict):
            return {k: self.swap_in(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.swap_in(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.swap_in(v) for v in value)
        return value

    def put(self, model: BaseEstimator) -> str:
        """Store ``model`` (once) and return the SHA-256 of its file."""
        known = _KNOWN.get(model)
        if known is not None and known.exists():
            sha = known.stem
            target = self.path(sha)
            if known != target:
                atomic_write(target, known.read_bytes())
            _touch(target)
            return sha
        payload = encode_model(self._shell(model))
        sha = hashlib.sha256(payload).hexdigest()
        target = self.path(sha)
        if target.exists():
            _touch(target)
        else:
            atomic_write(target, payload)
        _KNOWN[model] = target
        return sha

    def get(self, sha: str) -> Any:
        """The model stored as ``sha``, after checking the file's hash; one this process
        loaded already (and still keeps, :data:`CACHE_BYTES`) without reading the file.

        Raises
        ------
        FileNotFoundError
            When the file is missing: rematerialize the asset that wrote the value.
        UntrustedModelError
            When the file's bytes do not hash to ``sha`` (it was changed).
        """
        if sha in _LOADED:
            _LOADED.move_to_end(sha)
            return _LOADED[sha][0]
        path = self.path(sha)
        if not path.exists():
            raise FileNotFoundError(
                f"Stored model {str(path)!r} is missing; rematerialize the asset that refers to it."
            )
        payload = path.read_bytes()
        if hashlib.sha256(payload).hexdigest() != sha:
            raise UntrustedModelError(
                f"Model file {str(path)!r} does not match its SHA-256: it was changed after it "
                "was written. Delete it and rematerialize the asset."
            )
        model = load_model_bytes(payload, str(path))
        if isinstance(model, SoftVotingEnsemble):
            model.members = [(name, self.swap_in(member)) for name, member in model.members]
        _KNOWN[model] = path
        _remember(sha, model, payload)
        return model

    def _shell(self, model: BaseEstimator) -> BaseEstimator:
        """A soft-voting ensemble with its members as references; any other model as is."""
        if not isinstance(model, SoftVotingEnsemble):
            return model
        shell = copy.copy(model)
        shell.members = [(name, self.swap_out(member)) for name, member in model.members]
        return shell

    def collect_garbage(self, envelopes: list[Path]) -> list[Path]:
        """Remove model files that none of ``envelopes`` refers to (and that are old).

        A file is kept while it is younger than
        :data:`~smote_pipeline.defs.storage.files.STALE_TEMPORARY_SECONDS`: a concurrent
        step may have written it and not yet its envelope. Returns the removed files.
        """
        if not self.folder.is_dir():
            return []
        referenced: set[str] = set().union(*map(_references, envelopes))
        # an ensemble's shell refers to its members (members are never ensembles)
        for sha in list(referenced):
            referenced |= _references(self.path(sha))
        cutoff = time.time() - STALE_TEMPORARY_SECONDS
        removed = []
        for path in self.folder.glob("*.skops"):
            try:
                if path.stem not in referenced and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # removed meanwhile by another step
                continue
        return removed


def _references(path: Path) -> set[str]:
    """SHA-256 names a skops file refers to (read from its schema only; a schema runs to
    megabytes, so each version of a file, by size and modification time, is read once
    per process)."""
    try:
        stat = path.stat()
        version = (str(path), stat.st_size, stat.st_mtime_ns)
        if version not in _READ_REFERENCES:
            with zipfile.ZipFile(path) as archive:
                schema = archive.read("schema.json")
            names = {m.decode() for m in _HEX_RUN.findall(schema) if len(m) == 64}
            _READ_REFERENCES[version] = frozenset(names)
    except (OSError, KeyError, zipfile.BadZipFile):
        return set()
    while len(_READ_REFERENCES) > 4096:  # a bound, not a policy: oldest first
        del _READ_REFERENCES[next(iter(_READ_REFERENCES))]
    return set(_READ_REFERENCES[version])


#: The references of each file version :func:`_references` read, by (path, size, mtime).
_READ_REFERENCES: dict[tuple[str, int, int], frozenset[str]] = {}


def _remember(sha: str, model: Any, payload: bytes) -> None:
    """Keep ``model`` in :data:`_LOADED`, dropping the least recently used beyond the budget."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        size = sum(info.file_size for info in archive.infolist())
    _LOADED[sha] = (model, size)
    while sum(s for _, s in _LOADED.values()) > CACHE_BYTES and len(_LOADED) > 1:
        _LOADED.popitem(last=False)


def _touch(path: Path) -> None:
    """Mark a reused model file as recent (so garbage collection keeps it)."""
    try:
        os.utime(path)
    except FileNotFoundError:
        pass
