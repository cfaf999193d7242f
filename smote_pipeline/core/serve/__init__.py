"""Serve group: model versions and the promotion gate, scoring new batches, drift."""
