"""Feature domain and distance space learnt from real rows, for the realism checks.

Fitted on the REAL rows of one class, then applied to synthetic rows, so that a
synthetic row is always judged by the real data's standards (range, categories,
integer values, scale).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import feature_columns, is_categorical

#: Column kinds reported in the per-column table.
NUMERIC = "numeric"
INTEGER = "integer"
CATEGORICAL = "categorical"

#: Dimension up to which neighbour searches use a KD-tree; above it, brute force
#: (BLAS distance blocks), which beats trees once distances concentrate.
KD_TREE_MAX_DIMENSION = 15


@dataclass(frozen=True)
class ColumnDomain:
    """What values one feature column takes in the real rows.

    Attributes
    ----------
    name : str
        Column name.
    kind : {"numeric", "integer", "categorical"}
        ``"integer"``: a numeric column whose real values are all integers (whatever
        its dtype: ``3.0`` counts), so synthetic values must be too.
    minimum, maximum : float or None
        Real range of a numeric column (None for categorical columns).
    categories : tuple of str
        Real values of a categorical column, as text (empty for numeric ones).
    null_share : float
        Share of real rows missing a value here; a synthetic null is out of the
        domain only where the real rows have none.
    """

    name: str
    kind: str
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[str, ...] = ()
    null_share: float = 0.0

    @property
    def is_numeric(self) -> bool:
        """Whether the column is numeric (``"numeric"`` or ``"integer"``)."""
        return self.kind != CATEGORICAL


def numeric_values(series: pd.Series) -> np.ndarray:
    """A column as float64, nulls as NaN (nullable dtypes included)."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def text_values(series: pd.Series) -> np.ndarray:
    """A categorical column as text, the form the suite and the hashes use."""
    return series.astype(str).to_numpy(dtype=object)


def learn_domain(real: pd.DataFrame, target: str) -> list[ColumnDomain]:
    """Learn each feature's domain from real rows.

    Parameters
    ----------
    real : pandas.DataFrame
        Real rows (training side only) in the pipeline's column conventions.
    target : str

    Returns
    -------
    list of ColumnDomain
        One per feature column (:func:`feature_columns`), in order.
    """
    domains = []
    for column in feature_columns(real, target):
        series = real[column]
        nulls = float(series.isna().mean()) if len(series) else 0.0
        if is_categorical(series):
            values = sorted(set(text_values(series.dropna())))
            domains.append(
                ColumnDomain(column, CATEGORICAL, categories=tuple(values), null_share=nulls)
            )
            continue
        values = numeric_values(series)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            domains.append(ColumnDomain(column, NUMERIC, np.nan, np.nan, null_share=nulls))
            continue
        kind = INTEGER if np.all(finite == np.round(finite)) else NUMERIC
        domains.append(
            ColumnDomain(column, kind, float(finite.min()), float(finite.max()), null_share=nulls)
        )
    return domains


@dataclass(frozen=True)
class FeatureSpace:
    """Standardised numeric columns plus one-hot categoricals, fitted on real rows.

    Numeric columns are centred and scaled by the real rows' mean and standard
    deviation (scale 1 for a constant column). Each categorical column becomes one
    indicator per real category, times ``1/sqrt(2)``, so two rows differing in one
    category are at distance 1, like one standard deviation of a numeric column. A
    category never seen in the real rows encodes as all zeros; a null or infinite
    numeric value as the real mean (0), so a missing value is neither near nor far
    (the domain checks flag infinite values, and nulls where the real rows have none).

    Attributes
    ----------
    domains : list of ColumnDomain
        Domain of every feature.
    means, scales : numpy.ndarray of shape (n_numeric,)
        Standardisation of the numeric columns, in domain order.
    """

    domains: tuple[ColumnDomain, ...]
    means: np.ndarray
    scales: np.ndarray

    @classmethod
    def fit(
        cls, real: pd.DataFrame, target: str, scale_rows: pd.DataFrame | None = None
    ) -> FeatureSpace:
        """Learn domains from the real rows of one class and scales from ``scale_rows``.

        Parameters
        ----------
        real : pandas.DataFrame
            Real rows of the class: define each column's domain.
        target : str
        scale_rows : pandas.DataFrame or None
            Real rows whose mean and standard deviation standardise the numeric
            columns; ``real`` when None. Real rows of every class give the scale a
            classifier sees, so a column on which the class is tight is not blown up
            (which would let it dominate every distance).
        """
        domains = tuple(learn_domain(real, target))
        numeric = [d.name for d in domains if d.is_numeric]
        rows = real if scale_rows is None or len(scale_rows) == 0 else scale_rows
        if not numeric or len(rows) == 0:
            return cls(domains, np.zeros(len(numeric)), np.ones(len(numeric)))
        matrix = np.column_stack([numeric_values(rows[c]) for c in numeric])
        matrix = np.where(np.isfinite(matrix), matrix, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-null column: mean of nothing
            means = np.nan_to_num(np.nanmean(matrix, axis=0))
            scales = np.nan_to_num(np.nanstd(matrix, axis=0))
        scales[scales <= 1e-12] = 1.0
        return cls(domains, means, scales)

    @property
    def numeric_columns(self) -> list[str]:
        """Numeric (and integer) feature names."""
        return [d.name for d in self.domains if d.is_numeric]

    @property
    def n_dimensions(self) -> int:
        """Width of the encoded matrix."""
        return len(self.numeric_columns) + sum(len(d.categories) for d in self.domains)

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Encode ``frame`` (same feature columns) as a float matrix.

        Returns
        -------
        numpy.ndarray of shape (n_rows, n_dimensions)
        """
        blocks = []
        numeric = self.numeric_columns
        if numeric:
            matrix = np.column_stack([numeric_values(frame[c]) for c in numeric])
            matrix = (matrix - self.means) / self.scales
            blocks.append(np.where(np.isfinite(matrix), matrix, 0.0))
        for domain in self.domains:
            if domain.is_numeric or not domain.categories:
                continue
            codes = pd.Index(domain.categories).get_indexer(text_values(frame[domain.name]))
            block = np.zeros((len(frame), len(domain.categories)))
            known = codes >= 0
            block[np.flatnonzero(known), codes[known]] = 1.0 / np.sqrt(2.0)
            blocks.append(block)
        if not blocks:
            return np.zeros((len(frame), 0))
        return np.hstack(blocks)


def neighbor_algorithm(n_dimensions: int) -> str:
    """Neighbour-search algorithm for a dimension: KD-tree when low, brute force above."""
    return "kd_tree" if n_dimensions <= KD_TREE_MAX_DIMENSION else "brute"
