"""A ratio target that over-samples only up to a ratio, never below what exists."""

from __future__ import annotations

import numpy as np


class MinorityRatio:
    """Callable ``sampling_strategy``: bring each minority class up to ``ratio`` x majority.

    imbalanced-learn's float ``sampling_strategy`` raises when a minority class
    already holds at least ``ratio`` times the majority count (it would have to
    remove rows). This callable asks for ``max(count, floor(ratio * n_majority))``
    rows per class instead: what the ratio allows, and nothing when the class is
    already at or above it. Any over-sampler that accepts a callable
    ``sampling_strategy`` (SMOTE, SMOTENC, :class:`ClusterAwareSMOTE`) takes it.

    Parameters
    ----------
    ratio : float
        Desired minority/majority ratio after over-sampling, in (0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> MinorityRatio(0.5)(np.array([0] * 10 + [1] * 2))
    {1: 5}
    >>> MinorityRatio(0.5)(np.array([0] * 10 + [1] * 7))
    {1: 7}
    """

    def __init__(self, ratio: float) -> None:
        self.ratio = ratio

    def __call__(self, y) -> dict:
        """Desired row count of every class but the largest.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        dict
            Class label -> rows wanted after over-sampling (at least its count).
        """
        classes, counts = np.unique(np.asarray(y), return_counts=True)
        majority = int(np.argmax(counts))
        wanted = self.wanted(int(counts[majority]))
        return {
            _plain(classes[i]): max(int(counts[i]), wanted)
            for i in range(classes.size)
            if i != majority
        }

    def wanted(self, n_majority: int) -> int:
        """Rows a minority class is brought up to: ``floor(ratio * n_majority)``."""
        return int(np.floor(self.ratio * n_majority + 1e-9))

    def is_reached(self, n_minority: int, n_majority: int) -> bool:
        """Whether a class of ``n_minority`` rows gets no synthetic row at all."""
        return n_minority >= min(self.wanted(n_majority), n_majority)

    def __repr__(self) -> str:
        return f"MinorityRatio({self.ratio!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MinorityRatio) and other.ratio == self.ratio

    def __hash__(self) -> int:
        return hash((MinorityRatio, self.ratio))


def _plain(value):
    """A NumPy scalar as the Python value (labels of object arrays are already plain)."""
    return value.item() if isinstance(value, np.generic) else value
