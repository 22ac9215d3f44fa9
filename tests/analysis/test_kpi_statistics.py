"""The KPI statistics (numpy/math only) agree with scipy.stats to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from sentinel_reports.analysis.kpi import regularized_beta, t_two_sided, two_proportion_z, welch_t
from tests.fuzzing import examples

TOL = 1e-9


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [
        (310, 1000, 279, 1000),
        (12_400, 40_000, 11_150, 40_100),
        (5, 20, 9, 21),
        (1, 5000, 0, 4000),
        (50, 50, 49, 50),
    ],
)
def test_two_proportion_z_equals_the_uncorrected_chi_square_test(x1, n1, x2, n2):
    z, p = two_proportion_z(x1, n1, x2, n2)
    chi2, p_chi, _, _ = stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
    assert z * z == pytest.approx(chi2, rel=TOL, abs=TOL)
    assert p == pytest.approx(p_chi, abs=TOL)
    assert p == pytest.approx(2 * stats.norm.sf(abs(z)), abs=TOL)
    assert (z < 0) == (x2 / n2 < x1 / n1)


@settings(max_examples=examples(60), deadline=None)
@given(
    n1=st.integers(2, 100_000),
    n2=st.integers(2, 100_000),
    p1=st.floats(0.001, 0.999),
    p2=st.floats(0.001, 0.999),
)
def test_two_proportion_z_matches_scipy_on_any_counts(n1, n2, p1, p2):
    x1, x2 = round(n1 * p1), round(n2 * p2)
    if x1 + x2 in (0, n1 + n2):
        return  # no variation at all: the test is undefined (handled separately below)
    _, p = two_proportion_z(x1, n1, x2, n2)
    _, p_chi, _, _ = stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
    assert p == pytest.approx(p_chi, abs=TOL)


def test_two_proportion_z_without_variation():
    assert two_proportion_z(0, 10, 0, 12) == (0.0, 1.0)
    with pytest.raises(ValueError):
        two_proportion_z(1, 0, 1, 3)


@pytest.mark.parametrize("seed", range(8))
def test_welch_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(4.2, 0.3 + seed * 0.1, size=3 + seed * 3)
    b = rng.normal(4.0 + 0.05 * seed, 0.2 + 0.05 * seed, size=4 + seed)
    t, df, p = welch_t(a, b)
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert t == pytest.approx(ref.statistic, rel=TOL, abs=TOL)
    assert p == pytest.approx(ref.pvalue, abs=TOL)
    assert df == pytest.approx(ref.df, rel=TOL)


@settings(max_examples=examples(60), deadline=None)
@given(
    a=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=30),
    b=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=30),
)
def test_welch_matches_scipy_on_any_samples(a, b):
    if np.var(a) < 1e-6 and np.var(b) < 1e-6:
        return  # (almost) no spread on both sides: undefined, not compared
    t, _, p = welch_t(a, b)
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert p == pytest.approx(ref.pvalue, abs=TOL)
    assert t == pytest.approx(ref.statistic, rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("df", [1.0, 2.5, 7.0, 30.0, 311.4, 5000.0])
@pytest.mark.parametrize("t", [0.0, 0.3, 1.96, 4.0, 12.0])
def test_t_distribution_tail(df, t):
    assert t_two_sided(t, df) == pytest.approx(2 * stats.t.sf(t, df), abs=TOL)


@pytest.mark.parametrize(
    ("x", "a", "b"), [(0.1, 0.5, 0.5), (0.9, 3.0, 0.5), (0.5, 150.0, 0.5), (0.999, 2.0, 7.0)]
)
def test_regularized_beta(x, a, b):
    assert regularized_beta(x, a, b) == pytest.approx(special.betainc(a, b, x), abs=TOL)
