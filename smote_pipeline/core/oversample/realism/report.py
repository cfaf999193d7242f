"""Result types of the realism checks: thresholds, gates and the report.

See :mod:`smote_pipeline.core.oversample.realism` for how each score is computed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import CLUSTER_ID, ROW_ID
from smote_pipeline.core.records import known_fields, plain_fields
from smote_pipeline.core.thresholds import RealismThresholds

#: Columns of :attr:`RealismReport.rows`.
ROW_FLAG_COLUMNS = (
    ROW_ID,
    CLUSTER_ID,
    "domain_ok",
    "exact_copy",
    "near_copy",
    "far",
    "intrusion",
    "dcr",
    "other_class_share",
    "reason",
)


@dataclass(frozen=True)
class GateSpec:
    """What a realism gate is: the one place its severity and meaning are stated.

    Attributes
    ----------
    name : str
        Gate (and score) name.
    blocking : bool
        A failure fails the report and, in Dagster, is a blocking ERROR check; else
        the gate warns (and the rows it flags one by one are dropped).
    description : str
        What it measures, for the asset check and the docs.
    advice : str
        What to do when it fails, for the recommendations (empty when the advice
        depends on the measurement, as for ``relative_contrast``).
    """

    name: str
    blocking: bool
    description: str
    advice: str = ""


#: Every gate, in the order checks are listed. The core report, the asset checks
#: and the README table read this registry.
GATE_SPECS: tuple[GateSpec, ...] = (
    GateSpec(
        "invalid_share",
        True,
        "Share of synthetic rows outside the real domain (range, categories, integers, "
        "nulls). Blocking.",
        "synthetic values outside the real domain: round integer columns, keep "
        "categorical columns categorical, or drop the flagged rows",
    ),
    GateSpec(
        "far_share",
        True,
        "Share of synthetic rows farther from every real row than real rows are from each "
        "other (points in empty regions, e.g. bridging clusters). Blocking.",
        "synthetic rows lie in regions without real rows: interpolate within clusters "
        "only (ClusterAwareSMOTE) and filter label noise first",
    ),
    GateSpec(
        "detection_auc",
        True,
        "Cross-validated ROC AUC of a classifier telling synthetic from real rows (0.5 = "
        "indistinguishable). Blocking.",
        "a classifier tells synthetic from real rows: oversample less, or prefer class weights",
    ),
    GateSpec(
        "intrusion_share",
        False,
        "Share of synthetic rows whose nearest real rows are mostly of the other class (they "
        "are dropped from training). Warning.",
        "synthetic rows fall among other-class rows: filter label noise (NoiseFilter), "
        "enable safety_filter, or drop the flagged rows",
    ),
    GateSpec(
        "near_copy_share",
        False,
        "Share of synthetic rows that (nearly) copy a real row (dropped). Warning.",
        "synthetic rows nearly copy real rows: ask for fewer synthetic rows or more "
        "neighbours; they add no information",
    ),
    GateSpec(
        "column_similarity",
        False,
        "Per-column KS / total-variation similarity to the real rows. Warning.",
        "some column's synthetic distribution differs from the real one (see the per-column table)",
    ),
    GateSpec(
        "correlation_similarity",
        False,
        "Similarity of the correlation matrices. Warning.",
        "synthetic rows break the correlations of the real rows",
    ),
    GateSpec(
        "relative_contrast",
        False,
        "Nearest-neighbour contrast of real minority rows; low means distances have "
        "concentrated (high dimensions): use n_components. Warning.",
    ),
)
GATE_REGISTRY: dict[str, GateSpec] = {g.name: g for g in GATE_SPECS}


@dataclass(frozen=True)
class Gate:
    """One realism gate: a score compared with its threshold.

    Attributes
    ----------
    name : str
        Score name (a key of :attr:`RealismReport.scores`).
    value : float or None
        The score; None when it could not be computed (too few rows): the gate is
        then not evaluated and counts as passed.
    threshold : float
        The limit from :class:`RealismThresholds`.
    direction : {"max", "min"}
        The value must not exceed (``"max"``) or must reach (``"min"``) the threshold.
    passed : bool
    blocking : bool
        Whether a failure fails the report; from :data:`GATE_REGISTRY` (a gate not in
        it is blocking).
    """

    name: str
    value: float | None
    threshold: float
    direction: str
    passed: bool

    @property
    def blocking(self) -> bool:
        """Whether a failure fails the report (see :data:`GATE_REGISTRY`)."""
        spec = GATE_REGISTRY.get(self.name)
        return True if spec is None else spec.blocking

    @classmethod
    def compare(cls, name: str, value: float | None, threshold: float, direction: str) -> Gate:
        """Build a gate by comparing ``value`` with ``threshold``."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return cls(name, None, threshold, direction, True)
        ok = value <= threshold if direction == "max" else value >= threshold
        return cls(name, float(value), threshold, direction, bool(ok))

    @property
    def evaluated(self) -> bool:
        """Whether the score could be computed."""
        return self.value is not None


def _jsonable(value: Any) -> Any:
    """Plain-Python, JSON-safe copy of ``value`` (NaN and infinities become None)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-safe records."""
    return [_jsonable(r) for r in frame.astype(object).to_dict(orient="records")]


@dataclass(frozen=True)
class RealismReport:
    """Realism of synthetic rows against the real rows of their class.

    Attributes
    ----------
    scores : dict of str to float or None
        Overall scores (module docstring: how to read each): ``detection_auc``,
        ``mean_column_similarity``, ``min_column_similarity``,
        ``correlation_similarity``, ``near_copy_share``, ``exact_copy_share``,
        ``far_share``, ``intrusion_share``, ``real_intrusion_share`` (the same measure
        on real minority rows, leave-one-out: the data's own overlap),
        ``invalid_share``, ``dcr_ratio`` (median synthetic distance to the closest
        real row over the median real nearest-neighbour distance), ``near_copy_cut``
        and ``far_cut`` (the distances used), ``relative_contrast``,
        ``reduced_contrast`` and ``reduced_components`` (contrast in the PCA space
        keeping 90% of variance, when the contrast is low).
    gates : tuple of Gate
        Every gate, blocking or not.
    columns : pandas.DataFrame
        Per column: ``column``, ``kind`` (numeric, integer, categorical),
        ``similarity``, ``p_value``, ``passed``.
    clusters : pandas.DataFrame
        Per cluster (empty without a cluster column): ``cluster_id``,
        ``n_synthetic``, ``n_real``, row-flag shares and, when the real rows carry
        cluster ids too, ``mean_column_similarity``, ``correlation_similarity`` and
        ``detection_auc`` against that cluster's real rows; ``passed`` and
        ``failed_gates`` use the same thresholds (informative: only overall gates
        decide :attr:`passed`).
    rows : pandas.DataFrame
        One row per synthetic row, in order (:data:`ROW_FLAG_COLUMNS`): ``dcr`` is
        the distance (standardised units) to the class's closest real row,
        ``other_class_share`` the share of other-class rows among its nearest real
        rows, ``reason`` every flag of the row ("" if none).
    thresholds : RealismThresholds
    sizes : dict of str to int
        Row counts: inputs, samples and index sizes actually used.
    recommendations : tuple of str
        What to change when a gate fails.
    """

    scores: dict[str, float | None]
    gates: tuple[Gate, ...]
    columns: pd.DataFrame
    clusters: pd.DataFrame
    rows: pd.DataFrame
    thresholds: RealismThresholds
    sizes: dict[str, int]
    recommendations: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """True when every blocking gate passed."""
        return all(g.passed for g in self.gates if g.blocking)

    @property
    def failed_gates(self) -> list[str]:
        """Names of the blocking gates that failed."""
        return [g.name for g in self.gates if g.blocking and not g.passed]

    @property
    def warned_gates(self) -> list[str]:
        """Names of the warning (non-blocking) gates that failed."""
        return [g.name for g in self.gates if not g.blocking and not g.passed]

    def rows_to_drop(self, *, include_far: bool = False) -> pd.DataFrame:
        """Synthetic rows kept out of training, with the reason.

        When a blocking gate fails, the synthetic rows as a whole are not realistic:
        every row is held back (reason naming the gates), training goes on with the
        real rows, and the gate's check fails. Otherwise the rows failing a row-level
        check (outside the real domain, near or exact copies, intrusions) are dropped.

        Parameters
        ----------
        include_far : bool, default=False
            Also drop far rows. Off by default: about 1% of rows drawn from the real
            distribution itself are "far" by construction, so far rows are judged as a
            share (the ``far_share`` gate), not one by one.

        Returns
        -------
        pandas.DataFrame
            Columns ``row_id`` and ``reason``.
        """
        rows = self.rows
        if not self.passed:
            reason = (
                f"held back: blocking realism gate(s) {', '.join(self.failed_gates)} failed "
                "for the synthetic rows as a whole"
            )
            held = rows[[ROW_ID, "reason"]].copy()
            held["reason"] = [f"{reason}; {r}" if r else reason for r in held["reason"]]
            return held.reset_index(drop=True)
        drop = ~rows["domain_ok"] | rows["near_copy"] | rows["intrusion"]
        if include_far:
            drop |= rows["far"].fillna(False).astype(bool)
        return rows.loc[drop, [ROW_ID, "reason"]].reset_index(drop=True)

    def summary(self) -> RealismSummary:
        """What is stored of the report: everything but the per-row table, with the
        rows to drop (:meth:`rows_to_drop`) in full."""
        drop = self.rows_to_drop()
        flags = {
            "invalid": int((~self.rows["domain_ok"]).sum()),
            "exact_copy": int(self.rows["exact_copy"].sum()),
            "near_copy": int(self.rows["near_copy"].sum()),
            "far": int(self.rows["far"].sum()),  # NA (not measured) rows are skipped
            "intrusion": int(self.rows["intrusion"].sum()),
            "to_drop": len(drop),
        }
        return RealismSummary(
            scores=_jsonable(self.scores),
            gates=self.gates,
            thresholds=asdict(self.thresholds),
            sizes=_jsonable(self.sizes),
            row_flags=flags,
            recommendations=self.recommendations,
            columns=tuple(_records(self.columns)),
            clusters=tuple(_records(self.clusters)),
            rows_to_drop=tuple(_records(drop)),
        )


@dataclass(frozen=True)
class RealismSummary:
    """The stored form of a :class:`RealismReport` (the ``synthetic_realism`` value).

    Attributes
    ----------
    scores, sizes, recommendations
        As in :class:`RealismReport`.
    gates : tuple of Gate
        Every gate, blocking or not.
    thresholds : dict
        :class:`RealismThresholds` as a dict.
    row_flags : dict of str to int
        Rows flagged by each row-level check (``invalid``, ``exact_copy``,
        ``near_copy``, ``far``, ``intrusion``) and ``to_drop``.
    columns, clusters : tuple of dict
        The per-column and per-cluster tables, as records.
    rows_to_drop : tuple of dict
        ``row_id`` and ``reason`` of every synthetic row kept out of training.
    """

    scores: dict[str, float | None]
    gates: tuple[Gate, ...]
    thresholds: dict[str, Any]
    sizes: dict[str, int]
    row_flags: dict[str, int]
    recommendations: tuple[str, ...] = ()
    columns: tuple[dict[str, Any], ...] = ()
    clusters: tuple[dict[str, Any], ...] = ()
    rows_to_drop: tuple[dict[str, Any], ...] = ()

    passed = RealismReport.passed
    failed_gates = RealismReport.failed_gates
    warned_gates = RealismReport.warned_gates

    def drop_table(self) -> pd.DataFrame:
        """:attr:`rows_to_drop` as a frame with columns ``row_id`` and ``reason``."""
        return pd.DataFrame(list(self.rows_to_drop), columns=[ROW_ID, "reason"])

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON form (NaN becomes None), with ``passed`` and
        ``failed_gates`` for a reader of the file."""
        fields_ = plain_fields(self)
        fields_["gates"] = [asdict(g) for g in self.gates]
        return _jsonable({"passed": self.passed, "failed_gates": self.failed_gates, **fields_})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RealismSummary:
        """Read the stored form back (``passed`` and ``failed_gates`` are derived)."""
        tuples = ("recommendations", "columns", "clusters", "rows_to_drop")
        values = known_fields(cls, data, tuples)
        values["gates"] = tuple(Gate(**g) for g in data.get("gates", []))
        return cls(**values)
