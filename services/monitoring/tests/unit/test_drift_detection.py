"""Long synthetic streams through the pure domain: a known shift at a known point is found
within one window; the same length of stream without a shift raises (almost) no alarm.

20 windows of 500 predictions each, the demo spec's drift policy (p_value 0.01,
psi_threshold 0.2, min_samples 300, cooldown 10 min; one prediction a second).
"""

from __future__ import annotations

import pytest
from driftline.spec import DriftPolicy
from driftline_monitoring.adapters import reference_from_stats
from driftline_monitoring.domain import DriftAlert, ModelMonitor, Prediction, Reference
from driftline_monitoring.testing import FEATURES, LoanStream, feature_stats

POLICY = DriftPolicy(window=500, min_samples=300, cooldown_minutes=10, psi_threshold=0.2,
                     p_value=0.01)  # fmt: skip
WINDOWS = 20
SHIFT_AT = 10 * POLICY.window + POLICY.window // 2  # in the middle of the 11th window
KINDS = {n: "categorical" if t in ("category", "bool") else "numeric" for n, t in FEATURES.items()}
TRAINING = reference_from_stats(feature_stats(list(LoanStream(seed=999).rows(20_000))), KINDS)  # type: ignore[arg-type]


def run(
    seed: int, reference: Reference | None, shift_at: int | None
) -> list[tuple[int, DriftAlert]]:
    monitor = ModelMonitor("loans", KINDS, POLICY)  # type: ignore[arg-type]
    monitor.set_reference(1, reference)
    alerts = []
    for row in LoanStream(seed, shift_at=shift_at).rows(POLICY.window * WINDOWS):
        p = Prediction(str(row.index), "loans", 1, "champion", row.features,
                       int(row.score > 0.5), row.score, row.event_time)  # fmt: skip
        if (alert := monitor.observe(p)) is not None:
            alerts.append((row.index, alert))
    return alerts


@pytest.mark.parametrize("reference", [TRAINING, None], ids=["training_stats", "first_window"])
def test_a_shift_is_detected_within_one_window_and_alerted_once(
    reference: Reference | None,
) -> None:
    alerts = run(seed=1, reference=reference, shift_at=SHIFT_AT)
    assert len(alerts) == 1  # one episode: the drifted windows after the first stay silent
    index, alert = alerts[0]
    delay = index - SHIFT_AT + 1
    print(f"\n[{reference and reference.origin}] shift at {SHIFT_AT}: DriftDetected after "
          f"{delay} predictions ({delay / POLICY.window:.2f} windows), severity {alert.severity}")  # fmt: skip
    assert 0 < delay <= POLICY.window
    assert alert.kind == "data"
    drifted = {t.feature for t in alert.tests if t.drifted}
    assert {"income", "region"} <= drifted
    assert alert.sample_size == POLICY.window


@pytest.mark.parametrize("reference", [TRAINING, None], ids=["training_stats", "first_window"])
def test_streams_without_a_shift_raise_false_alarms_at_most_at_the_policy_rate(
    reference: Reference | None,
) -> None:
    seeds = range(10, 16)
    alarms = sum(len(run(seed, reference, shift_at=None)) for seed in seeds)
    windows = len(seeds) * (WINDOWS - (reference is None))
    print(f"\n[{reference and reference.origin}] {alarms} false alarm(s) in {len(seeds)} "
          f"steady streams of {WINDOWS} windows ({windows} windows tested)")  # fmt: skip
    # Bonferroni bounds the rate at p_value = 1% per window (1.2 expected here); seeds are fixed
    assert alarms <= 3
