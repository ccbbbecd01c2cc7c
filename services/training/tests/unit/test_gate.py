"""The evaluation gate: noise never promotes; a real improvement within guardrails does."""

from __future__ import annotations

import numpy as np
import pytest
from driftline.spec import PromotionPolicy
from driftline_training.domain.baseline import baseline_outputs
from driftline_training.domain.gate import GateResult, Measured, judge
from driftline_training.domain.metrics import Outputs, Truth
from driftline_training.domain.significance import mcnemar
from scipy.stats import binomtest

N = 2000
RNG = np.random.default_rng(11)
Y = RNG.random(N) < 0.5
FAST_AND_SMALL = Measured(latency_ms_p99=3.0, artifact_bytes=50_000)


def classifier(quality: float, seed: int) -> Outputs:
    """Scores that separate the classes better as `quality` grows."""
    rng = np.random.default_rng(seed)
    score = 1 / (1 + np.exp(-(quality * (Y * 2.0 - 1) + rng.normal(0, 1, N))))
    return Outputs(correct=(score > 0.5) == Y, p_true=np.where(Y, score, 1 - score),
                   score=score, predicted_positive=score > 0.5)  # fmt: skip


def gate(challenger: Outputs, reference: Outputs, measured: Measured = FAST_AND_SMALL,
         metric: str = "roc_auc", **policy: float | str) -> GateResult:  # fmt: skip
    return judge(metric=metric, higher_is_better=metric != "log_loss",
                 policy=PromotionPolicy(**policy), truth=Truth(positive=Y),  # type: ignore[arg-type]
                 challenger=challenger, reference=reference, reference_name="champion v1",
                 rows=N, measured=measured, rng=np.random.default_rng(0))  # fmt: skip


def test_a_clearly_better_challenger_is_promoted_with_its_interval() -> None:
    result = gate(classifier(1.5, 1), classifier(0.5, 2), min_improvement=0.005)
    assert result.decision == "promote"
    assert result.significance.ci_low > 0.005
    assert result.significance.ci_low < result.significance.delta < result.significance.ci_high
    assert any("lies above min_improvement 0.005" in r for r in result.reasons)


def test_a_challenger_that_only_differs_by_noise_is_rejected_with_its_evidence() -> None:
    champion = classifier(1.0, 1)
    jitter = np.random.default_rng(5).normal(0, 0.01, N)
    score = np.clip(champion.score + jitter, 0, 1)  # type: ignore[operator]
    challenger = Outputs(correct=(score > 0.5) == Y, p_true=np.where(Y, score, 1 - score),
                         score=score, predicted_positive=score > 0.5)  # fmt: skip
    result = gate(challenger, champion, min_improvement=0.0)
    assert result.decision == "reject"
    assert result.significance.ci_low <= 0.0 <= result.significance.ci_high
    assert result.challenger_score != result.reference_score
    assert any(r.startswith("not significantly better") for r in result.reasons)


def test_significant_but_smaller_than_min_improvement_is_rejected() -> None:
    result = gate(classifier(1.2, 1), classifier(1.0, 1), min_improvement=0.2)
    assert result.significance.ci_low > 0
    assert result.decision == "reject"


def test_a_better_challenger_that_breaks_the_latency_guardrail_is_rejected() -> None:
    slow = Measured(latency_ms_p99=80.0, artifact_bytes=50_000)
    result = gate(classifier(1.5, 1), classifier(0.5, 2), slow, max_latency_ms_p99=50)
    assert result.decision == "reject"
    assert "latency p99 80.00 ms exceeds the 50 ms guardrail" in result.reasons
    assert result.guardrails["latency_ms_p99"] == 80.0
    assert result.guardrails["max_latency_ms_p99"] == 50.0


def test_a_better_challenger_with_a_too_large_artifact_is_rejected() -> None:
    big = Measured(latency_ms_p99=1.0, artifact_bytes=3 * 1024 * 1024)
    result = gate(classifier(1.5, 1), classifier(0.5, 2), big, max_artifact_mb=2)
    assert result.decision == "reject"
    assert "artifact 3.00 MiB exceeds the 2 MiB guardrail" in result.reasons


def test_lower_is_better_metrics_are_sign_adjusted() -> None:
    result = gate(classifier(1.5, 1), classifier(0.5, 2), metric="log_loss")
    assert result.challenger_score < result.reference_score
    assert result.significance.delta > 0
    assert result.decision == "promote"


def test_mcnemar_p_value_is_the_exact_one_sided_binomial_test() -> None:
    ours, theirs = classifier(1.5, 1), classifier(0.5, 2)
    result = mcnemar("accuracy", Truth(positive=Y), ours, theirs, rows=N, higher_is_better=True)
    only_ours = int(np.sum(ours.correct & ~theirs.correct))  # type: ignore[operator]
    only_theirs = int(np.sum(theirs.correct & ~ours.correct))  # type: ignore[operator]
    expected = binomtest(only_ours, only_ours + only_theirs, 0.5, alternative="greater").pvalue
    assert result.p_value == pytest.approx(expected)
    assert result.ci_low is None


def test_mcnemar_gate_promotes_a_better_and_rejects_an_equal_challenger() -> None:
    champion = classifier(1.0, 1)
    assert gate(classifier(1.8, 3), champion, test="mcnemar").decision == "promote"
    tie = gate(champion, champion, test="mcnemar")
    assert tie.decision == "reject"
    assert tie.significance.p_value == 1.0


def test_mcnemar_on_regression_counts_rows_with_the_smaller_error() -> None:
    target = RNG.normal(0, 1, 100)
    better = Outputs(values=target + 0.1)
    worse = Outputs(values=target + 0.5)
    result = mcnemar("rmse", Truth(values=target), better, worse, rows=100, higher_is_better=False)
    assert result.detail.startswith("100 rows only the challenger got right")
    assert result.p_value == pytest.approx(0.5**100)


def test_the_classification_baseline_is_the_majority_prior() -> None:
    train = np.array([0, 0, 0, 1])
    evaluation = np.array([0, 1, 1, 0])
    outputs, name = baseline_outputs("classification", train, evaluation, positive=1)
    assert list(outputs.correct) == [True, False, False, True]  # type: ignore[arg-type]
    assert list(outputs.p_true) == [0.75, 0.25, 0.25, 0.75]  # type: ignore[arg-type]
    assert set(outputs.score) == {0.25}  # type: ignore[arg-type]
    assert name == "the majority-class prior (0 at 75.0%)"


def test_the_regression_baseline_is_the_training_mean() -> None:
    outputs, name = baseline_outputs("regression", np.array([1.0, 3.0]), np.zeros(3), None)
    assert list(outputs.values) == [2.0, 2.0, 2.0]  # type: ignore[arg-type]
    assert "training mean" in name
