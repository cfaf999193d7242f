"""What every asset builder of one pipeline shares: its keys, inputs, settings and
the arguments every definition of it takes."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import dagster as dg

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.spec import PipelineSpec

IO_MANAGER_KEY = "smote_io_manager"


def settings_key(spec: PipelineSpec) -> str:
    """Resource key of a pipeline's :class:`~smote_pipeline.defs.settings.PipelineSettings`."""
    return f"{spec.name}_settings"


#: Name prefix of the per-strategy candidate assets (``candidate__<strategy>``).
STRATEGY_PREFIX = "candidate__"


def strategy_asset_name(strategy: str) -> str:
    """Asset name of one strategy's candidates."""
    return f"{STRATEGY_PREFIX}{strategy}"


@dataclass(frozen=True)
class Scope:
    """One pipeline as its asset builders see it.

    Attributes
    ----------
    spec : PipelineSpec
        The pipeline.
    executor : str
        Name of the executor its steps run on (see :mod:`smote_pipeline.defs.executors`).
    """

    spec: PipelineSpec
    executor: str = "in_process"

    @property
    def name(self) -> str:
        """The asset-key prefix (the pipeline name)."""
        return self.spec.name

    @property
    def target(self) -> str:
        """The target column."""
        return self.spec.target

    def key(self, asset: str) -> dg.AssetKey:
        """The key of ``asset`` in this pipeline."""
        return dg.AssetKey([self.spec.name, asset])

    def group(self, group: str) -> str:
        """The UI group ``group`` of this pipeline (``<name>_<group>``)."""
        return f"{self.spec.name}_{group}"

    def ins(self, *names: str) -> dict[str, dg.AssetIn]:
        """Inputs from this pipeline's assets ``names``."""
        return {n: dg.AssetIn(key=self.key(n)) for n in names}

    def options(self, context: dg.AssetExecutionContext) -> PipelineOptions:
        """The run's options (spec defaults, run-config overrides)."""
        return getattr(context.resources, settings_key(self.spec)).options()

    def cv_n_jobs(self, context: dg.AssetExecutionContext) -> int:
        """Folds a step fits at once: ``cv_n_jobs``, or when None all cores under the
        ``in_process`` executor (it runs one step at a time) and 1 under the others
        (they run steps side by side)."""
        jobs = self.options(context).cv_n_jobs
        if jobs is not None:
            return jobs
        return -1 if self.executor == "in_process" else 1

    def asset(
        self,
        name: str,
        group: str,
        *,
        kinds: Iterable[str],
        description: str,
        ins: Iterable[str] = (),
        resources: Iterable[str] = (),
        key: dg.AssetKey | None = None,
        **kwargs: Any,
    ) -> Callable[..., dg.AssetsDefinition]:
        """``@dg.asset`` for asset ``name`` (key ``<pipeline>/<name>`` unless ``key`` says
        otherwise) of UI group ``group``, stored by the IO manager, with the pipeline's
        settings and the resources ``resources``."""
        return dg.asset(
            key=key or self.key(name),
            group_name=self.group(group),
            io_manager_key=IO_MANAGER_KEY,
            ins=self.ins(*ins),
            kinds=set(kinds),
            description=description,
            required_resource_keys={settings_key(self.spec), *resources},
            **kwargs,
        )

    def multi_asset(
        self,
        name: str,
        outs: dict[str, dg.AssetOut],
        ins: Iterable[str],
        resources: Iterable[str] = (),
    ) -> Callable[..., dg.AssetsDefinition]:
        """``@dg.multi_asset`` of subsettable DataFrame outputs ``outs`` (see :meth:`frame_out`),
        with the pipeline's settings and the resources ``resources``."""
        return dg.multi_asset(
            name=f"{self.spec.name}__{name}",
            outs=outs,
            ins=self.ins(*ins),
            can_subset=True,
            required_resource_keys={settings_key(self.spec), *resources},
        )

    def frame_out(self, name: str, group: str, description: str) -> dg.AssetOut:
        """A DataFrame output of a subsettable multi-asset, stored as Parquet."""
        return dg.AssetOut(
            is_required=False,
            key=self.key(name),
            group_name=self.group(group),
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
