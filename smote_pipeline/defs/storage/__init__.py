"""Where asset values live on disk, free of Dagster: atomic files
(:mod:`.files`), the value formats (:mod:`.formats`), skops model files
(:mod:`.model_files`), the content-addressed model store (:mod:`.model_store`) and
the list of types a stored model may hold (:mod:`.trusted_types`)."""

from smote_pipeline.defs.storage.files import STALE_TEMPORARY_SECONDS, atomic_write
from smote_pipeline.defs.storage.formats import SUFFIXES, decode, encode, find_stored
from smote_pipeline.defs.storage.model_files import UntrustedModelError

__all__ = [
    "STALE_TEMPORARY_SECONDS",
    "SUFFIXES",
    "UntrustedModelError",
    "atomic_write",
    "decode",
    "encode",
    "find_stored",
]
