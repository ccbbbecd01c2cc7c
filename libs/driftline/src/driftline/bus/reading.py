"""Shared plumbing of the bus's readers: whole-topic assignment and stop signals."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

__all__ = ["assign_all", "stop_on_signals"]

log = logging.getLogger(__name__)


def assign_all(
    consumer: Consumer,
    topics: Iterable[str],
    *,
    start: int = OFFSET_BEGINNING,
    timeout: float = 10.0,
) -> list[str]:
    """Assign every partition of the `topics` that exist at `start` (no group join); return them."""
    found: list[str] = []
    assignment: list[TopicPartition] = []
    for topic in topics:
        metadata = consumer.list_topics(topic, timeout=timeout).topics.get(topic)
        if metadata is None or metadata.error is not None or not metadata.partitions:
            continue
        found.append(topic)
        assignment += [TopicPartition(topic, p, start) for p in metadata.partitions]
    consumer.assign(assignment)
    return found


def stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set `stop` (main thread only); returns what restores the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal", extra={"signal": signum})
        stop.set()

    previous: dict[int, Any] = {
        sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)
    }

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore
