"""CloudEvents binary content mode over Kafka headers, plus workflow and trace ids.

Headers: ``ce_specversion``, ``ce_id``, ``ce_source``, ``ce_type``, ``ce_time``,
``content-type`` (CloudEvents Kafka binding), ``correlation_id`` (the workflow),
``causation_id`` (the event that caused this one) and W3C ``traceparent``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

__all__ = ["AVRO_CONTENT_TYPE", "EnvelopeError", "Metadata", "new_traceparent"]

AVRO_CONTENT_TYPE = "application/avro"
SPECVERSION = "1.0"

Headers = Iterable[tuple[str, bytes | str | None]]


class EnvelopeError(ValueError):
    """A record whose headers are not a valid Driftline envelope."""


def new_traceparent(trace_id: str | None = None) -> str:
    # Ids need uniqueness, not secrecy: the module's generator, no syscall per event (the
    # prediction log makes one per prediction); it is reseeded in forked children.
    return f"00-{trace_id or f'{random.getrandbits(128):032x}'}-{random.getrandbits(64):016x}-01"


def new_event_id() -> str:
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Metadata:
    """Who, what, when and why of one event; travels in the record's headers."""

    type: str
    source: str
    id: str = field(default_factory=new_event_id)
    time: datetime = field(default_factory=_now)
    correlation_id: str = ""
    causation_id: str | None = None
    traceparent: str = field(default_factory=new_traceparent)
    content_type: str = AVRO_CONTENT_TYPE

    def __post_init__(self) -> None:
        if not self.correlation_id:
            # The first event of a workflow opens it: its own id names the workflow.
            object.__setattr__(self, "correlation_id", self.id)

    @property
    def trace_id(self) -> str:
        parts = self.traceparent.split("-")
        return parts[1] if len(parts) == 4 else ""

    def caused(self, event_type: str, source: str) -> Metadata:
        """Metadata for an event caused by this one: same workflow and trace, new span."""
        return Metadata(
            type=event_type,
            source=source,
            correlation_id=self.correlation_id,
            causation_id=self.id,
            traceparent=new_traceparent(self.trace_id or None),
        )

    def with_type(self, event_type: str) -> Metadata:
        return replace(self, type=event_type)

    def to_headers(self) -> list[tuple[str, bytes]]:
        headers = [
            ("ce_specversion", SPECVERSION),
            ("ce_id", self.id),
            ("ce_source", self.source),
            ("ce_type", self.type),
            ("ce_time", self.time.isoformat()),
            ("content-type", self.content_type),
            ("correlation_id", self.correlation_id),
            ("traceparent", self.traceparent),
        ]
        if self.causation_id:
            headers.append(("causation_id", self.causation_id))
        return [(k, v.encode()) for k, v in headers]

    @classmethod
    def from_headers(cls, headers: Headers | None) -> Metadata:
        values = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in (headers or [])}
        missing = [k for k in ("ce_id", "ce_type", "ce_source") if not values.get(k)]
        if missing:
            raise EnvelopeError(f"missing CloudEvents header(s): {', '.join(missing)}")
        if values.get("ce_specversion", SPECVERSION) != SPECVERSION:
            raise EnvelopeError(f"unsupported ce_specversion {values['ce_specversion']!r}")
        raw_time = values.get("ce_time")
        try:
            time = datetime.fromisoformat(raw_time) if raw_time else _now()
        except ValueError:
            raise EnvelopeError(f"bad ce_time {raw_time!r}") from None
        return cls(
            type=str(values["ce_type"]),
            source=str(values["ce_source"]),
            id=str(values["ce_id"]),
            time=time,
            correlation_id=str(values.get("correlation_id") or values["ce_id"]),
            causation_id=values.get("causation_id") or None,
            traceparent=str(values.get("traceparent") or new_traceparent()),
            content_type=str(values.get("content-type") or AVRO_CONTENT_TYPE),
        )
