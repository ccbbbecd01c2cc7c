"""One handler per consumed message type, and the routing table.

Handlers translate a message into a `Trigger` and hand it to the `Intake`; they
return as soon as the trigger is queued (or refused), so the offset is committed
quickly and a long training never holds the consumer past its poll interval.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from driftline.bus.ports import Handler, Message, routes
from driftline.events import DriftDetected, TrainingRequested

from driftline_training.domain.model import Trigger, TriggerType
from driftline_training.intake import Intake

__all__ = ["on_drift_detected", "on_training_requested", "routing_table", "trigger_type"]

REQUEST_TYPES: dict[str, TriggerType] = {
    "manual": "manual",
    "schedule": "schedule",
    "scheduled": "schedule",
    "bootstrap": "bootstrap",
}


def trigger_type(reason: str) -> TriggerType:
    """TrainingRequested.reason is free text; schedule and bootstrap are recognised."""
    return REQUEST_TYPES.get(reason.strip().lower(), "manual")


def on_training_requested(message: Message[TrainingRequested], intake: Intake) -> None:
    command = message.event
    intake.accept(
        Trigger(
            model=command.model_name,
            trigger_type=trigger_type(command.reason),
            meta=message.meta,
            received_at=intake.clock(),
            reason=command.reason,
            force=command.force,
            window_days=command.window_days,
        )
    )


def on_drift_detected(message: Message[DriftDetected], intake: Intake) -> None:
    fact = message.event
    reason = f"{fact.kind} drift ({fact.severity}) on v{fact.model_version}"
    intake.accept(
        Trigger(
            model=fact.model_name,
            trigger_type="drift",
            meta=message.meta,
            received_at=intake.clock(),
            reason=reason,
            since=fact.window.start,
        )
    )


def routing_table(intake: Intake) -> dict[str, Handler]:
    table: dict[type[Any], Callable[[Message[Any]], None]] = {
        TrainingRequested: partial(on_training_requested, intake=intake),
        DriftDetected: partial(on_drift_detected, intake=intake),
    }
    return routes(table)
