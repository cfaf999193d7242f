"""The Dagster layer: one module per UI group builds its assets and checks; the
factory turns specs into Definitions; storage, IO manager, settings and sensors."""
