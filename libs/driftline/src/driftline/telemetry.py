"""Structured logs carrying the workflow ids, and the shared Prometheus metrics.

`log_context(meta)` binds ``correlation_id``, ``causation_id``, ``event_id`` and
``trace_id`` for everything logged while one event is handled, across threads'
own contexts (contextvars).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from prometheus_client import Counter, Histogram
from pythonjsonlogger.json import JsonFormatter

from driftline.envelope import Metadata

__all__ = [
    "DEAD_LETTERED",
    "EVENTS_CONSUMED",
    "EVENTS_PRODUCED",
    "HANDLER_SECONDS",
    "configure_logging",
    "current_context",
    "log_context",
]

_context: ContextVar[dict[str, str]] = ContextVar("driftline_log_context", default={})  # noqa: B039

EVENTS_CONSUMED = Counter(
    "driftline_events_consumed_total",
    "Events read from Kafka, by outcome (handled, duplicate, ignored, dead_lettered).",
    ["service", "topic", "type", "outcome"],
)
EVENTS_PRODUCED = Counter(
    "driftline_events_produced_total", "Events published to Kafka.", ["service", "topic", "type"]
)
DEAD_LETTERED = Counter(
    "driftline_events_dead_lettered_total",
    "Records sent to a dead-letter topic, by reason class.",
    ["service", "topic", "reason"],
)
HANDLER_SECONDS = Histogram(
    "driftline_handler_seconds", "Time spent in an event handler.", ["service", "type"]
)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        for key, value in _context.get().items():
            setattr(record, key, value)
        return True


def configure_logging(service: str, level: str = "INFO", *, json: bool = True) -> None:
    """Route the root logger to stderr, JSON by default, with the workflow ids attached."""
    handler = logging.StreamHandler(sys.stderr)
    if json:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def current_context() -> dict[str, str]:
    return dict(_context.get())


@contextmanager
def log_context(meta: Metadata | None = None, **extra: str) -> Iterator[None]:
    values: dict[str, Any] = dict(_context.get())
    if meta is not None:
        values.update(
            correlation_id=meta.correlation_id,
            causation_id=meta.causation_id or "",
            event_id=meta.id,
            event_type=meta.type,
            trace_id=meta.trace_id,
        )
    values.update(extra)
    token = _context.set(values)
    try:
        yield
    finally:
        _context.reset(token)
