"""The Markdown report that tells a user whether SMOTE helped and what to ship."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.clustering import numeric_matrix
from smote_pipeline.core.columns import CLUSTER_ID, IS_SYNTHETIC, ROW_ID
from smote_pipeline.core.plots import precision_recall_plot, projection_plot


def _image(png: bytes, alt: str) -> str:
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def _table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def holdout_table(evaluation: dict[str, Any]) -> pd.DataFrame:
    """Strategy x metric table with 95% intervals, formatted for reading."""
    rows = []
    for r in evaluation["metrics"]:
        rows.append(
            {
                "strategy": r["strategy"],
                "CV avg precision (train)": f"{r['cv_average_precision']:.3f}",
                "avg precision": f"{r['average_precision']:.3f} "
                f"[{r['average_precision_low']:.3f}, {r['average_precision_high']:.3f}]",
                "ROC AUC": f"{r['roc_auc']:.3f} [{r['roc_auc_low']:.3f}, {r['roc_auc_high']:.3f}]",
                "Brier": f"{r['brier']:.4f} [{r['brier_low']:.4f}, {r['brier_high']:.4f}]",
                "precision": f"{r['precision']:.3f}",
                "recall": f"{r['recall']:.3f}",
                "F1": f"{r['f1']:.3f}",
            }
        )
    return pd.DataFrame(rows)


def build_report(
    *,
    pipeline: str,
    positive_label: Any,
    evaluation: dict[str, Any],
    champion: str,
    augmented: pd.DataFrame,
    clusters: pd.DataFrame,
    target: str,
) -> str:
    """Render the report as self-contained Markdown (figures inlined as PNG).

    Parameters
    ----------
    pipeline : str
        Pipeline name.
    positive_label : object
        The user's positive label.
    evaluation : dict
        Output of :func:`smote_pipeline.core.evaluation.evaluate_on_holdout`.
    champion : str
        Strategy chosen by cross-validation on training data.
    augmented : pandas.DataFrame
        The augmented training set (real and synthetic rows).
    clusters : pandas.DataFrame
        ``row_id`` and ``cluster_id`` of the real minority rows.
    target : str
        Target column.

    Returns
    -------
    str
        Markdown.
    """
    lines = [f"# SMOTE report: {pipeline}", ""]
    lines += [
        f"Positive class: `{positive_label}`. Hold-out: {evaluation['holdout_rows']} real rows, "
        f"{evaluation['holdout_positives']} positive, never used for fitting or choosing.",
        "",
        "## Verdict",
        "",
    ]
    if not evaluation["verdicts"]:
        lines.append("No oversampling strategy was compared against a non-resampling baseline.")
    for v in evaluation["verdicts"]:
        lines.append(
            f"- **{v['strategy']}** vs **{v['baseline']}**: {v['verdict']} "
            f"(average precision difference {v['difference']:+.3f}, 95% CI "
            f"[{v['low']:+.3f}, {v['high']:+.3f}], paired stratified bootstrap on the hold-out)."
        )
    lines += [
        "",
        f"**Ship: `{champion}`.** Chosen by cross-validation on training data only "
        "(one-standard-error rule in favour of the simpler strategy); the hold-out figures "
        "below are its unbiased estimate.",
        "",
        "## Hold-out metrics",
        "",
        _table(holdout_table(evaluation)),
        "",
        "Precision, recall and F1 use each strategy's threshold tuned on training folds. "
        "Intervals are 95% stratified bootstrap intervals.",
        "",
    ]
    prevalence = evaluation["holdout_positives"] / evaluation["holdout_rows"]
    lines += [_image(precision_recall_plot(evaluation["curves"], prevalence), "PR curves"), ""]
    lines += _synthetic_section(augmented, clusters, target)
    return "\n".join(lines) + "\n"


def _synthetic_section(augmented: pd.DataFrame, clusters: pd.DataFrame, target: str) -> list[str]:
    minority = augmented[augmented[target] == 1]
    real = minority[~minority[IS_SYNTHETIC]]
    synthetic = minority[minority[IS_SYNTHETIC]]
    lines = [
        "## Synthetic rows",
        "",
        f"{len(real)} real minority rows in {clusters[CLUSTER_ID].nunique()} cluster(s); "
        f"{len(synthetic)} synthetic rows, each interpolated inside one cluster.",
        "",
    ]
    if len(real) >= 2 and len(synthetic):
        matrix = numeric_matrix(pd.concat([real, synthetic]), target)
        cluster_of = dict(zip(clusters[ROW_ID], clusters[CLUSTER_ID], strict=True))
        labels = np.array([cluster_of.get(r, -1) for r in real[ROW_ID]])
        png = projection_plot(matrix[: len(real)], matrix[len(real) :], labels)
        lines += [_image(png, "real vs synthetic"), ""]
    return lines
