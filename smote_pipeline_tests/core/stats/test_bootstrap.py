from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from smote_pipeline.core.stats.bootstrap import stratified_weights, weighted_metrics


@pytest.mark.parametrize("ties", [False, True])
def test_weighted_metrics_equal_scikit_learn(ties):
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=150) < 0.2).astype(int)
    proba = np.clip(0.3 * y + rng.uniform(size=150) * 0.7, 0, 1)
    if ties:
        proba = np.round(proba, 1)
    weights = stratified_weights(y, 20, 1)
    got = weighted_metrics(y, proba, weights)
    for i, w in enumerate(weights):
        assert got["average_precision"][i] == pytest.approx(
            average_precision_score(y, proba, sample_weight=w)
        )
        assert got["roc_auc"][i] == pytest.approx(roc_auc_score(y, proba, sample_weight=w))
        assert got["brier"][i] == pytest.approx(brier_score_loss(y, proba, sample_weight=w))


def test_stratified_weights_keep_class_counts():
    y = np.array([0] * 30 + [1] * 5)
    weights = stratified_weights(y, 100, 0)
    np.testing.assert_array_equal(weights[:, y == 1].sum(axis=1), 5)
    np.testing.assert_array_equal(weights[:, y == 0].sum(axis=1), 30)
    np.testing.assert_array_equal(weights, stratified_weights(y, 100, 0))


def test_threshold_metrics_equal_scikit_learn():
    from sklearn.metrics import f1_score, matthews_corrcoef, precision_score, recall_score

    from smote_pipeline.core.stats.bootstrap import weighted_threshold_metrics

    rng = np.random.default_rng(3)
    y = (rng.uniform(size=120) < 0.25).astype(int)
    predicted = np.where(rng.uniform(size=120) < 0.8, y, 1 - y)
    weights = stratified_weights(y, 15, 2)
    got = weighted_threshold_metrics(y, predicted, weights)
    for i, w in enumerate(weights):
        assert got["precision"][i] == pytest.approx(precision_score(y, predicted, sample_weight=w))
        assert got["recall"][i] == pytest.approx(recall_score(y, predicted, sample_weight=w))
        assert got["f1"][i] == pytest.approx(f1_score(y, predicted, sample_weight=w))
        assert got["mcc"][i] == pytest.approx(matthews_corrcoef(y, predicted, sample_weight=w))
        specificity = w[(y == 0) & (predicted == 0)].sum() / w[y == 0].sum()
        assert got["g_mean"][i] == pytest.approx(np.sqrt(got["recall"][i] * specificity))


def test_recall_at_precision_matches_the_curve():
    from sklearn.metrics import precision_recall_curve

    rng = np.random.default_rng(5)
    y = (rng.uniform(size=200) < 0.2).astype(int)
    proba = np.clip(0.4 * y + rng.uniform(size=200) * 0.6, 0, 1)
    got = weighted_metrics(y, proba, np.ones((1, 200)), min_precision=0.8)
    precision, recall, _ = precision_recall_curve(y, proba)
    assert got["recall_at_precision"][0] == pytest.approx(recall[precision >= 0.8].max())


def test_weights_are_one_byte_counts_and_chunks_change_no_value(monkeypatch):
    from smote_pipeline.core.stats import bootstrap

    rng = np.random.default_rng(7)
    y = (rng.uniform(size=600) < 0.1).astype(int)
    proba = np.clip(0.3 * y + rng.uniform(size=600) * 0.7, 0, 1)
    draws = np.random.default_rng(3)  # the whole draw at once, per class: row numbers, counted
    reference = np.zeros((50, len(y)))
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        drawn = draws.integers(0, len(rows), size=(50, len(rows)))
        for i in range(50):
            reference[i, rows] = np.bincount(drawn[i], minlength=len(rows))
    weights = stratified_weights(y, 50, 3)
    assert weights.dtype == np.uint8
    np.testing.assert_array_equal(weights, reference)
    whole = weighted_metrics(y, proba, weights, min_precision=0.5)
    decisions = bootstrap.weighted_threshold_metrics(y, (proba > 0.5).astype(int), weights)
    monkeypatch.setattr(bootstrap, "CHUNK_ELEMENTS", 700)  # one resample per chunk
    np.testing.assert_array_equal(stratified_weights(y, 50, 3), reference)
    for name, values in weighted_metrics(y, proba, weights, min_precision=0.5).items():
        np.testing.assert_allclose(values, whole[name], rtol=1e-12)
    chunked = bootstrap.weighted_threshold_metrics(y, (proba > 0.5).astype(int), weights)
    for name, values in chunked.items():
        np.testing.assert_allclose(values, decisions[name], rtol=1e-12)


def test_ranking_metrics_of_a_single_class_are_undefined_and_brier_is_not():
    y, proba = np.zeros(20, dtype=int), np.linspace(0, 1, 20)
    got = weighted_metrics(y, proba, np.ones((3, 20)), min_precision=0.5)
    assert set(got) == {"average_precision", "roc_auc", "brier", "recall_at_precision"}
    ranking = [got[k] for k in ("average_precision", "roc_auc", "recall_at_precision")]
    assert all(np.isnan(v).all() and v.shape == (3,) for v in ranking)
    np.testing.assert_allclose(got["brier"], brier_score_loss(y, proba))


def test_entities_are_resampled_whole_and_widen_the_interval():
    """30 rows for each of 40 customers whose risk and score are the customer's: rows
    of one customer are one piece of evidence, so resampling rows would claim 30 times
    the evidence there is."""
    rng = np.random.default_rng(0)
    entity = np.repeat(np.arange(40), 30)
    risk = rng.normal(size=40)[entity]
    y = (rng.random(len(entity)) < 1 / (1 + np.exp(-(risk * 2 - 2)))).astype(int)
    proba = 1 / (1 + np.exp(-(risk + rng.normal(scale=1.5, size=40)[entity])))
    rows = stratified_weights(y, 400, 0)
    entities = stratified_weights(y, 400, 0, groups=entity)
    for w in entities[:20]:  # a customer's rows are drawn together
        assert all(len(set(w[entity == e])) == 1 for e in range(40))
    assert (entities[:, y == 1].sum(axis=1) > 0).all() and (
        entities[:, y == 0].sum(axis=1) > 0
    ).all()
    width = []
    for weights in (rows, entities):
        ap = weighted_metrics(y, proba, weights)["average_precision"]
        width.append(np.percentile(ap, 97.5) - np.percentile(ap, 2.5))
    assert width[1] > 2 * width[0]
