"""One handler per consumed event and per operator command, plus the routing table.

Every handler runs in one unit of work: skip the event if its ce_id was already
processed, load the model, let the domain decide, then save the model, its
transitions, the outbox rows announcing the change and the processed ce_id in
one transaction. Announcements keep the correlation id of their cause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from driftline.bus.ports import Handler, Message, event_type_name, routes
from driftline.envelope import Metadata
from driftline.events import (
    CanaryVerdict,
    Event,
    ModelEvaluated,
    ModelRetired,
    ModelTrained,
)
from driftline.spec import ProjectSpec, RetentionPolicy

from driftline_registry.adapters.ports import UnitOfWork, UnitOfWorkFactory
from driftline_registry.domain import (
    MANUAL_PREFIX,
    Announcement,
    Cause,
    ConcurrencyError,
    ModelVersion,
    PromoteVersion,
    RegisteredModel,
    RollBack,
    StaleEventError,
    Transition,
    UnknownModelError,
)
from driftline_registry.metrics import CONFLICTS, IGNORED_EVENTS, TRANSITIONS

__all__ = ["Context", "Outcome", "promote_version", "roll_back", "routing_table"]

log = logging.getLogger(__name__)
E = TypeVar("E", bound=Event)
Decide = Callable[[RegisteredModel, Cause], object]


@dataclass(frozen=True, slots=True)
class Context:
    """What handlers depend on; built once by `bootstrap`."""

    uow: UnitOfWorkFactory
    spec: ProjectSpec
    source: str = "driftline/registry"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    after_commit: Callable[[], None] = field(default=lambda: None)
    """Called after each commit that queued announcements (wakes the relay)."""
    command_attempts: int = 3


@dataclass(frozen=True, slots=True)
class Outcome:
    version: ModelVersion
    announced: list[str]
    """ce_ids of the events queued in the outbox."""


# -- events ---------------------------------------------------------------------------
def on_model_trained(message: Message[ModelTrained], ctx: Context) -> None:
    _handle(message, ctx, lambda model, cause: model.register(message.event, cause))


def on_model_evaluated(message: Message[ModelEvaluated], ctx: Context) -> None:
    event = message.event
    _handle(
        message,
        ctx,
        lambda model, cause: model.apply_evaluation(
            event, ctx.spec.model(event.model_name).promotion, cause
        ),
    )


def on_model_retired(message: Message[ModelRetired], ctx: Context) -> None:
    _handle(message, ctx, lambda model, cause: model.retire(message.event, cause))


def on_canary_verdict(message: Message[CanaryVerdict], ctx: Context) -> None:
    _handle(message, ctx, lambda model, cause: model.apply_canary_verdict(message.event, cause))


def routing_table(ctx: Context) -> dict[str, Handler]:
    """The registry's routes, keyed by ce_type."""
    table: dict[type[Event], Handler] = {
        ModelTrained: partial(on_model_trained, ctx=ctx),
        ModelEvaluated: partial(on_model_evaluated, ctx=ctx),
        ModelRetired: partial(on_model_retired, ctx=ctx),
        CanaryVerdict: partial(on_canary_verdict, ctx=ctx),
    }
    return routes(table)


def _known(message: Message[Any], ctx: Context) -> bool:
    return str(message.event.model_name) in ctx.spec.models


def _handle(message: Message[E], ctx: Context, decide: Decide) -> None:
    meta, etype = message.meta, type(message.event).__name__
    name = str(getattr(message.event, "model_name"))  # noqa: B009 - every lifecycle event has it
    if not _known(message, ctx):
        # The spec declares the models this registry manages; others are not ours to decide.
        log.warning("event for a model the spec does not declare ignored", extra={"model": name})
        IGNORED_EVENTS.labels(etype, "unknown_model").inc()
        return
    cause = Cause(
        event_id=meta.id,
        event_type=etype,
        correlation_id=meta.correlation_id,
        at=ctx.clock(),
        actor=meta.source,
        evidence={"event_type": etype, "event": message.event.model_dump(mode="json")},
    )
    with ctx.uow() as uow:
        if uow.processed.seen(meta.id):
            log.info("event already processed", extra={"model": name})
            IGNORED_EVENTS.labels(etype, "duplicate").inc()
            return
        model = uow.models.get(name) or RegisteredModel(name)
        try:
            decide(model, cause)
        except StaleEventError as exc:
            log.warning("stale event acknowledged without effect: %s", exc, extra={"model": name})
            IGNORED_EVENTS.labels(etype, "stale").inc()
        saved = _save(uow, model, lambda a: replace(meta.caused(_ce_type(a), ctx.source), id=a.id))
        uow.processed.add(meta.id, meta.type, cause.at)
        uow.commit()
    _committed(ctx, saved)


# -- commands -------------------------------------------------------------------------
def promote_version(command: PromoteVersion, ctx: Context) -> Outcome:
    """Make a version champion on an operator's word (ModelPromoted, rollout full)."""
    return _command(
        command,
        ctx,
        "promote",
        lambda model, cause: model.promote(command.version, command.reason, cause),
    )


def roll_back(command: RollBack, ctx: Context) -> Outcome:
    """Restore a former champion (ModelRolledBack), within the retention's restore window."""
    spec = ctx.spec.models.get(command.model_name)
    retention = spec.retention if spec is not None else RetentionPolicy()
    window = timedelta(days=retention.restore_within_days)
    return _command(
        command,
        ctx,
        "rollback",
        lambda model, cause: model.rollback(command.to_version, command.reason, window, cause),
    )


def _command(
    command: PromoteVersion | RollBack,
    ctx: Context,
    verb: str,
    decide: Callable[[RegisteredModel, Cause], ModelVersion],
) -> Outcome:
    for attempt in range(1, ctx.command_attempts + 1):
        cause = Cause(
            event_id=command.request_id,
            event_type=f"{MANUAL_PREFIX}{verb}",
            correlation_id=command.correlation_id,
            at=ctx.clock(),
            actor=command.requested_by,
            evidence={"request": asdict(command)},
        )
        try:
            with ctx.uow() as uow:
                model = uow.models.get(command.model_name)
                if model is None:
                    raise UnknownModelError(f"no model named {command.model_name!r}")
                version = decide(model, cause)
                saved = _save(
                    uow,
                    model,
                    lambda a: Metadata(
                        type=_ce_type(a),
                        source=ctx.source,
                        id=a.id,
                        correlation_id=command.correlation_id,
                    ),
                )
                uow.commit()
        except ConcurrencyError:
            CONFLICTS.inc()
            if attempt == ctx.command_attempts:
                raise
            continue
        _committed(ctx, saved)
        return Outcome(version, [a.id for a in saved.announcements])
    raise AssertionError("unreachable: the attempt loop returns or raises")


# -- shared -----------------------------------------------------------------------------
def _ce_type(announcement: Announcement) -> str:
    return event_type_name(type(announcement.event))


@dataclass(frozen=True, slots=True)
class _Saved:
    announcements: list[Announcement] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)


def _save(
    uow: UnitOfWork, model: RegisteredModel, envelope: Callable[[Announcement], Metadata]
) -> _Saved:
    """Save the model's changes and queue its announcements; both commit together."""
    if not model.has_changes:
        return _Saved()
    saved = _Saved(list(model.announcements), list(model.transitions))
    try:
        uow.models.save(model)
    except ConcurrencyError:
        CONFLICTS.inc()
        raise
    for announcement in saved.announcements:
        uow.outbox.add(announcement, envelope(announcement), key=model.name)
    return saved


def _committed(ctx: Context, saved: _Saved) -> None:
    for t in saved.transitions:
        TRANSITIONS.labels(t.model_name, t.from_status or "none", t.to_status).inc()
    if saved.announcements:
        ctx.after_commit()
