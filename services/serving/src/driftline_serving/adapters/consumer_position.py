"""When the lifecycle consumer is positioned: told by librdkafka's own statistics.

The champion read at start must come after the consumer holds its partitions with their
positions resolved: any lifecycle event published after that point is consumed, and
everything before it is in the registry's answer, so nothing falls in between. librdkafka
reports both in its statistics (the group's ``join_state`` is ``steady``, every assigned
partition's ``fetch_state`` is ``active``), which `stats_cb` hands us every interval.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

__all__ = ["ConsumerPosition"]

log = logging.getLogger(__name__)


class ConsumerPosition:
    def __init__(self, topic: str, *, interval_ms: int = 500) -> None:
        self.topic = topic
        self.interval_ms = interval_ms
        self._positioned = threading.Event()

    def consumer_config(self) -> dict[str, Any]:
        """What to add to the consumer's configuration for `on_stats` to be called."""
        return {"statistics.interval.ms": self.interval_ms, "stats_cb": self.on_stats}

    def on_stats(self, raw: str) -> None:
        if self._positioned.is_set():
            return
        try:
            stats = json.loads(raw)
        except ValueError:
            return
        if stats.get("cgrp", {}).get("join_state") != "steady":
            return
        partitions = stats.get("topics", {}).get(self.topic, {}).get("partitions", {})
        assigned = [p for p in partitions.values() if p.get("desired")]
        if assigned and all(p.get("fetch_state") == "active" for p in assigned):
            log.info("lifecycle consumer positioned", extra={"partitions": len(assigned)})
            self._positioned.set()

    def wait(self, timeout: float) -> bool:
        """True once positioned; False if `timeout` seconds passed first."""
        return self._positioned.wait(timeout)

    @property
    def positioned(self) -> bool:
        return self._positioned.is_set()

    def check(self) -> bool | str:
        """Readiness: lifecycle events reach this replica."""
        return True if self.positioned else "lifecycle consumer joining its group"
