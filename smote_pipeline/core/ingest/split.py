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
only; to split everything afresh, start from an empty ledger on purpose
(``python -m smote_pipeline.cli.ledger PIPELINE --reset``).

When a column the ledger hashed is no longer a feature (dropped from the source,
or now excluded), earlier rows are matched on the columns they still share: the
earlier split's stored sides are hashed again on those columns, a group that held
any hold-out row stays in the hold-out (rows that now equal one join it), and the
ledger is keyed by the shared columns from then on (:attr:`Split.rekeyed` says
what happened). Where no such match exists (the split's unit changed, no column is
shared, or the earlier sides are not stored), the split is refused: it never
hands an earlier hold-out row to training without the user's reset.

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

from collections.abc import Callable
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
    rekeyed : str or None
        How the earlier ledger was matched again on the columns rows still share
        (a column it hashed is no longer a feature); None when it was used as is.
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
    rekeyed: str | None = None
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
    earlier: Callable[[], EarlierSides] | None = None,
) -> Split:
    """Split real rows into a training set and a hold-out, stratified, seeded and stable.

    The rule: the module docstring. Row ids are kept. Cost: a hash per row, a sort of groups.

    Parameters
    ----------
    frame, target : pandas.DataFrame, str
        Prepared dataset (:func:`~smote_pipeline.core.ingest.ingestion.prepare_dataset`)
        and its target column (0/1).
    holdout_fraction, random_state : float, int
        Share of each class's rows in the hold-out; seed of the ranking of new groups.
    ledger : HoldoutLedger or None
        Sides of the groups earlier runs split; None on the first run.
    earlier : callable or None
        Loads the sides the last split stored (hold-out, training), to match earlier
        rows on the columns they share when one the ledger hashed is gone.

    Raises
    ------
    ValueError
        A side would hold too few groups of a class (training 2, hold-out 1), or
        earlier rows cannot be matched.
    """
    by_entity = GROUP_KEY in frame.columns
    ledger, rekeyed = _keyed_ledger(frame, target, ledger, earlier)
    groups, group_of_row = np.unique(
        ledger.hash_rows(_entities(frame) if by_entity else frame), return_inverse=True
    )
    y = frame[target].to_numpy()
    weights = _class_weights(y, group_of_row, len(groups), by_entity)
    side = ledger.sides(groups)
    known = side[group_of_row] >= 0  # rows an earlier run split
    keys = _order_keys(groups, random_state)
    # positives first: a mixed group's negative rows follow it
    if not all(_side_new_groups(side, weights, c, keys, holdout_fraction) for c in (1, 0)):
        counts = np.bincount((weights[1] > 0).astype(int), minlength=2)
        raise _too_few(holdout_fraction, counts, ledger, by_entity, _positives(y, group_of_row))
    training, holdout = _sides(frame, target, side[group_of_row] == 1, holdout_fraction)
    facts = entity_counts(training, holdout, target) if by_entity else {}
    facts.update(_shares(weights, side == 1, holdout_fraction, by_entity, known.any()))
    holdout.attrs["split_note"] = facts.get("holdout_share_note", "")
    return Split(
        training,
        holdout,
        ledger.merged(groups, side == 1),
        known_rows=int(known.sum()),
        new_rows=int((~known).sum()),
        rekeyed=rekeyed,
        kind="groups" if by_entity else "rows",
        facts=facts,
    )


def _keyed_ledger(
    frame: pd.DataFrame,
    target: str,
    ledger: HoldoutLedger | None,
    earlier: Callable[[], EarlierSides] | None,
) -> tuple[HoldoutLedger, str | None]:
    """The ledger to split ``frame`` with, keyed by the entity or the features (those of
    the first run, or those earlier rows still share), and what re-keying did."""
    features = [GROUP_KEY] if GROUP_KEY in frame.columns else feature_columns(frame, target)
    ledger, rekeyed = _matched(ledger or HoldoutLedger.empty(), features, earlier)
    return replace(ledger, columns=ledger.columns or tuple(features)), rekeyed


def _sides(
    frame: pd.DataFrame, target: str, in_holdout: np.ndarray, fraction: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training rows and the hold-out, each with a fresh index; refused when a side
    has too few positive rows."""
    training, holdout = frame[~in_holdout], frame[in_holdout]
    _check_positive_rows(int(training[target].sum()), int(holdout[target].sum()), fraction)
    return training.reset_index(drop=True), holdout.reset_index(drop=True)


def _class_weights(
    y: np.ndarray, group_of_row: np.ndarray, n_groups: int, by_entity: bool
) -> np.ndarray:
    """What each group adds to each class's hold-out share: shape (2, n_groups).

    A group is of the positive class when it holds a positive row. Row groups weigh
    their rows of each class (a group of identical rows with both labels adds to
    both); entities weigh one, in their class.
    """
    positive = np.bincount(group_of_row, y == 1, n_groups)
    if by_entity:
        return np.stack([(positive == 0), (positive > 0)]).astype(np.int64)
    rows = np.bincount(group_of_row, minlength=n_groups)
    return np.stack([rows - positive, positive]).astype(np.int64)


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
    side: np.ndarray, weights: np.ndarray, label: int, keys: np.ndarray, fraction: float
) -> bool:
    """Put class ``label``'s new groups (side -1) on a side, in place.

    In the order of ``keys``, a group goes to the hold-out when it fits: when the
    class's hold-out rows (``weights[label]``, counting those of groups already held)
    stay within ``fraction`` of the class's rows. A group too big to fit goes to
    training and smaller ones fill the rest (first fit), so one large group of
    identical rows cannot swell the hold-out. The hold-out takes at least
    :data:`MIN_HOLDOUT_GROUPS` of the class's groups (the lightest new one when none
    fits) and leaves :data:`MIN_TRAINING_GROUPS` to training. Returns whether both
    sides then hold enough of the class's groups.
    """
    weight = weights[label]
    in_class = (weights[1] > 0) == bool(label)
    count = int(in_class.sum())
    new = np.flatnonzero(in_class & (side < 0))
    ranked = new[np.argsort(keys[new], kind="stable")]
    held_groups = int((side[in_class] == 1).sum())
    room = count - MIN_TRAINING_GROUPS - held_groups
    capacity = int(round(fraction * weight.sum())) - int(weight[side == 1].sum())
    take = _first_fit(weight[ranked], capacity, room)
    if held_groups + take.sum() < MIN_HOLDOUT_GROUPS and room > 0 and len(ranked):
        take[np.argmin(weight[ranked])] = True
    side[ranked[take]] = 1
    side[ranked[~take]] = 0
    held_now = int((side[in_class] == 1).sum())
    return held_now >= MIN_HOLDOUT_GROUPS and count - held_now >= MIN_TRAINING_GROUPS


def _first_fit(weights: np.ndarray, capacity: int, most: int) -> np.ndarray:
    """Which of ``weights``, taken in order, fit into ``capacity``: each that fits
    what is left is taken, at most ``most`` of them. Vectorised: every pass takes
    the longest prefix of what still fits, and the first group that did not fit
    then no longer does."""
    take = np.zeros(len(weights), dtype=bool)
    while capacity > 0 and take.sum() < most:
        open_ = np.flatnonzero(~take & (weights <= capacity))
        if not len(open_):
            break
        fits = open_[np.cumsum(weights[open_]) <= capacity][: most - int(take.sum())]
        take[fits] = True
        capacity -= int(weights[fits].sum())
    return take


def _shares(
    weights: np.ndarray, held: np.ndarray, fraction: float, by_entity: bool, earlier: bool
) -> dict[str, float | str]:
    """Each class's share of the hold-out, and, when one is off ``fraction`` by more
    than a row (and 2% of the class), by how much and why."""
    facts: dict[str, float | str] = {}
    notes = []
    unit = "entities" if by_entity else "rows"
    for label, name in ((1, "positive"), (0, "negative")):
        total, kept = int(weights[label].sum()), int(weights[label][held].sum())
        facts[f"holdout_share_{name}"] = round(kept / max(total, 1), 4)
        if abs(kept - fraction * total) <= max(1.0, 0.02 * total):
            continue
        notes.append(
            f"the hold-out holds {kept} of the {total} {name} {unit} ({kept / total:.0%}, "
            f"not holdout_fraction {fraction:.0%}): {_why_off(weights[label], by_entity, earlier)}"
        )
    if notes:
        facts["holdout_share_note"] = "; ".join(notes)
    return facts


def _why_off(weight: np.ndarray, by_entity: bool, earlier: bool) -> str:
    reasons = []
    if earlier:
        reasons.append("rows an earlier run split keep their sides")
    if not by_entity and weight.max(initial=0) > 1:
        reasons.append(
            f"identical feature rows stay on one side (the largest group has "
            f"{int(weight.max())} of these rows)"
        )
    reasons.append(
        f"each side needs whole groups, at least {MIN_HOLDOUT_GROUPS} in the hold-out and "
        f"{MIN_TRAINING_GROUPS} in training"
    )
    return "; ".join(reasons)


def _check_positive_rows(train_pos: int, holdout_pos: int, fraction: float) -> None:
    """Refuse a split that leaves either side too few positive rows, naming the option."""
    if train_pos < MIN_TRAINING_GROUPS or holdout_pos < MIN_HOLDOUT_GROUPS:
        raise ValueError(
            f"holdout_fraction={fraction} leaves {train_pos} positive row(s) in "
            f"training and {holdout_pos} in the hold-out; training needs at least "
            f"{MIN_TRAINING_GROUPS} and the hold-out at least {MIN_HOLDOUT_GROUPS}. Change "
            "holdout_fraction or provide more positive rows."
        )


#: The sides the last split stored: (hold-out, training), None where absent.
EarlierSides = tuple[pd.DataFrame | None, pd.DataFrame | None]


def _matched(
    ledger: HoldoutLedger, features: list[str], earlier: Callable[[], EarlierSides] | None
) -> tuple[HoldoutLedger, str | None]:
    """The ledger when every column it hashes is still a feature; else the ledger
    re-keyed on the columns earlier rows still share, and what that did.

    Raises
    ------
    ValueError
        No match exists (see the module docstring): names the columns and the reset.
    """
    missing = [c for c in ledger.columns if c not in features]
    if not len(ledger) or not missing:
        return ledger, None
    shared = [c for c in ledger.columns if c in features]
    holdout, training = earlier() if earlier is not None else (None, None)
    problem = _unmatchable(ledger, shared, holdout, training)
    if problem:
        raise ValueError(
            f"The hold-out ledger keyed rows by {', '.join(map(repr, missing))}, which "
            f"no longer are features (dropped, excluded, or group_column changed), and "
            f"{problem}. Training now could put rows an earlier run held out into "
            "training. Restore the column, or split every row afresh on purpose: "
            "`python -m smote_pipeline.cli.ledger PIPELINE --reset`, then materialize again."
        )
    return _rekeyed(ledger, shared, holdout, training, missing)


def _unmatchable(
    ledger: HoldoutLedger,
    shared: list[str],
    holdout: pd.DataFrame | None,
    training: pd.DataFrame | None,
) -> str:
    """Why earlier rows cannot be matched on ``shared`` ("" when they can)."""
    if GROUP_KEY in ledger.columns or not shared:
        return "the split's unit changed (entities or rows), so no earlier row can be matched"
    if holdout is None or training is None:
        return "the earlier split's stored sides are missing, so no earlier row can be matched"
    absent = [c for c in ledger.columns if c not in holdout.columns or c not in training.columns]
    if absent:
        return f"the earlier split's stored sides lack {', '.join(map(repr, absent))}"
    return ""


def _rekeyed(
    ledger: HoldoutLedger,
    shared: list[str],
    holdout: pd.DataFrame,
    training: pd.DataFrame,
    missing: list[str],
) -> tuple[HoldoutLedger, str]:
    """The earlier sides hashed again on ``shared``: a group that holds any hold-out
    row is in the hold-out."""
    held, trained = row_hashes(holdout, shared), row_hashes(training, shared)
    hashes = np.concatenate([held, trained])
    sides = np.concatenate([np.ones(len(held), bool), np.zeros(len(trained), bool)])
    order = np.lexsort((~sides, hashes))  # per hash, a hold-out row first
    unique, first = np.unique(hashes[order], return_index=True)
    rekeyed = HoldoutLedger(unique, sides[order][first], tuple(shared))
    joined = len(np.unique(trained[np.isin(trained, held)]))
    found = np.unique(ledger.hash_rows(holdout))
    gone = int(ledger.holdout.sum()) - int(ledger.held_out(found).sum())
    return rekeyed, (
        f"{', '.join(missing)} no longer a feature: earlier rows were matched on the "
        f"{len(shared)} columns they still share ({int(rekeyed.holdout.sum())} hold-out "
        f"and {int((~rekeyed.holdout).sum())} training groups); {joined} training groups "
        f"now equal to a hold-out row joined the hold-out"
        + (f"; {gone} earlier hold-out groups are no longer in the source" if gone > 0 else "")
    )
