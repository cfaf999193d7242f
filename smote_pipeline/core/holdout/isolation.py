"""Proof that nothing of the hold-out reached the training side."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import (
    GROUP_KEY,
    PARENT_A,
    PARENT_B,
    ROW_ID,
    TIME_KEY,
    feature_columns,
    row_hashes,
)
from smote_pipeline.core.ingest.split import HoldoutLedger


@dataclass(frozen=True)
class IsolationReport:
    """Hold-out rows found on the training side, per training-side frame."""

    holdout_rows: int
    leaked_content: dict[str, int] = field(default_factory=dict)
    leaked_ids: dict[str, int] = field(default_factory=dict)
    leaked_parents: dict[str, int] = field(default_factory=dict)
    synthetic_coincidences: dict[str, int] = field(default_factory=dict)
    ledger_holdout_groups: int = 0
    leaked_earlier: dict[str, int] = field(default_factory=dict)
    leaked_entities: dict[str, int] = field(default_factory=dict)
    not_earlier: dict[str, int] = field(default_factory=dict)
    unmatched_by_ledger: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no hold-out row (of this run or an earlier one), id, parent or
        entity appears on the training side, and with a time cut no training row is
        as late as a hold-out row."""
        found = (
            self.leaked_content,
            self.leaked_ids,
            self.leaked_parents,
            self.leaked_earlier,
            self.leaked_entities,
            self.not_earlier,
            self.unmatched_by_ledger,
        )
        return not any(v for d in found for v in d.values())


def check_isolation(
    holdout: pd.DataFrame,
    training_side: dict[str, pd.DataFrame],
    target: str,
    ledger: HoldoutLedger | None = None,
) -> IsolationReport:
    """Look for hold-out rows in every training-side frame.

    Three leaks are detected: a real training row whose feature values equal a
    hold-out row's (content hash over the features, dtype-independent, so a
    duplicated row across the split is caught too); a training row carrying a
    hold-out ``row_id``; and a synthetic row whose parent is a hold-out row.

    With the split's ``ledger``, a fourth: a real training row whose content an
    earlier run held out (a rerun on grown data must never train on it), counted
    in ``leaked_earlier``; a frame without the ledger's key columns (a stale ledger:
    the split re-keys it when a column goes) counts its real rows in
    ``unmatched_by_ledger``.

    With a ``group_column`` split (the ledger keyed by entity), a fifth: a real
    training row of a hold-out entity (``leaked_entities``); with a
    ``time_column`` split, a real training row at or after the earliest hold-out
    time (``not_earlier``). In both, a row's identity includes its key: two
    entities' identical rows, or one row's values at two times, are two rows, so
    the content test hashes the key with the features.

    A synthetic row (negative ``row_id``) whose values happen to equal a hold-out
    row's is counted in ``synthetic_coincidences`` but is not a leak: both its
    parents are training rows (checked above), and on discrete data (small
    integers, categories) interpolation lands on existing value combinations.

    Parameters
    ----------
    holdout : pandas.DataFrame
        The hold-out set.
    training_side : dict of str to pandas.DataFrame
        Frames of the training lineage, by asset name.
    target : str
        Target column.
    ledger : HoldoutLedger or None
        Every row group split so far, with its side; None skips the fourth test.

    Returns
    -------
    IsolationReport
    """
    key = _split_key(holdout, ledger)
    features = feature_columns(holdout, target) + ([key] if key else [])
    hashes = row_hashes(holdout, features)
    found: dict[str, dict[str, int]] = {k: {} for k in _LEAKS}
    for name, frame in training_side.items():
        if key and key not in frame.columns:  # synthetic rows: no entity or time of their own
            frame = frame.assign(**{key: None})
        for kind, count in _frame_leaks(holdout, hashes, frame, features, key, ledger).items():
            found[kind][name] = count
    return IsolationReport(
        len(holdout),
        ledger_holdout_groups=0 if ledger is None else int(ledger.holdout.sum()),
        **found,
    )


#: The leak counts of :class:`IsolationReport`, per training-side frame.
_LEAKS = (
    "leaked_content",
    "leaked_ids",
    "leaked_parents",
    "synthetic_coincidences",
    "leaked_earlier",
    "leaked_entities",
    "not_earlier",
    "unmatched_by_ledger",
)


def _frame_leaks(
    holdout: pd.DataFrame,
    holdout_hashes: np.ndarray,
    frame: pd.DataFrame,
    features: list[str],
    key: str | None,
    ledger: HoldoutLedger | None,
) -> dict[str, int]:
    """The leaks of one training-side frame (see :func:`check_isolation`)."""
    same = np.isin(row_hashes(frame, features), holdout_hashes)
    synthetic = frame[ROW_ID].to_numpy() < 0
    holdout_ids = holdout[ROW_ID].to_numpy()
    leaks = {
        "leaked_content": int((same & ~synthetic).sum()),
        "leaked_ids": int(np.isin(frame[ROW_ID].to_numpy(), holdout_ids).sum()),
    }
    if key:
        kind = "leaked_entities" if key == GROUP_KEY else "not_earlier"
        leaks[kind] = _key_leaks(key, holdout[key], frame.loc[~synthetic, key])
    if ledger is not None and len(ledger):
        if set(ledger.columns) <= set(frame.columns):
            earlier = ledger.held_out(ledger.hash_rows(frame))
            leaks["leaked_earlier"] = int((earlier & ~synthetic).sum())
        else:  # the ledger's key is gone: no real row can be cleared
            leaks["unmatched_by_ledger"] = int((~synthetic).sum())
    if synthetic.any():
        leaks["synthetic_coincidences"] = int((same & synthetic).sum())
    parent_columns = [c for c in (PARENT_A, PARENT_B) if c in frame.columns]
    if parent_columns:
        parent_values = frame[parent_columns].to_numpy(dtype=np.float64, na_value=np.nan)
        leaks["leaked_parents"] = int(np.isin(parent_values, holdout_ids).any(axis=1).sum())
    return leaks


def _split_key(holdout: pd.DataFrame, ledger: HoldoutLedger | None) -> str | None:
    """The column the split kept whole, from what the ledger keyed (None: rows)."""
    columns = () if ledger is None else tuple(ledger.columns)
    return columns[0] if columns in ((GROUP_KEY,), (TIME_KEY,)) and columns[0] in holdout else None


def _key_leaks(key: str, holdout: pd.Series, training: pd.Series) -> int:
    """Training rows of a hold-out entity, or as late as the earliest hold-out row."""
    if key == GROUP_KEY:
        return int(training.isin(set(holdout.dropna())).sum())
    return int((training >= holdout.min()).sum()) if holdout.notna().any() else 0
