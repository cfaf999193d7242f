"""Input handling shared by the samplers: mixed-type tables in, same types out.

The samplers accept numpy arrays (numeric or ``object``) and pandas DataFrames with
numeric, boolean, categorical and string columns. :class:`FeatureTable` splits such an
input into a float matrix of numeric columns and an integer code matrix of categorical
columns, and rebuilds an output of the input's own kind (same columns and dtypes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from imblearn.utils import check_target_type
from sklearn.utils.validation import check_array, check_consistent_length, validate_data

#: Largest seed drawn for a nested estimator (NumPy's legacy seeding takes int32).
SEED_MAX = np.iinfo(np.int32).max


def check_mixed_X_y(sampler, X, y):
    """Validate ``X`` and ``y`` without casting ``X`` to float.

    DataFrames pass through untouched (their dtypes are needed later); anything else
    goes through :func:`~sklearn.utils.check_array` with ``dtype=None`` so that
    ``object`` arrays of strings survive.

    Parameters
    ----------
    sampler : BaseSampler
        Gets ``n_features_in_`` / ``feature_names_in_``.
    X : {array-like, DataFrame} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Target (one-vs-all 2d targets are converted as imbalanced-learn does).

    Returns
    -------
    X : {ndarray, DataFrame} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    binarize_y : bool
    """
    y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
    if not isinstance(X, pd.DataFrame):
        X = check_array(X, dtype=None, ensure_all_finite=False, ensure_min_samples=1)
    elif len(X) < 1:
        raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
    validate_data(sampler, X=X, y=y, reset=True, skip_check_array=True)
    y = np.asarray(y)
    check_consistent_length(X, y)
    return X, y, binarize_y


def _is_categorical_dtype(dtype) -> bool:
    return isinstance(dtype, pd.CategoricalDtype | pd.StringDtype) or dtype.kind in "OSUb"


def _column_is_numeric(values: np.ndarray) -> bool:
    try:
        values.astype(np.float64)
    except (TypeError, ValueError):
        return False
    return True


def resolve_categorical(X, categorical_features) -> np.ndarray:
    """Return the sorted positional indices of the categorical columns of ``X``.

    Parameters
    ----------
    X : {ndarray, DataFrame} of shape (n_samples, n_features)
    categorical_features : None, array-like of str, int or bool
        ``None`` auto-detects: in a DataFrame, columns of ``object``, ``category``,
        ``bool`` or string dtype; in a numpy array, ``object`` / string columns whose
        values cannot be converted to float. Otherwise column names (DataFrame only),
        positional indices, or a boolean mask of shape (n_features,).

    Returns
    -------
    indices : ndarray of shape (n_categorical,), dtype=int
    """
    n_features = X.shape[1]
    if categorical_features is None:
        if isinstance(X, pd.DataFrame):
            mask = [_is_categorical_dtype(dtype) for dtype in X.dtypes]
        elif X.dtype.kind in "OSU":
            mask = [not _column_is_numeric(X[:, j]) for j in range(n_features)]
        else:
            mask = [X.dtype.kind == "b"] * n_features
        return np.flatnonzero(np.asarray(mask, dtype=bool))
    spec = np.asarray(
        list(categorical_features)
        if not isinstance(categorical_features, np.ndarray)
        else categorical_features
    )
    if spec.size == 0:
        return np.array([], dtype=int)
    if spec.dtype.kind == "b":
        if spec.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask must have shape ({n_features},); "
                f"got {spec.shape}."
            )
        return np.flatnonzero(spec)
    if spec.dtype.kind in "OSU":
        if not isinstance(X, pd.DataFrame):
            raise ValueError(
                "categorical_features given as column names requires a pandas DataFrame; "
                "pass positional indices for arrays."
            )
        missing = [name for name in spec if name not in X.columns]
        if missing:
            raise ValueError(
                f"categorical_features names {missing} are not columns of X "
                f"(columns: {list(X.columns)})."
            )
        return np.sort(np.asarray([X.columns.get_loc(name) for name in spec], dtype=int))
    indices = spec.astype(int)
    if indices.min() < -n_features or indices.max() >= n_features:
        raise ValueError(
            f"categorical_features indices {indices.tolist()} out of range for "
            f"{n_features} features."
        )
    return np.unique(indices % n_features)


@dataclass
class FeatureTable:
    """Numeric / categorical split of an input table.

    Attributes
    ----------
    numeric : ndarray of shape (n_samples, n_numeric), dtype=float64
        Numeric columns as floats; missing values are NaN (infinite ones are refused).
    codes : ndarray of shape (n_samples, n_categorical), dtype=int64
        Integer codes of the categorical columns (missing values get their own code).
    numeric_idx, categorical_idx : ndarray of int
        Positions of the numeric / categorical columns in the input.
    n_categories : list of int
        Number of distinct codes per categorical column.
    """

    numeric: np.ndarray
    codes: np.ndarray
    numeric_idx: np.ndarray
    categorical_idx: np.ndarray
    n_categories: list[int]

    @classmethod
    def from_input(cls, X, categorical_idx: np.ndarray) -> FeatureTable:
        """Split ``X`` (validated by :func:`check_mixed_X_y`) into numeric and codes."""
        n_samples, n_features = X.shape
        numeric_idx = np.setdiff1d(np.arange(n_features), categorical_idx)
        by_column = not (
            isinstance(X, np.ndarray) and X.dtype.kind in "fiub" and not categorical_idx.size
        )
        if by_column:
            numeric = np.empty((n_samples, numeric_idx.size), dtype=np.float64)
        else:
            # all-numeric array: one cast, and no copy at all for float64 (the samplers
            # never write into ``numeric``)
            numeric = np.asarray(X, dtype=np.float64)
        for out, j in enumerate(numeric_idx if by_column else []):
            column = _column(X, j)
            try:
                numeric[:, out] = np.asarray(column, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"Column {_column_name(X, j)!r} is not numeric; list it in "
                    "categorical_features."
                ) from exc
        if np.isinf(numeric).any():
            bad = numeric_idx[np.isinf(numeric).any(axis=0)]
            raise ValueError(
                f"Numeric column(s) {[_column_name(X, j) for j in bad]} contain infinite "
                "values; replace or drop them before resampling (missing values, NaN, are "
                "accepted)."
            )
        codes = np.empty((n_samples, categorical_idx.size), dtype=np.int64)
        n_categories = []
        for out, j in enumerate(categorical_idx):
            col_codes, uniques = pd.factorize(
                pd.Series(_column(X, j)).astype(object), use_na_sentinel=False
            )
            codes[:, out] = col_codes
            n_categories.append(len(uniques))
        return cls(numeric, codes, numeric_idx, categorical_idx, n_categories)


def _column(X, j: int):
    return X.iloc[:, j].to_numpy() if isinstance(X, pd.DataFrame) else X[:, j]


def _column_name(X, j: int):
    return X.columns[j] if isinstance(X, pd.DataFrame) else j


def build_output(X, table: FeatureTable, numeric_new: np.ndarray, source_rows: np.ndarray):
    """Append synthetic rows to ``X``, keeping the kind and dtypes of ``X``.

    Parameters
    ----------
    X : {ndarray, DataFrame} of shape (n_samples, n_features)
        The validated input.
    table : FeatureTable
    numeric_new : ndarray of shape (n_new, n_numeric)
        Values of the numeric columns of the new rows (already rounded / clipped).
    source_rows : ndarray of shape (n_new, n_categorical), dtype=int
        For each new row and categorical column, the row of ``X`` whose value is copied.

    Returns
    -------
    X_resampled : {ndarray, DataFrame} of shape (n_samples + n_new, n_features)
    """
    n_new = numeric_new.shape[0]
    if isinstance(X, pd.DataFrame):
        columns = {}
        for out, j in enumerate(table.numeric_idx):
            dtype = X.dtypes.iloc[j]
            values = numeric_new[:, out]
            columns[j] = pd.Series(values).astype(dtype) if n_new else X.iloc[:0, j]
        for out, j in enumerate(table.categorical_idx):
            columns[j] = X.iloc[source_rows[:, out], j].reset_index(drop=True)
        new = pd.DataFrame({X.columns[j]: columns[j].to_numpy() for j in range(X.shape[1])})
        new = new.astype(X.dtypes.to_dict())
        return pd.concat([X.reset_index(drop=True), new], ignore_index=True)
    out = np.empty((X.shape[0] + n_new, X.shape[1]), dtype=X.dtype)
    out[: X.shape[0]] = X
    new = out[X.shape[0] :]
    if table.numeric_idx.size == X.shape[1]:
        new[...] = numeric_new  # all-numeric: one cast-and-copy, no temporary
    elif table.numeric_idx.size:
        new[:, table.numeric_idx] = numeric_new
    for out_col, j in enumerate(table.categorical_idx):
        new[:, j] = X[source_rows[:, out_col], j]
    return out


def take_rows(X, indices: np.ndarray):
    """Select rows by position from an array or DataFrame (fresh RangeIndex)."""
    if isinstance(X, pd.DataFrame):
        return X.iloc[indices].reset_index(drop=True)
    return X[indices]


def as_index_array(values: Sequence | np.ndarray | None, n_samples: int, name: str):
    """Validate an optional per-row integer array (e.g. ``cluster_labels``)."""
    if values is None:
        return None
    array = np.asarray(values)
    if array.shape != (n_samples,):
        raise ValueError(
            f"{name} must have shape ({n_samples},) (one entry per row of X); got {array.shape}."
        )
    return array


def fmt_label(value) -> str:
    """Readable class / cluster label for messages (numpy scalars as Python values)."""
    return repr(value.item() if isinstance(value, np.generic) else value)
