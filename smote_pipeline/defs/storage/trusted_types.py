"""The types a stored model may hold beyond the trusted modules, derived from the pipeline.

scikit-learn and its neighbours keep standard-library objects inside fitted models
(HistGradientBoosting with categorical features keeps a ``functools.partial`` in its
preprocessor since scikit-learn 1.9). A loader that trusts only by module would refuse
the pipeline's own models, and a hand-kept list goes stale with every release. This
module fits every strategy of every model family, as the pipeline does, on a small mixed
table (numeric columns with gaps, a categorical column), dumps each candidate and the
champion with skops and collects the types outside
:data:`~smote_pipeline.defs.storage.model_files.TRUSTED_MODULE_PREFIXES`. The result is
committed as ``trusted_types.json`` beside this file; a test regenerates it on the
installed library versions and fails when it differs::

    python -m smote_pipeline.defs.storage.trusted_types          # print the derived list
    python -m smote_pipeline.defs.storage.trusted_types --write  # update trusted_types.json
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions
from smote_pipeline.core.train.strategies import STRATEGY_NAMES
from smote_pipeline.core.vocabulary import MODEL_FAMILIES, OWN_FAMILY
from smote_pipeline.defs.storage.model_files import (
    TRUSTED_MODULE_PREFIXES,
    TRUSTED_TYPES_FILE,
    _reproducible_zip,
)

_TARGET = "label"


def _sample_table(seed: int = 0) -> pd.DataFrame:
    """120 rows: two numeric columns with gaps, an integer and a categorical column."""
    rng = np.random.default_rng(seed)
    n_neg, n_pos = 96, 24
    y = np.r_[np.zeros(n_neg, dtype=np.int8), np.ones(n_pos, dtype=np.int8)]
    frame = pd.DataFrame(
        {
            "x": rng.normal(y * 1.5, 1.0),
            "z": rng.normal(-y, 1.0),
            "count": rng.poisson(3 + 2 * y).astype(np.int64),
            "colour": rng.choice(["red", "green", "blue"], n_neg + n_pos).astype(object),
        }
    )
    frame.loc[rng.random(len(frame)) < 0.1, "x"] = np.nan
    frame.loc[rng.random(len(frame)) < 0.1, "z"] = np.nan
    frame[_TARGET] = y
    return frame


def written_types(families: tuple[str, ...] | None = None) -> list[str]:
    """Types outside the trusted modules in every model the pipeline writes.

    About a minute and a half on one core for every family (skops stores forests
    slowly); the test suite checks the two cheaper families.

    Parameters
    ----------
    families : tuple of str or None
        Model families to cover (None: all of
        :data:`~smote_pipeline.core.vocabulary.MODEL_FAMILIES`).

    Returns
    -------
    list of str
        Sorted, unique fully qualified type names.
    """
    import skops.io as sio

    frame = _sample_table()
    found: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        options = PipelineOptions()
        sets = pipeline.training_sets(frame, TargetSpec(_TARGET, 1), options)
        training, augmented = sets.training_set, sets.augmented_training_set
        for model, recalibration, strategies in _runs(STRATEGY_NAMES, families or MODEL_FAMILIES):
            run = options.updated(
                {
                    "model": model,
                    "strategies": strategies,
                    "recalibration": recalibration,
                    "cv_folds": 2,
                    "cv_repeats": 1,
                    "bagging_estimators": 2,
                }
            )
            space = sets.oversampling_space
            candidates = pipeline.candidate_models(training, augmented, _TARGET, run, space)
            # the champion record holds one of these models plus plain values
            for candidate in candidates.values():
                payload = _reproducible_zip(sio.dumps(candidate.model))
                found.update(sio.get_untrusted_types(data=payload))
    return sorted(t for t in found if not t.startswith(TRUSTED_MODULE_PREFIXES))


def _runs(strategies: tuple[str, ...], families: tuple[str, ...]) -> list[tuple]:
    """(model, recalibration, strategies) runs covering every stored combination once:
    every strategy with every family, the strategies that bring their own model once,
    and a recalibrated strategy (``CalibratedClassifierCV``) once."""
    shared = tuple(s for s in strategies if s not in OWN_FAMILY)
    runs = [(families[0], "none", strategies)]
    runs += [(family, "none", shared) for family in families[1:]]
    runs.append((families[0], "sigmoid", ("no_resampling", "class_weight")))
    return runs


def main(argv: list[str] | None = None) -> None:
    """Print the derived list; with ``--write`` store it in :data:`TRUSTED_TYPES_FILE`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="update trusted_types.json")
    args = parser.parse_args(argv)
    types = written_types()
    text = json.dumps({"types": types}, indent=2) + "\n"
    if args.write:
        TRUSTED_TYPES_FILE.write_text(text, encoding="utf-8")
    print(text, end="")  # noqa: T201


if __name__ == "__main__":
    main()
