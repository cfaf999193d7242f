"""Where the sampler interpolates: the original space, or a PCA space.

Decided once per run, on the denoised training rows (never the hold-out), and
carried to every step that oversamples: ``minority_clusters``,
``synthetic_samples`` and the cross-validated ``cluster_smote`` candidate all work
in that one space. With ``auto_reduce`` on and no ``n_components``, the relative
contrast of the real minority rows is measured; below ``min_relative_contrast``,
interpolation moves to the PCA space keeping :data:`AUTO_REDUCE_VARIANCE` of the
variance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.oversample.realism import gating

__all__ = ["AUTO_REDUCE_VARIANCE", "OversamplingSpace", "choose_space"]

#: The variance share kept when ``auto_reduce`` switches to a PCA space.
AUTO_REDUCE_VARIANCE = 0.9


@dataclass(frozen=True)
class OversamplingSpace:
    """The space every oversampling step of a run uses, and what decided it.

    Attributes
    ----------
    n_components : int, float or None
        The ``n_components`` the sampler gets (None: the original space).
    relative_contrast : float or None
        The minority's measured relative contrast; None when not measured
        (``auto_reduce`` off, or ``n_components`` set by the user).
    """

    n_components: int | float | None = None
    relative_contrast: float | None = None

    def applied(self, options: PipelineOptions) -> PipelineOptions:
        """``options`` with this space's ``n_components``."""
        if self.n_components == options.n_components:
            return options
        return options.updated({"n_components": self.n_components})

    @property
    def text(self) -> str:
        """The decision in words, for the UI."""
        if self.n_components is None:
            return "original space" + (
                "" if self.relative_contrast is None else " (contrast high enough)"
            )
        why = "" if self.relative_contrast is None else " (relative contrast below the limit)"
        return f"PCA space, n_components={self.n_components}{why}"

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OversamplingSpace:
        """Read the stored form back."""
        return cls(data.get("n_components"), data.get("relative_contrast"))


def choose_space(
    denoised: pd.DataFrame, target: str, options: PipelineOptions
) -> OversamplingSpace:
    """The space of this run's oversampling (see the module)."""
    if not options.auto_reduce or options.n_components is not None:
        return OversamplingSpace(options.n_components)
    reduce, contrast = gating.needs_reduction(denoised, target, options)
    return OversamplingSpace(AUTO_REDUCE_VARIANCE if reduce else None, contrast)
