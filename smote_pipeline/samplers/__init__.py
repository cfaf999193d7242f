"""scikit-learn / imbalanced-learn compatible samplers."""

from smote_pipeline.samplers._cluster_smote import ClusterAwareSMOTE
from smote_pipeline.samplers._clustering import AutoKMeans
from smote_pipeline.samplers._generation import SafetyFilterWarning, SmallClusterWarning
from smote_pipeline.samplers._noise_filter import NoiseFilter
from smote_pipeline.samplers._ratio import MinorityRatio

__all__ = [
    "AutoKMeans",
    "ClusterAwareSMOTE",
    "MinorityRatio",
    "NoiseFilter",
    "SafetyFilterWarning",
    "SmallClusterWarning",
]
