"""The faust app factory: the broker fetch wait reaches the consumer faust builds."""

from __future__ import annotations

import asyncio
from pathlib import Path

from driftline.bus.faust_app import create_faust_app
from driftline.settings import DriftlineSettings


def test_faust_s_consumer_waits_the_configured_fetch_time_not_its_hard_coded_one(
    tmp_path: Path,
) -> None:
    settings = DriftlineSettings(kafka_bootstrap_servers="127.0.0.1:1", state_dir=tmp_path,
                                 kafka_fetch_max_wait_ms=123)  # fmt: skip

    async def build() -> int:
        app = create_faust_app("fetch-wait-test", settings)
        thread = app.consumer._thread
        consumer = thread._create_worker_consumer(app.transport)
        try:
            return int(consumer._fetch_max_wait_ms)
        finally:  # built, never started: close what faust opened for it
            consumer._closed = True
            if thread.thread_loop is not asyncio.get_running_loop():
                thread.thread_loop.close()

    assert asyncio.run(build()) == 123


def test_plain_consumers_get_the_same_fetch_wait() -> None:
    config = DriftlineSettings(kafka_fetch_max_wait_ms=80).consumer_config("g", "c")
    assert config["fetch.wait.max.ms"] == 80
