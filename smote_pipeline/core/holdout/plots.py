"""Figures of the report, rendered to PNG bytes with matplotlib's Agg backend."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def precision_recall_plot(curves: dict[str, dict[str, list[float]]], prevalence: float) -> bytes:
    """Precision-recall curves of every strategy on the hold-out, as PNG bytes."""
    figure, axis = plt.subplots(figsize=(6, 4.5))
    for name, curve in curves.items():
        axis.step(curve["recall"], curve["precision"], where="post", label=name)
    axis.axhline(prevalence, color="grey", linestyle=":", label="chance")
    axis.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
    axis.set_title("Precision-recall on the real hold-out")
    axis.legend(loc="lower left", fontsize="small")
    return _png(figure)


def projection_plot(real: np.ndarray, synthetic: np.ndarray, real_clusters: np.ndarray) -> bytes:
    """Real vs synthetic minority rows in the first two principal components.

    The PCA is fitted on the real minority rows only, so synthetic points that
    land in empty regions between real clusters are visible as such.

    Parameters
    ----------
    real : ndarray of shape (n_real, n_features)
        Real minority rows (numeric).
    synthetic : ndarray of shape (n_synthetic, n_features)
        Synthetic minority rows (numeric, same columns).
    real_clusters : ndarray of shape (n_real,)
        Cluster id of each real row.
    """
    n_components = min(2, real.shape[1], max(len(real) - 1, 1))
    pca = PCA(n_components=n_components).fit(real)
    real_2d, synthetic_2d = pca.transform(real), pca.transform(synthetic)
    if n_components == 1:
        real_2d = np.hstack([real_2d, np.zeros_like(real_2d)])
        synthetic_2d = np.hstack([synthetic_2d, np.zeros_like(synthetic_2d)])
    figure, axis = plt.subplots(figsize=(6, 4.5))
    axis.scatter(
        synthetic_2d[:, 0], synthetic_2d[:, 1], s=10, c="tab:orange", alpha=0.5, label="synthetic"
    )
    axis.scatter(
        real_2d[:, 0],
        real_2d[:, 1],
        s=28,
        c=real_clusters,
        cmap="tab10",
        edgecolors="black",
        linewidths=0.5,
        label="real (colour = cluster)",
    )
    axis.set(xlabel="PC 1", ylabel="PC 2")
    axis.set_title("Minority rows: real vs synthetic (PCA of real rows)")
    axis.legend(loc="best", fontsize="small")
    return _png(figure)


def calibration_plot(calibration: dict[str, dict[str, list[float]]]) -> bytes:
    """Reliability curves (observed vs predicted positive rate) on the hold-out, as PNG bytes.

    Parameters
    ----------
    calibration : dict
        Strategy -> ``{"predicted": [...], "observed": [...]}`` (quantile bins).
    """
    figure, axis = plt.subplots(figsize=(6, 4.5))
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    for name, points in calibration.items():
        axis.plot(points["predicted"], points["observed"], marker="o", markersize=3, label=name)
    axis.set(xlabel="mean predicted probability", ylabel="observed positive rate")
    axis.set(xlim=(0, 1), ylim=(0, 1.02))
    axis.set_title("Calibration on the real hold-out")
    axis.legend(loc="upper left", fontsize="small")
    return _png(figure)


def difference_plot(verdicts: list[dict[str, object]]) -> bytes:
    """Differences in average precision against the baseline with their intervals, as PNG.

    Parameters
    ----------
    verdicts : list of dict
        ``strategy``, ``baseline``, ``difference``, ``low``, ``high``, ``verdict`` and
        ``level`` (the intervals' confidence level, 95% when absent).
    """
    colours = {"helped": "tab:green", "hurt": "tab:red"}
    figure, axis = plt.subplots(figsize=(6, 0.5 + 0.45 * max(len(verdicts), 1)))
    for i, v in enumerate(verdicts):
        colour = colours.get(str(v["verdict"]), "tab:grey")
        axis.plot([v["low"], v["high"]], [i, i], color=colour, linewidth=2.5)
        axis.plot([v["difference"]], [i], marker="o", color=colour)
    axis.axvline(0.0, color="black", linewidth=0.8)
    axis.set_yticks(range(len(verdicts)), [str(v["strategy"]) for v in verdicts])
    baseline = verdicts[0]["baseline"] if verdicts else "baseline"
    level = float(verdicts[0].get("level", 0.95)) if verdicts else 0.95
    axis.set_xlabel(
        f"hold-out average precision minus {baseline} ({level:.1%} paired bootstrap, jointly 95%)"
    )
    axis.set_ylim(-0.6, len(verdicts) - 0.4)
    return _png(figure)


def column_distributions_plot(real: Any, synthetic: Any, columns: list[str]) -> bytes:
    """Histograms of real vs synthetic values for a few columns, as PNG bytes.

    Numeric columns share bins per panel (missing values left out); categorical
    ones show level shares.
    """
    figure, axes = plt.subplots(1, len(columns), figsize=(4 * len(columns), 3), squeeze=False)
    for axis, column in zip(axes[0], columns, strict=True):
        values = real[column]
        if values.dtype.kind in "biuf":
            real_values, synthetic_values = (
                v[np.isfinite(v)]
                for v in (values.to_numpy(float), synthetic[column].to_numpy(float))
            )
            both = np.concatenate([real_values, synthetic_values])
            if both.size:  # missing values are left out (the gates compare null shares)
                bins = np.histogram_bin_edges(both, bins=20)
                for shown, name in ((real_values, "real"), (synthetic_values, "synthetic")):
                    if shown.size:
                        axis.hist(shown, bins=bins, density=True, alpha=0.6, label=name)
        else:
            levels = sorted(set(values.astype(str)) | set(synthetic[column].astype(str)))
            shares = [
                values.astype(str).value_counts(normalize=True).reindex(levels, fill_value=0),
                synthetic[column]
                .astype(str)
                .value_counts(normalize=True)
                .reindex(levels, fill_value=0),
            ]
            x = np.arange(len(levels))
            axis.bar(x - 0.2, shares[0], width=0.4, label="real")
            axis.bar(x + 0.2, shares[1], width=0.4, label="synthetic")
            axis.set_xticks(x, levels, rotation=45)
        axis.set_title(column)
    axes[0][0].legend(fontsize="small")
    figure.suptitle("Least similar columns: real vs synthetic minority rows")
    return _png(figure)
