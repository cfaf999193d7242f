"""Command-line tools beside Dagster's own: ``python -m smote_pipeline.cli.data_docs NAME``
renders a pipeline's Great Expectations Data Docs, ``python -m
smote_pipeline.cli.reexecute RUN_ID`` re-executes a failed run from its failed step."""
