"""The drift tests on one column of a window: PSI, Kolmogorov-Smirnov and chi-square.

PSI = sum((a - e) * ln(a / e)) over the reference's bins, shares clipped at 1e-4
so an empty bin counts as rare rather than impossible. PSI has sampling noise
of its own -- about (B - 1) * (1/n + 1/m) with B bins, n live and m reference
values, which is 0.09 for two windows of 200 -- so `psi_p_value` gives its
p-value from PSI * n * m / (n + m) ~ chi-square(B - 1) under no drift
(Yurdakul, 2018), and a PSI over its threshold counts only when it is also
beyond that noise.

KS against a sample-based reference is scipy's two-sample test. Against summary
statistics the reference CDF is known only at its knots (histogram edges,
deciles, min, max), so the statistic is the largest gap between the live CDF and
the reference *at those knots*; a knot whose value is tied in the live sample
counts as a gap only beyond the live CDF's jump there. That sup over a subset of
points never exceeds the full KS statistic, so the one-sample KS p-value
(`scipy.stats.kstwo`) is conservative: it can miss a shift that shows only
between knots, it cannot add false alarms.

Chi-square is a test of homogeneity on the 2 x k table (reference counts, live
counts), so a small reference (a first window) carries its own noise; reference
categories expected fewer than 5 times in the live window, and categories the
reference never saw, are pooled into one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # no stubs in the workspace

from driftline_monitoring.domain.reference import CategoricalProfile, Floats, NumericProfile

__all__ = ["categorical_psi", "chi2_test", "ks_test", "numeric_psi", "psi", "psi_p_value"]

EPS = 1e-4
MIN_EXPECTED = 5.0


def psi(expected: Floats, actual: Floats) -> float:
    e, a = np.clip(expected, EPS, None), np.clip(actual, EPS, None)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_p_value(value: float, bins: int, n: float, m: float | None) -> float:
    """P(PSI >= value) under no drift, for n live and m reference values (None: very many)."""
    scale = n if m is None or m <= 0 else n * m / (n + m)
    return float(stats.chi2.sf(value * scale, max(bins - 1, 1)))


def numeric_psi(profile: NumericProfile, values: Floats) -> tuple[float, float]:
    """(PSI, its p-value) of the live values against the reference's decile bins."""
    bins = np.searchsorted(profile.edges, values, side="left")
    counts = np.bincount(bins, minlength=profile.edges.size + 1)
    value = psi(profile.probs, counts / values.size)
    return value, psi_p_value(value, profile.probs.size, values.size, profile.size)


def categorical_psi(profile: CategoricalProfile, values: Sequence[str]) -> tuple[float, float]:
    live = Counter(values)
    names = sorted(set(profile.counts) | set(live))
    ref = np.array([profile.counts.get(c, 0.0) for c in names], dtype=np.float64)
    act = np.array([live.get(c, 0) for c in names], dtype=np.float64)
    value = psi(ref / ref.sum(), act / act.sum())
    return value, psi_p_value(value, len(names), act.sum(), ref.sum())


def ks_test(profile: NumericProfile, values: Floats) -> tuple[float, float]:
    """(statistic, p-value) of KS between the live values and the reference."""
    if profile.sample is not None:
        result = stats.ks_2samp(values, profile.sample, method="asymp")
        return float(result.statistic), float(result.pvalue)
    live = np.sort(values)
    below = np.searchsorted(live, profile.knots_x, side="left") / live.size
    upto = np.searchsorted(live, profile.knots_x, side="right") / live.size
    gap = np.maximum(0.0, np.maximum(profile.knots_p - upto, below - profile.knots_p))
    d = float(gap.max())
    return d, float(stats.kstwo.sf(d, live.size))


def chi2_test(profile: CategoricalProfile, values: Sequence[str]) -> tuple[float, float]:
    """(statistic, p-value) of the chi-square homogeneity test, reference vs live."""
    live = Counter(values)
    total_ref = float(sum(profile.counts.values()))
    n = float(len(values))
    ref: dict[str, float] = {}
    act: dict[str, float] = {}
    for name in set(profile.counts) | set(live):
        ref_count = profile.counts.get(name, 0.0)
        common = total_ref > 0 and ref_count / total_ref * n >= MIN_EXPECTED
        key = name if common else "\x00other"
        ref[key] = ref.get(key, 0.0) + ref_count
        act[key] = act.get(key, 0.0) + live.get(name, 0)
    names = [k for k in ref if ref[k] + act[k] > 0]
    if len(names) < 2 or total_ref == 0 or n == 0:
        return 0.0, 1.0
    table = np.array([[ref[k] for k in names], [act[k] for k in names]])
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)
