"""Follow one value through the calls: which package files the training set enters.

Runs the candidate search (:func:`smote_pipeline.core.pipeline.candidate_models`) on a
small generated table under ``sys.setprofile`` and records, for every call of a
package function that receives the training set (the same object, as an argument)
or one of its forms (a table, an array or a record that a package function returned
when it was given one), the file of that function. It prints the files in the order they are
entered, the number of distinct files, and how many times the value came back to a
file it had already left (a re-entry)::

    PYTHONPATH=. python benchmarks/trace_value.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from smote_pipeline.core import pipeline
from smote_pipeline.core.ingest.ingestion import TargetSpec
from smote_pipeline.core.options import PipelineOptions

PACKAGE = Path(pipeline.__file__).resolve().parents[1]


def _table(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 4))
    label = np.where(rng.random(400) < 0.1, "yes", "no")
    X[label == "yes"] += 1.5
    return pd.DataFrame(X, columns=list("abcd")).assign(label=label)


def trace(training: pd.DataFrame, run) -> list[str]:
    """Package files (relative) of the calls that receive the training set or a form
    of it (what a package function returned when given one: its features, labels,
    the records built on them), in order of entry."""
    tracked = {id(training)}
    keep = [training]  # tracked objects stay alive, so their ids stay theirs
    files: list[str] = []
    carrying: dict[int, bool] = {}

    def profile(frame, event, arg):
        path = Path(frame.f_code.co_filename)
        if PACKAGE not in path.parents:
            return
        if event == "call":
            code = frame.f_code
            names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
            carrying[id(frame)] = any(id(frame.f_locals.get(n)) in tracked for n in names)
            relative = path.relative_to(PACKAGE).as_posix()
            if carrying[id(frame)] and (not files or files[-1] != relative):
                files.append(relative)
        elif event == "return" and carrying.pop(id(frame), False) and _is_form(arg):
            tracked.add(id(arg))
            keep.append(arg)

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return files


def _is_form(value: object) -> bool:
    """A value that carries the training rows on: a table, an array, or a record."""
    return isinstance(value, pd.DataFrame | pd.Series | np.ndarray) or hasattr(
        value, "__dataclass_fields__"
    )


def main() -> None:
    warnings.filterwarnings("ignore")
    options = PipelineOptions(cv_folds=3, cv_repeats=1)
    sets = pipeline.training_sets(_table(), TargetSpec("label", "yes"), options)
    training, augmented = sets.training_set, sets.augmented_training_set
    space = sets.oversampling_space

    def run():
        pipeline.candidate_models(training, augmented, "label", options, space)

    visits = trace(training, run)
    seen: set[str] = set()
    returns = 0
    for name in visits:
        returns += name in seen
        seen.add(name)
    print("files entered, in order:", " -> ".join(visits))
    print(f"distinct files: {len(seen)}; returns to a file already left: {returns}")


if __name__ == "__main__":
    main()
