"""Imbalance strategies as scikit-learn / imbalanced-learn pipelines.

Every strategy is an estimator whose samplers only act during ``fit``, so when
it is cross-validated, resampling, noise filtering and clustering happen inside
each training fold and never touch the fold that scores it.

Strategies (stable names, simplest first; model selection prefers the earlier
one when scores are statistically indistinguishable):

``no_resampling``
    The model family on the real rows, unchanged.
``class_weight``
    The same model with ``class_weight="balanced"`` (cost-sensitive loss).
``cost_sensitive_threshold``
    The unchanged model wrapped in scikit-learn's ``TunedThresholdClassifierCV``:
    the decision threshold minimises the expected cost of errors on inner
    training folds (a missed positive costs ``false_negative_cost`` false
    alarms; by default the negatives-per-positive ratio). Its probabilities,
    hence its threshold-free scores, are those of ``no_resampling``.
``random_undersampling``
    imbalanced-learn's ``RandomUnderSampler`` to full balance, then the model.
``balanced_random_forest``
    imbalanced-learn's ``BalancedRandomForestClassifier`` (each tree on a
    balanced bootstrap); ignores ``model``.
``easy_ensemble``
    imbalanced-learn's ``EasyEnsembleClassifier`` (AdaBoost learners on
    balanced subsets); ignores ``model``.
``smote``
    Plain SMOTE (SMOTE-NC with categorical columns), then the model.
``cluster_smote``
    The pipeline's own ``NoiseFilter`` + ``ClusterAwareSMOTE``, then the model.
    Its final refit uses the gated ``augmented_training_set``.
``smote_bagging``
    imbalanced-learn's ``BalancedBaggingClassifier`` with ``ClusterAwareSMOTE``
    as sampler: each of ``bagging_estimators`` learners sees its own bootstrap
    and its own synthetic rows.
``one_class``
    An isolation forest fitted on the negatives only, its anomaly score mapped
    to a probability (for a tiny minority); ignores ``model``.

Missing values: models and samplers that take NaN get it as it is
(HistGradientBoosting, random forests, ``NoiseFilter`` and ``ClusterAwareSMOTE``);
the others impute the median inside the estimator, so inside each training fold
(logistic regression, ``easy_ensemble``, and imbalanced-learn's SMOTE, which then
also sees a 0/1 missing flag per column with missing values).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from imblearn.ensemble import (
    BalancedBaggingClassifier,
    BalancedRandomForestClassifier,
    EasyEnsembleClassifier,
)
from imblearn.over_sampling import SMOTE, SMOTENC
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.model_selection import TunedThresholdClassifierCV
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from smote_pipeline.core.clean.noise import make_noise_filter
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.oversample.oversampling import make_cluster_smote
from smote_pipeline.core.train.estimators import OneClassClassifier
from smote_pipeline.core.vocabulary import (
    BASELINE_STRATEGIES,
    ENSEMBLE,
    MODEL_FAMILIES,
    OVERSAMPLING_STRATEGIES,
    RESAMPLING_STRATEGIES,
    STRATEGY_NAMES,
)
from smote_pipeline.samplers import MinorityRatio

__all__ = [
    "BASELINE_STRATEGIES",
    "ENSEMBLE",
    "OVERSAMPLING_STRATEGIES",
    "RESAMPLING_STRATEGIES",
    "STRATEGY_NAMES",
    "build_classifier",
    "build_strategy",
]


def _numeric_block(numeric: list[str], missing: list[str], *, scale: bool) -> list[tuple]:
    """Median-imputed numeric columns (optionally standardised) and missing flags.

    ``missing`` are the numeric columns with gaps in the training data; each gets a
    0/1 indicator column (fixed columns in every fold: ``MissingIndicator(features=
    "all")``). Imputation statistics come from the rows the estimator is fitted on,
    so inside cross-validation only from the training fold.
    """
    impute = SimpleImputer(strategy="median", keep_empty_features=True)
    steps = SkPipeline([("impute", impute), ("scale", StandardScaler())]) if scale else impute
    block: list[tuple] = [("numeric", steps, numeric)]
    if missing:
        block.append(("missing", MissingIndicator(features="all"), missing))
    return block


def _encoder(
    model: str, features: list[str], categorical: list[str], missing: list[str] = ()
) -> ColumnTransformer | None:
    """Column preprocessing of a model family; None when nothing is needed.

    Logistic regression gets one-hot categories and imputed, standardised numeric
    columns (with missing flags); tree families get ordinal codes and keep NaN,
    which they handle natively.
    """
    numeric = [c for c in features if c not in categorical]
    if model == "logistic_regression":
        return ColumnTransformer(
            [
                ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
                *_numeric_block(numeric, list(missing), scale=True),
            ]
        )
    if model == "imputed_trees":  # trees that refuse NaN (AdaBoost of easy_ensemble)
        return ColumnTransformer(
            [
                (
                    "categorical",
                    # -1, not NaN: this learner refuses missing values
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=-1,
                        max_categories=MAX_CATEGORIES,
                    ),
                    categorical,
                ),
                *_numeric_block(numeric, list(missing), scale=False),
            ]
        )
    if not categorical:
        return None
    return ordinal_encoding(categorical, numeric)


def _with_encoder(encoder: ColumnTransformer | None, clf: BaseEstimator) -> BaseEstimator:
    return clf if encoder is None else Pipeline([("encode", encoder), ("model", clf)])


def missing_indicator_names(missing: list[str]) -> list[str]:
    """Names of the indicator columns that :func:`imputer_frame` adds."""
    return [f"missingindicator_{c}" for c in missing]


def imputer_frame(features: list[str], categorical: list[str], missing: list[str]) -> Any:
    """Median imputation before a sampler that refuses NaN, keeping a DataFrame.

    Numeric columns are imputed (statistics of the fitted rows only), each column
    of ``missing`` gets a 0/1 indicator (:func:`missing_indicator_names`) and the
    categorical columns pass through under their own names, so the sampler and
    the model after it still find every column by name.
    """
    numeric = [c for c in features if c not in categorical]
    return ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median", keep_empty_features=True), numeric),
            ("missing", MissingIndicator(features="all"), missing),
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


#: Trees of every random forest the strategies build.
FOREST_TREES = 200

#: Largest number of categories a tree model sees per column; rarer levels are
#: grouped (HistGradientBoosting accepts at most 255 bins per feature).
MAX_CATEGORIES = 250


def ordinal_encoding(categorical: list[str], numeric: list[str]) -> ColumnTransformer:
    """Categorical columns as ordinal codes (first), numeric columns passed through.

    Unknown categories become NaN (treated as missing by the tree models); a
    column with more than :data:`MAX_CATEGORIES` levels keeps the most frequent
    ones and groups the rest.
    """
    return ColumnTransformer(
        [
            (
                "categorical",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    max_categories=MAX_CATEGORIES,
                ),
                categorical,
            ),
            ("numeric", "passthrough", numeric),
        ]
    )


def build_classifier(
    model: str,
    features: Sequence[Any],
    categorical: Sequence[Any],
    *,
    random_state: int,
    class_weight: str | None = None,
    missing: Sequence[Any] = (),
    encoded: bool = False,
    size: tuple[int, int] | None = None,
) -> BaseEstimator:
    """The model family with its preprocessing, as one estimator.

    The one builder of every classifier the strategies fit: on DataFrames (columns
    by name) and inside ``smote_bagging`` on arrays (columns by position).

    Parameters
    ----------
    model : {"hist_gradient_boosting", "logistic_regression", "random_forest"}
        Model family.
    features : sequence of str or int
        Feature columns, in order (names, or positions in an array).
    categorical : sequence of str or int
        The categorical ones among ``features``.
    random_state : int
        Seed of the model.
    class_weight : {"balanced"} or None
        Passed to the model.
    missing : sequence of str or int
        Numeric columns with missing values in the training data. Tree families
        use NaN natively; logistic regression imputes the median (of the rows it
        is fitted on) and adds a missing flag for these columns.
    encoded : bool, default=False
        The categorical columns are already ordinal codes and come first (as
        :func:`ordinal_encoding` leaves them), so tree families take them as
        they are; logistic regression one-hot encodes them either way.
    size : (int, int) or None
        Rows and positive rows the model will be fitted on; its hyperparameters
        are scaled to them (:func:`scaled_parameters`). None: scikit-learn's
        defaults (no early stopping, full bootstrap samples).

    Returns
    -------
    estimator
        A scikit-learn estimator with ``predict_proba``.
    """
    features, categorical = list(features), list(categorical)
    numeric = [c for c in features if c not in categorical]
    if model == "logistic_regression":
        clf = LogisticRegression(max_iter=2000, class_weight=class_weight)
        return _with_encoder(_encoder(model, features, categorical, list(missing)), clf)
    scaled = scaled_parameters(model, size[0]) if size else {}
    clf = _tree_model(model, len(categorical), len(numeric), random_state, class_weight, scaled)
    if encoded or not categorical:
        return clf
    return Pipeline([("encode", ordinal_encoding(categorical, numeric)), ("model", clf)])


def _tree_model(
    model: str,
    n_categorical: int,
    n_numeric: int,
    random_state: int,
    class_weight: str | None,
    scaled: dict[str, Any],
) -> BaseEstimator:
    """A random forest or HistGradientBoosting (categorical columns first)."""
    if model == "random_forest":
        return RandomForestClassifier(
            n_estimators=FOREST_TREES,
            class_weight=class_weight,
            random_state=random_state,
            **scaled,
        )
    if model != "hist_gradient_boosting":
        raise ValueError(f"Unknown model family {model!r}; expected one of {list(MODEL_FAMILIES)}.")
    # categorical columns come first: after ordinal_encoding, or already (encoded)
    mask = np.array([True] * n_categorical + [False] * n_numeric, dtype=bool)
    return HistGradientBoostingClassifier(
        random_state=random_state,
        class_weight=class_weight,
        categorical_features=mask if n_categorical else None,
        **scaled,
    )


#: Rows of the bootstrap sample of each tree of a random forest fitted on more
#: rows: a tree then costs the same at any size. A full-depth tree's cost grows
#: faster than its rows (200 trees: 4 s on 4,000 rows, 21 s on 15,000 and 149 s
#: on 60,000, one thread), while its hold-out average precision barely moves:
#: 0.8973 with full bootstrap samples and 0.8936 with 10,000 rows per tree, at
#: 75,000 training rows of the scale benchmark's table (``bench_scale.py``).
#: With 5,000 rows per tree the whole pipeline's champion there scored 0.9038
#: against 0.9043 with 10,000, and the run took 144.7 s against 173.0 s
#: (``bench_scale.py --rows 100000``; forests fitted on SMOTE-augmented folds
#: were its largest step).
FOREST_MAX_SAMPLES = 5_000

#: Rows above which HistGradientBoosting stops early on a 10% validation split
#: (scikit-learn's own ``early_stopping="auto"`` limit).
EARLY_STOPPING_ROWS = 10_000


def scaled_parameters(model: str, rows: int) -> dict[str, Any]:
    """Hyperparameters of a model family scaled to the data it is fitted on.

    - ``hist_gradient_boosting``: early stopping (10% validation split) above
      :data:`EARLY_STOPPING_ROWS` rows. Its smallest leaf stays scikit-learn's 20
      rows: a leaf of a quarter of the positives (2 to 20), tried so that a
      minority of 15 could get leaves of its own, overfitted instead; on the 30
      ``keel-dev`` sets HistGradientBoosting without resampling fell from a mean
      hold-out average precision of 0.716 to 0.670.
    - ``random_forest``: above :data:`FOREST_MAX_SAMPLES` rows each tree draws its
      bootstrap sample of that many rows, so a tree costs the same at any size.
    - ``logistic_regression``: nothing to scale.

    Parameters
    ----------
    model : str
        Model family.
    rows : int
        Rows the model is fitted on (0: unknown).

    Returns
    -------
    dict
        Keyword arguments of the family's estimator.
    """
    if model == "hist_gradient_boosting":
        return {"early_stopping": rows > EARLY_STOPPING_ROWS}
    if model == "random_forest" and rows > FOREST_MAX_SAMPLES:
        return {"max_samples": FOREST_MAX_SAMPLES / rows}
    return {}


def model_size(name: str, rows: int, positives: int, options: PipelineOptions) -> tuple[int, int]:
    """Rows and positive rows a strategy's model sees, given the real rows it gets.

    Undersampling keeps as many negatives as positives; oversampling raises the
    positives to ``sampling_strategy`` times the negatives (never lowers them);
    every other strategy fits the rows as they are.
    """
    negatives = rows - positives
    if name == "random_undersampling":
        return 2 * positives, positives
    if name in OVERSAMPLING_STRATEGIES:
        raised = max(positives, int(float(options.sampling_strategy) * negatives))
        return negatives + raised, raised
    return rows, positives


def expected_cost(
    y_true: np.ndarray, y_pred: np.ndarray, false_negative_cost: float | None = None
) -> float:
    """Negative mean cost of errors: a false alarm costs 1, a missed positive ``c``.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (n_samples,)
        0/1 labels and decisions.
    false_negative_cost : float or None
        Cost of a missed positive in false alarms; None uses the ratio of
        negatives to positives in ``y_true`` (both classes weigh the same).

    Returns
    -------
    float
        ``-(false_positives + c * false_negatives) / n_samples`` (greater is better).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    positives = max(int((y_true == 1).sum()), 1)
    cost = (
        false_negative_cost
        if false_negative_cost is not None
        else (len(y_true) - positives) / positives
    )
    false_pos = int(((y_pred == 1) & (y_true == 0)).sum())
    false_neg = int(((y_pred == 0) & (y_true == 1)).sum())
    return -(false_pos + cost * false_neg) / max(len(y_true), 1)


def trained_minority_ratio(name: str, options: PipelineOptions) -> float | None:
    """Minority/majority ratio a strategy's model effectively learns from.

    Used to undo the shift in predicted probabilities (prior correction).

    Returns
    -------
    float or None
        None for strategies that learn from the real class balance.
    """
    if name in ("class_weight", "random_undersampling", "balanced_random_forest", "easy_ensemble"):
        return 1.0
    if name in OVERSAMPLING_STRATEGIES:
        return float(options.sampling_strategy)
    return None


def _smote(options: PipelineOptions, categorical: list[str]) -> SMOTE | SMOTENC:
    """imbalanced-learn's SMOTE (SMOTE-NC with categorical columns), up to the ratio only."""
    ratio = MinorityRatio(options.sampling_strategy)
    if categorical:
        return SMOTENC(
            categorical_features=categorical,
            sampling_strategy=ratio,
            k_neighbors=options.k_neighbors,
            random_state=options.random_state,
        )
    return SMOTE(
        sampling_strategy=ratio,
        k_neighbors=options.k_neighbors,
        random_state=options.random_state,
    )


def _tree_ensemble(
    name: str,
    features: list[str],
    categorical: list[str],
    options: PipelineOptions,
    missing: list[str],
) -> BaseEstimator:
    seed = options.random_state
    if name == "balanced_random_forest":
        clf = BalancedRandomForestClassifier(
            n_estimators=200, sampling_strategy="all", replacement=True, bootstrap=False,
            random_state=seed,
        )  # fmt: skip
        return _with_encoder(_encoder("random_forest", features, categorical), clf)
    clf = EasyEnsembleClassifier(n_estimators=10, random_state=seed)  # AdaBoost: no NaN
    return _with_encoder(_encoder("imputed_trees", features, categorical, missing), clf)


def _one_class(
    features: list[str], categorical: list[str], options: PipelineOptions
) -> BaseEstimator:

    clf = OneClassClassifier(random_state=options.random_state)
    return _with_encoder(_encoder("random_forest", features, categorical), clf)


def _smote_bagging(
    model: str,
    features: list[str],
    categorical: list[str],
    options: PipelineOptions,
    size: tuple[int, int] | None,
) -> BaseEstimator:
    """Bagging whose every learner sees its own ClusterAwareSMOTE rows.

    Categorical columns are ordinal-encoded first (placed first), so the bagged
    sampler and learners work on a NumPy array and know them by position.
    """

    n_categorical = len(categorical)
    sampler = make_cluster_smote(options, categorical)
    sampler.set_params(categorical_features=list(range(n_categorical)) or None)
    positions = list(range(len(features)))
    learner = build_classifier(
        model,
        positions,
        positions[:n_categorical],
        random_state=options.random_state,
        encoded=True,
        size=size,
    )
    bagging = BalancedBaggingClassifier(
        estimator=learner,
        n_estimators=options.bagging_estimators,
        sampler=sampler,
        random_state=options.random_state,
    )
    numeric = [c for c in features if c not in categorical]
    encode = ordinal_encoding(categorical, numeric)
    return Pipeline([("encode", encode), ("bagging", bagging)])


def build_strategy(
    name: str,
    *,
    model: str,
    features: list[str],
    categorical: list[str],
    options: PipelineOptions,
    missing: Sequence[str] = (),
    size: tuple[int, int] | None = None,
) -> BaseEstimator:
    """One candidate strategy as an estimator on DataFrames.

    Parameters
    ----------
    name, model : str
        One of :data:`STRATEGY_NAMES`; the model family (:func:`build_classifier`).
    features, categorical : list of str
        Feature columns and the categorical ones among them.
    options : PipelineOptions
        Sampler options (seed, neighbours, ratio, noise filter, clusters, costs).
    missing : sequence of str
        Numeric columns with missing values in the training data (how each
        strategy takes them: the module docstring).
    size : (int, int) or None
        Rows and positive rows of the real data the strategy is fitted on; its
        model's hyperparameters are scaled to what it sees after resampling
        (:func:`model_size`, :func:`scaled_parameters`).

    Returns
    -------
    estimator
        Usually an ``imblearn.pipeline.Pipeline`` of samplers and the classifier.
    """

    missing = list(missing)
    if size is not None:
        size = model_size(name, *size, options)
    if name in ("balanced_random_forest", "easy_ensemble"):
        return _tree_ensemble(name, features, categorical, options, missing)
    if name == "one_class":
        return _one_class(features, categorical, options)
    if name == "smote_bagging":
        return _smote_bagging(model, features, categorical, options, size)
    if name == "smote" and missing:  # imbalanced-learn's SMOTE refuses NaN: impute first
        return _imputed_smote(model, features, categorical, options, missing, size)
    clf = build_classifier(
        model,
        features,
        categorical,
        random_state=options.random_state,
        class_weight="balanced" if name == "class_weight" else None,
        missing=missing,
        size=size,
    )
    if name == "cost_sensitive_threshold":
        return _cost_threshold(clf, options)
    return Pipeline([*_sampler_steps(name, categorical, options), ("classifier", clf)])


def _cost_threshold(clf: BaseEstimator, options: PipelineOptions) -> TunedThresholdClassifierCV:
    """The model at the least expected cost threshold; the same estimator as
    ``no_resampling``'s, so the search scores and fits it once."""
    scorer = make_scorer(expected_cost, false_negative_cost=options.false_negative_cost)
    return TunedThresholdClassifierCV(
        Pipeline([("classifier", clf)]),
        scoring=scorer,
        cv=options.cv_folds,
        random_state=options.random_state,
    )


def _sampler_steps(
    name: str, categorical: list[str], options: PipelineOptions
) -> list[tuple[str, object]]:
    """The resampling steps before the classifier of a pipeline strategy."""
    if name == "random_undersampling":
        return [("undersample", RandomUnderSampler(random_state=options.random_state))]
    if name == "smote":
        return [("smote", _smote(options, categorical))]
    if name == "cluster_smote":
        noise = make_noise_filter(options, categorical)
        denoise = [] if noise is None else [("denoise", noise)]
        return [*denoise, ("cluster_smote", make_cluster_smote(options, categorical))]
    if name in ("no_resampling", "class_weight"):
        return []
    raise ValueError(f"Unknown strategy {name!r}; expected one of {list(STRATEGY_NAMES)}.")


def _imputed_smote(
    model: str,
    features: list[str],
    categorical: list[str],
    options: PipelineOptions,
    missing: list[str],
    size: tuple[int, int] | None,
) -> Pipeline:
    """imbalanced-learn's SMOTE after a median imputer with missing flags (it refuses NaN)."""
    smote_features = features + missing_indicator_names(missing)
    clf = build_classifier(
        model, smote_features, categorical, random_state=options.random_state, size=size
    )
    steps = [("impute", imputer_frame(features, categorical, missing))]
    return Pipeline([*steps, ("smote", _smote(options, categorical)), ("classifier", clf)])
