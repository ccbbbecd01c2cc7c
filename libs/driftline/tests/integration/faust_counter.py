"""A faust worker built with `create_faust_app`: counts lifecycle events per model in a table.

argv: bootstrap app_id out_file. Writes "<model> <count>" lines to out_file as it goes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from driftline.bus.faust_app import FaustBridge, create_faust_app
from driftline.codec import EventCodec
from driftline.settings import DriftlineSettings

bootstrap, app_id, out_file = sys.argv[1:4]
settings = DriftlineSettings(kafka_bootstrap_servers=bootstrap, state_dir=Path(out_file).parent)
codec = EventCodec.from_settings(settings)
app = create_faust_app(app_id, settings)
bridge = FaustBridge(settings, codec, service=app_id)
topic = app.topic("driftline.models", value_serializer="raw", key_serializer="raw")
counts = app.Table("counts", default=int, partitions=3)


@app.agent(topic)
async def count(stream: Any) -> None:
    async for event in stream.events():
        message = bridge.to_message(event)
        if message is None:
            continue
        name = getattr(message.event, "model_name", "?")
        counts[name] += 1
        with Path(out_file).open("a") as f:
            f.write(f"{name} {counts[name]} {message.meta.type}\n")


if __name__ == "__main__":
    sys.argv = [sys.argv[0], "worker", "--loglevel", "warn", "--without-web"]
    app.main()
