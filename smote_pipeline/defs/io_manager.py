"""The IO manager that moves asset values between steps as files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from smote_pipeline.core.html import render_html
from smote_pipeline.defs.storage import atomic_write, decode, encode, find_stored

DEFAULT_STORAGE = "smote_pipeline_storage"


class PipelineIOManager(dg.ConfigurableIOManager):
    """Stores each asset under ``base_dir/<prefix>/<asset>.<suffix>``.

    DataFrames as Parquet through pyarrow, JSON-like values as JSON, reports as
    Markdown (plus a self-contained HTML rendering beside it), models as skops;
    every write is atomic.
    """

    base_dir: str = Field(
        default=DEFAULT_STORAGE,
        description="Folder that holds every stored asset value (relative to the working "
        "directory unless absolute).",
    )

    def _base(self, context: dg.InputContext | dg.OutputContext) -> Path:
        return self._path_of(context.asset_key)

    def _path_of(self, asset_key: dg.AssetKey) -> Path:
        key = asset_key.path
        root = Path(self.base_dir).resolve()
        base = root.joinpath(*key).resolve()
        if root not in base.parents:
            raise ValueError(f"Asset key {key} would be stored outside {str(root)!r}.")
        return base

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        suffix, payload = encode(obj)
        base = self._base(context)
        path = base.with_name(base.name + suffix)
        atomic_write(path, payload)
        metadata = {"path": dg.MetadataValue.path(str(path))}
        if suffix == ".md":
            html = base.with_name(base.name + ".html")
            title = obj.splitlines()[0].lstrip("# ").strip() if obj.startswith("#") else "Report"
            atomic_write(html, render_html(obj, title=title).encode("utf-8"))
            metadata["html"] = dg.MetadataValue.path(str(html))
        context.add_output_metadata(metadata)

    def load_input(self, context: dg.InputContext) -> Any:
        return decode(find_stored(self._base(context)))

    def load_stored(self, asset_key: dg.AssetKey) -> Any | None:
        """The stored value of ``asset_key``, or None when it was never materialized.

        For checks that read assets they do not depend on through their inputs,
        so they can be skipped, not failed, when those are absent.
        """
        try:
            path = find_stored(self._path_of(asset_key))
        except FileNotFoundError:
            return None
        return decode(path)
