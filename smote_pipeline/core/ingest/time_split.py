"""The hold-out of a table with a ``time_column``: the latest rows, cut at a time.

The rows are ordered by their time (the reserved ``time_key`` column) and the
cut is the time from which the latest ``holdout_fraction`` of them begin; every
row at or after it is in the hold-out, so the cut never falls inside one
timestamp. Each run cuts afresh, so as data grows the cut moves forward and
rows held out earlier may train later models: the rule that replaces "a row
keeps its side" is that **every hold-out row is later than every training row
of the model it scores** (the promotion gate compares two models only on rows
later than both trained on).

Defined behaviours:

- a row without a time is on neither side (``facts["rows_without_time"]``):
  nothing can say whether it is later than the cut;
- when the latest rows hold no positive row, the cut moves back to the latest
  positive row's time, and ``facts["cut_moved"]`` says so;
- with a ``group_column`` too, the hold-out keeps only entities with no row before
  the cut (new entities, later); the later rows of entities seen before the cut
  are set aside (``facts["rows_set_aside"]``), so no entity is on both sides.
  When too few new entities come after the cut (a fixed population), every later
  row stays in the hold-out and ``facts["entities_on_both_sides"]`` counts the
  entities it shares with training: the hold-out then answers "later rows of the
  same population", which is what such a model will score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import GROUP_KEY, TIME_KEY
from smote_pipeline.core.ingest.split import (
    MIN_HOLDOUT_GROUPS,
    MIN_TRAINING_GROUPS,
    HoldoutLedger,
    Split,
    entity_counts,
)

__all__ = ["split_by_time"]


def _cut(times: np.ndarray, y: np.ndarray, fraction: float) -> tuple[object, str]:
    """The cut time (rows at or after it are held out) and a note when it moved."""
    order = np.argsort(times, kind="stable")
    ranked = times[order]
    cut = ranked[min(len(ranked) - int(round(fraction * len(ranked))), len(ranked) - 1)]
    if cut == ranked[0]:  # the cut would take every row: the next distinct time
        later = ranked[ranked > ranked[0]]
        if not len(later):
            raise ValueError(
                f"time_column: every row has the same time ({ranked[0]}), so no row is later "
                "than another and no hold-out can follow training in time. Remove "
                "time_column from the spec, or fix the column's values."
            )
        cut = later[0]
    note = ""
    if not (y[times >= cut] == 1).any() and (y == 1).any():
        cut = times[y == 1].max()
        note = (
            f"the latest {fraction:.0%} of the rows hold no positive row: the cut moved back "
            "to the latest positive row's time"
        )
    return cut, note


def split_by_time(frame: pd.DataFrame, target: str, holdout_fraction: float) -> Split:
    """Training rows before the cut, hold-out rows at or after it (see the module).

    Raises
    ------
    ValueError
        When every row has one time, or a side is left with too few rows of a
        class, naming ``time_column`` and ``holdout_fraction``.
    """
    known = frame[TIME_KEY].notna().to_numpy()
    dated = frame[known]
    times, y = dated[TIME_KEY].to_numpy(), dated[target].to_numpy()
    cut, note = _cut(times, y, holdout_fraction)
    later = times >= cut
    training, holdout = dated[~later], dated[later]
    holdout, aside, shared = _new_entities(training, holdout, target, holdout_fraction)
    facts = {
        "cut": _text(cut),
        "trained_until": _text(training[TIME_KEY].max()),
        "rows_without_time": int((~known).sum()),
        "rows_set_aside": aside,
        "cut_moved": note or "no",
        "entities_on_both_sides": shared,
    }
    if GROUP_KEY in frame.columns:
        facts.update(entity_counts(training, holdout, target))
    return Split(
        training.reset_index(drop=True),
        holdout.reset_index(drop=True),
        HoldoutLedger(np.empty(0, np.uint64), np.empty(0, bool), (TIME_KEY,)),
        known_rows=0,
        new_rows=int(known.sum()),
        kind="time",
        facts=facts,
    )


def _new_entities(
    training: pd.DataFrame, holdout: pd.DataFrame, target: str, fraction: float
) -> tuple[pd.DataFrame, int, int]:
    """The hold-out, the rows set aside and the entities on both sides: with a
    ``group_column``, only entities never seen before the cut stay in the hold-out,
    unless that leaves it too few rows of a class; then every later row stays and the
    shared entities are counted (a fixed population of customers, say)."""
    _check_sides(training, holdout, target, fraction)
    if GROUP_KEY not in holdout.columns:
        return holdout, 0, 0
    seen = holdout[GROUP_KEY].isin(set(training[GROUP_KEY].dropna())).to_numpy()
    try:
        _check_sides(training, holdout[~seen], target, fraction)
    except ValueError:
        return holdout, 0, int(holdout.loc[seen, GROUP_KEY].nunique())
    return holdout[~seen], int(seen.sum()), 0


def _text(value: object) -> str | float:
    return float(value) if isinstance(value, float | int) else str(pd.Timestamp(value))


def _check_sides(
    training: pd.DataFrame, holdout: pd.DataFrame, target: str, fraction: float
) -> None:
    """Refuse a cut that leaves a side too few rows of a class, naming the options."""
    train, held = training[target].to_numpy(), holdout[target].to_numpy()
    for label in (1, 0):
        if (train == label).sum() < MIN_TRAINING_GROUPS or (
            held == label
        ).sum() < MIN_HOLDOUT_GROUPS:
            raise ValueError(
                f"time_column with holdout_fraction={fraction} leaves "
                f"{int((train == 1).sum())} positive and {int((train == 0).sum())} negative "
                f"row(s) before the cut and {int((held == 1).sum())} positive and "
                f"{int((held == 0).sum())} negative at or after it; training needs "
                f"{MIN_TRAINING_GROUPS} of each class and the hold-out {MIN_HOLDOUT_GROUPS}. "
                "Change holdout_fraction, or remove time_column from the spec."
            )
