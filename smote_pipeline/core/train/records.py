"""Typed records of the train group: one candidate model, and the champion.

Both are frozen dataclasses. :meth:`to_dict` gives the stored form (plain
values beside the fitted model, which the IO manager writes as skops), and
:meth:`from_dict` reads it back, also from files written before these records
existed (the dict layout is unchanged).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.records import known_fields, plain_fields
from smote_pipeline.core.train.plan import SearchPlan

__all__ = [
    "Candidate",
    "Champion",
    "Race",
    "Scored",
    "candidates_from_dict",
    "candidates_to_dict",
]


@dataclass(frozen=True)
class Candidate:
    """One strategy's model, fitted on training data, with its cross-validated score.

    Attributes
    ----------
    model : estimator
        The refitted model (``predict_proba``).
    threshold : float
        Decision threshold (see ``threshold_source``).
    cv_mean, cv_sem : float
        Mean and standard error of the cross-validated ``cv_metric``.
    cv_metric : str
        The selection metric the scores are in.
    cv_scores : tuple of float
        One score per split, the same splits for every candidate (paired).
    cv_test_train_ratio : float or None
        Rows scored / rows fitted in one split (for the corrected standard error).
    threshold_source : str
        How the threshold was chosen.
    fit_rows, synthetic_rows : int
        Rows of the final fit, and the synthetic ones among them.
    fit_on : str
        What the final fit saw (``training_set``, ``augmented_training_set`` or
        an ensemble's members).
    recalibration : str
        Recalibration applied (``none`` for strategies that learn the real balance).
    trained_ratio : float or None
        Minority/majority ratio the model learnt from (None: the real one).
    prior_ratio : float or None
        The real minority/majority ratio of the training rows.
    training_fingerprint : str
        Content hash of the training rows.
    members : tuple of str
        Of a soft-voting ensemble; empty otherwise.
    selection_rule : str or None
        The rule an ensemble was built for; None otherwise.
    cv_brier_scores : tuple of float
        Brier score of the out-of-fold probabilities on each split (the same
        splits as ``cv_scores``), as the model would ship them.
    dropped : str or None
        Why the race stopped it at a rung before the last (it was clearly behind
        the best, see :mod:`~smote_pipeline.core.train.racing`); its scores and
        model are then those of that rung. None: scored on the last rung.
    oof : ndarray of shape (n_repeats, cv_rows) or None
        Out-of-fold probabilities of each repeat on the cross-validation rows
        (the ensemble and the threshold are built from them, without refitting).
    cv_rows : int
        Training rows of the subsample it was cross-validated on (0: unknown).
    scoring_key : str
        Identity of the estimator cross-validation scored (a threshold variant
        shares its model's).
    """

    model: Any
    threshold: float
    cv_mean: float
    cv_sem: float
    cv_metric: str = "average_precision"
    cv_scores: tuple[float, ...] = ()
    cv_test_train_ratio: float | None = None
    threshold_source: str = ""
    fit_rows: int = 0
    synthetic_rows: int = 0
    fit_on: str = "training_set"
    recalibration: str = "none"
    trained_ratio: float | None = None
    prior_ratio: float | None = None
    training_fingerprint: str = ""
    members: tuple[str, ...] = ()
    selection_rule: str | None = None
    cv_brier_scores: tuple[float, ...] = ()
    dropped: str | None = None
    oof: Any = None
    cv_rows: int = 0
    scoring_key: str = ""

    @property
    def paired(self) -> bool:
        """Whether fold scores are known (the paired selection rule can use them)."""
        return bool(self.cv_scores) and self.cv_test_train_ratio is not None

    def to_dict(self) -> dict[str, Any]:
        """The stored form (the model is kept as the object, not copied)."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        """Read the stored form back (unknown keys are ignored)."""
        return cls(**known_fields(cls, data, ("cv_scores", "members", "cv_brier_scores")))


def candidates_to_dict(candidates: dict[str, Candidate]) -> dict[str, dict[str, Any]]:
    """Strategy name -> stored form of its candidate."""
    return {name: c.to_dict() for name, c in candidates.items()}


def candidates_from_dict(data: dict[str, Any]) -> dict[str, Candidate]:
    """Strategy name -> candidate, from :func:`candidates_to_dict` output (or records)."""
    return {
        name: c if isinstance(c, Candidate) else Candidate.from_dict(c) for name, c in data.items()
    }


@dataclass(frozen=True)
class Champion:
    """The model the pipeline ships, with what a user needs to trust and reproduce it.

    Everything comes from the candidates (training data only): the hold-out is
    not an input, so the champion cannot depend on it.

    Attributes
    ----------
    strategy : str
        The chosen strategy (or the ensemble).
    model : estimator
        The fitted model.
    threshold : float
        Decision threshold; :meth:`predict` uses it.
    threshold_source, cv_metric, cv_mean, cv_sem, fit_on, fit_rows, training_fingerprint
        As in :class:`Candidate`.
    selection_rule : str
        The rule that chose it.
    selection : tuple of dict
        How every candidate compared with the best (see
        :func:`~smote_pipeline.core.train.selection.selection_table`).
    parameters : dict of str to str
        The model's top-level parameters as text.
    members : tuple of str
        Of an ensemble champion; empty otherwise.
    options : dict
        The pipeline options of the run.
    brier_check : dict or None
        The shipped model's out-of-fold Brier score against the best single
        candidate's (:func:`~smote_pipeline.core.train.selection.brier_check`).
    """

    strategy: str
    model: Any
    threshold: float
    cv_metric: str
    cv_mean: float
    cv_sem: float
    selection_rule: str
    threshold_source: str = ""
    selection: tuple[dict[str, Any], ...] = ()
    parameters: dict[str, str] | None = None
    training_fingerprint: str = ""
    fit_on: str = "training_set"
    fit_rows: int = 0
    members: tuple[str, ...] = ()
    options: dict[str, Any] | None = None
    brier_check: dict[str, Any] | None = None

    def predict_proba(self, X: Any) -> Any:
        """Probabilities of the model (columns: negative, positive)."""
        return self.model.predict_proba(X)

    def predict(self, X: Any) -> Any:
        """0/1 decisions at :attr:`threshold`."""
        return (self.model.predict_proba(X)[:, 1] >= self.threshold).astype(int)

    def to_dict(self) -> dict[str, Any]:
        """The stored form (the model is kept as the object, not copied)."""
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Champion:
        """Read the stored form back (unknown keys are ignored)."""
        return cls(**known_fields(cls, data, ("selection", "members")))


@dataclass(frozen=True)
class Scored:
    """Fold scores and out-of-fold probabilities of one candidate at one rung.

    Attributes
    ----------
    scores : list of float
        One per split scored.
    oof : ndarray of shape (n_repeats_scored, n_rung_rows)
        Out-of-fold probabilities of each scored repeat, on the rung's rows.
    rung : int
        Index of the rung in the plan.
    dropped : str or None
        Why the candidate stopped at this rung; None when it goes on (or finished).
    error : str or None
        Why it could not be scored at all (a ``ValueError`` in a fold); then
        ``scores`` is empty.
    model : estimator or None
        A dropped candidate's model of the rung's last fold (it is not refitted).
    halved : bool
        Dropped by successive halving, not for being clearly behind: it is
        refitted on every training row (so its hold-out figures are those of a
        full model), with the scores of this rung.
    """

    scores: list[float]
    oof: np.ndarray
    rung: int = 0
    dropped: str | None = None
    error: str | None = None
    model: Any = None
    halved: bool = False


@dataclass(frozen=True)
class Race:
    """The race on the rungs before the last: what every per-strategy fit starts from.

    Attributes
    ----------
    plan : SearchPlan
        The rungs every candidate is scored on.
    options : PipelineOptions
        The resolved options of the run.
    candidates : dict of str to dict
        Candidate name -> ``family``, ``strategy`` and ``key`` (its scoring identity).
    scored : dict of str to Scored
        Scoring key -> how it scored at the last rung it was scored on.
    skipped : dict of str to str
        Candidates that cannot work on this data, with the reason.
    training_fingerprint : str
        Content hash of the training rows.
    columns : dict of str to list of str
        ``features``, ``categorical`` and ``missing`` (numeric columns with missing
        values) of the training rows, decided once for every strategy's fit.
    """

    plan: SearchPlan
    options: PipelineOptions
    candidates: dict[str, dict[str, str]]
    scored: dict[str, Scored]
    skipped: dict[str, str]
    training_fingerprint: str = ""
    columns: dict[str, list[str]] = field(default_factory=dict)

    def of_strategy(self, strategy: str) -> list[str]:
        """The candidates of ``strategy``, in grid order."""
        return [n for n, c in self.candidates.items() if c["strategy"] == strategy]

    def failures(self, fitted: Iterable[str]) -> dict[str, str]:
        """Candidates of the grid (or left out of it) that are not among ``fitted``, and
        why: the grid's reason, the race's error, or a failed refit on every row."""
        done = set(fitted)
        failed = {n: r for n, r in self.skipped.items() if n not in done}
        for name, candidate in self.candidates.items():
            if name in done or name in failed:
                continue
            scored = self.scored.get(candidate["key"])
            failed[name] = (scored.error if scored is not None else None) or (
                "could not be fitted on every training row (the reason is in the log of "
                f"its candidate__{candidate['strategy']} step)"
            )
        return failed

    def to_dict(self) -> dict[str, Any]:
        """The stored form: the plan, the options and each scored entry as plain dicts."""
        return {
            **plain_fields(self),
            "plan": self.plan.to_dict(),
            "options": self.options.to_dict(),
            "scored": {k: plain_fields(v) for k, v in self.scored.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Race:
        """Read the stored form back."""
        values = known_fields(cls, data, ())
        values["plan"] = SearchPlan.from_dict(data["plan"])
        values["options"] = PipelineOptions().updated(data["options"])
        values["scored"] = {k: Scored(**v) for k, v in data["scored"].items()}
        return cls(**values)
