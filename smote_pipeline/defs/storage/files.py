"""Atomic file writes (pure helpers, no dagster)."""

from __future__ import annotations

import glob
import os
import tempfile
import time
from pathlib import Path

__all__ = ["STALE_TEMPORARY_SECONDS", "atomic_write"]

#: Age after which a temporary file of an interrupted write is removed.
STALE_TEMPORARY_SECONDS = 3600


def atomic_write(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file and a rename.

    A crash mid-write leaves the previous file intact. Temporary files a killed process
    left beside ``path`` (older than :data:`STALE_TEMPORARY_SECONDS`, so never a
    concurrent writer's) are removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_stale_temporaries(path: Path) -> None:
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:  # removed meanwhile by another writer
            continue
