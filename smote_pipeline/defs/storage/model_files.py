"""Model files: skops bytes that are reproducible and loaded only with trusted types.

Fitted models are skops files loaded with an explicit list of trusted types: nothing is
unpickled from an arbitrary file. A model is checked against that list before it is
written, so the pipeline never writes a file it would refuse to load. Equal models give
equal bytes (:func:`encode_model`).
"""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

__all__ = [
    "MOVED_MODULES",
    "TRUSTED_MODULE_PREFIXES",
    "TRUSTED_TYPES_FILE",
    "UntrustedModelError",
    "encode_model",
    "is_trusted",
    "load_model",
    "load_model_bytes",
    "refused_types",
    "stored_types",
    "trusted_types",
]

#: Types outside :data:`TRUSTED_MODULE_PREFIXES` that the pipeline's models hold,
#: derived by :mod:`smote_pipeline.defs.storage.trusted_types`.
TRUSTED_TYPES_FILE = Path(__file__).with_name("trusted_types.json")

#: Module prefixes whose types a model file may contain.
TRUSTED_MODULE_PREFIXES: tuple[str, ...] = (
    "sklearn.",
    "imblearn.",
    "smote_pipeline.samplers.",
    "smote_pipeline.core.train.estimators.",
    "numpy.",
    "builtins.",
    "collections.",
    "scipy.sparse.",
)


#: Modules that moved into the core's group subpackages (December 2026). Model
#: files written before the move name the old module of their classes; loading
#: rewrites those names, so stored models keep loading without rematerializing.
MOVED_MODULES = {
    "smote_pipeline.core.sources": "smote_pipeline.core.ingest.sources",
    "smote_pipeline.core.ingestion": "smote_pipeline.core.ingest.ingestion",
    "smote_pipeline.core.roles": "smote_pipeline.core.ingest.roles",
    "smote_pipeline.core.split": "smote_pipeline.core.ingest.split",
    "smote_pipeline.core.leakage": "smote_pipeline.core.ingest.leakage",
    "smote_pipeline.core.datasets": "smote_pipeline.core.ingest.datasets",
    "smote_pipeline.core.noise": "smote_pipeline.core.clean.noise",
    "smote_pipeline.core.clustering": "smote_pipeline.core.oversample.clustering",
    "smote_pipeline.core.oversampling": "smote_pipeline.core.oversample.oversampling",
    "smote_pipeline.core.realism": "smote_pipeline.core.oversample.realism.assess",
    "smote_pipeline.core.realism_metrics": "smote_pipeline.core.oversample.realism.metrics",
    "smote_pipeline.core.realism_report": "smote_pipeline.core.oversample.realism.report",
    "smote_pipeline.core.realism_rows": "smote_pipeline.core.oversample.realism.rows",
    "smote_pipeline.core.realism_space": "smote_pipeline.core.oversample.realism.space",
    "smote_pipeline.core.expectations": "smote_pipeline.core.oversample.expectations",
    "smote_pipeline.core.gating": "smote_pipeline.core.oversample.realism.gating",
    "smote_pipeline.core.data_docs": "smote_pipeline.core.oversample.data_docs",
    "smote_pipeline.core.strategies": "smote_pipeline.core.train.strategies",
    "smote_pipeline.core.selection": "smote_pipeline.core.train.selection",
    "smote_pipeline.core.training": "smote_pipeline.core.train.training",
    "smote_pipeline.core.estimators": "smote_pipeline.core.train.estimators",
    "smote_pipeline.core.calibration": "smote_pipeline.core.train.calibration",
    "smote_pipeline.core.evaluation": "smote_pipeline.core.holdout.evaluation",
    "smote_pipeline.core.isolation": "smote_pipeline.core.holdout.isolation",
    "smote_pipeline.core.report": "smote_pipeline.core.holdout.report",
    "smote_pipeline.core.plots": "smote_pipeline.core.holdout.plots",
    # The serve wing and the statistics leaf (December 2026).
    "smote_pipeline.core.holdout.promotion": "smote_pipeline.core.serve.promotion",
    "smote_pipeline.core.holdout.bootstrap": "smote_pipeline.core.stats.bootstrap",
    "smote_pipeline.core.bootstrap": "smote_pipeline.core.stats.bootstrap",
    **{
        f"smote_pipeline.core.score.{name}": f"smote_pipeline.core.serve.{name}"
        for name in ("batches", "drift", "profile", "schema", "scoring")
    },
    # The realism package (December 2026).
    "smote_pipeline.core.oversample.realism": "smote_pipeline.core.oversample.realism.assess",
    "smote_pipeline.core.oversample.gating": "smote_pipeline.core.oversample.realism.gating",
    **{
        f"smote_pipeline.core.oversample.realism_{name}": (
            f"smote_pipeline.core.oversample.realism.{name}"
        )
        for name in ("metrics", "report", "rows", "space")
    },
}


class UntrustedModelError(ValueError):
    """A model holds a type the loader does not trust (see :func:`is_trusted`)."""


@functools.cache
def trusted_types() -> frozenset[str]:
    """Types outside :data:`TRUSTED_MODULE_PREFIXES` that the pipeline's own models hold,
    derived from the pipeline, not kept by hand (:mod:`.trusted_types`)."""
    return frozenset(stored_types())


def stored_types() -> list[str]:
    """The committed list :data:`TRUSTED_TYPES_FILE` (empty when the file is missing)."""
    if not TRUSTED_TYPES_FILE.exists():
        return []
    return list(json.loads(TRUSTED_TYPES_FILE.read_text(encoding="utf-8"))["types"])


def is_trusted(type_name: str) -> bool:
    """Whether a model file may hold ``type_name`` (a trusted module, or a derived type)."""
    return type_name.startswith(TRUSTED_MODULE_PREFIXES) or type_name in trusted_types()


def refused_types(payload: bytes) -> list[str]:
    """Types of a skops payload that :func:`is_trusted` refuses."""
    import skops.io as sio

    return [t for t in sio.get_untrusted_types(data=payload) if not is_trusted(t)]


def encode_model(value: Any) -> bytes:
    """Reproducible skops bytes of ``value``, refused when the loader would refuse them.

    Raises
    ------
    UntrustedModelError
        Naming the types outside the trusted list.
    """
    import skops.io as sio

    payload = _reproducible_zip(sio.dumps(value))
    refused = refused_types(payload)
    if refused:
        raise UntrustedModelError(
            f"The model holds types {refused} that the loader would refuse, so it is not "
            "written. A new library version stores them: run `python -m "
            "smote_pipeline.defs.storage.trusted_types --write` to derive the trusted list again, "
            "review the change and commit it."
        )
    return payload


def _reproducible_zip(payload: bytes) -> bytes:
    """Rewrite a skops archive so that equal content gives equal bytes.

    skops identifies objects (and names array files) by their Python ``id()`` and
    stamps entries with the time of writing; both change from run to run. Every id is
    replaced by its order of first mention in ``schema.json`` (consistently, so shared
    references stay shared) and entries get a fixed time.
    """
    source = zipfile.ZipFile(io.BytesIO(payload))
    schema = source.read("schema.json").decode("utf-8")
    pattern = re.compile(r'("__id__": |"file": ")(\d+)')
    numbers: dict[str, str] = {}
    for match in pattern.finditer(schema):
        numbers.setdefault(match.group(2), str(len(numbers) + 1))
    schema = pattern.sub(lambda m: m.group(1) + numbers[m.group(2)], schema)

    def renamed(filename: str) -> str:
        stem, _, suffix = filename.partition(".")
        return f"{numbers.get(stem, stem)}.{suffix}" if suffix else filename

    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        entries = [("schema.json", schema.encode("utf-8"))] + sorted(
            (renamed(info.filename), _zero_padding(info.filename, source.read(info.filename)))
            for info in source.infolist()
            if info.filename != "schema.json"
        )
        for filename, content in entries:
            entry = zipfile.ZipInfo(filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return target_buffer.getvalue()


def _zero_padding(filename: str, content: bytes) -> bytes:
    """Re-save a structured ``.npy`` array with its padding bytes zeroed: structured
    arrays (scikit-learn's tree nodes) have alignment padding holding whatever was in
    memory; the values are untouched."""
    import numpy as np

    if not filename.endswith(".npy"):
        return content
    array = np.load(io.BytesIO(content), allow_pickle=False)
    if array.dtype.names is None:
        return content
    clean = np.zeros(array.shape, dtype=array.dtype)
    for name in array.dtype.names:
        clean[name] = array[name]
    buffer = io.BytesIO()
    np.save(buffer, clean, allow_pickle=False)
    return buffer.getvalue()


def load_model(path: Path) -> Any:
    """Load a skops model file, refusing any type :func:`is_trusted` refuses.

    Raises
    ------
    UntrustedModelError
        Naming the untrusted types; the file may have been tampered with.
    """
    return load_model_bytes(path.read_bytes(), str(path))


def load_model_bytes(payload: bytes, name: str) -> Any:
    """Load skops bytes (read from ``name``), refusing any type :func:`is_trusted` refuses.

    The types are read off the schema while moved modules are renamed (one pass); when
    all are trusted, skops loads with exactly those and audits the tree against them.
    Otherwise, or when skops finds a type that pass missed, its own, slower listing
    (``get_untrusted_types``) decides.

    Raises
    ------
    UntrustedModelError
        Naming the untrusted types, or saying the bytes are not a skops file.
    """
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        payload, types = _moved_modules_renamed(payload)
    except Exception as error:  # corrupt or not a skops file
        raise _unreadable(name, error) from error
    if all(is_trusted(t) for t in types):
        try:
            return sio.loads(payload, trusted=sorted(types))
        except UntrustedTypesFoundException:
            pass
    try:
        untrusted = sio.get_untrusted_types(data=payload)
    except Exception as error:
        raise _unreadable(name, error) from error
    _refuse(name, untrusted)
    return sio.loads(payload, trusted=untrusted)


def _unreadable(name: str, error: Exception) -> UntrustedModelError:
    return UntrustedModelError(
        f"Model file {name!r} is not a readable skops file ({error}); rematerialize "
        "the asset that wrote it."
    )


def _refuse(name: str, types: Any) -> None:
    refused = sorted(t for t in types if not is_trusted(t))
    if refused:
        raise UntrustedModelError(
            f"Model file {name!r} contains untrusted types {refused}; it was not written by "
            "this pipeline or has been tampered with. Delete it and rematerialize the asset."
        )


def _moved_modules_renamed(payload: bytes) -> tuple[bytes, set[str]]:
    """``payload`` with every ``__module__`` of :data:`MOVED_MODULES` renamed, and its
    types (``module.class`` of every node of the schema)."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        schema = json.loads(archive.read("schema.json"))
        types: set[str] = set()
        if not _rename_modules(schema, types):
            return payload, types
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as renamed:
            for info in archive.infolist():
                content = archive.read(info.filename)
                if info.filename == "schema.json":
                    content = json.dumps(schema).encode("utf-8")
                renamed.writestr(info, content)
    return out.getvalue(), types


def _rename_modules(node: Any, types: set[str]) -> bool:
    """Rename moved modules in a skops schema in place, collecting ``types``; whether
    anything changed."""
    changed = False
    if isinstance(node, dict):
        module = node.get("__module__")
        if isinstance(module, str) and module in MOVED_MODULES:
            node["__module__"] = module = MOVED_MODULES[module]
            changed = True
        if isinstance(module, str) and isinstance(node.get("__class__"), str):
            types.add(f"{module}.{node['__class__']}")
        for value in node.values():
            changed = _rename_modules(value, types) or changed
    elif isinstance(node, list):
        for value in node:
            changed = _rename_modules(value, types) or changed
    return changed
