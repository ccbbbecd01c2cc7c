"""The outbox relay publishes committed rows in order, with their stored envelopes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from driftline.bus import FakePublisher
from driftline_registry.adapters import OutboxRelay
from driftline_registry.handlers import Context, routing_table


def fill(ctx: Context, build: Any, runs: int) -> None:
    handle = routing_table(ctx)
    for n in range(1, runs + 1):
        message = build.message(build.trained(run_id=f"r{n}"))
        handle[message.meta.type](message)


def relay_for(ctx: Context, publisher: Any, batch_size: int = 100) -> OutboxRelay:
    return OutboxRelay(ctx.uow, publisher, batch_size=batch_size, clock=ctx.clock)


def test_publishes_pending_rows_in_commit_order_with_their_envelopes(
    ctx: Context, store: Any, build: Any, publisher: FakePublisher
) -> None:
    fill(ctx, build, 3)
    assert relay_for(ctx, publisher).relay_once() == 3
    sent = [meta.id for _, meta, _ in publisher.published]
    assert sent == [r.meta.id for r in store.outbox]
    assert [key for _, _, key in publisher.published] == ["churn"] * 3
    assert all(r.published_at is not None for r in store.outbox)
    assert relay_for(ctx, publisher).relay_once() == 0


def test_publishes_in_batches(
    ctx: Context, store: Any, build: Any, publisher: FakePublisher
) -> None:
    fill(ctx, build, 5)
    relay = relay_for(ctx, publisher, batch_size=2)
    assert [relay.relay_once() for _ in range(4)] == [2, 2, 1, 0]


class FailingPublisher(FakePublisher):
    """Accepts records but fails to confirm them, like a broker that went away mid-batch."""

    def flush(self, timeout: float = 10.0) -> None:
        raise RuntimeError("broker did not acknowledge")


def test_unacknowledged_rows_stay_pending_and_go_out_next_round(
    ctx: Context, store: Any, build: Any, publisher: FakePublisher
) -> None:
    fill(ctx, build, 1)
    with pytest.raises(RuntimeError):
        relay_for(ctx, FailingPublisher()).relay_once()
    assert store.outbox[0].published_at is None
    assert relay_for(ctx, publisher).relay_once() == 1


def test_a_crash_between_publish_and_mark_republishes_the_same_ce_id(
    ctx: Context, store: Any, build: Any, publisher: FakePublisher, monkeypatch: Any
) -> None:
    """Documented at-least-once: consumers dedupe the second copy by its ce_id."""
    fill(ctx, build, 1)
    relay = relay_for(ctx, publisher)
    from driftline_registry.adapters import relay as relay_module

    def crash(*_: Any) -> None:
        raise SystemExit("killed after publish, before marking")

    monkeypatch.setattr(relay_module.OutboxRelay, "_mark", crash)
    original = store.outbox[0].meta.id
    with pytest.raises(SystemExit):
        relay.relay_once()
    monkeypatch.undo()
    relay_for(ctx, publisher).relay_once()
    assert [meta.id for _, meta, _ in publisher.published] == [original, original]


def test_stop_ends_the_loop_promptly(ctx: Context, publisher: FakePublisher) -> None:
    relay = OutboxRelay(ctx.uow, publisher, poll_interval_s=30)
    relay.stop()
    started = datetime.now()
    relay.run()
    assert (datetime.now() - started).total_seconds() < 1
