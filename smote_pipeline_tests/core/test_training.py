from __future__ import annotations

import numpy as np
import pytest

from smote_pipeline.core.training import select_champion, tune_threshold


def _candidate(mean, sem):
    return {"cv_mean": mean, "cv_sem": sem}


def test_one_standard_error_rule_prefers_the_simpler_strategy():
    candidates = {
        "no_resampling": _candidate(0.80, 0.02),
        "smote": _candidate(0.81, 0.02),
        "cluster_smote": _candidate(0.815, 0.02),
    }
    assert select_champion(candidates) == "no_resampling"


def test_clearly_better_strategy_wins():
    candidates = {
        "no_resampling": _candidate(0.60, 0.01),
        "class_weight": _candidate(0.62, 0.01),
        "cluster_smote": _candidate(0.80, 0.01),
    }
    assert select_champion(candidates) == "cluster_smote"


def test_threshold_maximises_f1():
    y = np.array([0, 0, 0, 1, 1])
    proba = np.array([0.1, 0.2, 0.6, 0.7, 0.9])
    assert tune_threshold(y, proba) == pytest.approx(0.7)
