"""imbalanced-learn's estimator checks for both samplers.

No check is skipped or expected to fail. ``ClusterAwareSMOTE`` runs with
``max_clusters=3`` only to keep the suite fast (the checks fit it ~20 times on 1000
rows; the clustering search is the costly part). ``NoiseFilter`` runs with its
defaults: on the checks' overlapping 3-class data ENN flags more than 20% of the
middle class, and the default cap removes only the most suspicious of them.

``parametrize_with_checks`` hands pytest a generator, which pytest deprecates; the
argument values are materialised into a list so the deprecation (an error under this
project's warning filters) is not triggered.
"""

import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks

from smote_pipeline.samplers import ClusterAwareSMOTE, NoiseFilter

_CHECKS = parametrize_with_checks(
    [
        ClusterAwareSMOTE(random_state=0, max_clusters=3),
        NoiseFilter(random_state=0),
    ]
).mark


@pytest.mark.parametrize(_CHECKS.args[0], list(_CHECKS.args[1]), **_CHECKS.kwargs)
def test_imblearn_compatible(estimator, check):
    check(estimator)
