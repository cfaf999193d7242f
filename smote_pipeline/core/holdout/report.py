"""The Markdown report that tells a user whether SMOTE helped and what to ship."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from smote_pipeline.core.columns import (
    CLUSTER_ID,
    IS_SYNTHETIC,
    ROW_ID,
    feature_columns,
)
from smote_pipeline.core.holdout import segments, subpopulations
from smote_pipeline.core.holdout.evaluation import level_text
from smote_pipeline.core.holdout.plots import (
    calibration_plot,
    column_distributions_plot,
    difference_plot,
    precision_recall_plot,
    projection_plot,
)
from smote_pipeline.core.holdout.records import HoldoutEvaluation
from smote_pipeline.core.ingest.ingestion import majority_words
from smote_pipeline.core.ingest.leakage import LeakScreen
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.oversample.realism.report import RealismSummary
from smote_pipeline.core.oversample.realism.space import FeatureSpace
from smote_pipeline.core.train.records import Champion, Race
from smote_pipeline.core.train.selection import (
    AVERAGE_RULE,
    CLEARLY_WORSE_SE,
    FAMILY_RULE,
    family_table,
)
from smote_pipeline.core.vocabulary import family_of
from smote_pipeline.samplers import MinorityRatio


def _image(png: bytes, alt: str) -> str:
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def _table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def with_interval(r: dict[str, Any], metric: str, digits: int = 3) -> str:
    """``metric`` of the record ``r`` with its 95% interval: ``0.812 [0.771, 0.850]``."""
    return (
        f"{r[metric]:.{digits}f} [{r[f'{metric}_low']:.{digits}f}, "
        f"{r[f'{metric}_high']:.{digits}f}]"
    )


def holdout_table(evaluation: HoldoutEvaluation) -> pd.DataFrame:
    """Strategy x threshold-free metric table with 95% intervals, formatted for reading."""
    rows = []
    for r in evaluation.metrics:
        rows.append(
            {
                "strategy": r["strategy"],
                f"CV {r.get('cv_metric', 'score')} (train)": f"{r['cv_score']:.3f}",
                "avg precision": with_interval(r, "average_precision"),
                "ROC AUC": with_interval(r, "roc_auc"),
                "Brier": with_interval(r, "brier", 4),
                f"recall @ precision {evaluation.recall_at_precision_level:g}": with_interval(
                    r, "recall_at_precision"
                ),
                "note": _short_note(r.get("note", "")),
            }
        )
    frame = pd.DataFrame(rows)
    return frame if frame["note"].astype(bool).any() else frame.drop(columns="note")


def _short_note(note: str) -> str:
    """A race's drop reason, short enough for a table cell."""
    if note.startswith("halved"):
        return "raced out: not among the best on a training subsample (refitted)"
    return "raced out: clearly behind the best on training folds" if note else ""


def threshold_table(evaluation: HoldoutEvaluation) -> pd.DataFrame:
    """Metrics at each strategy's training-tuned threshold, with 95% intervals."""
    return pd.DataFrame(
        [
            {
                "strategy": r["strategy"],
                "threshold": f"{r['threshold']:.3f}",
                "precision": with_interval(r, "precision"),
                "recall": with_interval(r, "recall"),
                "F1": with_interval(r, "f1"),
                "G-mean": with_interval(r, "g_mean"),
                "MCC": with_interval(r, "mcc"),
            }
            for r in evaluation.metrics
        ]
    )


def subpopulation_table(evaluation: HoldoutEvaluation) -> pd.DataFrame:
    """The champion's hold-out recall per minority cluster, with Wilson 95% intervals."""
    return pd.DataFrame(
        [
            {
                "cluster": r["cluster"],
                "real minority training rows": r["training_rows"],
                "hold-out positives": r["holdout_positives"],
                "found at the threshold": r["found"],
                "recall": "-"
                if not r["holdout_positives"]
                else f"{r['recall']:.3f} [{r['recall_low']:.3f}, {r['recall_high']:.3f}]",
            }
            for r in evaluation.subpopulations
        ],
        columns=[
            "cluster",
            "real minority training rows",
            "hold-out positives",
            "found at the threshold",
            "recall",
        ],
    )


def subpopulation_lines(evaluation: HoldoutEvaluation) -> list[str]:
    """The report's section on recall per subpopulation (empty without clusters)."""
    if len(evaluation.subpopulations) < 2:
        return []
    overall = evaluation.metrics_of(evaluation.champion)["recall"]
    missed = subpopulations.missed_text(evaluation.subpopulations, overall)
    return [
        "### Recall per minority subpopulation",
        "",
        "Each real positive of the hold-out joins the minority cluster of its nearest real "
        "training row; the shipped model's recall at its threshold is counted per cluster "
        "(Wilson 95% intervals). An average can hide a subpopulation the model misses.",
        "",
        _table(subpopulation_table(evaluation)),
        "",
        *([f"**{missed}**", ""] if missed else []),
    ]


def segment_lines(evaluation: HoldoutEvaluation) -> list[str]:
    """The report's section on quality per segment (empty without ``segment_columns``)."""
    if not evaluation.segments:
        return []
    overall = evaluation.metrics_of(evaluation.champion)["average_precision"]
    weak = segments.weak_segments(evaluation.segments, overall)
    return [
        "### Quality per segment",
        "",
        "The shipped model's hold-out average precision (stratified bootstrap 95% interval) "
        "and recall at its threshold (Wilson 95% interval) per value of each "
        f"`segment_columns` column; values with fewer than {segments.MIN_SEGMENT_POSITIVES} "
        "positive hold-out rows are pooled into `other`.",
        "",
        _table(segments.segment_table(evaluation.segments)),
        "",
        *([f"**Clearly below the overall {overall:.3f}: {', '.join(weak)}.**", ""] if weak else []),
    ]


def calibration_table(evaluation: HoldoutEvaluation) -> pd.DataFrame:
    """Brier score before and after recalibration / prior correction."""
    return pd.DataFrame(
        [
            {
                "strategy": r["strategy"],
                "recalibration": r.get("recalibration", "none"),
                "Brier before recalibration": f"{r['brier_uncalibrated']:.4f}",
                "Brier as shipped": f"{r['brier']:.4f}",
                "Brier after prior correction": f"{r['brier_prior_corrected']:.4f}",
                "calibration slope": _fmt_number(r.get("calibration_slope")),
                "calibration intercept": _fmt_number(r.get("calibration_intercept")),
            }
            for r in evaluation.metrics
        ]
    )


def _fmt_number(value: Any) -> str:
    """Two decimals; a dash for a figure the record lacks (older evaluations) or NaN."""
    if value is None or not np.isfinite(value):
        return "-"
    return f"{value:.2f}"


def _verdict_lines(evaluation: HoldoutEvaluation) -> list[str]:
    lines = [f"**{evaluation.summary['text']}**", ""]
    if not evaluation.verdicts:
        return [*lines, "No resampling strategy was compared against a non-resampling baseline."]
    for v in evaluation.verdicts:
        extra = ""
        if "brier_difference" in v:
            extra = (
                f"; ROC AUC {v['roc_auc_difference']:+.3f}, Brier {v['brier_difference']:+.4f} "
                f"[{v['brier_low']:+.4f}, {v['brier_high']:+.4f}]"
            )
        lines.append(
            f"- **{v['strategy']}** vs **{v['baseline']}**: {v['verdict']} "
            f"(average precision {v['difference']:+.3f}, {level_text(v)} "
            f"[{v['low']:+.3f}, {v['high']:+.3f}]{extra})."
        )
    lines += [
        "",
        "Each resampling candidate is compared with the best candidate without resampling of "
        "its own model family, by cross-validation on training data (a strategy with its own "
        f"model, with the best of all, `{evaluation.baseline}`); differences are paired stratified "
        "bootstrap intervals on the hold-out, widened (Bonferroni) so that the chance of any "
        'false "helped" or "hurt" across all the comparisons stays below 5%. "Helped" is claimed '
        "only when the whole interval is above 0.",
        "",
        _image(difference_plot(list(evaluation.verdicts)), "differences with intervals"),
    ]
    return lines


def brier_check_text(check: dict[str, Any]) -> str:
    """The shipped model's out-of-fold Brier score against the best single candidate's.

    ``check`` is :attr:`~smote_pipeline.core.train.records.Champion.brier_check`.
    """
    verdict = "no worse" if check["no_worse"] else "worse"
    return (
        f"out-of-fold Brier {check['shipped_brier']:.4f} against "
        f"{check['best_single_brier']:.4f} for the best single candidate "
        f"`{check['best_single']}` (difference {check['difference']:+.4f}, SE "
        f"{check['standard_error']:.4f}: {verdict} beyond one standard error)."
    )


def _ship_lines(evaluation: HoldoutEvaluation, champion: Champion) -> list[str]:
    record = next((r for r in evaluation.metrics if r["strategy"] == champion.strategy), None)
    rule = champion.selection_rule
    within = (
        "cross-validated score is within one (paired, repeated-CV corrected) standard error "
        "of the best"
    )
    why = {
        "one_standard_error": f"the simplest strategy whose {within}",
        AVERAGE_RULE: f"the average of the predicted probabilities of every strategy whose "
        f"{within} (the training data cannot rank them)",
        FAMILY_RULE: "the average of the predicted probabilities of the best candidate of each "
        "model family by cross-validation (a family more than two paired standard errors "
        "behind the best is left out): models that err differently average out each "
        "other's errors",
    }.get(rule, "the best mean cross-validated score")
    if champion.members:
        why += f"; members: {', '.join(f'`{m}`' for m in champion.members)}"
    lines = [
        f"**Ship: `{champion.strategy}`.** Chosen on training data only: {why}. The hold-out never "
        "influenced this choice; its figures below are the unbiased estimate.",
        "",
    ]
    if record is not None:
        lines += [
            "- Expected quality (hold-out): average precision "
            f"{with_interval(record, 'average_precision')}, ROC AUC "
            f"{with_interval(record, 'roc_auc')}, Brier {with_interval(record, 'brier', 4)}.",
            f"- Decision threshold {record['threshold']:.3f} ({record['threshold_source']}): "
            f"precision {record['precision']:.3f}, recall {record['recall']:.3f}, "
            f"F1 {record['f1']:.3f} on the hold-out.",
            f"- Cross-validated {record['cv_metric']} on training data: "
            f"{record['cv_score']:.3f} (± {record['cv_sem']:.3f} SE).",
        ]
    if champion.brier_check:
        lines.append(f"- Calibration on training folds: {brier_check_text(champion.brier_check)}")
    if champion.training_fingerprint:
        lines.append(
            f"- Trained on `training_set` with content hash `{champion.training_fingerprint[:16]}`."
        )
    return [*lines, ""]


def family_lines(selection: Sequence[dict[str, Any]], members: Sequence[str]) -> list[str]:
    """Which model family wins on training data, and by how much (the "why")."""
    table = family_table(list(selection))
    if len(table) < 2:
        return []
    winner, others = table[0], table[1:]
    behind = "; ".join(
        f"`{r['family']}` {-r['difference_to_best']:.4f} behind (SE {r['standard_error']:.4f}, "
        f"{_standard_errors(r)})"
        for r in others
    )
    lines = [
        "## Which model family",
        "",
        f"**`{winner['family']}` wins on training data**: its best candidate "
        f"`{winner['best']}` has the best cross-validated score ({winner['cv_mean']:.4f}); "
        f"{behind}. Within one standard error the training data cannot tell a family from "
        f"the winner; beyond {CLEARLY_WORSE_SE:g}, it is clearly worse and the default rule "
        "(`family_average`) leaves it out.",
        "",
    ]
    if members:
        counts = Counter(str(family_of(m) or m) for m in members)
        lines += [
            "The champion averages "
            + ", ".join(f"{n} candidate(s) of `{f}`" for f, n in counts.items())
            + ".",
            "",
        ]
    frame = pd.DataFrame(
        [
            {
                "family": r["family"],
                "best candidate": r["best"],
                "CV mean": f"{r['cv_mean']:.4f}",
                "difference to best": f"{r['difference_to_best']:+.4f}",
                "SE of difference": f"{r['standard_error']:.4f}",
                "within 1 SE": f"{r['within_one_se']} of {r['candidates']}",
            }
            for r in table
        ]
    )
    return [*lines, _table(frame), ""]


def _standard_errors(row: dict[str, Any]) -> str:
    """How far behind a family is, in standard errors of the paired difference."""
    gap, se = -row["difference_to_best"], row["standard_error"]
    if gap <= se + 1e-12:
        return "within one standard error"
    if gap <= CLEARLY_WORSE_SE * se + 1e-12:
        return f"within {CLEARLY_WORSE_SE:g} standard errors"
    return f"beyond {CLEARLY_WORSE_SE:g} standard errors: clearly worse"


def failed_lines(screen: Race | None, evaluation: HoldoutEvaluation) -> list[str]:
    """The candidates that could not be scored or fitted, with the reason (empty if none)."""
    evaluated = [r["strategy"] for r in evaluation.metrics]
    failed = screen.failures(evaluated) if screen is not None else {}
    if not failed:
        return []
    shown = [f"- `{name}`: {reason.splitlines()[0][:200]}" for name, reason in failed.items()]
    return [
        f"**{len(failed)} candidate(s) failed** and take no part in the comparison or the choice:",
        "",
        *shown,
        "",
    ]


def _selection_lines(selection: Sequence[dict[str, Any]]) -> list[str]:
    if not selection:
        return []
    frame = pd.DataFrame(
        [
            {
                "strategy": s["strategy"],
                "CV mean": f"{s['cv_mean']:.4f}",
                "difference to best": f"{s['difference_to_best']:+.4f}",
                "SE of difference": f"{s['standard_error']:.4f}",
                "within 1 SE": "yes" if s["within_one_se"] else "no",
                "note": s.get("note", ""),
            }
            for s in selection
        ]
    )
    return [
        "## Model selection (training data only)",
        "",
        _table(frame),
        "",
        "Repeated stratified cross-validation; every strategy is scored on the same splits, "
        "resampling happens inside the training folds only.",
        "",
    ]


def build_report(
    *,
    pipeline: str,
    positive_label: Any,
    evaluation: HoldoutEvaluation,
    champion: Champion,
    augmented: pd.DataFrame,
    clusters: pd.DataFrame,
    target: str,
    realism: RealismSummary | None = None,
    quarantine: pd.DataFrame | None = None,
    leaks: LeakScreen | None = None,
    guard: str | None = None,
    screen: Race | None = None,
) -> str:
    """Render the report as self-contained Markdown (figures inlined as PNG).

    Parameters
    ----------
    pipeline, positive_label, target : str, object, str
        Pipeline name, the user's positive label, the target column.
    evaluation : HoldoutEvaluation
        Output of :func:`smote_pipeline.core.holdout.evaluation.evaluate_on_holdout`.
    champion : Champion
        The model chosen by cross-validation on training data.
    augmented, clusters : pandas.DataFrame
        The augmented training set (real and synthetic rows); ``row_id`` and
        ``cluster_id`` of the real minority rows.
    realism, quarantine, leaks, screen : optional
        The ``synthetic_realism``, ``noise_quarantine``, ``leakage_screen`` and
        ``candidate_screen`` values: the realism section, "How the data was handled",
        the leak warning at the top, and the candidates that failed.
    guard : str or None
        What the bridge guard refused (``SyntheticRows.guard_text()``).
    """
    lines = [
        *_heading_lines(pipeline, positive_label, evaluation),
        *leak_lines(leaks),
        "## What to ship",
        "",
        *_ship_lines(evaluation, champion),
        "## Did SMOTE help?",
        "",
        *_verdict_lines(evaluation),
        "",
        *_metric_lines(evaluation),
        *failed_lines(screen, evaluation),
        *subpopulation_lines(evaluation),
        *segment_lines(evaluation),
        *_calibration_lines(evaluation),
        *family_lines(champion.selection, champion.members),
        *_selection_lines(champion.selection),
    ]
    options = {**PipelineOptions().to_dict(), **(champion.options or {})}  # older: defaults
    lines += data_handling_lines(augmented, quarantine, target, options)
    lines += _synthetic_section(augmented, clusters, target, guard)
    if realism is not None:
        lines += _realism_section(realism, augmented, target)
    return "\n".join(lines) + "\n"


def _heading_lines(pipeline: str, positive_label: Any, evaluation: HoldoutEvaluation) -> list[str]:
    prevalence = evaluation.holdout_positives / evaluation.holdout_rows
    rare = ", ".join(f"`{label}`" for label in evaluation.negative_labels)
    named = (
        f"Class 1: the rarer class ({rare}); the positive label `{positive_label}` is the majority"
        if evaluation.majority_positive
        else f"Positive class: `{positive_label}`"
    )
    return [
        f"# SMOTE report: {pipeline}",
        "",
        f"{named}. Hold-out: {evaluation.holdout_rows} real rows, "
        f"{evaluation.holdout_positives} of class 1 ({prevalence:.1%}), never used for "
        f"fitting or choosing. Split off {evaluation.split}.",
        "",
        *_negative_lines(evaluation.negative_labels),
        *[
            f"**{line}**\n"
            for line in majority_words(evaluation.majority_positive, evaluation.negative_labels)
        ],
        *_conflict_lines(evaluation.conflicting_duplicates),
    ]


def _conflict_lines(conflicting: dict[str, int]) -> list[str]:
    """Groups of identical feature rows with both labels, when there are any."""
    if not conflicting.get("groups"):
        return []
    return [
        f"{conflicting['groups']} group(s) of rows with identical features carry both labels "
        f"({conflicting['rows']} rows): no model can separate them, and the split kept each "
        "group on one side.",
        "",
    ]


def _negative_lines(labels: dict[str, int]) -> list[str]:
    """With several negative labels (``one_vs_rest``): which became negative, and how
    many rows of each."""
    if len(labels) < 2:
        return []
    shown = ", ".join(f"`{label}` ({count} rows)" for label, count in list(labels.items())[:20])
    more = f" and {len(labels) - 20} more labels" if len(labels) > 20 else ""
    return [f"Negative class (one_vs_rest): every other label, {shown}{more}.", ""]


def _metric_lines(evaluation: HoldoutEvaluation) -> list[str]:
    """The hold-out metrics with intervals, the PR curves and the thresholded metrics."""
    prevalence = evaluation.holdout_positives / evaluation.holdout_rows
    return [
        "## Hold-out metrics",
        "",
        _table(holdout_table(evaluation)),
        "",
        "Intervals are 95% stratified bootstrap intervals "
        f"({evaluation.n_bootstrap} resamples of the hold-out).",
        "",
        _image(precision_recall_plot(evaluation.curves, prevalence), "PR curves"),
        "",
        "### At the threshold tuned on training folds",
        "",
        _table(threshold_table(evaluation)),
        "",
    ]


def _calibration_lines(evaluation: HoldoutEvaluation) -> list[str]:
    if not evaluation.calibration:
        return []
    return [
        "## Calibration",
        "",
        "Resampling and class weights make a model learn a balance that is not the real one, "
        'which inflates its probabilities. "Before recalibration" is the raw model, '
        '"as shipped" includes the configured recalibration, and "after prior '
        'correction" shows what the exact odds correction (option `recalibration: prior`) '
        "gives. The calibration slope (1 is ideal; below 1: probabilities too extreme) "
        "and intercept (0 is ideal; negative: risks overestimated) are fitted on the "
        "hold-out.",
        "",
        _table(calibration_table(evaluation)),
        "",
        _image(calibration_plot(evaluation.calibration), "calibration curves"),
        "",
    ]


def leak_lines(leaks: LeakScreen | None) -> list[str]:
    """A warning block naming the columns the leakage screen suspects, and the category
    values that mark most positives and almost only positives (empty if none)."""
    if leaks is None or not leaks.suspected:
        return []
    figures = leaks.figures
    by_figure = leaks.average_precision_suspects[:10]
    findings = []
    if by_figure:
        shown = ", ".join(f"`{c}` (average precision {figures[c]:.3f})" for c in by_figure)
        findings.append(f"On the training rows, {shown} alone predict the target almost perfectly.")
    if leaks.value_findings:
        findings.append("; ".join(leaks.value_findings[:10]) + ".")
    return [
        f"> **Possible target leak.** {' '.join(findings)} If such a column is derived from the "
        "label or recorded after the outcome, every figure below is too good to be true: "
        "exclude it with `columns: {<name>: ignore}` in the pipeline spec. If it is a genuine "
        "measurement, the task is easy and resampling has little to add.",
        "",
    ]


def data_handling_lines(
    augmented: pd.DataFrame,
    quarantine: pd.DataFrame | None,
    target: str,
    options: dict[str, Any],
) -> list[str]:
    """What the pipeline did with gaps, suspected noise and an already mild imbalance.

    Parameters
    ----------
    augmented : pandas.DataFrame
        The augmented training set (real rows have ``is_synthetic`` False).
    quarantine : pandas.DataFrame or None
        Rows the noise filter removed (``noise_quarantine``).
    target : str
        Target column.
    options : dict
        The pipeline options (``PipelineOptions.to_dict()``, every option present).

    Returns
    -------
    list of str
        Markdown lines of the section.
    """
    real = augmented[~augmented[IS_SYNTHETIC].astype(bool)]
    features = feature_columns(real, target)
    lines = ["## How the data was handled", ""]
    gaps = real[features].isna().mean() if features else pd.Series(dtype=float)
    if gaps.gt(0).any():
        worst = gaps[gaps > 0].sort_values(ascending=False).head(5)
        shown = ", ".join(f"`{c}` {v:.0%}" for c, v in worst.items())
        lines.append(
            f"- Missing values kept ({shown}): tree models use them as they are, the other "
            "steps impute inside the rows they are fitted on; synthetic rows take the nearer "
            "parent's value where a parent is missing."
        )
    if quarantine is not None:
        removed = int(quarantine[target].sum()) if len(quarantine) else 0
        positives = int(real[target].sum()) + removed
        cap = float(options["max_minority_removal"])
        lines.append(
            f"- Noise filter (`{options['noise_method']}`): {len(quarantine)} "
            f"training rows removed, {removed} of them positive (`noise_quarantine`)."
        )
        if removed and removed == int(np.floor(cap * positives + 1e-9)):
            lines.append(
                f"  It reached the cap `max_minority_removal={cap}`: any further minority "
                "suspects stayed in training (`kept_suspects` on `denoised_training_set`)."
            )
    n_synthetic = int(augmented[IS_SYNTHETIC].astype(bool).sum())
    ratio = float(options["sampling_strategy"])
    positives, negatives = int(real[target].sum()), int((real[target] == 0).sum())
    if n_synthetic == 0 and MinorityRatio(ratio).is_reached(positives, negatives):
        lines.append(
            f"- The minority is already {positives / max(negatives, 1):.2f} times the majority, "
            f"at least `sampling_strategy={ratio}`: no synthetic row was generated, and the "
            "oversampling strategies train on the real rows."
        )
    return lines + [""] if len(lines) > 2 else []


def _synthetic_section(
    augmented: pd.DataFrame, clusters: pd.DataFrame, target: str, guard: str | None
) -> list[str]:
    minority = augmented[augmented[target] == 1]
    real = minority[~minority[IS_SYNTHETIC]]
    synthetic = minority[minority[IS_SYNTHETIC]]
    lines = [
        "## Synthetic rows",
        "",
        f"{len(real)} real minority rows in {clusters[CLUSTER_ID].nunique()} cluster(s); "
        f"{len(synthetic)} synthetic rows, each interpolated inside one cluster."
        + (f" {guard}" if guard else ""),
        "",
    ]
    if len(real) >= 2 and len(synthetic):
        space = FeatureSpace.fit(real, target)  # the distance space of the realism gates
        cluster_of = dict(zip(clusters[ROW_ID], clusters[CLUSTER_ID], strict=True))
        labels = np.array([cluster_of.get(r, -1) for r in real[ROW_ID]])
        png = projection_plot(space.transform(real), space.transform(synthetic), labels)
        lines += [_image(png, "real vs synthetic"), ""]
    return lines


def _realism_section(realism: RealismSummary, augmented: pd.DataFrame, target: str) -> list[str]:
    """Realism gates, recommendations and the worst columns' distributions."""
    gates = pd.DataFrame(map(asdict, realism.gates))
    shown = pd.DataFrame(
        {
            "gate": gates["name"],
            "value": [_fmt(v) for v in gates["value"]],
            "limit": [
                f"{d} {t}" for d, t in zip(gates["direction"], gates["threshold"], strict=True)
            ],
            "passed": ["yes" if ok else "**no**" for ok in gates["passed"]],
        }
    )
    flags = realism.row_flags
    lines = [
        "## Realism of the synthetic rows",
        "",
        "Measured against the real training rows of the minority class (never the hold-out). "
        "Blocking gates (invalid values, points far from any real row, real-vs-synthetic "
        "detection) stop training; the others warn. Rows failing a row-level check were "
        f"dropped before training: {flags.get('to_drop', 0)} "
        f"(near copies {flags.get('near_copy', 0)}, intrusions {flags.get('intrusion', 0)}, "
        f"invalid {flags.get('invalid', 0)}).",
        "",
        _table(shown),
        "",
    ]
    if realism.failed_gates:
        lines += [
            f"**Blocking gate(s) {', '.join(f'`{g}`' for g in realism.failed_gates)} "
            "failed: no synthetic row of this run reached training.** Every final model was "
            "fitted on real rows (`cluster_smote` still resamples inside its cross-validation "
            "folds); the held-back rows are listed in `rejected_synthetic_samples`.",
            "",
        ]
    lines += [f"- {r}" for r in realism.recommendations]
    columns = pd.DataFrame(list(realism.columns))
    minority = augmented[augmented[target] == 1]
    if len(columns) and "similarity" in columns:
        worst = [
            c for c in columns.sort_values("similarity")["column"].head(3) if c in minority.columns
        ]
        if worst:
            real = minority[~minority[IS_SYNTHETIC]]
            synthetic = minority[minority[IS_SYNTHETIC]]
            png = column_distributions_plot(real, synthetic, worst)
            lines += ["", _image(png, "worst columns"), ""]
    return lines


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}"
