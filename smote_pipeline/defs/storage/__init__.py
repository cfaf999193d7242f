"""Where asset values live on disk, free of Dagster: atomic files
(:mod:`.files`), the value formats (:mod:`.formats`), skops model files
(:mod:`.model_files`), the content-addressed model store (:mod:`.model_store`) and
the list of types a stored model may hold (:mod:`.trusted_types`)."""

from smote_pipeline.defs.storage.files import STALE_TEMPORARY_SECONDS, atomic_write
from smote_pipeline.defs.storage.formats import SUFFIXES, decode, encode, find_stored
from smote_pipeline.defs.storage.model_files import UntrustedModelError

#: The folder that holds every stored asset value unless the user names another
#: (``SMOTE_PIPELINE_STORAGE``, the spec or the IO manager's ``base_dir``).
DEFAULT_FOLDER = "smote_pipeline_storage"

__all__ = [
    "DEFAULT_FOLDER",
    "STALE_TEMPORARY_SECONDS",
    "SUFFIXES",
    "UntrustedModelError",
    "atomic_write",
    "decode",
    "encode",
    "find_stored",
]
