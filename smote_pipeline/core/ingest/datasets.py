"""Embedded demo datasets, built from data that scikit-learn ships (no download).

The default demo shows SMOTE's main failure mode, bridging subpopulations: a minority
class made of well-separated subpopulations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits

DIGITS_TARGET = "digit_class"
DIGITS_POSITIVE = "zero_or_one"
DIGITS_NEGATIVE = "other"


def rare_digits(per_digit: int = 40, random_state: int = 0) -> pd.DataFrame:
    """Handwritten digits where the rare class is "a 0 or a 1".

    scikit-learn's bundled 8x8 digits (1,797 images, 64 integer pixel columns
    valued 0-16). Every image of the digits 2-9 is kept as the negative class
    ``"other"``; ``per_digit`` images of each of the digits 0 and 1, drawn with
    ``random_state``, form the positive class ``"zero_or_one"``. With the
    defaults that is 80 positives among 1,517 rows (5.3%), and the positive
    class is two separate subpopulations (zeros and ones look nothing alike):
    plain SMOTE interpolates between a 0 and a 1 and creates images of neither.

    Parameters
    ----------
    per_digit : int, default=40
        Images kept of each of the digits 0 and 1.
    random_state : int, default=0
        Seed of the draw.

    Returns
    -------
    pandas.DataFrame of shape (n_rows, 65)
        Columns ``pixel_<row>_<col>`` (int64) and ``digit_class`` (str).
    """
    digits = load_digits()
    rng = np.random.default_rng(random_state)
    keep = np.flatnonzero(digits.target >= 2)
    for digit in (0, 1):
        rows = np.flatnonzero(digits.target == digit)
        keep = np.concatenate([keep, rng.choice(rows, size=per_digit, replace=False)])
    keep.sort()
    columns = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    frame = pd.DataFrame(digits.data[keep].astype(np.int64), columns=columns)
    is_rare = digits.target[keep] <= 1
    frame[DIGITS_TARGET] = np.where(is_rare, DIGITS_POSITIVE, DIGITS_NEGATIVE)
    return frame


#: Embedded sources, addressed as ``embedded:<name>`` in a pipeline's ``source``.
EMBEDDED_DATASETS = {"rare_digits": rare_digits}
