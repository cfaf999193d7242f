"""Oversample group: minority clusters, synthetic rows, their realism gates and data docs."""
