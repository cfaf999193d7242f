"""The Euclidean space in which the samplers measure distances between rows.

Numeric columns are centred and scaled when ``standardize=True`` (by the standard
deviation, or by the spread inside neighbourhoods for one class's rows, see
:mod:`smote_pipeline.samplers._scaling`), otherwise used in their own units. Each
categorical column is one-hot encoded and every indicator is multiplied by
``weight / sqrt(2)``, so two rows that differ in one categorical column are ``weight``
apart in that column: ``weight`` is 1 (a typical column's spread) when scaling,
otherwise the median standard deviation of the numeric columns, as SMOTE-NC does.
"""

from __future__ import annotations

import numpy as np

from smote_pipeline.samplers._scaling import neighbourhood_scale, pooled_scale


class DistanceSpace:
    """Fitted map from (numeric, codes) to the Euclidean space used for neighbours.

    Missing numeric values (NaN) are replaced by the column mean of the fitted rows (0
    after standardisation), so a missing value is neither near nor far; the rows
    themselves keep their NaN. ``standardize`` scales numeric columns (statistics of the
    rows given to :meth:`fit`): by the standard deviation, or with ``within_groups`` by
    the spread inside neighbourhoods
    (:func:`~smote_pipeline.samplers._scaling.neighbourhood_scale`: inside a group, not
    between groups). :class:`ClusterAwareSMOTE` uses that for one class's rows, whose
    gaps must stay visible; the samplers that measure all classes together keep the
    standard deviation.
    """

    def __init__(self, standardize: bool, within_groups: bool = False) -> None:
        self.standardize = standardize
        self.within_groups = within_groups

    def fit(self, numeric: np.ndarray, codes: np.ndarray, n_categories: list[int]):
        """Learn centring / scaling from ``numeric`` of shape (n_rows, n_numeric)."""
        n_columns = numeric.shape[1]
        missing = np.isnan(numeric)
        present = (~missing).sum(axis=0)
        if missing.any():
            filled = np.where(missing, 0.0, numeric)
            mean = filled.sum(axis=0) / np.maximum(present, 1)
            centred = np.where(missing, 0.0, numeric - mean)
            std = np.sqrt((centred**2).sum(axis=0) / np.maximum(present, 1))
        elif numeric.shape[0]:
            mean, std = numeric.mean(axis=0), numeric.std(axis=0)
        else:
            mean, std = np.zeros(n_columns), np.ones(n_columns)
        self.fill_ = mean if missing.any() else None
        self.std_ = std
        if self.standardize:
            self.mean_ = mean
            self.scale_ = (
                neighbourhood_scale(numeric, std)
                if self.within_groups
                else np.where(std > 0, std, 1.0)
            )
            weight = 1.0
        else:
            self.mean_ = np.zeros(n_columns)
            self.scale_ = np.ones(n_columns)
            positive = std[std > 0]
            weight = float(np.median(positive)) if positive.size else 1.0
        self.onehot_value_ = weight / np.sqrt(2.0)
        self.offsets_ = np.concatenate([[0], np.cumsum(n_categories)]).astype(int)
        return self

    def pool(self, numeric: np.ndarray, groups: np.ndarray) -> DistanceSpace:
        """Rescale by the spread pooled inside ``groups`` (a clustering of the fitted rows;
        one group gives the standard deviation), only with ``standardize=True,
        within_groups=True`` (:func:`~smote_pipeline.samplers._scaling.pooled_scale`)."""
        if self.standardize and self.within_groups:
            self.scale_ = pooled_scale(numeric, groups, self.std_, self.scale_)
        return self

    def transform(self, numeric: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Map rows to the distance space; shape (n_rows, n_numeric + n_indicators)."""
        scaled = (numeric - self.mean_) / self.scale_
        gaps = np.isnan(scaled)
        if gaps.any():
            fill = (self.fill_ if self.fill_ is not None else self.mean_) - self.mean_
            scaled[gaps] = np.broadcast_to(fill / self.scale_, scaled.shape)[gaps]
        if codes.shape[1] == 0:
            return scaled
        onehot = np.zeros((codes.shape[0], int(self.offsets_[-1])))
        rows = np.arange(codes.shape[0])[:, None]
        onehot[rows, np.minimum(codes, np.diff(self.offsets_) - 1) + self.offsets_[:-1]] = (
            self.onehot_value_
        )
        return np.hstack([scaled, onehot])
