"""The realism of synthetic rows: how it is measured (:mod:`.assess`, :mod:`.metrics`,
:mod:`.rows`, in the space of :mod:`.space`), reported (:mod:`.report`) and turned
into gates that hold rows back (:mod:`.gating`)."""

from smote_pipeline.core.oversample.realism.assess import SampleCaps, assess_realism
from smote_pipeline.core.oversample.realism.report import (
    ROW_FLAG_COLUMNS,
    Gate,
    RealismReport,
    RealismSummary,
)
from smote_pipeline.core.thresholds import RealismThresholds

__all__ = [
    "ROW_FLAG_COLUMNS",
    "Gate",
    "RealismReport",
    "RealismSummary",
    "RealismThresholds",
    "SampleCaps",
    "assess_realism",
]
