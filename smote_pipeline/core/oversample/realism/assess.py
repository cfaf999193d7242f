"""Quality gates on the realism of synthetic minority rows.

The background article's central warning is that SMOTE creates observations "in regions
devoid of genuine data". :func:`assess_realism` measures how far synthetic minority rows
are from the REAL training rows of the same class (never the hold-out), overall and per
cluster, and flags the rows that should be dropped:

======================  =========================================================================
metric                  how to read it (good value)
======================  =========================================================================
column similarity       1 - KS (numeric) or 1 - total variation (categorical) per column; 1 =
                        same marginal (>= 0.8)
correlation similarity  1 - mean |corr_real - corr_synth| / 2; 1 = same linear structure (>= 0.85)
detection AUC           cross-validated classifier real vs synthetic; 0.5 = indistinguishable,
                        1 = every synthetic row stands out (<= 0.85)
near-copy share         exact copies of a real row, or rows closer to one than 1% of the median
                        real nearest-neighbour distance: memorisation, no new information (<= 0.05)
far share               rows farther from every real row than 99% of real rows are from their
                        nearest neighbour: empty regions (<= 0.05)
intrusion share         rows whose 5 nearest real rows are mostly of another class: inside the
                        majority (<= 0.10, or the real minority rows' own share when larger)
invalid share           rows outside the real domain: range, categories, integers, nulls (0)
relative contrast       (D_max - D_min) / D_min among real rows; near 0 means neighbours are
                        meaningless: use ``n_components``
======================  =========================================================================

Cost is bounded whatever the data size (:class:`SampleCaps`): the distribution metrics run
on samples of at most ``caps.sample`` rows per side, the per-row flags cover every
synthetic row through index queries against at most ``caps.index`` real rows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from smote_pipeline.core.columns import CLUSTER_ID, ROW_ID, feature_columns, sample_positions
from smote_pipeline.core.oversample.realism.metrics import (
    CONTRAST_SAMPLE_SIZE,
    DETECTORS,
    column_similarity,
    correlation_similarity,
    detection_auc,
    reduced_contrast,
    relative_contrast,
)
from smote_pipeline.core.oversample.realism.report import (
    GATE_REGISTRY,
    Gate,
    RealismReport,
)
from smote_pipeline.core.oversample.realism.rows import (
    RealIndex,
    distance_flags,
    domain_violations,
    exact_copies,
    other_class_shares,
)
from smote_pipeline.core.oversample.realism.space import FeatureSpace
from smote_pipeline.core.thresholds import RealismThresholds


@dataclass(frozen=True)
class SampleCaps:
    """The caps that bound the cost of :func:`assess_realism` whatever the data size.

    - Column similarity, correlation similarity and detection use a uniform random
      sample of at most ``sample`` real and ``sample`` synthetic rows (per cluster: at
      most :data:`CLUSTER_SAMPLE_SIZE` per side); the relative contrast at most 1,000
      real rows; the reference real-to-real distances at most ``sample`` leave-one-out
      queries.
    - The flags that decide which rows are dropped (domain, exact copy, near-copy,
      intrusion) cover EVERY synthetic row: a vectorised domain check, a hash look-up
      of copies against every real row, and per synthetic row a tiny-radius query
      (near-copies) and a 5-nearest-neighbour query (intrusion), both against indexes
      of at most ``index`` real rows (uniformly sampled beyond; the intrusion index
      samples both classes at the same rate, keeping local class ratios). ``index``
      also caps the real rows of all classes whose mean and standard deviation
      standardise the numeric columns. Near-copies of real rows left out of the index
      are not seen (exact copies always are).
    - The distance to the closest real row (``dcr``, hence the far flag, a share-level
      gate) is measured for at most ``distance`` synthetic rows with a KD-tree (others
      get ``dcr`` NaN and ``far`` NA), for every row with brute force (where it comes
      with the near-copy query).

    Neighbour queries dominate the cost, linear in the synthetic rows; their per-query
    cost depends on the data's intrinsic dimension (``benchmarks/bench_realism.py``:
    seconds for 100k training rows, under a minute for 1M on two busy cores).

    Raises
    ------
    ValueError
        When a cap is below 10 (too small to estimate anything).
    """

    sample: int = 5_000
    index: int = 20_000
    distance: int = 50_000

    def __post_init__(self) -> None:
        for name in ("sample", "index", "distance"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 10:
                raise ValueError(f"assess_realism: caps.{name} must be at least 10, got {value!r}")


#: Cap of sampled rows per side for the per-cluster distribution metrics.
CLUSTER_SAMPLE_SIZE = 1_000


def _check_inputs(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    other_class: pd.DataFrame,
    features: list[str],
    detector: str,
) -> None:
    """Refuse unusable inputs with a message naming the problem and the fix."""
    if len(real) == 0:
        raise ValueError("assess_realism needs at least one real row of the class (real is empty)")
    if not features:
        raise ValueError("assess_realism: real has no feature columns")
    for name, frame in (("synthetic", synthetic), ("other_class", other_class)):
        missing = [c for c in features if c not in frame.columns]
        if missing:
            raise ValueError(
                f"assess_realism: {name} lacks feature columns {missing}; pass frames with the "
                "same feature columns as real"
            )
    if detector not in DETECTORS:
        raise ValueError(f"assess_realism: detector must be one of {DETECTORS}, got {detector!r}")


@dataclass(frozen=True)
class _Context:
    """Everything the metric steps share."""

    space: FeatureSpace
    thresholds: RealismThresholds
    random_state: int
    detector: str
    n_threads: int


def _distribution_scores(
    ctx: _Context,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    sample_size: int,
    rng: np.random.Generator,
) -> tuple[dict[str, float | None], pd.DataFrame, dict[str, int]]:
    """Column, correlation and detection scores on bounded samples of both sides."""
    real_s = real.iloc[sample_positions(len(real), sample_size, rng)]
    synth_s = synthetic.iloc[sample_positions(len(synthetic), sample_size, rng)]
    columns = column_similarity(real_s, synth_s, ctx.space.domains)
    alpha, floor = ctx.thresholds.column_alpha, ctx.thresholds.min_column_similarity
    columns["passed"] = ~((columns["similarity"] < floor) & (columns["p_value"] < alpha))
    n_numeric = len(ctx.space.numeric_columns)
    real_m, synth_m = ctx.space.transform(real_s), ctx.space.transform(synth_s)
    similarity = columns["similarity"].dropna()
    scores = {
        "mean_column_similarity": float(similarity.mean()) if len(similarity) else None,
        "min_column_similarity": float(similarity.min()) if len(similarity) else None,
        "correlation_similarity": correlation_similarity(
            real_m[:, :n_numeric], synth_m[:, :n_numeric]
        ),
        "detection_auc": detection_auc(
            real_m,
            synth_m,
            detector=ctx.detector,
            random_state=ctx.random_state,
            n_threads=ctx.n_threads,
        ),
    }
    return scores, columns, {"real_sampled": len(real_s), "synthetic_sampled": len(synth_s)}


@dataclass(frozen=True)
class _IndexSample:
    """Real rows in the intrusion index: a uniform sample of both classes at one rate."""

    own: np.ndarray
    other: np.ndarray

    @classmethod
    def draw(cls, n_real: int, n_other: int, size: int, rng: np.random.Generator):
        """Sample at most ``size`` of the ``n_real + n_other`` rows uniformly."""
        union = sample_positions(n_real + n_other, size, rng)
        return cls(union[union < n_real], union[union >= n_real] - n_real)

    def rows(self, real: pd.DataFrame, other_class: pd.DataFrame, features: list[str]):
        """The sampled rows, features only, own class first."""
        return pd.concat(
            [real.iloc[self.own][features], other_class.iloc[self.other][features]],
            ignore_index=True,
        )


def _intrusion(
    ctx: _Context,
    union: pd.DataFrame,
    sample: _IndexSample,
    synthetic_matrix: np.ndarray,
    *,
    sample_size: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Other-class neighbour shares of every synthetic row, and of sampled real rows."""
    if len(sample.other) == 0:
        return np.full(len(synthetic_matrix), np.nan), np.zeros(0)
    union_m = ctx.space.transform(union)
    is_other = np.r_[np.zeros(len(sample.own), dtype=bool), np.ones(len(sample.other), bool)]
    index = RealIndex(union_m)
    k = ctx.thresholds.intrusion_neighbors
    shares = other_class_shares(index, is_other, synthetic_matrix, k)
    baseline = sample_positions(len(sample.own), sample_size, rng)
    real_shares = other_class_shares(index, is_other, union_m[baseline], k, skip_self=True)
    return shares, real_shares


def _row_flags(
    ctx: _Context,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    other_class: pd.DataFrame,
    union: tuple[pd.DataFrame, _IndexSample],
    sizes: SampleCaps,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, float | None], dict[str, int]]:
    """Per-row flags for every synthetic row, and the distance scores."""
    thresholds = ctx.thresholds
    features = [d.name for d in ctx.space.domains]
    domain_ok, domain_reasons = domain_violations(synthetic, ctx.space.domains)
    copies = exact_copies(synthetic, [real, other_class], features)
    synth_m = ctx.space.transform(synthetic)

    class_m = ctx.space.transform(real.iloc[sample_positions(len(real), sizes.index, rng)])
    reference = sample_positions(len(class_m), sizes.sample, rng)
    dist = distance_flags(
        RealIndex(class_m),
        reference,
        synth_m,
        near_fraction=thresholds.near_copy_fraction,
        far_quantile=thresholds.far_quantile,
        dcr_positions=sample_positions(len(synthetic), sizes.distance, rng),
    )
    near = dist.near | copies
    far = np.zeros(len(synthetic), dtype=bool)
    far[dist.measured] = dist.far
    shares, real_shares = _intrusion(
        ctx, union[0], union[1], synth_m, sample_size=sizes.sample, rng=rng
    )
    intrusion = np.nan_to_num(shares, nan=0.0) > thresholds.intrusion_majority
    flags = {"domain_ok": domain_ok, "exact_copy": copies, "near_copy": near}
    rows = _flag_table(synthetic, flags, dist, intrusion, shares)
    rows["reason"] = _reasons(domain_reasons, copies, dist.near & ~copies, far, intrusion)
    evaluated = real_shares.size > 0
    scores = {
        "invalid_share": _share(~domain_ok),
        "exact_copy_share": _share(copies),
        "near_copy_share": _share(near),
        "far_share": _share(dist.far),
        "intrusion_share": _share(intrusion) if evaluated else None,
        "real_intrusion_share": _share(real_shares > thresholds.intrusion_majority)
        if evaluated
        else None,
        "dcr_ratio": dist.dcr_ratio,
        "near_copy_cut": dist.near_cut,
        "far_cut": dist.far_cut if np.isfinite(dist.far_cut) else None,
    }
    used = {
        "class_index": len(class_m),
        "nn_reference": len(reference),
        "intrusion_index": len(union[0]) if evaluated else 0,
        "distance_measured": len(dist.measured),
    }
    return rows, scores, used


def _flag_table(
    synthetic: pd.DataFrame,
    flags: dict[str, np.ndarray],
    dist: Any,
    intrusion: np.ndarray,
    shares: np.ndarray,
) -> pd.DataFrame:
    """One row per synthetic row: the flags, ``far`` and ``dcr`` (NA where the distance
    was not measured), the intrusion flag and the other-class share."""
    far = pd.array(np.full(len(synthetic), pd.NA), dtype="boolean")
    far[dist.measured] = dist.far
    dcr = np.full(len(synthetic), np.nan)
    dcr[dist.measured] = dist.dcr
    columns = {**flags, "far": far, "intrusion": intrusion, "dcr": dcr}
    return pd.DataFrame({ROW_ID: _row_ids(synthetic), **columns, "other_class_share": shares})


def _row_ids(synthetic: pd.DataFrame) -> np.ndarray:
    """Row ids of the synthetic rows (their position when there is no ``row_id``)."""
    if ROW_ID in synthetic.columns:
        return synthetic[ROW_ID].to_numpy()
    return np.arange(len(synthetic))


def _share(mask: np.ndarray) -> float | None:
    """Mean of a boolean mask, None when empty."""
    return float(np.mean(mask)) if len(mask) else None


def _reasons(
    domain: np.ndarray,
    exact: np.ndarray,
    near: np.ndarray,
    far: np.ndarray,
    intrusion: np.ndarray,
) -> np.ndarray:
    """One text per row joining every flag, ``""`` for clean rows."""
    labels = (
        (exact, "exact_copy"),
        (near, "near_copy"),
        (far, "far_from_real_rows"),
        (intrusion, "intrusion"),
    )
    reasons = domain.copy()
    for mask, label in labels:
        for position in np.flatnonzero(mask):
            current = reasons[position]
            reasons[position] = f"{current}; {label}" if current else label
    return reasons


def _contrast_scores(
    ctx: _Context, real: pd.DataFrame, rng: np.random.Generator
) -> dict[str, float | None]:
    """Relative contrast of real rows, and in a 90%-variance PCA space when it is low."""
    sample = ctx.space.transform(real.iloc[sample_positions(len(real), CONTRAST_SAMPLE_SIZE, rng)])
    contrast = relative_contrast(sample)
    scores: dict[str, float | None] = {
        "relative_contrast": contrast,
        "reduced_contrast": None,
        "reduced_components": None,
    }
    if contrast is not None and contrast < ctx.thresholds.min_relative_contrast:
        reduced, components = reduced_contrast(sample)
        scores["reduced_contrast"] = reduced
        scores["reduced_components"] = float(components)
    return scores


def _cluster_table(
    ctx: _Context,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    rows: pd.DataFrame,
    cluster_column: str | None,
    real_intrusion: float | None,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Per-cluster shares of row flags and, with real cluster ids, distribution scores."""
    if cluster_column is None or cluster_column not in synthetic.columns or len(synthetic) == 0:
        return pd.DataFrame(columns=[CLUSTER_ID, "n_synthetic", "passed", "failed_gates"])
    labels = synthetic[cluster_column].to_numpy()
    real_labels = real[cluster_column].to_numpy() if cluster_column in real.columns else None
    records = []
    for cluster in pd.unique(labels):
        mine = labels == cluster
        flags = rows.loc[mine]
        record: dict[str, Any] = {
            CLUSTER_ID: cluster,
            "n_synthetic": int(mine.sum()),
            "n_real": int((real_labels == cluster).sum()) if real_labels is not None else None,
            "invalid_share": _share(~flags["domain_ok"].to_numpy()),
            "near_copy_share": _share(flags["near_copy"].to_numpy()),
            "far_share": _share(flags["far"].dropna().to_numpy(dtype=bool)),
            "intrusion_share": _share(flags["intrusion"].to_numpy()),
        }
        if real_labels is not None and (real_labels == cluster).any():
            scores, columns, _ = _distribution_scores(
                ctx, real[real_labels == cluster], synthetic[mine], CLUSTER_SAMPLE_SIZE, rng
            )
            record.update(scores)
            record["columns_passed"] = bool(columns["passed"].all())
        gates = _share_gates(record, ctx.thresholds, real_intrusion) + _distribution_gates(
            record, ctx.thresholds
        )
        record["failed_gates"] = ",".join(g.name for g in gates if g.blocking and not g.passed)
        record["passed"] = not record["failed_gates"]
        records.append(record)
    table = pd.DataFrame.from_records(records)
    return table.sort_values(CLUSTER_ID, kind="stable").reset_index(drop=True)


def _intrusion_limit(t: RealismThresholds, real_share: float | None) -> float:
    """``max_intrusion_share``, or the real rows' own intrusion share when larger (and allowed)."""
    if t.intrusion_relative_to_real and real_share is not None:
        return max(t.max_intrusion_share, float(real_share))
    return t.max_intrusion_share


def _share_gates(
    scores: dict[str, Any], t: RealismThresholds, real_intrusion: float | None
) -> list[Gate]:
    """Gates on the row-flag shares."""
    limits = {
        "invalid_share": t.max_invalid_share,
        "near_copy_share": t.max_near_copy_share,
        "far_share": t.max_far_share,
        "intrusion_share": _intrusion_limit(t, real_intrusion),
    }
    return [Gate.compare(name, scores.get(name), limit, "max") for name, limit in limits.items()]


def _distribution_gates(scores: dict[str, Any], t: RealismThresholds) -> list[Gate]:
    """Gates on the sampled distribution scores."""
    gates = [
        Gate.compare("detection_auc", scores.get("detection_auc"), t.max_detection_auc, "max"),
        Gate.compare(
            "correlation_similarity",
            scores.get("correlation_similarity"),
            t.min_correlation_similarity,
            "min",
        ),
    ]
    if "columns_passed" in scores:
        gates.append(
            Gate(
                "column_similarity",
                scores.get("min_column_similarity"),
                t.min_column_similarity,
                "min",
                bool(scores["columns_passed"]),
            )
        )
    return gates


def _recommendations(report_gates: list[Gate], scores: dict[str, Any]) -> tuple[str, ...]:
    """Advice for each failed gate."""
    found = [
        f"{g.name}: {GATE_REGISTRY[g.name].advice}"
        for g in report_gates
        if not g.passed and g.name in GATE_REGISTRY and GATE_REGISTRY[g.name].advice
    ]
    for gate in report_gates:
        if gate.name == "relative_contrast" and not gate.passed:
            components = scores.get("reduced_components")
            reduced = scores.get("reduced_contrast")
            detail = (
                f" (90% of variance keeps {int(components)} components, contrast {reduced:.2f})"
                if components is not None and reduced is not None
                else ""
            )
            found.append(
                f"relative_contrast: nearest neighbours are barely closer than the farthest "
                f"rows ({gate.value:.2f} < {gate.threshold}); interpolate in a reduced space, "
                f"e.g. n_components=0.9{detail}"
            )
    return tuple(found)


def assess_realism(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    other_class: pd.DataFrame,
    target: str,
    *,
    cluster_column: str | None = CLUSTER_ID,
    thresholds: RealismThresholds | None = None,
    random_state: int = 0,
    caps: SampleCaps | None = None,
    detector: str = "auto",
    n_jobs: int | None = None,
) -> RealismReport:
    """Measure how realistic synthetic minority rows are, overall and per cluster.

    Everything is judged against ``real``, the real TRAINING rows of the same class
    (never the hold-out): domains, scales and neighbour distances are learnt from them
    (:mod:`~smote_pipeline.core.oversample.realism.space`: numeric columns standardised
    over real training rows of all classes, one-hot categoricals). The cost is bounded
    whatever the size of the training set (:class:`SampleCaps`).

    Parameters
    ----------
    real, synthetic, other_class : pandas.DataFrame
        Real training rows of the minority class (``row_id``, features, target,
        optionally ``cluster_id``); synthetic rows with the same features (usually
        ``row_id`` and provenance columns); real training rows of the other class(es),
        for the intrusion check (may be empty: not evaluated).
    target : str
        Target column (excluded from the features, like every reserved column).
    cluster_column : str or None, default="cluster_id"
        Column of ``synthetic`` grouping rows for the per-cluster table; when ``real``
        carries it too, each cluster is compared with its own real rows.
    thresholds : RealismThresholds or None
        Gate limits; ``RealismThresholds()`` when None.
    random_state : int, default=0
        Seed of every sample, fold and detector: same inputs, same report.
    caps : SampleCaps or None
        The sample caps; ``SampleCaps()`` when None.
    detector : {"auto", "hist_gradient_boosting", "logistic_regression"}
        Real-vs-synthetic classifier (:mod:`~smote_pipeline.core.oversample.realism.metrics`).
    n_jobs : int or None
        Native threads (OpenMP, BLAS) of the detector and brute-force distances;
        None: one (-1: every core). OpenMP busy-waiting collapses on a loaded
        machine (gradient boosting measured 30 times slower on two busy cores).

    Returns
    -------
    RealismReport
        Scores, gates, per-column, per-cluster and per-row tables.
    """
    features = feature_columns(real, target)
    _check_inputs(real, synthetic, other_class, features, detector)
    thresholds = thresholds or RealismThresholds()
    context = (thresholds, random_state, detector, _threads(n_jobs))
    with threadpool_limits(limits=_threads(n_jobs)):
        return _assess(
            real, synthetic, other_class, target, features, cluster_column, context, caps
        )


def _assess(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    other_class: pd.DataFrame,
    target: str,
    features: list[str],
    cluster_column: str | None,
    context: tuple[RealismThresholds, int, str, int],
    caps: SampleCaps | None,
) -> RealismReport:
    """:func:`assess_realism` after validation, inside the thread limit; ``context``:
    the thresholds, seed, detector and threads every metric step shares."""
    caps = caps or SampleCaps()
    real = real.reset_index(drop=True)
    synthetic = synthetic.reset_index(drop=True)
    other_class = other_class.reset_index(drop=True)
    rng = np.random.default_rng(context[1])
    sample = _IndexSample.draw(len(real), len(other_class), caps.index, rng)
    union = sample.rows(real, other_class, features)
    ctx = _Context(FeatureSpace.fit(real, target, scale_rows=union), *context)
    rows, row_scores, index_sizes = _row_flags(
        ctx, real, synthetic, other_class, (union, sample), caps, rng
    )
    dist_scores, columns, sample_sizes = _distribution_scores(
        ctx, real, synthetic, caps.sample, rng
    )
    scores = {**dist_scores, **row_scores, **_contrast_scores(ctx, real, rng)}
    clusters = _cluster_table(
        ctx, real, synthetic, rows, cluster_column, scores["real_intrusion_share"], rng
    )
    rows.insert(1, CLUSTER_ID, _cluster_of(synthetic, cluster_column))
    gates = _gates(scores, columns, ctx.thresholds)
    counts = {"real": len(real), "synthetic": len(synthetic), "other_class": len(other_class)}
    return RealismReport(
        scores=scores,
        gates=tuple(gates),
        columns=columns,
        clusters=clusters,
        rows=rows,
        thresholds=ctx.thresholds,
        sizes={**counts, **sample_sizes, **index_sizes},
        recommendations=_recommendations(gates, scores),
    )


def _cluster_of(synthetic: pd.DataFrame, cluster_column: str | None) -> Any:
    """Each synthetic row's cluster (NA without the column)."""
    if cluster_column is not None and cluster_column in synthetic.columns:
        return synthetic[cluster_column].to_numpy()
    return pd.array([pd.NA] * len(synthetic), dtype="Int64")


def _gates(
    scores: dict[str, Any], columns: pd.DataFrame, thresholds: RealismThresholds
) -> list[Gate]:
    """Every gate: the share gates, the distribution gates and the relative contrast."""
    gates = _share_gates(scores, thresholds, scores["real_intrusion_share"])
    gates += _distribution_gates(
        {**scores, "columns_passed": bool(columns["passed"].all())}, thresholds
    )
    contrast, floor = scores["relative_contrast"], thresholds.min_relative_contrast
    gates.append(Gate.compare("relative_contrast", contrast, floor, "min"))
    return gates


def _threads(n_jobs: int | None) -> int:
    """Native threads (OpenMP, BLAS) allowed: ``n_jobs``, one when None."""
    if n_jobs is None:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, n_jobs)
