"""Safe SMOTE for imbalanced classification, as Dagster assets.

The package is importable without Dagster side effects: the samplers and the
pure core live in :mod:`smote_pipeline.samplers` and :mod:`smote_pipeline.core`;
the Dagster layer lives in :mod:`smote_pipeline.defs` and is loaded through
:mod:`smote_pipeline.definitions`.
"""

from smote_pipeline.samplers import ClusterAwareSMOTE, MinorityRatio, NoiseFilter

__all__ = ["ClusterAwareSMOTE", "MinorityRatio", "NoiseFilter"]
__version__ = "0.1.0"
