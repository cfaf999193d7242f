"""Imbalance strategies as scikit-learn / imbalanced-learn pipelines.

Every strategy is a pipeline whose samplers only act during ``fit``, so when it
is cross-validated, resampling, noise filtering and clustering happen inside
each training fold and never touch the fold that scores it.
"""

from __future__ import annotations

import numpy as np
from imblearn.over_sampling import SMOTE, SMOTENC
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

#: Strategy names, ordered from simplest to most invasive. Model selection
#: prefers the earlier one when scores are statistically indistinguishable.
STRATEGY_NAMES: tuple[str, ...] = (
    "no_resampling",
    "class_weight",
    "random_undersampling",
    "smote",
    "cluster_smote",
)

#: Strategies that add synthetic rows (the ones "did SMOTE help?" is about).
OVERSAMPLING_STRATEGIES: frozenset[str] = frozenset({"smote", "cluster_smote"})

#: Strategies that train on the real rows unchanged.
BASELINE_STRATEGIES: frozenset[str] = frozenset({"no_resampling", "class_weight"})


def build_classifier(
    model: str,
    features: list[str],
    categorical: list[str],
    *,
    random_state: int,
    class_weight: str | None = None,
) -> BaseEstimator:
    """The model family with its preprocessing, as one estimator on DataFrames.

    Parameters
    ----------
    model : {"hist_gradient_boosting", "logistic_regression"}
        Model family.
    features : list of str
        Feature columns, in order.
    categorical : list of str
        The categorical ones among ``features``.
    random_state : int
        Seed of the model.
    class_weight : {"balanced"} or None
        Passed to the model.

    Returns
    -------
    estimator
        A scikit-learn estimator with ``predict_proba``.
    """
    numeric = [c for c in features if c not in categorical]
    if model == "logistic_regression":
        encode = ColumnTransformer(
            [
                ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
                ("numeric", StandardScaler(), numeric),
            ]
        )
        clf = LogisticRegression(max_iter=2000, class_weight=class_weight)
        return Pipeline([("encode", encode), ("model", clf)])
    mask = np.array([True] * len(categorical) + [False] * len(numeric), dtype=bool)
    clf = HistGradientBoostingClassifier(
        random_state=random_state,
        class_weight=class_weight,
        categorical_features=mask if categorical else None,
    )
    if not categorical:
        return clf
    encode = ColumnTransformer(
        [
            (
                "categorical",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan),
                categorical,
            ),
            ("numeric", "passthrough", numeric),
        ]
    )
    return Pipeline([("encode", encode), ("model", clf)])


def build_strategy(
    name: str,
    *,
    model: str,
    features: list[str],
    categorical: list[str],
    options: object,
) -> Pipeline:
    """One candidate strategy as an imbalanced-learn pipeline.

    Parameters
    ----------
    name : str
        One of :data:`STRATEGY_NAMES`.
    model : str
        Model family (see :func:`build_classifier`).
    features, categorical : list of str
        Feature columns and the categorical ones among them.
    options : PipelineOptions
        Sampler options (seed, neighbours, ratio, noise filter, clusters).

    Returns
    -------
    imblearn.pipeline.Pipeline
        ``[sampler steps...] + [classifier]``.
    """
    from smote_pipeline.core.noise import make_noise_filter
    from smote_pipeline.core.oversampling import make_cluster_smote

    seed = options.random_state
    weight = "balanced" if name == "class_weight" else None
    clf = build_classifier(model, features, categorical, random_state=seed, class_weight=weight)
    steps: list[tuple[str, object]] = []
    if name == "random_undersampling":
        steps.append(("undersample", RandomUnderSampler(random_state=seed)))
    elif name == "smote":
        if categorical:
            sampler = SMOTENC(
                categorical_features=categorical,
                sampling_strategy=options.sampling_strategy,
                k_neighbors=options.k_neighbors,
                random_state=seed,
            )
        else:
            sampler = SMOTE(
                sampling_strategy=options.sampling_strategy,
                k_neighbors=options.k_neighbors,
                random_state=seed,
            )
        steps.append(("smote", sampler))
    elif name == "cluster_smote":
        noise = make_noise_filter(options, categorical)
        if noise is not None:
            steps.append(("denoise", noise))
        steps.append(("cluster_smote", make_cluster_smote(options, categorical)))
    elif name not in BASELINE_STRATEGIES:
        raise ValueError(f"Unknown strategy {name!r}; expected one of {list(STRATEGY_NAMES)}.")
    steps.append(("classifier", clf))
    return Pipeline(steps)
