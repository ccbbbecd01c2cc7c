"""A consumer process for the kill-before-commit test.

argv: bootstrap group model_name marker_file mode stop_version
- mode "hang": record the event, then block forever inside the handler (to be SIGKILLed).
- mode "ok": record the event and return; exit once an event of `stop_version` was handled.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from driftline.bus import Message, Subscriber, routes
from driftline.codec import EventCodec
from driftline.events import ModelRetired
from driftline.settings import DriftlineSettings

bootstrap, group, model_name, marker, mode, stop_version = sys.argv[1:7]
settings = DriftlineSettings(kafka_bootstrap_servers=bootstrap)
done = threading.Event()


def handle(message: Message[Any]) -> None:
    event = message.event
    if event.model_name != model_name:
        return
    with Path(marker).open("a") as f:
        f.write(f"{mode} v{event.version} {message.meta.id}\n")
    if mode == "hang":
        threading.Event().wait()
    if str(event.version) == stop_version:
        done.set()


subscriber = Subscriber(
    settings=settings,
    codec=EventCodec.from_settings(settings),
    service="test",
    group_id=group,
    topics=["driftline.models"],
    handlers=routes({ModelRetired: handle}),
)
deadline = time.monotonic() + 60
while not done.is_set() and time.monotonic() < deadline:
    subscriber.poll_once(0.5)
subscriber.close()
sys.exit(0 if done.is_set() else 3)
