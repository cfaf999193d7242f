"""Champion versions and the promotion gate.

Every trained champion becomes a :class:`ModelVersion` (model, threshold, training
fingerprint, cross-validation score and hold-out figures). A new version replaces the
promoted one only when the real hold-out says it is not worse: on the current hold-out,
which neither model has seen (rows an earlier run held out stay held out,
:mod:`~smote_pipeline.core.ingest.split`), the paired bootstrap interval of the
difference in average precision (new minus promoted) must have its lower end above
``-promotion_margin`` (:func:`compare_with_promoted`, a non-inferiority test). Otherwise
the promoted version stays, and the decision says why. A user can pin any kept version
(``promoted_version``), which is also how a rollback is done.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.records import known_fields, plain_fields
from smote_pipeline.core.serve.profile import ScoringProfile
from smote_pipeline.core.stats.bootstrap import stratified_weights, weighted_metrics
from smote_pipeline.core.train.records import Champion

__all__ = [
    "MAX_VERSIONS",
    "ModelRegistry",
    "ModelVersion",
    "compare_with_promoted",
    "promotion_text",
    "register",
]

#: Versions kept (with their models); older ones are dropped, the promoted one never.
MAX_VERSIONS = 10

#: Two-sided level of the interval whose lower end the gate reads.
LEVEL = 0.95


@dataclass(frozen=True)
class ModelVersion:
    """One trained champion.

    Attributes
    ----------
    version : int
        1, 2, ... in the order they were trained.
    strategy : str
        The champion's strategy.
    model : estimator
        The fitted model.
    threshold : float
        Decision threshold (tuned on training folds).
    training_fingerprint : str
        SHA-256 of the rows it was fitted on.
    cv_metric : str
        Metric of ``cv_score``.
    cv_score : float
        Cross-validation score on training data.
    holdout_average_precision : float
        On the hold-out of the run that trained it.
    holdout_rows : int
        Rows of that hold-out.
    profile : ScoringProfile or None
        Input schema and drift references (None: trained before versions kept them;
        such a version cannot score batches).
    """

    version: int
    strategy: str
    model: Any
    threshold: float
    training_fingerprint: str
    cv_metric: str
    cv_score: float
    holdout_average_precision: float
    holdout_rows: int
    profile: ScoringProfile | None = None

    @property
    def fingerprint(self) -> str:
        """A short identity of this version: SHA-256 of its number, strategy,
        training rows, threshold and score (the ``model_fingerprint`` of its scores)."""
        keys = ("version", "strategy", "training_fingerprint", "threshold", "cv_score")
        text = "|".join(repr(getattr(self, key)) for key in keys)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """The stored form (the model stays an object; the store writes it once)."""
        data = plain_fields(self)
        data["profile"] = None if self.profile is None else self.profile.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelVersion:
        """Read :meth:`to_dict` back."""
        fields = known_fields(cls, data, ())
        if fields.get("profile") is not None:
            fields["profile"] = ScoringProfile.from_dict(fields["profile"])
        return cls(**fields)

    def summary(self) -> dict[str, Any]:
        """Its figures without the model and profile, for tables."""
        skip = ("model", "profile")
        return {
            **{k: v for k, v in self.to_dict().items() if k not in skip},
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class ModelRegistry:
    """The kept versions, which one is promoted and why.

    Attributes
    ----------
    versions : tuple of ModelVersion
        At most :data:`MAX_VERSIONS` (plus the promoted one), oldest first.
    promoted : int
        The promoted version's number.
    decision : str
        Why it is the promoted one.
    comparison : dict or None
        The gate's figures for the newest version (:func:`compare_with_promoted`);
        None when there was nothing to compare with.
    """

    versions: tuple[ModelVersion, ...]
    promoted: int
    decision: str
    comparison: dict[str, Any] | None = None

    def version(self, number: int) -> ModelVersion:
        """Version ``number``.

        Raises
        ------
        ValueError
            If it is not kept, naming ``promoted_version`` and the kept versions.
        """
        for entry in self.versions:
            if entry.version == number:
                return entry
        kept = ", ".join(str(v.version) for v in self.versions)
        raise ValueError(
            f"promoted_version={number} is not a kept version of this pipeline's model "
            f"(kept: {kept}); set promoted_version to one of them or to none."
        )

    @property
    def promoted_version(self) -> ModelVersion:
        """The promoted :class:`ModelVersion`."""
        return self.version(self.promoted)

    @property
    def latest(self) -> ModelVersion:
        """The newest version."""
        return self.versions[-1]

    def table(self) -> pd.DataFrame:
        """One row per kept version, with a ``promoted`` column."""
        rows = [{**v.summary(), "promoted": v.version == self.promoted} for v in self.versions]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {**plain_fields(self), "versions": [v.to_dict() for v in self.versions]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelRegistry:
        """Read :meth:`to_dict` back."""
        fields = known_fields(cls, data, ())
        fields["versions"] = tuple(ModelVersion.from_dict(v) for v in data["versions"])
        return cls(**fields)


def compare_with_promoted(
    challenger: Any,
    promoted: ModelVersion,
    X: pd.DataFrame,
    y: np.ndarray,
    groups: np.ndarray | None = None,
    *,
    n_bootstrap: int,
    random_state: int,
    margin: float,
) -> dict[str, Any]:
    """The gate: the challenger's hold-out average precision against the promoted version's.

    Both models score the same hold-out rows; the same stratified bootstrap resamples
    (the hold-out evaluation's: same seed and count) give the paired interval of the
    difference.

    Parameters
    ----------
    challenger : estimator
        The new champion's fitted model.
    promoted : ModelVersion
    X, y, groups : pandas.DataFrame, ndarray, ndarray or None
        The current real hold-out's features, 0/1 labels and entity codes (with a
        ``group_column``: entities are then resampled).
    n_bootstrap, random_state : int
        The bootstrap (:func:`~smote_pipeline.core.stats.bootstrap.stratified_weights`).
    margin : float
        ``promotion_margin``.

    Returns
    -------
    dict
        ``against_version``, ``challenger_average_precision``,
        ``promoted_average_precision``, ``difference``, ``low``, ``high``, ``margin``,
        ``not_worse`` (``low > -margin``), ``holdout_rows``, ``holdout_positives``; or,
        when the promoted version cannot score the current hold-out (a column it needs
        is gone), ``against_version``, ``margin``, ``not_worse`` True and ``reason``.
    """
    base = {"against_version": promoted.version, "margin": float(margin)}
    if len(np.unique(y)) < 2:
        reason = (
            f"the hold-out rows later than both models' training rows ({len(y)}) do not hold "
            "both classes, so the new version cannot be compared with "
            f"version {promoted.version} (time_column)"
        )
        return {**base, "not_worse": False, "reason": reason}
    try:
        old = promoted.model.predict_proba(X)[:, 1]
    except (KeyError, ValueError) as error:
        reason = f"version {promoted.version} cannot score the current hold-out ({error})"
        return {**base, "not_worse": True, "reason": reason}
    weights = stratified_weights(y, n_bootstrap, random_state, groups)
    new, new_boot = _average_precision(y, challenger.predict_proba(X)[:, 1], weights)
    old, old_boot = _average_precision(y, old, weights)
    tail = 50 * (1 - LEVEL)
    low, high = np.percentile(new_boot - old_boot, [tail, 100 - tail])
    figures = {"challenger": new, "promoted": old, "low": low, "high": high}
    counts = {"holdout_rows": len(y), "holdout_positives": int(y.sum())}
    return {**base, **_gate_figures(figures, margin), **counts}


def _average_precision(
    y: np.ndarray, proba: np.ndarray, weights: np.ndarray
) -> tuple[float, np.ndarray]:
    """Average precision on all rows, and on each resample of ``weights``."""
    whole = weighted_metrics(y, proba, np.ones((1, len(y))))["average_precision"][0]
    return float(whole), weighted_metrics(y, proba, weights)["average_precision"]


def _gate_figures(figures: dict[str, float], margin: float) -> dict[str, Any]:
    return {
        "challenger_average_precision": figures["challenger"],
        "promoted_average_precision": figures["promoted"],
        "difference": figures["challenger"] - figures["promoted"],
        "low": float(figures["low"]),
        "high": float(figures["high"]),
        "not_worse": bool(figures["low"] > -margin),
    }


def promotion_text(comparison: dict[str, Any] | None) -> str:
    """One line on :func:`compare_with_promoted`'s figures (or why there are none)."""
    if comparison is None:
        return "no version promoted yet"
    if "reason" in comparison:
        return comparison["reason"]
    return (
        f"average precision {comparison['challenger_average_precision']:.4f} against "
        f"{comparison['promoted_average_precision']:.4f} of version "
        f"{comparison['against_version']} on {comparison['holdout_rows']} hold-out rows, "
        f"difference {comparison['difference']:+.4f} [{comparison['low']:+.4f}, "
        f"{comparison['high']:+.4f}], margin {comparison['margin']:g}"
    )


def _new_version(
    previous: ModelRegistry | None,
    champion: Champion,
    evaluation: HoldoutEvaluation,
    profile: ScoringProfile | None,
) -> ModelVersion:
    number = 1 if previous is None else previous.latest.version + 1
    holdout_ap = evaluation.metrics_of(champion.strategy)["average_precision"]
    return ModelVersion(
        version=number,
        strategy=champion.strategy,
        model=champion.model,
        threshold=float(champion.threshold),
        training_fingerprint=champion.training_fingerprint,
        cv_metric=champion.cv_metric,
        cv_score=float(champion.cv_mean),
        holdout_average_precision=float(holdout_ap),
        holdout_rows=int(evaluation.holdout_rows),
        profile=profile,
    )


def _is_same(version: ModelVersion, new: ModelVersion) -> bool:
    """A rerun of the same training: same rows, strategy and score."""
    keys = ("strategy", "training_fingerprint", "cv_metric", "cv_score")
    return all(getattr(version, k) == getattr(new, k) for k in keys)


def _gate(comparison: dict[str, Any] | None, new: int) -> tuple[bool, str]:
    if comparison is None:
        return True, f"version {new} is promoted: the first version of this pipeline's model"
    against = comparison["against_version"]
    if "reason" in comparison:
        if comparison["not_worse"]:
            return True, f"version {new} is promoted: {comparison['reason']}"
        return False, f"version {new} is not promoted ({comparison['reason']}); {against} stays"
    figures = promotion_text(comparison)
    if comparison["not_worse"]:
        return True, f"version {new} is promoted: not worse by more than the margin ({figures})"
    return False, (
        f"version {new} is not promoted: it may be worse than version {against} by more "
        f"than the margin ({figures}); version {against} stays"
    )


def register(
    previous: ModelRegistry | None,
    champion: Champion,
    evaluation: HoldoutEvaluation,
    holdout: tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, np.ndarray | None],
    options: PipelineOptions,
    *,
    profile: ScoringProfile | None = None,
) -> ModelRegistry:
    """The registry after this run: the new version added and the gate applied.

    The gate (:func:`compare_with_promoted`) compares the new champion with
    ``previous``'s promoted version on the real ``holdout`` (features, 0/1 labels), with
    ``options``' margin and bootstrap. A rerun of the same training adds no version.
    ``options.promoted_version`` overrides the gate. ``profile``: what the new version
    keeps to score batches (:func:`~smote_pipeline.core.serve.profile.build_profile`).

    Raises
    ------
    ValueError
        If ``options.promoted_version`` is not a kept version.
    """
    new = _new_version(previous, champion, evaluation, profile)
    if previous is not None and _is_same(previous.latest, new):
        registry = previous
    else:
        versions = (() if previous is None else previous.versions) + (new,)
        comparison = None
        if previous is not None:
            comparison = compare_with_promoted(
                champion.model,
                previous.promoted_version,
                *holdout,
                n_bootstrap=options.n_bootstrap,
                random_state=options.random_state,
                margin=options.promotion_margin,
            )
        promote, decision = _gate(comparison, new.version)
        promoted = new.version if promote else previous.promoted
        registry = ModelRegistry(_trimmed(versions, promoted), promoted, decision, comparison)
    pinned = options.promoted_version
    if pinned is not None and pinned != registry.promoted:
        registry.version(pinned)
        return replace(
            registry, promoted=pinned, decision=f"version {pinned} is pinned by promoted_version"
        )
    return registry


def _trimmed(versions: tuple[ModelVersion, ...], promoted: int) -> tuple[ModelVersion, ...]:
    """The newest :data:`MAX_VERSIONS` versions, and the promoted one."""
    newest = {v.version for v in versions[-MAX_VERSIONS:]}
    return tuple(v for v in versions if v.version in newest or v.version == promoted)
