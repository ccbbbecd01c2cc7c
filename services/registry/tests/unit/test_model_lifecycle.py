"""The aggregate's decisions: registration, promotion, canary verdicts, retirement, rollback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from driftline.events import ModelPromoted, ModelRegistered, ModelRejected, ModelRolledBack
from driftline.spec import PromotionPolicy
from driftline_registry.domain import (
    InvalidTransitionError,
    RegisteredModel,
    StaleEventError,
    Status,
    UnknownRunError,
)

FULL, CANARY = PromotionPolicy(), PromotionPolicy(rollout="canary", canary_fraction=0.2)
WINDOW = timedelta(days=30)


def with_champion(build: Any, policy: PromotionPolicy = FULL) -> RegisteredModel:
    model = RegisteredModel("churn")
    model.register(build.trained(run_id="run-1"), build.cause(event_type="ModelTrained"))
    model.apply_evaluation(build.evaluated(run_id="run-1"), policy, build.cause())
    model.mark_saved()
    return model


def challenge(build: Any, model: RegisteredModel, run: str, policy: PromotionPolicy = FULL,
              **evidence: Any) -> None:  # fmt: skip
    model.register(build.trained(run_id=run), build.cause(event_type="ModelTrained"))
    champion = model.champion.version if model.champion else None
    values = {"champion_version": champion, "delta": 0.05, **evidence}
    model.apply_evaluation(build.evaluated(run_id=run, **values), policy, build.cause(event_id=run))


def test_registers_a_trained_run_as_candidate_version_1(build: Any) -> None:
    model = RegisteredModel("churn")
    version = model.register(build.trained(), build.cause(event_type="ModelTrained"))
    assert (version.version, version.status) == (1, Status.CANDIDATE)
    assert version.lineage["trigger_type"] == "drift"
    [announced] = model.announcements
    assert isinstance(announced.event, ModelRegistered)
    assert model.transitions[0].announced_by == announced.id


def test_registers_the_same_run_once(build: Any) -> None:
    model = RegisteredModel("churn")
    first = model.register(build.trained(run_id="r"), build.cause())
    again = model.register(build.trained(run_id="r"), build.cause())
    assert again is first
    assert len(model.versions) == 1
    assert len(model.announcements) == 1


def test_first_promotion_makes_the_champion_and_moves_the_alias(build: Any) -> None:
    model = with_champion(build)
    assert model.get(1).status is Status.CHAMPION
    assert model.aliases == {"champion": 1}


def test_full_promotion_supersedes_the_previous_champion(build: Any) -> None:
    model = with_champion(build)
    challenge(build, model, "run-2")
    assert model.get(2).status is Status.CHAMPION
    assert model.get(1).status is Status.SUPERSEDED
    assert model.aliases == {"champion": 2}
    promoted = [a.event for a in model.announcements if isinstance(a.event, ModelPromoted)]
    assert promoted[0].previous_version == 1
    assert promoted[0].evidence_event_id == "run-2"
    assert promoted[0].artifact_sha256 == "a" * 64


def test_rejected_challenger_records_its_evidence(build: Any) -> None:
    model = with_champion(build)
    challenge(build, model, "run-2", decision="reject", reasons=["worse"])
    assert model.get(2).status is Status.REJECTED
    rejected = [a.event for a in model.announcements if isinstance(a.event, ModelRejected)]
    assert rejected[0].evidence_event_id == "run-2"
    last = model.transitions[-1]
    assert last.evidence["checks"]["gate"] is False
    assert last.evidence["event"] == {"id": "run-2"}


def test_canary_policy_makes_the_version_challenger(build: Any) -> None:
    model = with_champion(build, CANARY)
    challenge(build, model, "run-2", CANARY)
    assert model.get(2).status is Status.CHALLENGER
    assert model.aliases == {"champion": 1, "challenger": 2}
    promoted = model.announcements[-1].event
    assert isinstance(promoted, ModelPromoted)
    assert (promoted.rollout, promoted.canary_fraction, promoted.previous_version) == (
        "canary",
        0.2,
        1,
    )


def test_canary_promote_verdict_makes_the_challenger_champion(build: Any) -> None:
    model = with_champion(build, CANARY)
    challenge(build, model, "run-2", CANARY)
    model.apply_canary_verdict(
        build.verdict(canary=2, outcome="promote"), build.cause(event_id="v")
    )
    assert model.aliases == {"champion": 2}
    assert model.get(1).status is Status.SUPERSEDED
    promoted = model.announcements[-1].event
    assert isinstance(promoted, ModelPromoted)
    assert (promoted.rollout, promoted.evidence_event_id) == ("full", "v")


def test_canary_rollback_verdict_rejects_the_challenger_and_announces_it(build: Any) -> None:
    model = with_champion(build, CANARY)
    challenge(build, model, "run-2", CANARY)
    model.apply_canary_verdict(build.verdict(canary=2, outcome="rollback"), build.cause())
    assert model.get(2).status is Status.REJECTED
    assert model.aliases == {"champion": 1}
    rolled = model.announcements[-1].event
    assert isinstance(rolled, ModelRolledBack)
    assert (rolled.from_version, rolled.to_version) == (2, 1)


def test_a_verdict_about_a_version_that_is_not_challenger_is_stale(build: Any) -> None:
    model = with_champion(build)
    with pytest.raises(StaleEventError):
        model.apply_canary_verdict(build.verdict(canary=7), build.cause())


def test_an_unknown_verdict_is_refused(build: Any) -> None:
    model = with_champion(build, CANARY)
    challenge(build, model, "run-2", CANARY)
    with pytest.raises(InvalidTransitionError, match="unknown canary verdict"):
        model.apply_canary_verdict(build.verdict(canary=2, outcome="maybe"), build.cause())


def test_a_new_champion_displaces_the_running_challenger(build: Any) -> None:
    model = with_champion(build, CANARY)
    challenge(build, model, "run-2", CANARY)
    model.register(build.trained(run_id="run-3"), build.cause())
    model.promote(3, "hotfix", build.cause(event_type="manual.promote", event_id="req"))
    assert model.get(2).status is Status.REJECTED
    assert model.aliases == {"champion": 3}
    kinds = [type(a.event).__name__ for a in model.announcements]
    assert kinds[-2:] == ["ModelPromoted", "ModelRejected"]
    promoted = model.announcements[-2].event
    assert isinstance(promoted, ModelPromoted)
    assert promoted.evidence_event_id is None  # a manual request is not an event


def test_evaluation_of_an_unknown_run_raises_unknown_run(build: Any) -> None:
    with pytest.raises(UnknownRunError, match="not registered yet"):
        RegisteredModel("churn").apply_evaluation(
            build.evaluated(run_id="nope"), FULL, build.cause()
        )


def test_a_second_evaluation_of_a_decided_version_is_stale(build: Any) -> None:
    model = with_champion(build)
    with pytest.raises(StaleEventError):
        model.apply_evaluation(build.evaluated(run_id="run-1"), FULL, build.cause())


def test_retirement_retires_a_superseded_version_and_keeps_the_archive(build: Any) -> None:
    model = with_champion(build)
    challenge(build, model, "run-2")
    model.retire(build.retired(version=1), build.cause(event_type="ModelRetired"))
    assert model.get(1).status is Status.RETIRED
    assert model.get(1).location == "var/archive/1"
    model.retire(build.retired(version=1), build.cause())  # a re-delivery changes nothing
    assert [t.to_status for t in model.transitions].count(Status.RETIRED) == 1


def test_retirement_of_a_stale_challenger_drops_the_alias(build: Any) -> None:
    model = with_champion(build, CANARY)
    challenge(build, model, "run-2", CANARY)
    assert model.aliases == {"champion": 1, "challenger": 2}
    model.retire(build.retired(version=2), build.cause(event_type="ModelRetired"))
    assert model.get(2).status is Status.RETIRED
    assert model.aliases == {"champion": 1}


def test_retiring_the_champion_is_refused(build: Any) -> None:
    model = with_champion(build)
    with pytest.raises(InvalidTransitionError, match="while it serves"):
        model.retire(build.retired(version=1), build.cause())


def test_rollback_restores_the_previous_champion(build: Any) -> None:
    model = with_champion(build)
    challenge(build, model, "run-2")
    restored = model.rollback(
        None, "bad live metrics", WINDOW, build.cause(event_type="manual.rollback")
    )
    assert restored.version == 1
    assert model.get(2).status is Status.REJECTED
    assert model.aliases == {"champion": 1}
    rolled = model.announcements[-1].event
    assert isinstance(rolled, ModelRolledBack)
    assert (rolled.from_version, rolled.to_version, rolled.requested_by) == (2, 1, "test")


def test_rollback_to_a_retired_version_within_the_restore_window(build: Any) -> None:
    model = with_champion(build)
    challenge(build, model, "run-2")
    model.retire(build.retired(version=1), build.cause())
    later = build.cause(at=build.T0 + timedelta(days=29), event_type="manual.rollback")
    model.rollback(1, "restore", WINDOW, later)
    rolled = model.announcements[-1].event
    assert isinstance(rolled, ModelRolledBack)
    assert rolled.artifact_uri == "var/archive/1"


def test_rollback_to_a_version_retired_too_long_ago_is_refused(build: Any) -> None:
    model = with_champion(build)
    challenge(build, model, "run-2")
    model.retire(build.retired(version=1), build.cause())
    later = build.cause(at=build.T0 + timedelta(days=31), event_type="manual.rollback")
    with pytest.raises(InvalidTransitionError, match="restore_within_days"):
        model.rollback(1, "restore", WINDOW, later)


def test_rollback_needs_a_former_champion(build: Any) -> None:
    model = with_champion(build)
    model.register(build.trained(run_id="run-2"), build.cause())
    with pytest.raises(InvalidTransitionError, match="no former champion"):
        model.rollback(None, "why", WINDOW, build.cause())
    with pytest.raises(InvalidTransitionError, match="never served as champion"):
        model.rollback(2, "why", WINDOW, build.cause())


def test_a_retired_version_cannot_be_promoted_only_rolled_back_to(build: Any) -> None:
    model = with_champion(build)
    challenge(build, model, "run-2")
    model.retire(build.retired(version=1), build.cause())
    with pytest.raises(InvalidTransitionError, match="rollback"):
        model.promote(1, "try", build.cause())
