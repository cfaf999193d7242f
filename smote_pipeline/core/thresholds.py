"""Limits of the realism gates: options a user may override, with their reasons.

A leaf (it imports nothing from the package): the options check
``realism_thresholds`` against these fields, and the realism checks apply them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RealismThresholds:
    """Limits of the realism gates, with the reasoning behind each default.

    Attributes
    ----------
    max_detection_auc : float, default=0.85
        Largest acceptable cross-validated AUC of the real-vs-synthetic
        detector. 0.5 is indistinguishable. Interpolation always leaves some
        trace (synthetic rows lie on segments, with less spread than real
        rows): SMOTE variants score 0.45-0.8 in ``benchmarks/bench_realism.py``,
        while a visibly shifted or collapsed distribution scores above 0.9.
        0.85 blocks the latter without failing ordinary interpolation.
    max_far_share : float, default=0.05
        Largest share of synthetic rows farther from every real row than
        ``far_quantile`` of real-to-real nearest-neighbour distances. A sample
        from the real distribution itself has about ``1 - far_quantile`` (1%)
        of such rows; 5% leaves room for sampling noise and tail interpolation,
        while bridging separate clusters typically puts 10-40% of rows there.
    max_near_copy_share : float, default=0.05
        Largest share of near-copies: exact copies of a real row, or rows
        closer to a real row than ``near_copy_fraction`` of the median
        real-to-real nearest-neighbour distance. Fresh real data has almost
        none; SMOTE puts about ``2 * near_copy_fraction * median / D`` of its
        rows there (an interpolation factor near 0 or 1 on a segment of length
        ``D``), about 1%; a generator that memorises (duplicates, tiny steps,
        random oversampling) goes far beyond 5%.
    max_intrusion_share : float, default=0.10
        Largest share of synthetic rows whose ``intrusion_neighbors`` nearest
        real rows (all classes) are mostly of another class. Such rows teach the
        model that majority territory is minority. 10% tolerates a modest
        overlap of the classes.
    intrusion_relative_to_real : bool, default=True
        Raise the intrusion limit to ``real_intrusion_share``, the share of
        REAL minority rows that are intrusions by the same measure, when that
        is larger: under heavy imbalance or overlap, real minority rows
        themselves sit among majority rows (30% on the subsampled breast
        cancer data), and synthetic rows should be judged against the real
        data, not against an ideal. The row flags still mark every intrusion;
        filter label noise first so the real share is honest.
    max_invalid_share : float, default=0.0
        Largest share of rows outside the real domain (range, categories,
        integer values, nulls). Zero: such a row cannot exist in real data.
    min_column_similarity : float, default=0.8
        Smallest acceptable per-column similarity (1 - KS or 1 - TV): a column
        fails when below it AND the difference is significant at
        ``column_alpha``. 0.8 allows the CDFs to differ by up to 0.2, the
        shrinkage interpolation causes, but not a shifted or collapsed column.
        The significance test keeps small samples (a few dozen rows, where a
        KS statistic of 0.3 is chance) from failing by noise.
    min_correlation_similarity : float, default=0.85
        Smallest acceptable correlation similarity: pairwise correlations may
        differ by 0.3 on average. Correlation estimates on small samples are
        noisy (standard error about ``1/sqrt(n)``), hence a tolerant default.
    min_relative_contrast : float, default=0.5
        Smallest mean relative contrast of real minority rows. Below it, the
        nearest neighbour is at most 1.5 times closer than the farthest row on
        average, so "neighbour" carries little meaning (uniform data reaches
        this around 100 dimensions). Not blocking: it recommends interpolating
        in a reduced space (``n_components``).
    near_copy_fraction : float, default=0.01
        Fraction of the median real nearest-neighbour distance below which a
        synthetic row is a near-copy (1% of the typical spacing of real rows:
        closer than real rows ever are to each other in practice).
    far_quantile : float, default=0.99
        Quantile of real nearest-neighbour distances above which a synthetic
        row is far (in an empty region).
    intrusion_neighbors : int, default=5
        Nearest real rows (all classes) consulted per synthetic row.
    intrusion_majority : float, default=0.5
        A row is an intrusion when the share of other-class rows among its
        neighbours exceeds this ("mostly": 3 of 5).
    column_alpha : float, default=0.01
        Significance level of the per-column tests (see ``min_column_similarity``).
    """

    max_detection_auc: float = 0.85
    max_far_share: float = 0.05
    max_near_copy_share: float = 0.05
    max_intrusion_share: float = 0.10
    intrusion_relative_to_real: bool = True
    max_invalid_share: float = 0.0
    min_column_similarity: float = 0.8
    min_correlation_similarity: float = 0.85
    min_relative_contrast: float = 0.5
    near_copy_fraction: float = 0.01
    far_quantile: float = 0.99
    intrusion_neighbors: int = 5
    intrusion_majority: float = 0.5
    column_alpha: float = 0.01

    def __post_init__(self) -> None:
        for name in (
            "max_detection_auc",
            "max_far_share",
            "max_near_copy_share",
            "max_intrusion_share",
            "max_invalid_share",
            "min_column_similarity",
            "min_correlation_similarity",
            "near_copy_fraction",
            "far_quantile",
            "intrusion_majority",
            "column_alpha",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"RealismThresholds.{name} must be in [0, 1], got {value!r}")
        if self.min_relative_contrast < 0:
            raise ValueError(
                "RealismThresholds.min_relative_contrast must be >= 0, "
                f"got {self.min_relative_contrast!r}"
            )
        if self.intrusion_neighbors < 1:
            raise ValueError(
                "RealismThresholds.intrusion_neighbors must be >= 1, "
                f"got {self.intrusion_neighbors!r}"
            )
