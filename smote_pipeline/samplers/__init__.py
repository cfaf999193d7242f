"""scikit-learn / imbalanced-learn compatible samplers."""

from smote_pipeline.samplers._cluster_smote import ClusterAwareSMOTE
from smote_pipeline.samplers._clustering import AutoKMeans
from smote_pipeline.samplers._gap_clustering import GapClustering
from smote_pipeline.samplers._generation import (
    BridgeGuardWarning,
    SafetyFilterWarning,
    SmallClusterWarning,
)
from smote_pipeline.samplers._noise_filter import NoiseFilter
from smote_pipeline.samplers._ratio import MinorityRatio

__all__ = [
    "AutoKMeans",
    "BridgeGuardWarning",
    "ClusterAwareSMOTE",
    "GapClustering",
    "MinorityRatio",
    "NoiseFilter",
    "SafetyFilterWarning",
    "SmallClusterWarning",
]
