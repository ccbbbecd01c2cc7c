"""The promotion policy: the registry's one decision, made from the gate's evidence and the spec.

The evaluation gate measures and recommends (`ModelEvaluated.decision`); the
registry decides (ARCHITECTURE §1). A version is promoted only when the gate
said ``promote`` *and* every check of the model's `PromotionPolicy` passes:

- the gate compared it with the version that is still the champion (else the
  evidence is stale: another version was promoted in between);
- with a champion: ``delta >= min_improvement``, the confidence interval of the
  delta lies above 0 (``ci_low > 0``) and ``p_value <= 1 - confidence`` when the
  gate reports them;
- guardrails: ``latency_ms_p99 <= max_latency_ms_p99`` (when measured) and the
  artifact size ``<= max_artifact_mb`` MiB.

The rollout comes from the policy; with no champion yet there is nothing to
compare a canary with, so the first promotion is always ``full``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from driftline.events import ModelEvaluated
from driftline.spec import PromotionPolicy

from driftline_registry.domain.model import ModelVersion

__all__ = ["MIB", "Decision", "decide"]

MIB = 1024 * 1024
Rollout = Literal["full", "canary", "shadow"]


@dataclass(frozen=True, slots=True)
class Decision:
    promote: bool
    rollout: Rollout
    canary_fraction: float
    reason: str
    checks: dict[str, bool] = field(default_factory=dict)
    """Each policy check by name, and whether it passed."""

    def as_evidence(self, policy: PromotionPolicy) -> dict[str, Any]:
        return {"policy": policy.model_dump(mode="json"), "checks": dict(self.checks)}


def decide(
    evaluated: ModelEvaluated,
    candidate: ModelVersion,
    champion: ModelVersion | None,
    policy: PromotionPolicy,
) -> Decision:
    """Promote or reject `candidate` on the strength of `evaluated`, under `policy`."""
    checks: dict[str, bool] = {}
    failures: list[str] = []

    def check(name: str, passed: bool, why: str) -> None:
        checks[name] = passed
        if not passed:
            failures.append(why)

    gate_reasons = f": {'; '.join(evaluated.reasons)}" if evaluated.reasons else ""
    check(
        "gate",
        evaluated.decision == "promote",
        f"the gate decided {evaluated.decision!r}{gate_reasons}",
    )
    current = champion.version if champion is not None else None
    check(
        "same_champion",
        evaluated.champion_version == current,
        f"evaluated against champion version {evaluated.champion_version}, "
        f"but the champion is now {current}: re-evaluate",
    )
    if champion is not None:
        check(
            "min_improvement",
            evaluated.delta >= policy.min_improvement,
            f"delta {evaluated.delta:+.4f} is below min_improvement {policy.min_improvement}",
        )
        if evaluated.ci_low is not None:
            check(
                "significant",
                evaluated.ci_low > 0,
                f"the {policy.confidence:.0%} interval of the delta starts at "
                f"{evaluated.ci_low:+.4f}, not above 0",
            )
        if evaluated.p_value is not None:
            check(
                "p_value",
                evaluated.p_value <= 1 - policy.confidence,
                f"p-value {evaluated.p_value:.4f} exceeds {1 - policy.confidence:.4f}",
            )
    latency = evaluated.guardrails.get("latency_ms_p99")
    if latency is not None:
        check(
            "latency",
            latency <= policy.max_latency_ms_p99,
            f"p99 latency {latency:.1f} ms exceeds {policy.max_latency_ms_p99} ms",
        )
    size = max(candidate.artifact_size_bytes, int(evaluated.guardrails.get("artifact_bytes", 0)))
    check(
        "artifact_size",
        size <= policy.max_artifact_mb * MIB,
        f"artifact of {size / MIB:.1f} MiB exceeds {policy.max_artifact_mb} MiB",
    )
    rollout: Rollout = policy.rollout if champion is not None else "full"
    if failures:
        return Decision(False, rollout, 0.0, "; ".join(failures), checks)
    reference = (
        f"champion v{champion.version} {evaluated.champion_score}"
        if champion is not None
        else f"baseline {evaluated.baseline_score}"
    )
    summary = (
        f"{evaluated.primary_metric} {evaluated.challenger_score:.4f} vs {reference} "
        f"(delta {evaluated.delta:+.4f}, {evaluated.test})"
    )
    fraction = policy.canary_fraction if rollout == "canary" else 0.0
    return Decision(True, rollout, fraction, summary, checks)
