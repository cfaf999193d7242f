"""Candidates that fail are named in the report, with the reason, not dropped in silence."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

from smote_pipeline.core import pipeline
from smote_pipeline.core.holdout.report import failed_lines
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline_tests.conftest import make_frame


def test_families_that_cannot_fit_values_near_1e300_are_listed_with_the_reason():
    """A feature near 1e300 overflows float32 forests and logistic regression; the
    boosting family copes. The failures reach the report, each with its error."""
    frame = make_frame(270, 30, seed=2)
    frame["a"] = frame["a"] * 1e300
    options = PipelineOptions().updated({"strategies": ("no_resampling", "smote")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sets = pipeline.training_sets(frame, TargetSpec("label", "yes"), options)
        screen = pipeline.candidate_screen(
            sets.training_set, "label", options, sets.oversampling_space
        )
    fitted = [n for n in screen.candidates if n.startswith("hist_gradient_boosting")]
    failed = screen.failures(fitted)
    assert set(failed) == set(screen.candidates) - set(fitted)
    assert "infinity or a value too large" in failed["random_forest/smote"]
    evaluation = SimpleNamespace(metrics=[{"strategy": n} for n in fitted])
    lines = failed_lines(screen, evaluation)
    assert lines[0].startswith(f"**{len(failed)} candidate(s) failed**")
    assert any(
        line.startswith("- `random_forest/no_resampling`: ValueError: Input X contains infinity")
        for line in lines
    )
    assert failed_lines(screen, SimpleNamespace(metrics=[{"strategy": n} for n in failed]))[
        0
    ].startswith(f"**{len(fitted)} candidate(s) failed**")
