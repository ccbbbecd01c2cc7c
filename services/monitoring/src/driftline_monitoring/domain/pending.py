"""Predictions waiting for their labels: bounded in size and in (event-time) age.

Labels find their predictions by request id, or, when a label carries no
prediction id, by entity key: the pending prediction of that entity whose event
time is closest to the label's. A request may have several predictions (the
champion and a shadow score the same request), so each id maps to a list.
Past `capacity`, or older than `ttl` behind the newest prediction, the oldest
are dropped: a label that comes too late is counted as unmatched.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from driftline_monitoring.domain.types import Prediction

__all__ = ["PendingPredictions"]


class PendingPredictions:
    def __init__(self, capacity: int, ttl: timedelta) -> None:
        self.capacity = capacity
        self.ttl = ttl
        self._by_id: OrderedDict[str, list[Prediction]] = OrderedDict()
        self._by_entity: dict[str, set[str]] = {}
        self._newest: datetime | None = None
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._by_id)

    def add(self, p: Prediction) -> bool:
        """Keep `p`; False when the same prediction is already waiting (a redelivery)."""
        waiting = self._by_id.setdefault(p.request_id, [])
        if any((w.model, w.version, w.role) == (p.model, p.version, p.role) for w in waiting):
            return False
        waiting.append(p)
        if p.entity_key is not None:
            self._by_entity.setdefault(p.entity_key, set()).add(p.request_id)
        self._newest = p.event_time if self._newest is None else max(self._newest, p.event_time)
        self._evict()
        return True

    def take(self, request_id: str) -> list[Prediction]:
        found = self._by_id.pop(request_id, [])
        for p in found:
            if p.entity_key is not None and (ids := self._by_entity.get(p.entity_key)):
                ids.discard(request_id)
                if not ids:
                    del self._by_entity[p.entity_key]
        return found

    def take_entity(
        self, entity_key: str, at: datetime | None, models: set[str]
    ) -> list[Prediction]:
        """The predictions (of `models`) of the entity's request closest in time to `at`."""
        candidates = [
            (abs((p.event_time - at).total_seconds()) if at else -p.event_time.timestamp(), rid)
            for rid in self._by_entity.get(entity_key, ())
            for p in self._by_id.get(rid, ())
            if p.model in models
        ]
        return self.take(min(candidates)[1]) if candidates else []

    def _evict(self) -> None:
        assert self._newest is not None
        horizon = self._newest - self.ttl
        while self._by_id:
            rid, oldest = next(iter(self._by_id.items()))
            if len(self._by_id) <= self.capacity and min(p.event_time for p in oldest) >= horizon:
                break
            self.evicted += len(self.take(rid))
