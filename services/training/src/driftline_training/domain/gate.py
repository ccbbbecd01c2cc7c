"""The evaluation gate: promote a challenger only if it is significantly better and safe.

Promotion needs all of:

* significance — paired bootstrap: the lower bound of the delta's interval is
  above ``min_improvement``; McNemar: p < 1 - confidence and the delta is
  above ``min_improvement`` (the delta is sign-adjusted, higher is better);
* latency — the challenger's p99 single-row prediction latency is within
  ``max_latency_ms_p99``;
* size — its artifact is within ``max_artifact_mb``.

The reference is the champion, or with no champion the trivial baseline. Every
check leaves a sentence in `reasons`, passed or not, so the decision can be audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from driftline.spec import PromotionPolicy

from driftline_training.domain.metrics import Outputs, Truth, point_estimate
from driftline_training.domain.significance import SignificanceResult, mcnemar, paired_bootstrap

__all__ = ["GateResult", "Measured", "judge"]

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Measured:
    """Guardrail measurements of the challenger."""

    latency_ms_p99: float
    artifact_bytes: int


@dataclass(frozen=True, slots=True)
class GateResult:
    primary_metric: str
    challenger_score: float
    reference_score: float
    significance: SignificanceResult
    min_improvement: float
    guardrails: dict[str, float]
    decision: str
    """promote or reject."""
    reasons: list[str] = field(default_factory=list)


def judge(
    *,
    metric: str,
    higher_is_better: bool,
    policy: PromotionPolicy,
    truth: Truth,
    challenger: Outputs,
    reference: Outputs,
    reference_name: str,
    rows: int,
    measured: Measured,
    rng: np.random.Generator,
) -> GateResult:
    """Score both on the same rows, test the difference, check the guardrails, decide."""
    ours = point_estimate(metric, truth, challenger, rows)
    theirs = point_estimate(metric, truth, reference, rows)
    if policy.test == "paired_bootstrap":
        result = paired_bootstrap(
            metric,
            truth,
            challenger,
            reference,
            rows=rows,
            higher_is_better=higher_is_better,
            samples=policy.bootstrap_samples,
            confidence=policy.confidence,
            rng=rng,
        )
    else:
        result = mcnemar(
            metric, truth, challenger, reference, rows=rows, higher_is_better=higher_is_better
        )
    better, because = _significant(result, policy)
    reasons = [
        f"{metric}: challenger {ours:.4f} vs {reference_name} {theirs:.4f} on {rows} "
        f"evaluation rows (delta {result.delta:+.4f}, higher is better after sign adjustment)",
        because,
    ]
    max_bytes = policy.max_artifact_mb * MIB
    fast = measured.latency_ms_p99 <= policy.max_latency_ms_p99
    small = measured.artifact_bytes <= max_bytes
    reasons.append(
        f"latency p99 {measured.latency_ms_p99:.2f} ms "
        f"{'within' if fast else 'exceeds'} the {policy.max_latency_ms_p99:g} ms guardrail"
    )
    reasons.append(
        f"artifact {measured.artifact_bytes / MIB:.2f} MiB "
        f"{'within' if small else 'exceeds'} the {policy.max_artifact_mb:g} MiB guardrail"
    )
    guardrails = {
        "latency_ms_p99": measured.latency_ms_p99,
        "max_latency_ms_p99": policy.max_latency_ms_p99,
        "artifact_bytes": float(measured.artifact_bytes),
        "max_artifact_bytes": float(max_bytes),
        "confidence": policy.confidence,
    }
    decision = "promote" if better and fast and small else "reject"
    return GateResult(
        metric, ours, theirs, result, policy.min_improvement, guardrails, decision, reasons
    )


def _significant(result: SignificanceResult, policy: PromotionPolicy) -> tuple[bool, str]:
    floor = policy.min_improvement
    level = f"{policy.confidence:.0%}"
    if result.test == "paired_bootstrap":
        low = result.ci_low if result.ci_low is not None else float("-inf")
        high = result.ci_high if result.ci_high is not None else float("inf")
        interval = f"{level} paired-bootstrap interval of the delta [{low:+.4f}, {high:+.4f}] ({result.detail})"
        if low > floor:
            return True, f"significant: the {interval} lies above min_improvement {floor:g}"
        return (
            False,
            f"not significantly better: the {interval} does not lie above min_improvement {floor:g}",
        )
    alpha = 1 - policy.confidence
    p = result.p_value if result.p_value is not None else 1.0
    evidence = f"McNemar exact p={p:.4g} ({result.detail})"
    if p < alpha and result.delta > floor:
        return (
            True,
            f"significant: {evidence} < {alpha:.3g} and delta above min_improvement {floor:g}",
        )
    if p >= alpha:
        return False, f"not significantly better: {evidence} >= {alpha:.3g}"
    return (
        False,
        f"improvement too small: delta {result.delta:+.4f} <= min_improvement {floor:g} ({evidence})",
    )
