"""Run configuration of a pipeline: its options as a Dagster resource.

The factory configures one ``PipelineSettings`` per pipeline with the spec's
options, so every asset of a run sees the same values; a run can override any
field from the launchpad or a run-config file
(``resources: {<pipeline>_settings: {config: {k_neighbors: 3}}}``). Nothing is
restated here: every field, its type, default and description, is derived from
the declarations in :mod:`smote_pipeline.core.options`.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
from pydantic import Field

from smote_pipeline.core.options import (
    LIST_OPTIONS,
    PipelineOptions,
    declared,
    default_of,
    option_types,
)

#: Config types where the option's type is not one Dagster config takes.
_CONFIG_TYPES: dict[str, Any] = {
    "tuple[str, ...]": list[str],
    "int | float | None": float | None,
}


def _fields() -> dict[str, Any]:
    """Annotations and pydantic fields of the settings, one per declared option."""
    types = option_types()
    annotations, namespace = {}, {}
    for declaration in declared():
        name, description = declaration.name, declaration.metadata["description"]
        annotations[name] = _CONFIG_TYPES.get(str(declaration.type), types[name])
        default = default_of(declaration)
        if isinstance(default, dict):
            namespace[name] = Field(default_factory=dict, description=description)
        else:
            shown = list(default) if isinstance(default, tuple) else default
            namespace[name] = Field(shown, description=description)
    return {"__annotations__": annotations, **namespace}


class _Settings(dg.ConfigurableResource):
    """The conversions between the run configuration and :class:`PipelineOptions`."""

    def options(self) -> PipelineOptions:
        """The configured values as :class:`PipelineOptions` (validated)."""
        values = {d.name: getattr(self, d.name) for d in declared()}
        n_components = values["n_components"]
        if n_components is not None and n_components >= 1 and float(n_components).is_integer():
            values["n_components"] = int(n_components)
        for name in LIST_OPTIONS:
            values[name] = tuple(values[name])
        values["realism_thresholds"] = dict(values["realism_thresholds"])
        return PipelineOptions(**values)

    @classmethod
    def from_options(cls, options: PipelineOptions) -> _Settings:
        """A resource configured with ``options``."""
        return cls(**options.to_dict())


PipelineSettings = type(
    "PipelineSettings",
    (_Settings,),
    {
        "__module__": __name__,
        "__qualname__": "PipelineSettings",
        "__doc__": "Tunable options of one pipeline (see :class:`PipelineOptions`).",
        **_fields(),
    },
)
