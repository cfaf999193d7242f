"""Column conventions shared by every step: reserved names, features, row hashes."""

from __future__ import annotations

import numpy as np
import pandas as pd

ROW_ID = "row_id"
IS_SYNTHETIC = "is_synthetic"
CLUSTER_ID = "cluster_id"
PARENT_A = "parent_row_id_a"
PARENT_B = "parent_row_id_b"
INTERPOLATION_FACTOR = "interpolation_factor"
REASON = "reason"
#: Key of a prepared frame's ``attrs``: rows of each original label that became
#: negative (one label, or several with ``one_vs_rest``), most frequent first. It
#: travels with the rows (pandas keeps ``attrs`` through slicing and Parquet), so
#: the hold-out's report can say what "negative" means.
NEGATIVE_LABELS = "negative_labels"
#: Key of a prepared frame's ``attrs`` when the user's positive label is the majority:
#: the target is then 1 for the rarer class (the other labels), and this holds the
#: positive label and its count, so scoring can give the probability of the label named.
MAJORITY_POSITIVE = "positive_is_majority"
#: Key of a prepared frame's ``attrs``: ``groups`` of rows with identical features that
#: carry both labels, and the ``rows`` in them (no model can separate those rows).
CONFLICTING = "conflicting_duplicates"
#: The row's entity (``group_column``) and time (``time_column``), carried but never features.
GROUP_KEY = "group_key"
TIME_KEY = "time_key"

#: Columns the pipeline adds; a source column with one of these names is refused.
RESERVED_COLUMNS: tuple[str, ...] = (
    ROW_ID,
    IS_SYNTHETIC,
    CLUSTER_ID,
    PARENT_A,
    PARENT_B,
    INTERPOLATION_FACTOR,
    REASON,
    GROUP_KEY,
    TIME_KEY,
)


def feature_columns(frame: pd.DataFrame, target: str) -> list[str]:
    """Return the feature columns of a pipeline frame, in order.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame produced by the pipeline.
    target : str
        Name of the target column.

    Returns
    -------
    list of str
        Every column that is neither the target nor a reserved column.
    """
    return [c for c in frame.columns if c != target and c not in RESERVED_COLUMNS]


def is_categorical(series: pd.Series) -> bool:
    """Whether a column is treated as categorical (strings, categories, booleans)."""
    return bool(
        isinstance(series.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(series.dtype)
        or pd.api.types.is_object_dtype(series.dtype)
        or pd.api.types.is_string_dtype(series.dtype)
    )


def categorical_columns(frame: pd.DataFrame, target: str) -> list[str]:
    """Return the categorical feature columns of ``frame`` (see :func:`is_categorical`)."""
    return [c for c in feature_columns(frame, target) if is_categorical(frame[c])]


def missing_numeric_columns(frame: pd.DataFrame, target: str) -> list[str]:
    """Numeric feature columns of ``frame`` holding at least one missing value."""
    categorical = set(categorical_columns(frame, target))
    return [
        c for c in feature_columns(frame, target) if c not in categorical and frame[c].isna().any()
    ]


def row_hashes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Content hash of each row over ``columns``, independent of dtype width.

    Numeric values are hashed as float64 and everything else as its string form,
    so an integer row and a float row holding the same values hash the same.
    This is what the hold-out isolation check compares.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows to hash.
    columns : list of str
        Columns that define a row's content (the features).

    Returns
    -------
    numpy.ndarray of shape (n_rows,), dtype uint64
        One hash per row.
    """
    if not columns:
        return np.zeros(len(frame), dtype=np.uint64)
    normalised = pd.DataFrame(
        {
            column: (
                frame[column].astype(str).to_numpy()
                if is_categorical(frame[column])
                else frame[column].to_numpy(dtype=np.float64)
            )
            for column in columns
        }
    )
    return pd.util.hash_pandas_object(normalised, index=False).to_numpy()


def content_hash(frame: pd.DataFrame) -> str:
    """A short, deterministic fingerprint of a whole frame (columns and values).

    Used as the Dagster data version of materialized frames.
    """
    import hashlib

    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def sample_positions(n_rows: int, size: int | None, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of a uniform sample of at most ``size`` rows (all rows if None)."""
    if size is None or n_rows <= size:
        return np.arange(n_rows)
    return np.sort(rng.choice(n_rows, size=size, replace=False))


def entity_codes(frame: pd.DataFrame) -> np.ndarray | None:
    """One code per row for its entity (``group_key``; a row without one is its own),
    None when the frame has no entities."""
    if GROUP_KEY not in frame.columns:
        return None
    entity = frame[GROUP_KEY].astype(object)
    alone = "<row " + pd.Series(np.arange(len(frame)), index=frame.index).astype(str)
    return pd.factorize(entity.where(entity.notna(), alone))[0]
