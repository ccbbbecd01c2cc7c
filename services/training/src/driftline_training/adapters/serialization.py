"""JSON forms of triggers, envelopes and events, for the durable run store."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from driftline.envelope import Metadata
from driftline.events import EVENT_TYPES

from driftline_training.adapters.ports import Outgoing
from driftline_training.domain.model import Trigger

__all__ = [
    "dump_outgoing",
    "dump_trigger",
    "load_outgoing",
    "load_trigger",
    "meta_from_dict",
    "meta_to_dict",
]


def meta_to_dict(meta: Metadata) -> dict[str, Any]:
    return {
        "type": meta.type,
        "source": meta.source,
        "id": meta.id,
        "time": meta.time.isoformat(),
        "correlation_id": meta.correlation_id,
        "causation_id": meta.causation_id,
        "traceparent": meta.traceparent,
        "content_type": meta.content_type,
    }


def meta_from_dict(raw: dict[str, Any]) -> Metadata:
    return Metadata(**{**raw, "time": datetime.fromisoformat(raw["time"])})


def dump_trigger(trigger: Trigger) -> str:
    return json.dumps(
        {
            "model": trigger.model,
            "trigger_type": trigger.trigger_type,
            "meta": meta_to_dict(trigger.meta),
            "received_at": trigger.received_at.isoformat(),
            "reason": trigger.reason,
            "force": trigger.force,
            "window_days": trigger.window_days,
            "attempt": trigger.attempt,
            "since": _iso(trigger.since),
            "not_before": _iso(trigger.not_before),
        }
    )


def load_trigger(text: str) -> Trigger:
    """Also reads triggers stored before ``since`` and ``not_before`` existed."""
    raw = json.loads(text)
    return Trigger(
        model=raw["model"],
        trigger_type=raw["trigger_type"],
        meta=meta_from_dict(raw["meta"]),
        received_at=datetime.fromisoformat(raw["received_at"]),
        reason=raw["reason"],
        force=raw["force"],
        window_days=raw["window_days"],
        attempt=raw["attempt"],
        since=_time(raw.get("since")),
        not_before=_time(raw.get("not_before")),
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def dump_outgoing(outgoing: Outgoing) -> str:
    event = outgoing.event
    return json.dumps(
        {
            "event_type": type(event).__name__,
            "event": event.model_dump(mode="json"),
            "meta": meta_to_dict(outgoing.meta),
        }
    )


def load_outgoing(text: str) -> Outgoing:
    raw = json.loads(text)
    cls = EVENT_TYPES[raw["event_type"]]
    return Outgoing(cls.model_validate(raw["event"]), meta_from_dict(raw["meta"]))
