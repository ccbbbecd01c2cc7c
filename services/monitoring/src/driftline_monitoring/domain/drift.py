"""Decide whether one full window drifted from the reference: data drift and prediction drift.

Every enabled test runs on every feature with at least `min_samples` values:
PSI on all, KS on numeric ones, chi-square on categorical ones. All tests share
one family-wise error rate: each p-value is held to `p_value / m` (Bonferroni
over the m tests of the window, prediction included), so ten features do not
give ten chances of a false alarm; PSI must also exceed `psi_threshold`. A feature drifted when
any of its tests did; the window drifted when at least `min_drifted_features`
features did (kind "data"), or else when the prediction did (kind "prediction").

Severity comes from how far past their thresholds the drifted tests are
(`TestResult.exceedance`) and from the share of features that drifted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from driftline.spec import DriftPolicy

from driftline_monitoring.domain import statistics as st
from driftline_monitoring.domain.reference import CategoricalProfile, NumericProfile, Profile
from driftline_monitoring.domain.types import Severity, TestResult
from driftline_monitoring.domain.window import Window

__all__ = ["PREDICTION", "Evaluation", "evaluate", "severity"]

PREDICTION = "prediction"


@dataclass(frozen=True, slots=True)
class Evaluation:
    tests: tuple[TestResult, ...]
    drifted_features: tuple[str, ...]
    prediction_drifted: bool
    kind: Literal["data", "prediction"] | None
    severity: Severity
    tested_features: int


Column = tuple[Profile, list[float] | list[str]]


def _columns(
    window: Window, profiles: dict[str, Profile], baseline: Profile | None
) -> dict[str, Column]:
    columns: dict[str, Column] = {}
    for name, profile in profiles.items():
        numeric = isinstance(profile, NumericProfile)
        values = window.numeric.get(name) if numeric else window.categorical.get(name)
        if values is not None:
            columns[name] = (profile, values)
    if baseline is not None:
        columns[PREDICTION] = (
            baseline,
            window.scores if isinstance(baseline, NumericProfile) else window.labels,
        )
    return columns


def evaluate(
    policy: DriftPolicy, window: Window, profiles: dict[str, Profile], baseline: Profile | None
) -> Evaluation:
    columns = {
        name: pair
        for name, pair in _columns(window, profiles, baseline).items()
        if len(pair[1]) >= policy.min_samples
    }
    m = sum(
        ("psi" in policy.tests)
        + ("ks" in policy.tests and isinstance(p, NumericProfile))
        + ("chi2" in policy.tests and isinstance(p, CategoricalProfile))
        for p, _ in columns.values()
    )
    alpha = policy.p_value / max(m, 1)
    tests: list[TestResult] = []
    for name, (profile, values) in columns.items():
        if isinstance(profile, NumericProfile):
            array = np.asarray(values, dtype=np.float64)
            if "psi" in policy.tests:
                value, p = st.numeric_psi(profile, array)
                tests.append(_psi(name, value, p, policy.psi_threshold, alpha))
            if "ks" in policy.tests:
                d, p = st.ks_test(profile, array)
                tests.append(TestResult(name, "ks", d, alpha, p, p < alpha))
        else:
            labels = [str(v) for v in values]
            if "psi" in policy.tests:
                value, p = st.categorical_psi(profile, labels)
                tests.append(_psi(name, value, p, policy.psi_threshold, alpha))
            if "chi2" in policy.tests:
                chi, p = st.chi2_test(profile, labels)
                tests.append(TestResult(name, "chi2", chi, alpha, p, p < alpha))
    drifted = sorted({t.feature for t in tests if t.drifted and t.feature != PREDICTION})
    prediction = any(t.drifted for t in tests if t.feature == PREDICTION)
    tested = len([n for n in columns if n != PREDICTION])
    kind: Literal["data", "prediction"] | None = (
        "data" if len(drifted) >= policy.min_drifted_features
        else "prediction" if prediction else None
    )  # fmt: skip
    return Evaluation(tuple(tests), tuple(drifted), prediction, kind,
                      severity(tests, len(drifted), tested), tested)  # fmt: skip


def _psi(feature: str, value: float, p: float, threshold: float, alpha: float) -> TestResult:
    return TestResult(feature, "psi", value, threshold, p, value > threshold and p < alpha)


def severity(tests: list[TestResult], drifted: int, tested: int) -> Severity:
    """high: a test 3x past its threshold or half the features drifted; medium: 1.5x or 25%."""
    worst = max((t.exceedance for t in tests if t.drifted), default=0.0)
    share = drifted / tested if tested else 0.0
    if worst >= 3 or share >= 0.5:
        return "high"
    if worst >= 1.5 or share >= 0.25:
        return "medium"
    return "low"
