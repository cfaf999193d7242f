"""Ingest group: read a source, decide column roles, split off the hold-out, screen for leaks."""
