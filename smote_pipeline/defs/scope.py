"""What every asset builder of one pipeline shares: its keys, inputs and settings."""

from dataclasses import dataclass
from typing import Any

import dagster as dg

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.spec import PipelineSpec

IO_MANAGER_KEY = "smote_io_manager"


def settings_key(spec: PipelineSpec) -> str:
    """Resource key of a pipeline's :class:`~smote_pipeline.defs.settings.PipelineSettings`."""
    return f"{spec.name}_settings"


def options_of(context: dg.AssetExecutionContext, spec: PipelineSpec) -> PipelineOptions:
    """The run's options of pipeline ``spec`` (spec defaults, run-config overrides)."""
    return getattr(context.resources, settings_key(spec)).options()


@dataclass(frozen=True)
class Scope:
    """One pipeline as its asset builders see it.

    Attributes
    ----------
    spec : PipelineSpec
        The pipeline.
    """

    spec: PipelineSpec

    @property
    def p(self) -> str:
        """The asset-key prefix (the pipeline name)."""
        return self.spec.name

    @property
    def target(self) -> str:
        """The target column."""
        return self.spec.target

    @property
    def common(self) -> dict[str, Any]:
        """Keyword arguments every asset of the pipeline takes."""
        return {"required_resource_keys": {settings_key(self.spec)}}

    def key(self, asset: str) -> dg.AssetKey:
        """The key of ``asset`` in this pipeline."""
        return dg.AssetKey([self.spec.name, asset])

    def ins(self, *names: str) -> dict[str, dg.AssetIn]:
        """Inputs from this pipeline's assets ``names``."""
        return {n: dg.AssetIn(key=self.key(n)) for n in names}

    def frame_out(self, name: str, group: str, description: str) -> dg.AssetOut:
        """A DataFrame output of a subsettable multi-asset, stored as Parquet."""
        return dg.AssetOut(
            is_required=False,
            key=self.key(name),
            group_name=f"{self.spec.name}_{group}",
            io_manager_key=IO_MANAGER_KEY,
            kinds={"pandas", "parquet"},
            description=description,
        )

    def selected(
        self, context: dg.AssetExecutionContext, name: str, value: Any, metadata: dict[str, Any]
    ) -> list[dg.MaterializeResult]:
        """The result of output ``name`` of a subsettable multi-asset, if it was selected."""
        if self.key(name) not in context.selected_asset_keys:
            return []
        return [dg.MaterializeResult(asset_key=self.key(name), value=value, metadata=metadata)]
