"""Adaptive micro-batching: concurrent requests share a call, a lone one never waits."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from driftline_serving.core import AdaptiveBatcher, Job, Result, ServingError


def test_requests_arriving_while_a_batch_runs_form_the_next_batch() -> None:
    seen: list[list[str]] = []
    gate = threading.Event()

    def process(name: str, jobs: Sequence[Job]) -> list[Result]:
        seen.append([j.request_id for j in jobs])
        gate.wait(2)  # the first batch holds the model while the others queue
        return [[] for _ in jobs]

    async def scenario() -> None:
        batcher = AdaptiveBatcher(process, ThreadPoolExecutor(1), max_size=64)
        first = asyncio.create_task(batcher.submit("m", Job("r0", 0.0)))
        await asyncio.sleep(0.05)
        rest = [asyncio.create_task(batcher.submit("m", Job(f"r{i}", 0.0))) for i in range(1, 9)]
        await asyncio.sleep(0.05)
        gate.set()
        await asyncio.gather(first, *rest)
        assert batcher.batches == 2

    asyncio.run(scenario())
    assert seen == [["r0"], [f"r{i}" for i in range(1, 9)]]


def test_batches_never_exceed_the_maximum_size() -> None:
    sizes: list[int] = []

    def process(name: str, jobs: Sequence[Job]) -> list[Result]:
        sizes.append(len(jobs))
        return [[] for _ in jobs]

    async def scenario() -> None:
        batcher = AdaptiveBatcher(process, None, max_size=4)
        await asyncio.gather(*(batcher.submit("m", Job(str(i), 0.0)) for i in range(10)))

    asyncio.run(scenario())
    assert sum(sizes) == 10
    assert max(sizes) <= 4


def test_each_model_batches_separately() -> None:
    calls: list[tuple[str, int]] = []

    def process(name: str, jobs: Sequence[Job]) -> list[Result]:
        calls.append((name, len(jobs)))
        return [[] for _ in jobs]

    async def scenario() -> None:
        batcher = AdaptiveBatcher(process, None)
        await asyncio.gather(batcher.submit("a", Job("1", 0.0)), batcher.submit("b", Job("2", 0.0)))

    asyncio.run(scenario())
    assert sorted(calls) == [("a", 1), ("b", 1)]


def test_a_failing_batch_fails_its_requests_and_the_next_batch_still_runs() -> None:
    def process(name: str, jobs: Sequence[Job]) -> list[Result]:
        if jobs[0].request_id == "boom":
            raise RuntimeError("bug")
        return [ServingError("answered") for _ in jobs]

    async def scenario() -> None:
        batcher = AdaptiveBatcher(process, None, max_size=1)
        boom = batcher.submit("m", Job("boom", 0.0))
        fine = batcher.submit("m", Job("fine", 0.0))
        outcomes = await asyncio.gather(boom, fine, return_exceptions=True)
        assert isinstance(outcomes[0], RuntimeError)
        assert isinstance(outcomes[1], ServingError)

    asyncio.run(scenario())


def test_a_wait_lets_a_batch_gather_company() -> None:
    sizes: list[int] = []

    def process(name: str, jobs: Sequence[Job]) -> list[Result]:
        sizes.append(len(jobs))
        return [[] for _ in jobs]

    async def scenario() -> None:
        batcher = AdaptiveBatcher(process, None, max_wait_s=0.02)

        async def late(i: int) -> Result:
            await asyncio.sleep(0.005)
            return await batcher.submit("m", Job(str(i), 0.0))

        await asyncio.gather(batcher.submit("m", Job("0", 0.0)), late(1), late(2))

    asyncio.run(scenario())
    assert sizes == [3]


@pytest.mark.parametrize("threads", [0, 1])
def test_results_come_back_to_the_request_that_asked(threads: int) -> None:
    def process(name: str, jobs: Sequence[Job]) -> list[Result]:
        return [ServingError(j.request_id) for j in jobs]

    async def scenario() -> None:
        batcher = AdaptiveBatcher(process, ThreadPoolExecutor(threads) if threads else None)
        results = await asyncio.gather(*(batcher.submit("m", Job(str(i), 0.0)) for i in range(20)))
        assert [str(r) for r in results] == [str(i) for i in range(20)]

    asyncio.run(scenario())
