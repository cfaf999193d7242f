"""Property: ClusterAwareSMOTE never puts a synthetic row in a gap between minority groups.

Shapes: 1 to 6 groups of 2 to 200 rows, in 2 to 50 dimensions, round or elongated,
as close as the definition of "well separated" allows or a little farther, with
majority rows on the lines between the groups and around them, with and without a
categorical column; tiny groups (the issue's case) are drawn twice as often as
large ones. "In a gap" is defined once, in :mod:`gaps` (the benchmark uses the same
function): the synthetic row's nearest real row is not a minority row. The test also
checks, with the sampler's provenance, that no synthetic row has parents in two
groups.
"""

import warnings

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import minimum_spanning_tree
from sklearn.metrics.pairwise import euclidean_distances

from smote_pipeline.samplers import ClusterAwareSMOTE
from smote_pipeline_tests.samplers.gaps import gap_mask, make_groups, standardised

#: How many times the longest edge inside a group the groups must be apart, in the
#: sampler's space, for the shape to count as "well separated" (GapClustering's default
#: ``gap_ratio``). With 4, the 60 examples still fail for the old default (AutoKMeans,
#: no bridge guard); with 2 they also fail for the new one, so the property stops at
#: what a gap criterion can promise.
SEPARATION_IN_SAMPLER_SPACE = 4.0

#: Tiny groups (2-8 rows, the issue's case) are drawn more often than large ones.
GROUP_SIZES = st.one_of(st.integers(2, 8), st.integers(2, 8), st.integers(9, 200))


@st.composite
def shapes(draw):
    n_groups = draw(st.integers(1, 6))
    return make_groups(
        seed=draw(st.integers(0, 2**16)),
        sizes=draw(st.lists(GROUP_SIZES, min_size=n_groups, max_size=n_groups)),
        n_dims=draw(st.sampled_from([2, 3, 5, 6, 10, 20, 50])),
        elongated=draw(st.lists(st.booleans(), min_size=n_groups, max_size=n_groups)),
        categorical=draw(st.booleans()),
        separation=draw(st.floats(1.0, 1.5)),
        majority_factor=draw(st.sampled_from([2.0, 4.0])),
    )


def separated_in_sampler_space(data) -> bool:
    """Whether the groups are apart where the sampler measures distance.

    ``make_groups`` separates groups in raw units; the sampler measures on numeric
    columns standardised by the minority. With a few tiny groups the standardisation
    can stretch a column that barely varies until a group is wider than the gap to
    the next one (a shape found by this test: two 2-row groups 17 units apart in
    ``x1`` but 1.4 units wide in ``x0``, whose minority std is 0.6). Such a minority
    has no gap in that space, so it is not a case of the property.
    """
    own = data.numeric[data.y == 1]
    Z, groups = standardised(own, own), data.group[data.y == 1]
    longest = 0.0
    for g in np.unique(groups):
        rows = Z[groups == g]
        if len(rows) > 1:
            longest = max(longest, minimum_spanning_tree(euclidean_distances(rows)).max())
    between = euclidean_distances(Z)[groups[:, None] != groups[None, :]]
    return between.size == 0 or between.min() > SEPARATION_IN_SAMPLER_SPACE * longest


def synthetic_in_gaps(sampler, data) -> tuple[int, int]:
    """(rows in gaps, synthetic rows) of one ``fit_resample``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_res, _ = sampler.fit_resample(data.X, data.y)
    synthetic = X_res.iloc[len(data.X) :].filter(like="x").to_numpy(dtype=float)
    return int(gap_mask(data.numeric, data.y, synthetic).sum()), len(synthetic)


def bridged_pairs(sampler, data) -> int:
    """Synthetic rows (of the last ``fit_resample``) whose parents are in two groups."""
    prov = sampler.provenance_
    a, b = prov["parent_index_a"].to_numpy(), prov["parent_index_b"].to_numpy()
    return int((data.group[a] != data.group[b]).sum())


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    database=None,
)
@given(data=shapes())
def test_no_synthetic_row_in_a_gap(data):
    assume(separated_in_sampler_space(data))
    sampler = ClusterAwareSMOTE(random_state=0)
    in_gaps, n_synthetic = synthetic_in_gaps(sampler, data)
    assert n_synthetic > 0
    assert in_gaps == 0
    # stricter, with provenance: no pair of parents spans two groups
    assert bridged_pairs(sampler, data) == 0
