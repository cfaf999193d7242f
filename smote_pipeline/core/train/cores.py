"""One fit on several cores that stores the same model as a fit on one core.

Cross-validation spreads its folds over ``cv_n_jobs`` processes; a refit on
every training row is a single fit, so it would use one core. The ensembles
whose members are independent and seeded before they are built (the trees of
a random forest, the members of a bagging ensemble: scikit-learn's
``RandomForestClassifier`` and ``BaggingClassifier`` and imbalanced-learn's
subclasses) build them in ``n_jobs`` threads instead: the same trees, in the
same order.

Nothing else is parallelised. A thread count would be stored in a fitted
model and change its bytes: HistGradientBoosting's bin mapper keeps its
OpenMP thread count, and a k-d tree of a sampler's neighbour search counts
its queries, which a threaded query splits into chunks. The same seed must
give the same bytes under every executor (the Celery test compares them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.ensemble import BaggingClassifier, RandomForestClassifier

__all__ = ["fit_on_cores"]

#: Ensembles whose members are built in joblib threads, identically to one thread.
THREADED_ENSEMBLES = (RandomForestClassifier, BaggingClassifier)


def _ensembles(value: Any, seen: set[int]) -> Iterator[BaseEstimator]:
    """Every threaded ensemble in ``value``: in its parameters and fitted attributes."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, BaseEstimator):
        if isinstance(value, THREADED_ENSEMBLES):
            yield value
        for item in vars(value).values():
            yield from _ensembles(item, seen)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _ensembles(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _ensembles(item, seen)


def fit_on_cores(model: Any, X: Any, y: Any, n_jobs: int) -> Any:
    """``model.fit(X, y)`` with its forests and bagging ensembles on ``n_jobs`` threads.

    Each such ensemble that leaves ``n_jobs`` at None (the pipeline builds
    them so) gets ``n_jobs`` for the fit, and every one in the fitted model
    (clones made during the fit included) is given None back, so the stored
    parameters are those of a fit on one core.

    Returns
    -------
    estimator
        ``model``, fitted.
    """
    if n_jobs <= 1:
        return model.fit(X, y)
    for ensemble in _ensembles(model, set()):
        if ensemble.n_jobs is None:
            ensemble.n_jobs = n_jobs
    try:
        return model.fit(X, y)
    finally:
        for ensemble in _ensembles(model, set()):
            if ensemble.n_jobs == n_jobs:
                ensemble.n_jobs = None
