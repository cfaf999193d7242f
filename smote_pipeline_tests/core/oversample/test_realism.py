from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE

from smote_pipeline.core.oversample.expectations import build_suite, validate_frame
from smote_pipeline.core.oversample.realism import RealismThresholds, SampleCaps, assess_realism
from smote_pipeline.core.oversample.realism.metrics import detection_auc, relative_contrast
from smote_pipeline.core.oversample.realism.report import RealismSummary

TARGET = "label"
CENTRES = np.array([[-3.0, -3.0], [3.0, 3.0]])


def _frame(values: np.ndarray, label: int, start: int, columns=("x1", "x2")) -> pd.DataFrame:
    frame = pd.DataFrame(values, columns=list(columns))
    frame.insert(0, "row_id", np.arange(start, start + len(frame)))
    frame[TARGET] = label
    return frame


def two_cluster_data(n_per_cluster: int = 40, n_majority: int = 400, seed: int = 0):
    """Minority: two tight clusters far apart; majority: a blob between them."""
    rng = np.random.default_rng(seed)
    minority = np.vstack([rng.normal(c, 0.3, size=(n_per_cluster, 2)) for c in CENTRES])
    real = _frame(minority, 1, 0)
    real["cluster_id"] = np.repeat([0, 1], n_per_cluster)
    other = _frame(rng.normal(0.0, 1.0, size=(n_majority, 2)), 0, len(real))
    return real, other


def within_cluster_synthetic(real: pd.DataFrame, n: int, seed: int = 1) -> pd.DataFrame:
    """SMOTE-like rows whose two parents always come from one cluster."""
    rng = np.random.default_rng(seed)
    parts = []
    for cluster, rows in real.groupby("cluster_id"):
        values = rows[["x1", "x2"]].to_numpy()
        a = rng.integers(0, len(values), n // 2)
        b = (a + rng.integers(1, len(values), n // 2)) % len(values)  # never a itself
        lam = rng.random((n // 2, 1))
        parts.append(
            pd.DataFrame(values[a] + lam * (values[b] - values[a]), columns=["x1", "x2"]).assign(
                cluster_id=cluster
            )
        )
    synthetic = pd.concat(parts, ignore_index=True)
    synthetic.insert(0, "row_id", -np.arange(1, len(synthetic) + 1))
    synthetic[TARGET] = 1
    return synthetic


def plain_smote_synthetic(real: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """imbalanced-learn SMOTE with more neighbours than a cluster has: it bridges clusters."""
    both = pd.concat([real.drop(columns="cluster_id"), other], ignore_index=True)
    X_res, _ = SMOTE(k_neighbors=60, random_state=0).fit_resample(both[["x1", "x2"]], both[TARGET])
    synthetic = X_res.iloc[len(both) :].reset_index(drop=True)
    synthetic.insert(0, "row_id", -np.arange(1, len(synthetic) + 1))
    synthetic[TARGET] = 1
    return synthetic


@pytest.fixture(scope="module")
def clusters():
    return two_cluster_data()


def test_plain_smote_bridging_clusters_fails(clusters):
    real, other = clusters
    report = assess_realism(real, plain_smote_synthetic(real, other), other, TARGET)
    assert not report.passed
    assert {"far_share", "intrusion_share"} & set(report.failed_gates)
    assert report.scores["far_share"] > 0.05
    assert report.scores["intrusion_share"] > 0.10
    # the flagged rows are the bridges: far from both cluster centres
    flagged = report.rows["far"] | report.rows["intrusion"]
    synthetic = plain_smote_synthetic(real, other)
    distance = np.min(
        np.linalg.norm(synthetic[["x1", "x2"]].to_numpy()[:, None, :] - CENTRES, axis=2), axis=1
    )
    assert distance[flagged.to_numpy()].min() > 1.0
    assert any("far_share" in advice or "intrusion" in advice for advice in report.recommendations)
    # a failed blocking gate holds back every synthetic row, naming the gates
    held = report.rows_to_drop()
    assert set(held["row_id"]) == set(synthetic["row_id"])
    assert held["reason"].str.startswith("held back: blocking realism gate(s) ").all()


def test_within_cluster_interpolation_passes(clusters):
    real, other = clusters
    synthetic = within_cluster_synthetic(real, 400)
    report = assess_realism(real, synthetic, other, TARGET)
    assert report.passed, (report.failed_gates, report.scores)
    assert len(report.rows_to_drop()) < len(synthetic)  # only rows failing a row-level check
    assert report.scores["far_share"] <= 0.05
    assert report.scores["intrusion_share"] <= 0.10
    assert report.scores["near_copy_share"] <= 0.05
    assert report.scores["invalid_share"] == 0.0
    # per cluster: both clusters present, compared with their own real rows
    table = report.clusters
    assert list(table["cluster_id"]) == [0, 1]
    assert table["n_synthetic"].tolist() == [200, 200]
    assert table["n_real"].tolist() == [40, 40]
    assert table["passed"].all()
    assert table["detection_auc"].notna().all()


def test_bridging_cluster_shows_in_cluster_table(clusters):
    real, other = clusters
    good = within_cluster_synthetic(real, 200)
    rng = np.random.default_rng(3)
    lam = rng.uniform(0.3, 0.7, size=(100, 1))
    bridges = _frame(CENTRES[0] + lam * (CENTRES[1] - CENTRES[0]), 1, -1000)
    bridges["row_id"] = -np.arange(1000, 1100)
    bridges["cluster_id"] = 7
    report = assess_realism(real, pd.concat([good, bridges], ignore_index=True), other, TARGET)
    table = report.clusters.set_index("cluster_id")
    assert table.loc[7, "far_share"] == 1.0
    assert not table.loc[7, "passed"]
    assert table.loc[[0, 1], "passed"].all()
    assert "far_share" in table.loc[7, "failed_gates"]


def _mixed_real(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    real = pd.DataFrame(
        {
            "row_id": np.arange(n),
            "x": rng.uniform(0.0, 10.0, n),
            "count": rng.integers(0, 5, n).astype(np.int64),
            "colour": rng.choice(["red", "blue"], n),
            TARGET: 1,
        }
    )
    return real


def test_domain_violations_are_flagged_with_reasons():
    real = _mixed_real()
    other = _mixed_real(seed=1).assign(**{TARGET: 0, "row_id": np.arange(100, 160)})
    synthetic = pd.DataFrame(
        {
            "row_id": [-1, -2, -3, -4, -5],
            "x": [5.0, 50.0, 5.0, 5.0, None],
            "count": [2.0, 2.0, 2.0, 2.5, 1.0],
            "colour": ["red", "red", "purple", "blue", "red"],
            TARGET: 1,
        }
    )
    report = assess_realism(real, synthetic, other, TARGET)
    rows = report.rows.set_index("row_id")
    assert rows["domain_ok"].tolist() == [True, False, False, False, False]
    assert "out_of_range(x)" in rows.loc[-2, "reason"]
    assert "invalid_category(colour)" in rows.loc[-3, "reason"]
    assert "non_integer(count)" in rows.loc[-4, "reason"]
    assert "null(x)" in rows.loc[-5, "reason"]
    assert report.scores["invalid_share"] == pytest.approx(0.8)
    assert "invalid_share" in report.failed_gates
    dropped = report.rows_to_drop()
    assert set(dropped["row_id"]) >= {-2, -3, -4, -5}
    kinds = dict(zip(report.columns["column"], report.columns["kind"], strict=True))
    assert kinds == {"x": "numeric", "count": "integer", "colour": "categorical"}

    outcome = validate_frame(synthetic, build_suite(real, TARGET, integer_columns="auto"), TARGET)
    assert not outcome.success
    failed = {(r["expectation"], r["column"]) for r in outcome.failed}
    assert ("expect_column_values_to_be_between", "x") in failed
    assert ("expect_column_values_to_be_in_set", "colour") in failed
    assert ("expect_column_values_to_be_between", "count") in failed  # integer residual
    assert ("expect_column_values_to_not_be_null", "x") in failed


def test_exact_copies_are_near_copies_and_fail_the_suite():
    real = _mixed_real()
    other = _mixed_real(seed=1).assign(**{TARGET: 0, "row_id": np.arange(100, 160)})
    copies = real.iloc[:5].assign(row_id=-np.arange(1, 6))
    fresh = _mixed_real(n=20, seed=5).assign(row_id=-np.arange(6, 26))
    fresh["x"] = fresh["x"].clip(real["x"].min(), real["x"].max())
    synthetic = pd.concat([copies, fresh], ignore_index=True)
    report = assess_realism(real, synthetic, other, TARGET)
    rows = report.rows
    assert rows["exact_copy"].tolist()[:5] == [True] * 5
    assert rows["near_copy"].iloc[:5].all()
    assert rows["reason"].iloc[:5].str.contains("exact_copy").all()
    assert set(report.rows_to_drop()["row_id"]) >= set(range(-5, 0))
    assert report.scores["exact_copy_share"] == pytest.approx(5 / 25)
    assert "near_copy_share" in report.warned_gates  # a warning; the copies are dropped

    suite = build_suite(real, TARGET, forbid_copies=True)
    outcome = validate_frame(synthetic, suite, TARGET)
    no_copy = [r for r in outcome.results if r["column"] == "__row_hash__"]
    assert len(no_copy) == 1 and not no_copy[0]["success"]
    assert no_copy[0]["unexpected_count"] == 5
    assert validate_frame(fresh, suite, TARGET).success


def test_near_copies_without_exact_equality_are_flagged(clusters):
    real, other = clusters
    jitter = real.iloc[:10].copy()
    jitter["x1"] += 1e-6
    jitter["row_id"] = -np.arange(1, 11)
    synthetic = pd.concat([jitter, within_cluster_synthetic(real, 100)], ignore_index=True)
    report = assess_realism(real, synthetic, other, TARGET)
    assert report.rows["near_copy"].iloc[:10].all()
    assert not report.rows["exact_copy"].iloc[:10].any()


def test_detection_auc_half_for_same_distribution_and_high_when_shifted():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(1000, 4))
    same = rng.normal(size=(1000, 4))
    shifted = rng.normal(size=(1000, 4)) + np.array([1.5, 0.0, 0.0, 0.0])
    assert abs(detection_auc(real, same) - 0.5) < 0.07
    assert detection_auc(real, shifted) > 0.8


def test_detection_gate_through_assess_realism():
    rng = np.random.default_rng(0)
    real = _frame(rng.normal(size=(600, 3)), 1, 0, columns=("a", "b", "c"))
    other = _frame(rng.normal(5.0, 1.0, size=(600, 3)), 0, 600, columns=("a", "b", "c"))
    same = _frame(rng.normal(size=(600, 3)), 1, -600, columns=("a", "b", "c"))
    for column in "abc":  # independent draws overshoot the real range: keep the domain
        same[column] = same[column].clip(real[column].min(), real[column].max())
    shifted = _frame(rng.normal(size=(600, 3)) * 0.3 + 0.8, 1, -600, columns=("a", "b", "c"))
    good = assess_realism(real, same, other, TARGET)
    bad = assess_realism(real, shifted, other, TARGET)
    assert good.scores["detection_auc"] < 0.6
    assert good.passed, good.failed_gates
    assert bad.scores["detection_auc"] > 0.9
    assert bad.failed_gates == ["detection_auc"] and "column_similarity" in bad.warned_gates
    assert bad.columns["passed"].eq(False).all()


def test_relative_contrast_drops_with_dimension():
    rng = np.random.default_rng(0)
    low = relative_contrast(rng.uniform(size=(500, 2)))
    high = relative_contrast(rng.uniform(size=(500, 500)))
    assert low > 10
    assert high < 0.5
    assert high < low / 50


def test_low_contrast_recommends_reduced_space():
    rng = np.random.default_rng(0)
    columns = [f"f{i}" for i in range(300)]
    real = _frame(rng.uniform(size=(150, 300)), 1, 0, columns=columns)
    other = _frame(rng.uniform(size=(150, 300)) + 0.5, 0, 150, columns=columns)
    synthetic = _frame(rng.uniform(size=(50, 300)), 1, -50, columns=columns)
    report = assess_realism(real, synthetic, other, TARGET, caps=SampleCaps(sample=200))
    gate = {g.name: g for g in report.gates}["relative_contrast"]
    assert not gate.passed and not gate.blocking
    assert "relative_contrast" not in report.failed_gates
    assert any("n_components" in advice for advice in report.recommendations)
    assert report.scores["reduced_components"] is not None


def test_same_seed_same_report(clusters):
    real, other = clusters
    synthetic = plain_smote_synthetic(real, other)
    first = assess_realism(
        real, synthetic, other, TARGET, random_state=3, caps=SampleCaps(sample=50)
    )
    second = assess_realism(
        real, synthetic, other, TARGET, random_state=3, caps=SampleCaps(sample=50)
    )
    assert first.summary().to_dict() == second.summary().to_dict()
    pd.testing.assert_frame_equal(first.rows, second.rows)
    pd.testing.assert_frame_equal(first.columns, second.columns)


def test_summary_is_json_and_reads_back(clusters):
    real, other = clusters
    report = assess_realism(real, plain_smote_synthetic(real, other), other, TARGET)
    payload = json.loads(json.dumps(report.summary().to_dict(), allow_nan=False))
    assert payload["passed"] is False
    assert len(payload["rows_to_drop"]) == len(report.rows_to_drop()) > 0
    assert {c["column"] for c in payload["columns"]} == {"x1", "x2"}
    assert payload["thresholds"]["max_far_share"] == RealismThresholds().max_far_share
    back = RealismSummary.from_dict(payload)
    assert back.failed_gates == report.failed_gates and back.gates == report.gates
    pd.testing.assert_frame_equal(back.drop_table(), report.rows_to_drop())


def test_sampling_caps_bound_the_cost_on_200k_rows():
    rng = np.random.default_rng(0)
    n_minority, n_other, n_synthetic = 20_000, 180_000, 30_000
    real = _frame(rng.normal(3.0, 1.0, size=(n_minority, 4)), 1, 0, columns="abcd")
    other = _frame(rng.normal(0.0, 1.0, size=(n_other, 4)), 0, n_minority, columns="abcd")
    synthetic = _frame(rng.normal(3.0, 0.9, size=(n_synthetic, 4)), 1, -n_synthetic, "abcd")
    start = time.perf_counter()
    report = assess_realism(
        real, synthetic, other, TARGET, caps=SampleCaps(sample=1_000, index=10_000)
    )
    elapsed = time.perf_counter() - start
    assert len(report.rows) == n_synthetic  # every synthetic row is flagged
    assert report.sizes["real_sampled"] == 1_000
    assert report.sizes["synthetic_sampled"] == 1_000
    assert report.sizes["class_index"] == 10_000
    assert report.sizes["intrusion_index"] == 10_000
    assert report.sizes["nn_reference"] == 1_000
    assert elapsed < 30, elapsed


def test_without_other_class_intrusion_is_not_evaluated(clusters):
    real, _ = clusters
    report = assess_realism(real, within_cluster_synthetic(real, 50), real.iloc[:0], TARGET)
    assert report.scores["intrusion_share"] is None
    gate = {g.name: g for g in report.gates}["intrusion_share"]
    assert gate.passed and not gate.evaluated
    assert not report.rows["intrusion"].any()


def test_empty_synthetic_is_a_defined_result(clusters):
    real, other = clusters
    report = assess_realism(real, real.iloc[:0], other, TARGET)
    assert report.rows.empty
    assert report.passed
    assert report.rows_to_drop().empty


def test_missing_feature_column_is_refused(clusters):
    real, other = clusters
    with pytest.raises(ValueError, match=r"synthetic lacks feature columns \['x2'\]"):
        assess_realism(real, real.drop(columns="x2"), other, TARGET)
    with pytest.raises(ValueError, match="real is empty"):
        assess_realism(real.iloc[:0], real, other, TARGET)
    with pytest.raises(ValueError, match="detector"):
        assess_realism(real, real, other, TARGET, detector="forest")


def test_thresholds_are_validated():
    with pytest.raises(ValueError, match="max_far_share"):
        RealismThresholds(max_far_share=1.5)
    with pytest.raises(ValueError, match="intrusion_neighbors"):
        RealismThresholds(intrusion_neighbors=0)


def test_intrusion_limit_follows_the_real_overlap():
    rng = np.random.default_rng(0)
    real = _frame(rng.normal(0.0, 1.0, size=(150, 2)), 1, 0)
    other = _frame(rng.normal(1.5, 1.0, size=(600, 2)), 0, 150)
    synthetic = _frame(rng.normal(-0.3, 0.7, size=(300, 2)), 1, -300)
    for column in ("x1", "x2"):
        synthetic[column] = synthetic[column].clip(real[column].min(), real[column].max())
    relative = assess_realism(real, synthetic, other, TARGET)
    assert relative.scores["real_intrusion_share"] > 0.3
    assert relative.scores["intrusion_share"] > 0.1
    gate = {g.name: g for g in relative.gates}["intrusion_share"]
    assert gate.threshold == pytest.approx(relative.scores["real_intrusion_share"])
    assert gate.passed
    strict = assess_realism(
        real,
        synthetic,
        other,
        TARGET,
        thresholds=RealismThresholds(intrusion_relative_to_real=False),
    )
    assert "intrusion_share" in strict.warned_gates
    # the row flags are the same either way
    pd.testing.assert_series_equal(relative.rows["intrusion"], strict.rows["intrusion"])


def test_distance_sample_leaves_far_unmeasured_but_flags_every_near_copy(clusters):
    real, other = clusters
    synthetic = within_cluster_synthetic(real, 400)
    synthetic.loc[399, ["x1", "x2"]] = real.loc[0, ["x1", "x2"]].to_numpy() + 1e-7
    report = assess_realism(real, synthetic, other, TARGET, caps=SampleCaps(distance=100))
    rows = report.rows
    assert report.sizes["distance_measured"] == 100
    assert rows["far"].notna().sum() == 100 and rows["dcr"].notna().sum() == 100
    assert rows["near_copy"].iloc[399]  # near-copies: every row, measured or not
    assert len(report.rows_to_drop(include_far=True)) >= len(report.rows_to_drop())


def test_cluster_aware_smote_passes_where_bridging_smote_fails(clusters):
    """The product's own sampler, same data and neighbour count as the failing SMOTE."""
    from smote_pipeline import ClusterAwareSMOTE

    real, other = clusters
    both = pd.concat([real.drop(columns="cluster_id"), other], ignore_index=True)
    sampler = ClusterAwareSMOTE(k_neighbors=60, random_state=0)
    X_res, _ = sampler.fit_resample(both[["x1", "x2"]], both[TARGET])
    synthetic = X_res.iloc[len(both) :].reset_index(drop=True)
    synthetic.insert(0, "row_id", -np.arange(1, len(synthetic) + 1))
    synthetic[TARGET] = 1
    report = assess_realism(real, synthetic, other, TARGET)
    assert report.passed, (report.failed_gates, report.scores)
    assert report.scores["far_share"] <= 0.05
    assert report.scores["intrusion_share"] <= 0.10
    bridging = assess_realism(real, plain_smote_synthetic(real, other), other, TARGET)
    assert not bridging.passed


def test_blocking_is_one_fact_for_the_report_and_the_checks():
    from smote_pipeline.core.oversample.realism import gating
    from smote_pipeline.core.oversample.realism.report import GATE_SPECS, Gate

    assert gating.BLOCKING_GATES == {"invalid_share", "far_share", "detection_auc"}
    assert gating.GATES == tuple(g.name for g in GATE_SPECS)
    for spec in GATE_SPECS:
        assert Gate(spec.name, 1.0, 0.5, "max", False).blocking == spec.blocking
