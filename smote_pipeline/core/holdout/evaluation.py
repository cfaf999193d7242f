"""Scoring candidates on the real hold-out, with bootstrap intervals and a verdict.

The hold-out only measures: nothing here fits a model or chooses one. The
baseline of the verdict and the champion are both derived from training-data
cross-validation scores carried by the candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve

from smote_pipeline.core.columns import (
    CONFLICTING,
    GROUP_KEY,
    MAJORITY_POSITIVE,
    NEGATIVE_LABELS,
    TIME_KEY,
    entity_codes,
    feature_columns,
    sample_positions,
)
from smote_pipeline.core.holdout.records import SCORE_SAMPLE, HoldoutEvaluation
from smote_pipeline.core.holdout.segments import by_segment
from smote_pipeline.core.holdout.subpopulations import recall_by_subpopulation
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.stats.bootstrap import (
    THRESHOLD_METRICS,
    stratified_weights,
    weighted_metrics,
    weighted_threshold_metrics,
)
from smote_pipeline.core.train.calibration import (
    calibration_points,
    calibration_slope_intercept,
    uncalibrated_proba,
)
from smote_pipeline.core.train.estimators import prior_correct
from smote_pipeline.core.train.records import Candidate
from smote_pipeline.core.train.selection import select_champion, signed_score
from smote_pipeline.core.vocabulary import (
    BASELINE_STRATEGIES,
    OVERSAMPLING_STRATEGIES,
    RESAMPLING_STRATEGIES,
    family_of,
    strategy_of,
)

CURVE_POINTS = 200
#: Threshold-free metrics with intervals; the verdict is read on the first.
RANKING_METRICS: tuple[str, ...] = ("average_precision", "roc_auc", "brier")
HELPED, NO_DIFFERENCE, HURT = "helped", "no detectable difference", "hurt"
UNDECIDED = "hold-out too small to decide"
#: Fewer positive hold-out rows than this cannot decide a verdict: a bootstrap
#: over a handful of positives gives intervals far narrower than the truth
#: (every resample reuses the same few rows), so "helped" / "hurt" would be
#: claims about those rows, not about the data.
MIN_HOLDOUT_POSITIVES = 10


#: Family-wise error rate of the verdicts (and level of every other interval).
ALPHA = 0.05


def _interval(values: np.ndarray, alpha: float = ALPHA) -> tuple[float, float]:
    low, high = np.percentile(values, [50 * alpha, 100 - 50 * alpha])
    return float(low), float(high)


def verdict_level(n_comparisons: int) -> float:
    """Confidence level of each verdict interval: ``1 - ALPHA / n_comparisons`` (Bonferroni).

    Every resampling strategy is compared with the same baseline; reading any of
    them as "helped" at 95% each would claim a win by chance far more often than
    5% of the time (about 1 - 0.95^m with m comparisons). Widening each interval to
    ``1 - 0.05 / m`` keeps the chance of any false "helped" or "hurt" below 5%.
    """
    return 1.0 - ALPHA / max(int(n_comparisons), 1)


def _downsample_curve(precision: np.ndarray, recall: np.ndarray) -> dict[str, list[float]]:
    keep = np.unique(np.linspace(0, len(precision) - 1, CURVE_POINTS).astype(int))
    return {
        "precision": [round(float(v), 5) for v in precision[keep]],
        "recall": [round(float(v), 5) for v in recall[keep]],
    }


def _brier(y: np.ndarray, proba: np.ndarray) -> float:
    return float(np.mean((proba - y) ** 2))


def _score_candidate(
    name: str,
    candidate: Candidate,
    X: pd.DataFrame,
    y: np.ndarray,
    weights: np.ndarray,
    min_precision: float,
) -> tuple[dict[str, Any], dict[str, np.ndarray], np.ndarray]:
    """One metric record, the bootstrap samples and the probabilities of a candidate."""
    model = candidate.model
    proba = model.predict_proba(X)[:, 1]
    raw = uncalibrated_proba(model, X, proba)
    ones = np.ones((1, len(y)))
    point = weighted_metrics(y, proba, ones, min_precision=min_precision)
    boot = weighted_metrics(y, proba, weights, min_precision=min_precision)
    predicted = (proba >= candidate.threshold).astype(np.int64)
    hard_point = weighted_threshold_metrics(y, predicted, ones)
    hard_boot = weighted_threshold_metrics(y, predicted, weights)
    record: dict[str, Any] = {"strategy": name}
    for metric in (*RANKING_METRICS, "recall_at_precision", *THRESHOLD_METRICS):
        source, samples = (point, boot) if metric in boot else (hard_point, hard_boot)
        record[metric] = float(source[metric][0])
        record[f"{metric}_low"], record[f"{metric}_high"] = _interval(samples[metric])
    trained = candidate.trained_ratio
    corrected = raw
    if trained is not None and candidate.prior_ratio is not None:
        corrected = prior_correct(raw, candidate.prior_ratio / trained)
    slope, intercept = calibration_slope_intercept(y, proba)
    record.update(
        calibration_slope=slope,
        calibration_intercept=intercept,
        brier_uncalibrated=_brier(y, raw),
        brier_prior_corrected=_brier(y, corrected),
        recalibration=candidate.recalibration,
        threshold=float(candidate.threshold),
        threshold_source=candidate.threshold_source or "training folds",
        cv_metric=candidate.cv_metric,
        cv_score=float(candidate.cv_mean),
        cv_sem=float(candidate.cv_sem),
        note=candidate.dropped or "",
    )
    return record, boot, proba


def _compare(
    name: str,
    baseline: str,
    boot: dict[str, dict[str, np.ndarray]],
    records: dict[str, dict],
    level: float,
) -> dict[str, Any]:
    """Paired bootstrap of (strategy - baseline) on the same resampled hold-out rows.

    Intervals are at ``level`` (see :func:`verdict_level`).
    """
    entry: dict[str, Any] = {
        "strategy": name,
        "baseline": baseline,
        "metric": "average_precision",
        "oversampling": strategy_of(name) in OVERSAMPLING_STRATEGIES,
        "level": level,
    }
    for metric in RANKING_METRICS:
        low, high = _interval(boot[name][metric] - boot[baseline][metric], 1.0 - level)
        difference = records[name][metric] - records[baseline][metric]
        if metric == "average_precision":
            entry.update(difference=difference, low=low, high=high, verdict=verdict(low, high))
        else:
            entry.update(
                {f"{metric}_difference": difference, f"{metric}_low": low, f"{metric}_high": high}
            )
    return entry


def evaluate_on_holdout(
    candidates: dict[str, Candidate],
    holdout: pd.DataFrame,
    target: str,
    *,
    options: PipelineOptions,
    baseline: str | None,
    subpopulations: tuple[np.ndarray, dict[int, int]] | None = None,
) -> HoldoutEvaluation:
    """Score every candidate on the real hold-out (the fields: :class:`HoldoutEvaluation`).

    Parameters
    ----------
    candidates : dict of str to Candidate
        Output of :func:`smote_pipeline.core.pipeline.candidate_models`.
    holdout : pandas.DataFrame
        The untouched real hold-out; ``target`` its 0/1 column.
    baseline : str or None
        The best non-resampling candidate by cross-validation (:func:`best_baseline`):
        a resampling candidate is compared with the one of its own family
        (:func:`family_baselines`), else with it. None skips the verdicts.
    options : PipelineOptions
        ``random_state`` and ``n_bootstrap`` (the stratified bootstrap behind the
        95% intervals; the same resamples for every candidate, so differences are
        paired), ``recall_at_precision``, and the ``selection_rule`` of the champion.
    subpopulations : (ndarray, dict) or None
        The minority cluster of each hold-out row and the training rows per cluster
        (:mod:`~smote_pipeline.core.holdout.subpopulations`): recall per cluster.
    """
    features = feature_columns(holdout, target)
    X, y = holdout[features], holdout[target].to_numpy().astype(np.int64)
    groups = entity_codes(holdout)  # with a group_column, entities are resampled
    weights = stratified_weights(y, options.n_bootstrap, options.random_state, groups)
    champion = select_champion(candidates, options.selection_rule)
    scored = _score_all(candidates, X, y, weights, options.recall_at_precision)
    proba, threshold = scored["proba"][champion], candidates[champion].threshold
    reference = _score_reference(proba, threshold, options.random_state)
    reference |= _breakdowns(holdout, y, proba, threshold, options, subpopulations)
    evidence = positive_units(holdout, target)
    verdicts = _verdicts(candidates, baseline, scored, evidence[0])
    summary = verdict_summary(verdicts, *evidence, baseline=baseline)
    return HoldoutEvaluation(
        metrics=tuple(scored["records"].values()),
        curves=scored["curves"],
        calibration=scored["calibration"],
        verdicts=tuple(verdicts),
        holdout_rows=len(y),
        holdout_positives=int(y.sum()),
        baseline=baseline,
        champion=champion,
        selection_rule=options.selection_rule,
        recall_at_precision_level=float(options.recall_at_precision),
        n_bootstrap=int(options.n_bootstrap),
        smote_helped=summary["smote_helped"],
        summary=summary,
        split=split_words(holdout, target),
        **_table_facts(holdout),
        **reference,
    )


def _score_all(
    candidates: dict[str, Candidate],
    X: pd.DataFrame,
    y: np.ndarray,
    weights: np.ndarray,
    recall_at_precision: float,
) -> dict[str, dict[str, Any]]:
    """Every candidate's metric record, bootstrap figures, probabilities and curves."""
    scored: dict[str, dict[str, Any]] = {
        part: {} for part in ("records", "boot", "proba", "curves", "calibration")
    }
    for name, candidate in candidates.items():
        record, boot, proba = _score_candidate(name, candidate, X, y, weights, recall_at_precision)
        precision, recall, _ = precision_recall_curve(y, proba)
        scored["records"][name], scored["boot"][name], scored["proba"][name] = record, boot, proba
        scored["curves"][name] = _downsample_curve(precision, recall)
        scored["calibration"][name] = calibration_points(y, proba)
    return scored


def _verdicts(
    candidates: dict[str, Candidate],
    baseline: str | None,
    scored: dict[str, dict[str, Any]],
    n_positive: int,
) -> list[dict[str, Any]]:
    """Each resampling candidate against its family's (or the overall) baseline."""
    if baseline is None:
        return []
    compared = [n for n in candidates if strategy_of(n) in RESAMPLING_STRATEGIES]
    level = verdict_level(len(compared))
    own = family_baselines(candidates)
    verdicts = [
        _compare(name, own.get(family_of(name), baseline), scored["boot"], scored["records"], level)
        for name in compared
    ]
    if n_positive < MIN_HOLDOUT_POSITIVES:
        for entry in verdicts:
            entry["verdict"] = UNDECIDED
    return verdicts


def _breakdowns(
    holdout: pd.DataFrame,
    y: np.ndarray,
    proba: np.ndarray,
    threshold: float,
    options: PipelineOptions,
    subpopulations: tuple[np.ndarray, dict[int, int]] | None,
) -> dict[str, Any]:
    """The champion's recall per minority subpopulation and its figures per segment."""
    found: dict[str, Any] = {}
    if subpopulations is not None:
        found["subpopulations"] = recall_by_subpopulation(y, proba, threshold, *subpopulations)
    if options.segment_columns:
        found["segments"] = by_segment(
            holdout, y, proba, options.segment_columns,
            threshold=threshold, n_bootstrap=options.n_bootstrap, seed=options.random_state,
        )  # fmt: skip
    return found


def _score_reference(proba: np.ndarray, threshold: float, random_state: int) -> dict[str, Any]:
    """The champion's hold-out probabilities (a seeded sample of at most
    :data:`SCORE_SAMPLE`) and its share of positive decisions on all of them."""
    rate = float(np.mean(proba >= threshold))
    proba = proba[sample_positions(len(proba), SCORE_SAMPLE, np.random.default_rng(random_state))]
    return {
        "champion_scores": tuple(float(p) for p in proba),
        "champion_positive_rate": rate,
    }


def verdict(low: float, high: float) -> str:
    """Verdict from an interval of (resampling - baseline) average precision."""
    if low > 0:
        return HELPED
    if high < 0:
        return HURT
    return NO_DIFFERENCE


def _is_oversampling(entry: dict[str, Any]) -> bool:
    return bool(
        entry.get("oversampling", strategy_of(entry["strategy"]) in OVERSAMPLING_STRATEGIES)
    )


def level_text(entry: dict[str, Any]) -> str:
    """How a verdict interval's level reads in reports ("95% CI" for one comparison)."""
    level = float(entry.get("level", 1.0 - ALPHA))
    if level <= 1.0 - ALPHA + 1e-12:
        return "95% CI"
    return f"{level:.1%} CI, 95% jointly over {round(ALPHA / (1.0 - level))} comparisons"


def _table_facts(holdout: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """What the ingestion noted of the whole table, carried in the hold-out's ``attrs``."""
    return {
        "negative_labels": dict(holdout.attrs.get(NEGATIVE_LABELS, {})),
        "majority_positive": dict(holdout.attrs.get(MAJORITY_POSITIVE, {})),
        "conflicting_duplicates": dict(holdout.attrs.get(CONFLICTING, {})),
    }


def split_words(holdout: pd.DataFrame, target: str) -> str:
    """How the hold-out was split off, in words, with its entity counts or time span,
    and why a class's hold-out share is off ``holdout_fraction`` when it is
    (:func:`~smote_pipeline.core.ingest.split.split_holdout` notes it on the frame)."""
    words = []
    if TIME_KEY in holdout.columns and len(holdout):
        first, last = holdout[TIME_KEY].min(), holdout[TIME_KEY].max()
        words.append(f"by time (time_column): the latest rows, from {first} to {last}")
    if GROUP_KEY in holdout.columns:
        count, unit = positive_units(holdout, target)
        entities = holdout[GROUP_KEY].nunique()
        words.append(f"by entity (group_column): {entities} entities, {count} {unit}")
    words = words or ["by row: identical rows kept on one side"]
    if holdout.attrs.get("split_note"):  # written by the split when a share is off
        words.append(f"**note**: {holdout.attrs['split_note']}")
    return "; ".join(words)


def positive_units(holdout: pd.DataFrame, target: str) -> tuple[int, str]:
    """How many independent positives the hold-out holds, and of what: its positive
    entities with a ``group_column`` (rows of one entity are not independent
    evidence), else its positive rows."""
    positive = holdout[target].to_numpy() == 1
    codes = entity_codes(holdout)
    if codes is not None:
        return len(np.unique(codes[positive])), "entities with a positive row"
    return int(positive.sum()), "positive row(s)"


def verdict_summary(
    verdicts: Sequence[dict[str, Any]],
    holdout_positives: int,
    unit: str = "positive row(s)",
    *,
    baseline: str | None,
) -> dict[str, Any]:
    """One overall answer to "did SMOTE help here?", for checks and reports.

    Parameters
    ----------
    verdicts : sequence of dict
        One per resampling strategy compared with ``baseline``.
    holdout_positives : int
        Positive rows of the hold-out (entities with a positive row, with a
        ``group_column``: :func:`positive_units`).
    unit : str
        What ``holdout_positives`` counts, for the text.
    baseline : str or None
        The strategy compared against.

    Returns
    -------
    dict
        ``smote_helped`` (bool), ``overall`` (``"helped"``, ``"hurt"`` when
        every oversampling strategy hurt, ``"no detectable difference"``,
        :data:`UNDECIDED` when the hold-out has fewer than
        :data:`MIN_HOLDOUT_POSITIVES` positives, or ``"not compared"``),
        ``best_oversampling`` (largest difference, or None), ``baseline`` and
        ``text`` (one sentence).
    """
    entries = [v for v in verdicts if _is_oversampling(v)]
    positives = int(holdout_positives)
    none = {"smote_helped": False, "best_oversampling": None, "baseline": baseline}
    if entries and positives < MIN_HOLDOUT_POSITIVES:
        return {**none, "overall": UNDECIDED, "text": _too_small(positives, unit)}
    if not entries:
        text = "No oversampling strategy was compared with a non-resampling baseline."
        return {**none, "overall": "not compared", "text": text}
    best = max(entries, key=lambda v: v["difference"])
    if any(v["verdict"] == HELPED for v in entries):
        overall = HELPED
    elif all(v["verdict"] == HURT for v in entries):
        overall = HURT
    else:
        overall = NO_DIFFERENCE
    return {
        "smote_helped": overall == HELPED,
        "overall": overall,
        "best_oversampling": best["strategy"],
        "baseline": best["baseline"],
        "text": _summary_text(overall, best),
    }


def _too_small(positives: int, unit: str) -> str:
    return (
        f"The hold-out cannot decide, the evidence is too small: it has {positives} {unit}, "
        f"fewer than {MIN_HOLDOUT_POSITIVES}, so no difference between strategies can be told "
        "from chance (the intervals shown describe those few rows only). Rely on the "
        "cross-validated choice, or use more data or a larger `holdout_fraction`."
    )


def _summary_text(overall: str, best: dict[str, Any]) -> str:
    """One sentence on the best oversampling strategy against its baseline."""
    figures = (
        f"best oversampling strategy `{best['strategy']}` vs `{best['baseline']}`, average "
        f"precision {best['difference']:+.3f} ({level_text(best)} [{best['low']:+.3f}, "
        f"{best['high']:+.3f}])."
    )
    if overall == NO_DIFFERENCE:
        return (
            f"No detectable difference: {figures} The interval includes 0, so the simpler "
            "strategy is preferable."
        )
    return f"SMOTE {'helped' if overall == HELPED else 'hurt'}: {figures}"


def best_baseline(candidates: dict[str, Candidate]) -> str | None:
    """The non-resampling candidate with the best cross-validated score, if any.

    Uses training-data scores only (direction-aware for loss metrics); ties go
    to the earlier candidate.
    """
    names = [n for n in candidates if strategy_of(n) in BASELINE_STRATEGIES]
    return max(names, key=lambda n: signed_score(candidates[n])) if names else None


def family_baselines(candidates: dict[str, Candidate]) -> dict[str, str]:
    """Per model family, its non-resampling candidate with the best cross-validated score.

    A resampling strategy is judged against this one: SMOTE on a random forest
    against the best random forest without resampling, not against another
    family's model. Training-data scores only; ties go to the earlier candidate.
    """
    best: dict[str, str] = {}
    for name, candidate in candidates.items():
        family = family_of(name)
        if family is None or strategy_of(name) not in BASELINE_STRATEGIES:
            continue
        if family not in best or signed_score(candidate) > signed_score(candidates[best[family]]):
            best[family] = name
    return best


def metrics_table(evaluation: HoldoutEvaluation) -> pd.DataFrame:
    """The ``metrics`` records of :func:`evaluate_on_holdout` as a DataFrame."""
    return pd.DataFrame(list(evaluation.metrics))
