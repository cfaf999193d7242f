"""The Dagster-free pipeline: one subpackage per UI group (ingest, clean, oversample,
train, holdout), the shared vocabulary, options and column conventions, and
:mod:`~smote_pipeline.core.pipeline`, one function per asset."""
