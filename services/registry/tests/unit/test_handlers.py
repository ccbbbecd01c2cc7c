"""Handlers: one transaction per event, dedupe by ce_id, announcements caused by their event."""

from __future__ import annotations

from typing import Any

import pytest
from driftline.events import ModelPromoted, ModelRegistered, ModelRejected, ModelRolledBack
from driftline_registry.domain import (
    ConcurrencyError,
    PromoteVersion,
    RollBack,
    Status,
    UnknownRunError,
)
from driftline_registry.handlers import Context, promote_version, roll_back, routing_table


def deliver(ctx: Context, message: Any) -> None:
    routing_table(ctx)[message.meta.type](message)


def outbox_events(store: Any) -> list[Any]:
    return [r.event for r in store.outbox]


def test_model_trained_registers_and_queues_model_registered_caused_by_it(
    ctx: Context, store: Any, build: Any
) -> None:
    trained = build.message(build.trained(), correlation_id="drift-incident-7")
    deliver(ctx, trained)
    [record] = store.outbox
    assert isinstance(record.event, ModelRegistered)
    assert record.meta.correlation_id == "drift-incident-7"
    assert record.meta.causation_id == trained.meta.id
    assert record.meta.trace_id == trained.meta.trace_id
    assert record.key == "churn"
    assert store.models["churn"].get(1).status is Status.CANDIDATE
    assert trained.meta.id in store.processed


def test_a_redelivered_event_is_processed_once(ctx: Context, store: Any, build: Any) -> None:
    trained = build.message(build.trained())
    deliver(ctx, trained)
    deliver(ctx, trained)
    assert len(store.outbox) == 1
    assert store.commits == 1


def test_a_retrained_run_with_a_new_event_id_registers_once(
    ctx: Context, store: Any, build: Any
) -> None:
    deliver(ctx, build.message(build.trained(run_id="r")))
    deliver(ctx, build.message(build.trained(run_id="r")))
    assert len(store.models["churn"].versions) == 1
    assert len(store.outbox) == 1


def test_events_of_models_the_spec_does_not_declare_are_ignored(
    ctx: Context, store: Any, build: Any
) -> None:
    deliver(ctx, build.message(build.trained(model="someone_elses")))
    assert store.models == {}
    assert store.commits == 0


def test_a_rejected_challenger_is_announced_with_its_evidence(
    ctx: Context, store: Any, build: Any
) -> None:
    deliver(ctx, build.message(build.trained(run_id="r1")))
    deliver(ctx, build.message(build.evaluated(run_id="r1")))
    deliver(ctx, build.message(build.trained(run_id="r2")))
    gate = build.message(build.evaluated(run_id="r2", champion_version=1, decision="reject"))
    deliver(ctx, gate)
    rejected = outbox_events(store)[-1]
    assert isinstance(rejected, ModelRejected)
    assert rejected.evidence_event_id == gate.meta.id
    history = store.transitions[-1]
    assert history.event_id == gate.meta.id
    assert history.evidence["event"]["decision"] == "reject"


def test_a_better_challenger_is_promoted_over_the_champion(
    ctx: Context, store: Any, build: Any
) -> None:
    deliver(ctx, build.message(build.trained(run_id="r1")))
    deliver(ctx, build.message(build.evaluated(run_id="r1")))
    deliver(ctx, build.message(build.trained(run_id="r2")))
    deliver(ctx, build.message(build.evaluated(run_id="r2", champion_version=1, delta=0.05)))
    promoted = outbox_events(store)[-1]
    assert isinstance(promoted, ModelPromoted)
    assert (promoted.version, promoted.previous_version, promoted.rollout) == (2, 1, "full")
    assert store.models["churn"].get(1).status is Status.SUPERSEDED


def test_the_canary_policy_of_the_spec_applies(ctx: Context, store: Any, build: Any) -> None:
    for run, champion in (("r1", None), ("r2", 1)):
        deliver(ctx, build.message(build.trained(model="churn_canary", run_id=run)))
        deliver(ctx, build.message(build.evaluated(model="churn_canary", run_id=run,
                                                   champion_version=champion, delta=0.05)))  # fmt: skip
    promoted = outbox_events(store)[-1]
    assert isinstance(promoted, ModelPromoted)
    assert (promoted.rollout, promoted.canary_fraction) == ("canary", 0.25)
    deliver(ctx, build.message(build.verdict(model="churn_canary", canary=2, outcome="rollback")))
    assert isinstance(outbox_events(store)[-1], ModelRolledBack)


def test_an_evaluation_of_an_unknown_run_raises_so_the_bus_retries(
    ctx: Context, store: Any, build: Any
) -> None:
    with pytest.raises(UnknownRunError):
        deliver(ctx, build.message(build.evaluated(run_id="not-yet")))
    assert store.commits == 0


def test_a_stale_evaluation_is_acknowledged_without_effect(
    ctx: Context, store: Any, build: Any
) -> None:
    deliver(ctx, build.message(build.trained(run_id="r1")))
    deliver(ctx, build.message(build.evaluated(run_id="r1")))
    late = build.message(build.evaluated(run_id="r1"))
    deliver(ctx, late)
    assert len(store.outbox) == 2
    assert late.meta.id in store.processed


def test_a_lost_race_is_raised_for_the_bus_to_retry(ctx: Context, store: Any, build: Any) -> None:
    store.conflicts_to_raise = 1
    trained = build.message(build.trained())
    with pytest.raises(ConcurrencyError):
        deliver(ctx, trained)
    deliver(ctx, trained)
    assert len(store.outbox) == 1


def test_manual_promote_is_announced_in_the_requests_workflow(
    ctx: Context, store: Any, build: Any
) -> None:
    deliver(ctx, build.message(build.trained(run_id="r1")))
    deliver(ctx, build.message(build.evaluated(run_id="r1")))
    deliver(ctx, build.message(build.trained(run_id="r2")))
    store.conflicts_to_raise = 1  # retried transparently
    outcome = promote_version(
        PromoteVersion("churn", 2, "hotfix", requested_by="alice", correlation_id="req-corr"), ctx
    )
    assert (outcome.version.version, outcome.version.status) == (2, Status.CHAMPION)
    record = store.outbox[-1]
    assert record.meta.id == outcome.announced[0]
    assert (record.meta.correlation_id, record.meta.causation_id) == ("req-corr", None)
    assert store.transitions[-1].actor == "alice"
    assert store.transitions[-1].event_type == "manual.promote"


def test_manual_rollback_restores_the_previous_champion(
    ctx: Context, store: Any, build: Any
) -> None:
    deliver(ctx, build.message(build.trained(run_id="r1")))
    deliver(ctx, build.message(build.evaluated(run_id="r1")))
    deliver(ctx, build.message(build.trained(run_id="r2")))
    deliver(ctx, build.message(build.evaluated(run_id="r2", champion_version=1, delta=0.05)))
    outcome = roll_back(RollBack("churn", "live AUC fell", "bob", "corr"), ctx)
    assert outcome.version.version == 1
    rolled = outbox_events(store)[-1]
    assert isinstance(rolled, ModelRolledBack)
    assert (rolled.from_version, rolled.to_version, rolled.requested_by) == (2, 1, "bob")
