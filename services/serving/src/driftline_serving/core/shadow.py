"""Shadow scoring off the request path: the challenger scores a copy of the rows, and its
answers go to the prediction log (role ``shadow``), never to the caller.

A bounded queue and one thread: when the challenger falls behind, shadow jobs are dropped
and counted rather than slowing or growing the service.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Sequence
from typing import Any

from driftline_serving.core.ports import PredictionSink, Telemetry
from driftline_serving.core.predict import call_model
from driftline_serving.core.types import Model, PredictionRecord

__all__ = ["ShadowScorer"]

log = logging.getLogger(__name__)
_Work = tuple[Model, Sequence[dict[str, Any]], list[str], list[str | None]]


class ShadowScorer:
    def __init__(
        self,
        sink: PredictionSink | None,
        telemetry: Telemetry,
        *,
        capacity: int = 1000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sink, self.telemetry, self.clock = sink, telemetry, clock
        self._queue: queue.Queue[_Work] = queue.Queue(capacity)
        self._stopping = False
        self.dropped = 0

    def submit(self, model: Model, rows: Sequence[dict[str, Any]], request_ids: list[str],
               entity_keys: list[str | None]) -> bool:  # fmt: skip
        """Queue a copy of the rows for the shadow model; False (counted) when the queue is full."""
        try:
            self._queue.put_nowait((model, rows, request_ids, entity_keys))
        except queue.Full:
            self.dropped += 1
            self.telemetry.shadow_dropped(model.name)
            return False
        return True

    def run(self) -> None:
        """Score queued jobs until `stop` (a `Worker`: the runner gives it a thread)."""
        while not self._stopping:
            try:
                work = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self.score(*work)
            except Exception:
                log.warning("shadow scoring failed", exc_info=True)

    def stop(self) -> None:
        self._stopping = True

    def drain(self) -> None:
        """Score everything queued, in the calling thread (tests, shutdown)."""
        while True:
            try:
                work = self._queue.get_nowait()
            except queue.Empty:
                return
            self.score(*work)

    def score(self, model: Model, rows: Sequence[dict[str, Any]], request_ids: list[str],
              entity_keys: list[str | None]) -> None:  # fmt: skip
        started = time.perf_counter()
        out = call_model(model, rows)
        latency_ms = (time.perf_counter() - started) * 1000
        self.telemetry.predicted(model.name, model.version, "shadow", len(rows))
        if self.sink is None:
            return
        stamp = self.clock()
        for n, row in enumerate(rows):
            self.sink.put(PredictionRecord(
                request_id=request_ids[n], model_name=model.name, model_version=model.version,
                entity_key=entity_keys[n], features={f: row.get(f) for f in model.features},
                prediction=out.predictions[n], score=out.scores[n], latency_ms=latency_ms,
                timestamp=stamp, role="shadow",
            ))  # fmt: skip
