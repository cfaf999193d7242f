"""The first split: an untouched real hold-out, separated before anything else.

A row keeps its side as the data grows. Rows with identical feature values form
one group (so a duplicated row can never sit on both sides; the features are
those of the first run, kept in the ledger); every group the pipeline has split
before keeps the side a :class:`HoldoutLedger` recorded for it, and only groups
never seen are assigned. Within each class, new groups are
ranked by a seeded hash of their content (not by their position, so appending,
reordering or filtering the source changes nothing for the rest) and the first
ones go to the hold-out until the class's hold-out share reaches
``holdout_fraction`` (stratified: the share holds per class, not only overall).

On the first run there is no ledger, every group is new, and the split is an
exact stratified split of the groups. On a rerun with appended rows, the old
rows keep their sides and the new ones fill each class up to the share, so a
retrained model never sees an earlier hold-out row and the hold-out only grows.
Existing rows never move, so a changed ``holdout_fraction`` applies to new rows
only; to split everything afresh, start from an empty ledger (delete it). When
a column the ledger hashed is no longer a feature (dropped from the source, or
now excluded), its rows cannot be matched: every row is split afresh and
:attr:`Split.reset` says why.

With a ``group_column`` (the reserved ``group_key`` column), the unit is the
entity instead of the identical-row group: every row of an entity is on one
side, an entity's class is positive when any of its rows is, and the ledger
keys the side by the entity, so its new rows follow it across runs. A row
without an entity is an entity of its own. Identical rows of two entities may
sit on both sides: they are two entities' rows, not one row.

With a ``time_column`` the rule is time's own
(:mod:`~smote_pipeline.core.ingest.time_split`): the hold-out is the latest rows,
and no ledger is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import GROUP_KEY, ROW_ID, entity_codes, feature_columns, row_hashes

__all__ = ["HoldoutLedger", "Split", "split_holdout"]

#: Fewest positive (and negative) groups the training side keeps, and the
#: hold-out's fewest: cross-validation needs two per class, evaluation one.
MIN_TRAINING_GROUPS = 2
MIN_HOLDOUT_GROUPS = 1
#: Fewest positive rows (entities) a table needs: the sum of both sides' fewest.
MIN_POSITIVES = MIN_TRAINING_GROUPS + MIN_HOLDOUT_GROUPS


@dataclass(frozen=True)
class HoldoutLedger:
    """Which side every row group the pipeline has split so far went to.

    Attributes
    ----------
    hashes : ndarray of shape (n_groups,), dtype uint64
        Sorted content hashes of the groups (:func:`~smote_pipeline.core.columns.row_hashes`
        over ``columns``).
    holdout : ndarray of shape (n_groups,), dtype bool
        True for groups in the hold-out.
    columns : tuple of str
        The columns hashed: the features of the first run. They stay the key while
        they are all still features, so a column that becomes a feature later (an
        id that stopped being unique) does not change any row's hash.
    """

    hashes: np.ndarray
    holdout: np.ndarray
    columns: tuple[str, ...] = ()

    @classmethod
    def empty(cls) -> HoldoutLedger:
        """A ledger that knows no row (the first run)."""
        return cls(np.empty(0, dtype=np.uint64), np.empty(0, dtype=bool))

    def hash_rows(self, frame: pd.DataFrame) -> np.ndarray:
        """The ledger's key of every row of ``frame`` (it must hold :attr:`columns`)."""
        return row_hashes(frame, list(self.columns))

    def __len__(self) -> int:
        return len(self.hashes)

    def sides(self, hashes: np.ndarray) -> np.ndarray:
        """Recorded side of each hash: 1 hold-out, 0 training, -1 never split."""
        if not len(self.hashes):
            return np.full(len(hashes), -1, dtype=np.int8)
        position = np.clip(np.searchsorted(self.hashes, hashes), 0, len(self.hashes) - 1)
        known = self.hashes[position] == hashes
        return np.where(known, self.holdout[position].astype(np.int8), np.int8(-1))

    def held_out(self, hashes: np.ndarray) -> np.ndarray:
        """Whether each hash was ever assigned to the hold-out."""
        return self.sides(hashes) == 1

    def merged(self, hashes: np.ndarray, holdout: np.ndarray) -> HoldoutLedger:
        """This ledger plus groups ``hashes`` on sides ``holdout`` (known ones keep theirs)."""
        all_hashes = np.concatenate([self.hashes, hashes])
        all_sides = np.concatenate([self.holdout, holdout])
        unique, first = np.unique(all_hashes, return_index=True)
        return HoldoutLedger(unique, all_sides[first], self.columns)

    def to_frame(self) -> pd.DataFrame:
        """The stored form: columns ``row_hash`` (uint64) and ``holdout`` (bool), the
        hashed columns in ``attrs["columns"]`` (kept by Parquet)."""
        frame = pd.DataFrame({"row_hash": self.hashes, "holdout": self.holdout})
        frame.attrs["columns"] = list(self.columns)
        return frame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame | None) -> HoldoutLedger:
        """Read :meth:`to_frame` back; None gives the empty ledger."""
        if frame is None:
            return cls.empty()
        order = np.argsort(frame["row_hash"].to_numpy(dtype=np.uint64), kind="stable")
        return cls(
            frame["row_hash"].to_numpy(dtype=np.uint64)[order],
            frame["holdout"].to_numpy(dtype=bool)[order],
            tuple(frame.attrs.get("columns", ())),
        )


@dataclass(frozen=True)
class Split:
    """The two sides, and what the ledger did.

    Attributes
    ----------
    training, holdout : pandas.DataFrame
        Disjoint frames, each sorted by row id.
    ledger : HoldoutLedger
        The ledger to store for the next run (every group ever split).
    known_rows : int
        Rows whose side the earlier ledger already held.
    new_rows : int
        Rows assigned now.
    reset : str or None
        Why the earlier ledger could not be used (a column it hashed is no longer
        a feature), so that every row was split afresh; None when it was used.
    kind : {"rows", "groups", "time"}
        What the split kept whole: identical rows, entities, or time (the cut).
    facts : dict
        What the UI shows of the split: entity counts per side, the cut time, the
        rows set aside, and why.
    """

    training: pd.DataFrame
    holdout: pd.DataFrame
    ledger: HoldoutLedger
    known_rows: int
    new_rows: int
    reset: str | None = None
    kind: str = "rows"
    facts: dict = field(default_factory=dict)


def _order_keys(hashes: np.ndarray, random_state: int) -> np.ndarray:
    """A seeded, position-free ranking key per group (splitmix64 of hash and seed)."""
    seed = np.uint64((random_state * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
    z = hashes ^ seed
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _positives(y: np.ndarray, group_of_row: np.ndarray) -> str:
    """The positive rows, the groups that hold one, and how many of those also hold a
    negative row (a group of identical rows may carry both labels)."""
    positive = np.bincount(group_of_row, y)
    mixed = int(((positive > 0) & (positive < np.bincount(group_of_row))).sum())
    return (
        f"{int(y.sum())} positive rows in {int((positive > 0).sum())} groups, {mixed} of them "
        "also holding negative rows"
    )


def _too_few(
    holdout_fraction: float,
    counts: np.ndarray,
    ledger: HoldoutLedger,
    by_entity: bool,
    positives: str,
) -> ValueError:
    kept = (
        f" The {len(ledger)} row groups earlier runs split keep their sides (the hold-out "
        "ledger); delete it to split every row afresh."
        if len(ledger)
        else ""
    )
    if by_entity:
        return ValueError(
            f"holdout_fraction={holdout_fraction} cannot split {int(counts.sum())} entities "
            f"of group_column ({int(counts[1])} with a positive row) into a training set with "
            f"at least {MIN_TRAINING_GROUPS} and a hold-out with at least {MIN_HOLDOUT_GROUPS} "
            "entity of each class: an entity's rows stay on one side. Provide more entities "
            f"with positive rows, change holdout_fraction, or remove group_column.{kept}"
        )
    return ValueError(
        f"holdout_fraction={holdout_fraction} cannot split {int(counts.sum())} groups of "
        f"identical rows ({positives}; a group stays on one side) into a training set "
        "with at least "
        f"{MIN_TRAINING_GROUPS} and a hold-out with at least {MIN_HOLDOUT_GROUPS} row of each "
        f"class; provide more positive rows or change holdout_fraction.{kept}"
    )


def split_holdout(
    frame: pd.DataFrame,
    target: str,
    *,
    holdout_fraction: float,
    random_state: int,
    ledger: HoldoutLedger | None = None,
) -> Split:
    """Split real rows into a training set and a hold-out, stratified, seeded and stable.

    See the module docstring for the rule (a group: identical rows, or an entity).
    Row ids are kept. Cost: one hash per row and a sort of the groups.

    Parameters
    ----------
    frame : pandas.DataFrame
        Prepared dataset (see :func:`smote_pipeline.core.ingest.ingestion.prepare_dataset`).
    target : str
        Target column (0/1).
    holdout_fraction : float
        Share of each class's row groups in the hold-out.
    random_state : int
        Seed of the ranking of new groups.
    ledger : HoldoutLedger or None
        Sides of the groups earlier runs split; None on the first run.

    Raises
    ------
    ValueError
        If a side would hold too few groups of a class (training 2, hold-out 1).
    """
    by_entity = GROUP_KEY in frame.columns
    keyed = _entities(frame) if by_entity else frame
    features = [GROUP_KEY] if by_entity else feature_columns(frame, target)
    ledger, reset = _usable(ledger or HoldoutLedger.empty(), features)
    ledger = replace(ledger, columns=ledger.columns or tuple(features))
    hashes = ledger.hash_rows(keyed)
    groups, first, group_of_row = np.unique(hashes, return_index=True, return_inverse=True)
    y = frame[target].to_numpy()
    labels = (np.bincount(group_of_row, y, len(groups)) > 0).astype(int) if by_entity else y[first]
    counts = np.bincount(labels, minlength=2)
    side = ledger.sides(groups)
    known = side[group_of_row] >= 0  # rows an earlier run split
    keys = _order_keys(groups, random_state)
    for label in (0, 1):
        if not _side_new_groups(side, labels == label, counts[label], keys, holdout_fraction):
            raise _too_few(holdout_fraction, counts, ledger, by_entity, _positives(y, group_of_row))
    in_holdout = side[group_of_row] == 1
    training, holdout = frame[~in_holdout], frame[in_holdout]
    _check_positive_rows(int(training[target].sum()), int(holdout[target].sum()), holdout_fraction)
    return Split(
        training.reset_index(drop=True),
        holdout.reset_index(drop=True),
        ledger.merged(groups, side == 1),
        known_rows=int(known.sum()),
        new_rows=int((~known).sum()),
        reset=reset,
        kind="groups" if by_entity else "rows",
        facts=entity_counts(training, holdout, target) if by_entity else {},
    )


def _entities(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a row of no entity made an entity of its own (keyed by its row id)."""
    groups = frame[GROUP_KEY]
    alone = "<row " + frame[ROW_ID].astype(str) + ">"
    return frame.assign(**{GROUP_KEY: groups.where(groups.notna(), alone)})


def entity_counts(training: pd.DataFrame, holdout: pd.DataFrame, target: str) -> dict[str, int]:
    """Entities (and entities with a positive row) on each side; rows without one count
    as one each."""
    counts = {}
    for side, part in (("training", training), ("holdout", holdout)):
        codes = entity_codes(part)
        counts[f"{side}_entities"] = len(np.unique(codes))
        counts[f"{side}_positive_entities"] = len(np.unique(codes[part[target].to_numpy() == 1]))
    return counts


def _side_new_groups(
    side: np.ndarray, in_class: np.ndarray, count: int, keys: np.ndarray, fraction: float
) -> bool:
    """Put the class's new groups (side -1) on a side, in place: the first by ``keys``
    to the hold-out until it holds ``fraction`` of the class's groups (at least
    :data:`MIN_HOLDOUT_GROUPS`, leaving :data:`MIN_TRAINING_GROUPS` to training).
    Returns whether both sides then hold enough of the class's groups."""
    new = np.flatnonzero(in_class & (side < 0))
    held = int((side[in_class] == 1).sum())
    wanted = min(max(int(round(fraction * count)), MIN_HOLDOUT_GROUPS), count - MIN_TRAINING_GROUPS)
    take = int(np.clip(wanted - held, 0, len(new)))
    ranked = new[np.argsort(keys[new], kind="stable")]
    side[ranked[:take]] = 1
    side[ranked[take:]] = 0
    held_now = int((side[in_class] == 1).sum())
    return held_now >= MIN_HOLDOUT_GROUPS and count - held_now >= MIN_TRAINING_GROUPS


def _check_positive_rows(train_pos: int, holdout_pos: int, fraction: float) -> None:
    """Refuse a split that leaves either side too few positive rows, naming the option."""
    if train_pos < MIN_TRAINING_GROUPS or holdout_pos < MIN_HOLDOUT_GROUPS:
        raise ValueError(
            f"holdout_fraction={fraction} leaves {train_pos} positive row(s) in "
            f"training and {holdout_pos} in the hold-out; training needs at least "
            f"{MIN_TRAINING_GROUPS} and the hold-out at least {MIN_HOLDOUT_GROUPS}. Change "
            "holdout_fraction or provide more positive rows."
        )


def _usable(ledger: HoldoutLedger, features: list[str]) -> tuple[HoldoutLedger, str | None]:
    """The ledger when every column it hashes is still a feature, else an empty one and why."""
    missing = [c for c in ledger.columns if c not in features]
    if not len(ledger) or not missing:
        return ledger, None
    return HoldoutLedger.empty(), (
        f"the hold-out ledger keyed rows by columns that no longer are its key "
        f"({', '.join(missing)}: dropped, excluded, or group_column changed), so its "
        f"{len(ledger)} row groups cannot be matched and every row was split afresh"
    )
