"""The registry decides promotions from the gate's evidence and the spec's policy."""

from __future__ import annotations

from typing import Any

from driftline.spec import PromotionPolicy
from driftline_registry.domain import ModelVersion, Status, decide
from driftline_registry.domain.policy import MIB


def version(build: Any, number: int = 2, size: int = 1000) -> ModelVersion:
    return ModelVersion(
        model_name="churn", version=number, run_id=f"run-{number}", status=Status.CANDIDATE,
        flavor="sklearn", estimator="lr", artifact_uri="a", artifact_sha256="a" * 64,
        artifact_size_bytes=size, registered_at=build.T0, status_changed_at=build.T0,
        trained_event_id="t", correlation_id="c",
    )  # fmt: skip


def test_promotes_challenger_that_beats_champion(build: Any) -> None:
    evidence = build.evaluated(run_id="run-2", champion_version=1, champion_score=0.8,
                               challenger_score=0.85, delta=0.05, ci_low=0.01)  # fmt: skip
    decision = decide(evidence, version(build), version(build, 1), PromotionPolicy())
    assert decision.promote
    assert decision.rollout == "full"
    assert "delta +0.0500" in decision.reason
    assert all(decision.checks.values())


def test_rejects_what_the_gate_rejected_with_the_gates_reasons(build: Any) -> None:
    evidence = build.evaluated(decision="reject", reasons=["worse on roc_auc"], champion_version=1)
    decision = decide(evidence, version(build), version(build, 1), PromotionPolicy())
    assert not decision.promote
    assert "worse on roc_auc" in decision.reason
    assert decision.checks["gate"] is False


def test_rejects_an_improvement_below_min_improvement(build: Any) -> None:
    evidence = build.evaluated(champion_version=1, delta=0.004, ci_low=0.001)
    decision = decide(evidence, version(build), version(build, 1),
                      PromotionPolicy(min_improvement=0.005))  # fmt: skip
    assert not decision.promote
    assert "below min_improvement" in decision.reason


def test_rejects_an_improvement_that_is_not_significant(build: Any) -> None:
    evidence = build.evaluated(champion_version=1, delta=0.02, ci_low=-0.01)
    decision = decide(evidence, version(build), version(build, 1), PromotionPolicy())
    assert not decision.promote
    assert decision.checks["significant"] is False


def test_rejects_evidence_gathered_against_a_former_champion(build: Any) -> None:
    evidence = build.evaluated(champion_version=1)
    decision = decide(evidence, version(build, 3), version(build, 2), PromotionPolicy())
    assert not decision.promote
    assert "champion is now 2" in decision.reason


def test_rejects_a_breached_latency_or_size_guardrail(build: Any) -> None:
    slow = build.evaluated(guardrails={"latency_ms_p99": 80.0})
    big = version(build, size=300 * MIB)
    assert not decide(slow, version(build), None, PromotionPolicy(max_latency_ms_p99=50)).promote
    assert not decide(build.evaluated(), big, None, PromotionPolicy(max_artifact_mb=200)).promote


def test_first_promotion_is_full_even_under_a_canary_policy(build: Any) -> None:
    decision = decide(build.evaluated(), version(build, 1), None, PromotionPolicy(rollout="canary"))
    assert decision.promote
    assert decision.rollout == "full"
    assert decision.canary_fraction == 0.0


def test_canary_policy_with_a_champion_gives_a_canary_with_its_fraction(build: Any) -> None:
    evidence = build.evaluated(champion_version=1, delta=0.05)
    policy = PromotionPolicy(rollout="canary", canary_fraction=0.25)
    decision = decide(evidence, version(build), version(build, 1), policy)
    assert (decision.promote, decision.rollout, decision.canary_fraction) == (True, "canary", 0.25)
