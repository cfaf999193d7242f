"""The model card: a short Markdown page that travels with the shipped model.

Where the report (:mod:`~smote_pipeline.core.holdout.report`) explains the
comparison of every strategy, the card describes the one model that is
shipped, in the sections of a model card (Mitchell et al., "Model Cards for
Model Reporting", 2019): what it is for, what it was trained on, how it was
chosen, how good it is on the untouched real hold-out (with intervals), how
well its probabilities are calibrated, how much of its training data was
synthetic, and what it cannot promise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import IS_SYNTHETIC, feature_columns
from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.holdout.report import brier_check_text, leak_lines, with_interval
from smote_pipeline.core.ingest.leakage import LeakScreen
from smote_pipeline.core.train.records import Champion
from smote_pipeline.core.vocabulary import strategy_of

__all__ = ["build_model_card", "synthetic_share"]

#: Hold-out positives below which the card warns that the intervals are wide.
FEW_HOLDOUT_POSITIVES = 30


def synthetic_share(augmented: pd.DataFrame) -> float:
    """Share of synthetic rows in the augmented training set (0.0 when it has none)."""
    if IS_SYNTHETIC not in augmented.columns or augmented.empty:
        return 0.0
    return float(augmented[IS_SYNTHETIC].astype(bool).mean())


def _synthetic_line(champion: Champion, share: float) -> str:
    """How much synthetic data there was, and whether the shipped model was fitted on it."""
    uses = any(strategy_of(p) == "cluster_smote" for p in champion.members or (champion.strategy,))
    return (
        f"- Synthetic rows: the augmented training set holds {share:.1%} synthetic rows "
        "(cluster-aware SMOTE between real minority rows of one cluster, kept only where they "
        "passed the realism gates); `cluster_smote` candidates are fitted on it, other "
        "strategies resample real rows while they fit. The shipped model "
        + ("includes a `cluster_smote` candidate." if uses else "includes none.")
    )


def _quality_lines(record: dict[str, Any] | None, evaluation: HoldoutEvaluation) -> list[str]:
    if record is None:
        return ["The shipped strategy has no hold-out record.", ""]
    prevalence = evaluation.holdout_positives / max(evaluation.holdout_rows, 1)
    return [
        f"On {evaluation.holdout_rows} real hold-out rows ({evaluation.holdout_positives} "
        f"positive, {prevalence:.1%}) that no fit and no choice ever saw; 95% stratified "
        f"bootstrap intervals ({evaluation.n_bootstrap} resamples):",
        "",
        "| metric | value [95% interval] |",
        "|---|---|",
        f"| average precision (a random ranking scores {prevalence:.3f}) | "
        f"{with_interval(record, 'average_precision')} |",
        f"| ROC AUC | {with_interval(record, 'roc_auc')} |",
        f"| Brier score | {with_interval(record, 'brier', 4)} |",
        f"| precision at the threshold | {with_interval(record, 'precision')} |",
        f"| recall at the threshold | {with_interval(record, 'recall')} |",
        f"| F1 at the threshold | {with_interval(record, 'f1')} |",
        "",
    ]


def _calibration_lines(record: dict[str, Any] | None, champion: Champion) -> list[str]:
    lines = []
    if record is not None:
        slope, intercept = record.get("calibration_slope"), record.get("calibration_intercept")
        if slope is not None and np.isfinite(slope):
            lines.append(
                f"- On the hold-out: calibration slope {slope:.2f} (1 is ideal; below 1 the "
                f"probabilities are too extreme), intercept {intercept:.2f} (0 is ideal; "
                "negative: risks overestimated)."
            )
        lines.append(f"- Recalibration: {record.get('recalibration', 'none')}.")
    if champion.brier_check:
        lines.append(f"- On training folds: {brier_check_text(champion.brier_check)}")
    return [*lines, ""] if lines else []


def _limitations(
    evaluation: HoldoutEvaluation, champion: Champion, leaks: LeakScreen | None
) -> list[str]:
    lines = [
        "- Valid for rows drawn like the training rows: the same columns, with the same "
        "meaning and units. Its figures say nothing about data that has drifted away from them.",
        "- The probabilities are calibrated to the class balance of the training data; "
        "where the positive rate differs, so does the meaning of a probability and of the "
        "threshold.",
    ]
    if evaluation.holdout_positives < FEW_HOLDOUT_POSITIVES:
        lines.append(
            f"- The hold-out has only {evaluation.holdout_positives} positive rows: every "
            "interval above is wide, and a figure can move a lot with a few rows."
        )
    if not evaluation.smote_helped:
        lines.append(
            "- Oversampling did not detectably help on the hold-out: "
            f"{evaluation.summary.get('text', '')}"
        )
    if champion.members:
        lines.append(
            f"- An average of {len(champion.members)} models: explain a prediction through "
            "its members, not as one model."
        )
    suspected = [] if leaks is None else leaks.suspected
    if suspected:
        lines.append(
            f"- Columns suspected of leaking the target: {', '.join(map(str, suspected))}."
        )
    return [*lines, ""]


def _class_lines(evaluation: HoldoutEvaluation, positive_label: Any) -> list[str]:
    """When the positive label was the majority: what the model's class 1 is."""
    if not evaluation.majority_positive:
        return []
    rare = ", ".join(f"`{label}`" for label in evaluation.negative_labels)
    return [
        f"**The positive label `{positive_label}` was the majority, so the model's class 1 "
        f"is the rarer class ({rare}):** `predict_proba(X)[:, 1]` and the threshold above "
        f"are about it, and the probability of `{positive_label}` is `predict_proba(X)[:, 0]`. "
        f"The scoring job gives the probability and the decision of `{positive_label}` "
        "directly.",
        "",
    ]


def build_model_card(
    *,
    pipeline: str,
    target: str,
    positive_label: Any,
    champion: Champion,
    evaluation: HoldoutEvaluation,
    training: pd.DataFrame,
    augmented: pd.DataFrame,
    leaks: LeakScreen | None = None,
) -> str:
    """The model card of the shipped model, as Markdown.

    Parameters
    ----------
    pipeline, target, positive_label : str, str, object
        Pipeline name, target column, the user's positive label.
    champion : Champion
        The shipped model and how it was chosen (training data only).
    evaluation : HoldoutEvaluation
        Every candidate on the untouched real hold-out.
    training, augmented : pandas.DataFrame
        The real training rows (``training_set``); the augmented training set.
    leaks : dict or None
        The ``leakage_screen`` record; suspected columns are named as a limitation.
    """
    record = next((m for m in evaluation.metrics if m["strategy"] == champion.strategy), None)
    features = feature_columns(training, target)
    lines = [
        f"# Model card: {pipeline}",
        "",
        *leak_lines(leaks),
        "## Intended use",
        "",
        f"Scores how likely a row is to have `{target}` = `{positive_label}`, for rows with "
        f"the {len(features)} feature columns of the training data. `predict_proba` gives "
        f"the probability; a row is flagged positive at probability >= "
        f"{champion.threshold:.4g} ({champion.threshold_source or 'tuned on training folds'}).",
        "",
        *_class_lines(evaluation, positive_label),
        *_model_lines(champion, augmented),
        *_training_lines(champion, training, target, features),
        "## Quality on the real hold-out",
        "",
        *_quality_lines(record, evaluation),
        "## Calibration",
        "",
        *(_calibration_lines(record, champion) or ["No calibration figures.", ""]),
        "## Known limitations",
        "",
        *_limitations(evaluation, champion, leaks),
    ]
    return "\n".join(lines)


def _model_lines(champion: Champion, augmented: pd.DataFrame) -> list[str]:
    members = (
        f" (the average of {', '.join(f'`{m}`' for m in champion.members)})"
        if champion.members
        else ""
    )
    return [
        "## Model",
        "",
        f"- Strategy: `{champion.strategy}`"
        + members
        + f", chosen by the rule `{champion.selection_rule}` on training data only: "
        f"cross-validated {champion.cv_metric} {champion.cv_mean:.3f} "
        f"(± {champion.cv_sem:.3f} SE). The hold-out never influenced the choice.",
        f"- Fitted on: {champion.fit_on or 'training_set'}.",
        _synthetic_line(champion, synthetic_share(augmented)),
        "",
    ]


def _training_lines(
    champion: Champion, training: pd.DataFrame, target: str, features: list[str]
) -> list[str]:
    positives = int(training[target].sum())
    return [
        "## Training data",
        "",
        f"- {len(training)} real training rows, {positives} positive "
        f"({positives / max(len(training), 1):.1%}); {len(features)} features: "
        + ", ".join(f"`{c}`" for c in features[:20])
        + (f" and {len(features) - 20} more" if len(features) > 20 else "")
        + ".",
        f"- Content hash (SHA-256 of the training rows): `{champion.training_fingerprint}`.",
        "",
    ]
