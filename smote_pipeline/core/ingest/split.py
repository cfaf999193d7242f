"""The first split: an untouched real hold-out, separated before anything else."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from smote_pipeline.core.columns import feature_columns, row_hashes


def split_holdout(
    frame: pd.DataFrame, target: str, *, holdout_fraction: float, random_state: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split real rows into a training set and a hold-out, stratified and seeded.

    Rows with identical feature values are kept on the same side (the split is
    made over groups of identical rows, stratified by the group's first label),
    so a duplicated row can never sit in both parts and leak the hold-out into
    training. Row ids are kept.

    Parameters
    ----------
    frame : pandas.DataFrame
        Prepared dataset (see :func:`smote_pipeline.core.ingest.ingestion.prepare_dataset`).
    target : str
        Target column (0/1).
    holdout_fraction : float
        Approximate share of rows in the hold-out.
    random_state : int
        Seed.

    Returns
    -------
    training_set, holdout_set : pandas.DataFrame
        Disjoint frames, each sorted by row id.

    Raises
    ------
    ValueError
        If either part would be left with too few positive rows (training needs
        2, the hold-out 1), naming ``holdout_fraction``.
    """
    hashes = row_hashes(frame, feature_columns(frame, target))
    _, first, group_of_row = np.unique(hashes, return_index=True, return_inverse=True)
    group_labels = frame[target].to_numpy()[first]
    n_groups = len(first)
    n_holdout = int(round(holdout_fraction * n_groups))
    counts = np.bincount(group_labels, minlength=2)
    if n_holdout < 1 or n_groups - n_holdout < 2 or counts.min() < 2:
        raise ValueError(
            f"holdout_fraction={holdout_fraction} cannot split {n_groups} distinct rows "
            f"({int(counts[1])} positive) into a training set with at least 2 and a hold-out "
            "with at least 1 positive row; provide more positive rows or change "
            "holdout_fraction."
        )
    groups = np.arange(n_groups)
    train_groups, holdout_groups = train_test_split(
        groups,
        test_size=n_holdout,
        stratify=group_labels,
        random_state=random_state,
    )
    in_holdout = np.isin(group_of_row, holdout_groups)
    training, holdout = frame[~in_holdout], frame[in_holdout]
    train_pos, holdout_pos = int(training[target].sum()), int(holdout[target].sum())
    if train_pos < 2 or holdout_pos < 1:
        raise ValueError(
            f"holdout_fraction={holdout_fraction} leaves {train_pos} positive row(s) in "
            f"training and {holdout_pos} in the hold-out; training needs at least 2 and the "
            "hold-out at least 1. Change holdout_fraction or provide more positive rows."
        )
    return training.reset_index(drop=True), holdout.reset_index(drop=True)
