"""The faust worker: one agent over the predictions, data and lifecycle topics.

The agent only moves bytes: it takes batches of events and hands them to a
single handler thread (`BatchHandler`), so the event loop stays free for
heartbeats and the API while the handlers compute or call HTTP. Offsets are
acknowledged after the batch was handled. A record that cannot be decoded is
dead-lettered by `FaustBridge`; one whose handler keeps failing is retried
(`consumer_max_attempts`, exponential backoff) and then dead-lettered too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust
from driftline.bus import RetryPolicy
from driftline.bus.faust_app import FaustBridge, create_faust_app
from driftline.bus.records import normalise_headers
from driftline.codec import EventCodec
from driftline.events import LabelsObserved, ModelPromoted, PredictionLogged
from driftline.telemetry import EVENTS_CONSUMED, log_context
from fastapi import FastAPI
from faust.contrib.asgi import serve_asgi

from driftline_monitoring.bootstrap import Monitoring

__all__ = ["BatchHandler", "create_worker"]

log = logging.getLogger(__name__)
CONSUMED = (PredictionLogged, LabelsObserved, ModelPromoted)


class BatchHandler:
    """Decode, route and handle a batch of faust events; then checkpoint the durable state."""

    def __init__(self, monitoring: Monitoring, bridge: FaustBridge, retry: RetryPolicy) -> None:
        self.monitoring, self.bridge, self.retry = monitoring, bridge, retry

    def __call__(self, events: Sequence[Any]) -> None:
        for event in events:
            message = self.bridge.to_message(event)
            if message is not None:
                self._handle(event, message)
        self.monitoring.checkpoint()

    def _handle(self, event: Any, message: Any) -> None:
        etype = message.meta.type.rsplit(".", 1)[-1]
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                with log_context(message.meta):
                    handled = self.monitoring.handle(message)
            except Exception as exc:
                if attempt < self.retry.max_attempts:
                    time.sleep(self.retry.delay(attempt))
                    continue
                log.exception("handler failed %d times: dead-lettering", attempt)
                raw = event.message
                self.bridge.dead_letter(
                    raw.topic, raw.key, event.value, normalise_headers(raw.headers),
                    f"{type(exc).__name__}: {exc} (after {attempt} attempts)", kind="handler_failed",
                )  # fmt: skip
                EVENTS_CONSUMED.labels("monitoring", message.topic, etype, "dead_lettered").inc()
                return
            outcome = "handled" if handled else "ignored"
            EVENTS_CONSUMED.labels("monitoring", message.topic, etype, outcome).inc()
            return


def create_worker(monitoring: Monitoring, *, api: FastAPI | None = None) -> faust.App:
    """The faust app: the monitoring agent, plus the API on the same loop when given."""
    settings, common = monitoring.settings, monitoring.settings.common
    app = create_faust_app(settings.app_id, common, web_enabled=api is not None)
    codec = monitoring.codec or EventCodec.from_settings(common)
    bridge = FaustBridge(common, codec, service="monitoring")
    handle = BatchHandler(monitoring, bridge,
                          RetryPolicy(common.consumer_max_attempts, common.consumer_retry_backoff_s))  # fmt: skip
    topics = sorted({codec.spec(cls).topic for cls in CONSUMED})
    source = app.topic(*topics, value_serializer="raw", key_serializer="raw")
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitoring-handler")

    @app.agent(source, name="driftline_monitoring.monitor")
    async def monitor(stream: Any) -> None:
        loop = asyncio.get_running_loop()
        async for events in stream.take_events(settings.batch_size, within=settings.batch_within_s):
            await loop.run_in_executor(executor, handle, list(events))

    @app.on_partitions_assigned.connect
    async def assigned(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        monitoring.ready["worker"] = True
        log.info("monitoring assigned partitions: %s", args[0] if args else "?")

    if api is not None:
        serve_asgi(app, api, host=settings.host, port=settings.port,
                   log_config=None, access_log=False)  # fmt: skip
    return app
