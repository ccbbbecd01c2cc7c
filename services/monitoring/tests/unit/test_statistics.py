"""The drift tests on their own: PSI (with its noise guard), KS and chi-square."""

from __future__ import annotations

import numpy as np
import pytest
from driftline_monitoring.domain import statistics as st
from driftline_monitoring.domain.reference import CategoricalProfile, NumericProfile

RNG = np.random.default_rng(7)
REFERENCE = RNG.normal(0.0, 1.0, 50_000)


def summary_of(sample: np.ndarray, bins: int = 20) -> NumericProfile:
    counts, edges = np.histogram(sample, bins=bins)
    return NumericProfile.from_summary(
        edges=edges, counts=counts, deciles=np.quantile(sample, np.linspace(0.1, 0.9, 9)),
        low=float(sample.min()), high=float(sample.max()),
    )  # fmt: skip


def test_psi_is_zero_for_identical_shares_and_grows_with_the_shift() -> None:
    profile = summary_of(REFERENCE)
    same, _ = st.numeric_psi(profile, REFERENCE[:2000])
    small, _ = st.numeric_psi(profile, RNG.normal(0.3, 1.0, 2000))
    large, _ = st.numeric_psi(profile, RNG.normal(1.0, 1.0, 2000))
    assert same < 0.01 < small < large
    assert large > 0.2


def test_psi_of_two_small_samples_is_judged_against_its_own_noise() -> None:
    profile = NumericProfile.from_sample(RNG.normal(0, 1, 200))
    _, p = st.numeric_psi(profile, RNG.normal(0, 1, 200))
    assert p > 0.01  # no drift: PSI is within its sampling noise, about 9 * (1/200 + 1/200)
    assert st.psi_p_value(0.5, 10, 200, 200) < 1e-6


def test_summary_profile_cuts_psi_bins_at_the_reference_deciles() -> None:
    profile = summary_of(REFERENCE)
    assert profile.edges == pytest.approx(np.quantile(REFERENCE, np.linspace(0.1, 0.9, 9)))
    assert profile.probs == pytest.approx(np.full(10, 0.1), abs=1e-9)
    assert profile.size == REFERENCE.size


def test_ks_against_a_summary_accepts_the_same_distribution_and_rejects_a_shift() -> None:
    profile = summary_of(REFERENCE)
    _, p_same = st.ks_test(profile, RNG.normal(0, 1, 500))
    d_shift, p_shift = st.ks_test(profile, RNG.normal(0.5, 1, 500))
    assert p_same > 0.01
    assert p_shift < 1e-6
    assert d_shift > 0.15


def test_ks_on_knots_never_exceeds_the_exact_statistic() -> None:
    live = RNG.normal(0.2, 1.1, 500)
    d_knots, _ = st.ks_test(summary_of(REFERENCE), live)
    d_exact, _ = st.ks_test(NumericProfile.from_sample(REFERENCE), live)
    assert d_knots <= d_exact + 0.01  # the sample profile's own noise is ~1/sqrt(50000)


def test_ks_does_not_count_ties_of_a_discrete_feature_as_drift() -> None:
    ages = RNG.integers(18, 80, 100_000).astype(float)
    _, p = st.ks_test(summary_of(ages), RNG.integers(18, 80, 500).astype(float))
    assert p > 0.01


def test_ks_against_a_sample_is_the_two_sample_test() -> None:
    d, p = st.ks_test(NumericProfile.from_sample([1.0, 2.0, 3.0] * 100), np.array([10.0] * 300))
    assert d == pytest.approx(1.0)
    assert p < 1e-10


def test_chi_square_detects_a_new_mix_of_categories_and_pools_rare_ones() -> None:
    profile = CategoricalProfile({"north": 3000, "south": 2000, "east": 2500, "west": 2500, "x": 1})
    same = ["north"] * 30 + ["south"] * 20 + ["east"] * 25 + ["west"] * 25
    _, p_same = st.chi2_test(profile, same * 3)
    _, p_shift = st.chi2_test(profile, (["south"] * 50 + ["north"] * 20 + ["east"] * 30) * 3)
    _, p_new = st.chi2_test(profile, same * 3 + ["moon"] * 60)
    assert p_same > 0.5
    assert p_shift < 1e-6
    assert p_new < 1e-6


def test_chi_square_of_a_single_category_has_nothing_to_test() -> None:
    assert st.chi2_test(CategoricalProfile({"a": 10}), ["a"] * 10) == (0.0, 1.0)


def test_a_summary_needs_a_histogram_or_deciles() -> None:
    with pytest.raises(ValueError, match="histogram"):
        NumericProfile.from_summary(low=0.0, high=1.0)
