"""Adaptive micro-batching: concurrent requests of one model share one predict call.

At most one batch per model is in flight. Requests that arrive while it runs wait in the
model's queue and form the next batch (up to `max_size`), so batches grow with load and a
lone request never waits for company (unless `max_wait_s` asks it to). The batch runs on an
executor thread, keeping the event loop free to read and answer other requests.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

from driftline_serving.core.jobs import Job, Result

__all__ = ["AdaptiveBatcher"]

log = logging.getLogger(__name__)
Process = Callable[[str, Sequence[Job]], list[Result]]


class AdaptiveBatcher:
    def __init__(
        self, process: Process, executor: Executor | None, *, max_size: int = 64,
        max_wait_s: float = 0.0,
    ) -> None:  # fmt: skip
        self.process, self.executor = process, executor
        self.max_size, self.max_wait_s = max_size, max_wait_s
        self._queues: dict[str, deque[tuple[Job, asyncio.Future[Result]]]] = {}
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches = 0
        """Batches run so far (a measure of how much batching happened)."""

    async def submit(self, name: str, job: Job) -> Result:
        """The job's result once its batch ran (a list of answers, or a serving error)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._queues.setdefault(name, deque()).append((job, future))
        if name not in self._running:
            self._running.add(name)
            task = loop.create_task(self._drain(name))
            self._tasks.add(task)  # a strong reference until it ends
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _drain(self, name: str) -> None:
        queue = self._queues[name]
        loop = asyncio.get_running_loop()
        try:
            while queue:
                if self.max_wait_s and len(queue) < self.max_size:
                    await asyncio.sleep(self.max_wait_s)
                batch = [queue.popleft() for _ in range(min(self.max_size, len(queue)))]
                jobs = [job for job, _ in batch]
                try:
                    if self.executor is None:
                        results = self.process(name, jobs)
                    else:
                        results = await loop.run_in_executor(
                            self.executor, self.process, name, jobs
                        )
                except Exception as exc:  # a bug, not a bad request: fail this batch only
                    log.exception("batch failed", extra={"model": name, "size": len(batch)})
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():  # the client may have gone away
                        future.set_result(result)
        finally:
            self._running.discard(name)
