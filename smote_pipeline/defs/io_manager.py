"""The IO manager that moves asset values between steps as files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dagster as dg
from pydantic import Field

from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.html import render_html
from smote_pipeline.core.ingest.leakage import LeakScreen
from smote_pipeline.core.oversample.realism.report import RealismSummary
from smote_pipeline.core.oversample.space_choice import OversamplingSpace
from smote_pipeline.core.serve.promotion import ModelRegistry
from smote_pipeline.core.train.records import Candidate, Champion, Race, candidates_from_dict
from smote_pipeline.defs.scope import STRATEGY_PREFIX
from smote_pipeline.defs.storage import DEFAULT_FOLDER, atomic_write, decode, encode, find_stored
from smote_pipeline.defs.storage.model_store import ModelStore

#: The record types stored and read back by type, like an IO manager's type
#: handlers: each stored record carries its type's name under :data:`RECORD_TAG`.
RECORD_TYPES: dict[str, type] = {
    t.__name__: t
    for t in (
        LeakScreen,
        OversamplingSpace,
        RealismSummary,
        Race,
        Candidate,
        Champion,
        HoldoutEvaluation,
        ModelRegistry,
    )
}
RECORD_TAG = "__record__"

#: How files written before records carried their type are read: by asset name.
LEGACY_READERS: dict[str, Callable[[Any], Any]] = {
    "leakage_screen": LeakScreen.from_dict,
    "synthetic_realism": RealismSummary.from_dict,
    "candidate_screen": Race.from_dict,
    "candidate_models": candidates_from_dict,
    "champion_model": Champion.from_dict,
    "holdout_evaluation": HoldoutEvaluation.from_dict,
    "promoted_model": ModelRegistry.from_dict,
}


def _is_record(value: Any) -> bool:
    return is_dataclass(value) and not isinstance(value, type) and hasattr(value, "to_dict")


def _tagged(record: Any) -> dict[str, Any]:
    """A record's ``to_dict()``, with its type's name when it is read back by type."""
    name = type(record).__name__
    tag = {RECORD_TAG: name} if RECORD_TYPES.get(name) is type(record) else {}
    return {**tag, **record.to_dict()}


def stored_form(value: Any) -> Any:
    """What is written for ``value``: a record's (or a dict of records') ``to_dict()``,
    tagged with the record's type (:data:`RECORD_TYPES`)."""
    if _is_record(value):
        return _tagged(value)
    if isinstance(value, dict) and value and all(_is_record(v) for v in value.values()):
        return {k: _tagged(v) for k, v in value.items()}
    return value


def read_stored(asset_key: dg.AssetKey, value: Any) -> Any:
    """The value of ``asset_key`` from its stored form: a tagged record (or a dict of
    them) by its type; an untagged file written before by the asset's name."""
    if _tagged_record(value):
        return _from_tagged(value)
    if isinstance(value, dict) and value and all(map(_tagged_record, value.values())):
        return {k: _from_tagged(v) for k, v in value.items()}
    name = asset_key.path[-1]
    if name.startswith(STRATEGY_PREFIX):  # candidate__<strategy>: a dict of candidates
        return candidates_from_dict(value) if isinstance(value, dict) else value
    reader = LEGACY_READERS.get(name)
    return value if reader is None else reader(value)


def _tagged_record(value: Any) -> bool:
    return isinstance(value, dict) and value.get(RECORD_TAG) in RECORD_TYPES


def _from_tagged(data: dict[str, Any]) -> Any:
    fields = {k: v for k, v in data.items() if k != RECORD_TAG}
    return RECORD_TYPES[data[RECORD_TAG]].from_dict(fields)


class PipelineIOManager(dg.ConfigurableIOManager):
    """Stores each asset under ``base_dir/<prefix>/<asset>.<suffix>``.

    DataFrames as Parquet through pyarrow, JSON-like values as JSON, reports as
    Markdown (plus a self-contained HTML rendering beside it), values holding
    models as skops, each model once in the folder's ``.models`` store
    (:mod:`~smote_pipeline.defs.storage.model_store`); every write is atomic.
    """

    base_dir: str = Field(
        default=DEFAULT_FOLDER,
        description="Folder that holds every stored asset value (relative to the working "
        "directory unless absolute).",
    )

    def _partition(self, context: dg.InputContext | dg.OutputContext) -> str | None:
        return context.asset_partition_key if context.has_asset_partitions else None

    def _path_of(self, asset_key: dg.AssetKey, partition: str | None = None) -> Path:
        """``base_dir/<prefix>/<asset>``, or for a partition ``.../<asset>/<quoted key>``."""
        key = asset_key.path
        root = Path(self.base_dir).resolve()
        base = root.joinpath(*key).resolve()
        if partition is not None:
            base = base / quote(partition, safe="")
        if root not in base.parents:
            raise ValueError(f"Asset key {key} would be stored outside {str(root)!r}.")
        return base

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        context.add_output_metadata(
            self.save_stored(context.asset_key, obj, self._partition(context))
        )

    def save_stored(
        self, asset_key: dg.AssetKey, obj: Any, partition: str | None = None
    ) -> dict[str, Any]:
        """Store ``obj`` as the value of ``asset_key`` (of its ``partition``); returns the
        metadata of its files.

        :meth:`handle_output` for values a step keeps for its own next run
        (the split's hold-out ledger), which are not outputs of the graph.
        """
        base = self._path_of(asset_key, partition)
        models = ModelStore(base.parent)
        suffix, payload = encode(stored_form(obj), models=models)
        path = base.with_name(base.name + suffix)
        atomic_write(path, payload)
        if suffix == ".skops":  # a model-holding value replaced: drop what nothing refers to
            models.collect_garbage(sorted(base.parent.glob("*.skops")))
        metadata = {"path": dg.MetadataValue.path(str(path))}
        if suffix == ".md":
            html = base.with_name(base.name + ".html")
            title = obj.splitlines()[0].lstrip("# ").strip() if obj.startswith("#") else "Report"
            atomic_write(html, render_html(obj, title=title).encode("utf-8"))
            metadata["html"] = dg.MetadataValue.path(str(html))
        return metadata

    def load_input(self, context: dg.InputContext) -> Any:
        base = self._path_of(context.asset_key, self._partition(context))
        return read_stored(context.asset_key, decode(find_stored(base)))

    def load_stored(self, asset_key: dg.AssetKey) -> Any | None:
        """The stored value of ``asset_key``, or None when it was never materialized.

        For checks that read assets they do not depend on through their inputs,
        so they can be skipped, not failed, when those are absent.
        """
        try:
            path = find_stored(self._path_of(asset_key))
        except FileNotFoundError:
            return None
        return read_stored(asset_key, decode(path))
