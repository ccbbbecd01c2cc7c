"""`make demo`: what runs end to end today, on the embedded default.

Starts the embedded broker, creates the catalog's topics, publishes a
`TrainingRequested` command with a full envelope, consumes it back through the
bus (commit after handling), shows a poison record landing in the dead-letter
topic, and prints what happened. The closed loop (issue 6) replaces this.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from confluent_kafka import Producer
from rich.console import Console
from rich.table import Table

from driftline.broker import EmbeddedBroker
from driftline.bus import KafkaPublisher, Message, Subscriber, ensure_topics, routes
from driftline.catalog import Catalog
from driftline.codec import EventCodec
from driftline.events import TrainingRequested
from driftline.settings import DriftlineSettings
from driftline.testing.kafka import read_topic

console = Console()


def main() -> None:
    with EmbeddedBroker() as broker:
        settings = DriftlineSettings(kafka_bootstrap_servers=broker.bootstrap_servers)
        console.print(f"[green]embedded broker[/] on {broker.bootstrap_servers}")
        created = ensure_topics(settings.admin_config(), Catalog.load().all_topics())
        console.print(f"topics: {', '.join(sorted(created))}")
        codec = EventCodec.from_settings(settings)
        command = TrainingRequested(
            model_name="loan_default", reason="demo", requested_by="make demo"
        )
        sent = KafkaPublisher(settings, codec, source="driftline/demo").publish(command)
        poison = Producer({"bootstrap.servers": broker.bootstrap_servers})
        poison.produce("driftline.models", key=b"loan_default", value=b"not avro at all")
        poison.flush(10)

        received: list[Message[Any]] = []
        subscriber = Subscriber(
            settings=settings, codec=codec, service="demo", group_id=f"demo-{uuid.uuid4()}",
            topics=["driftline.models"], handlers=routes({TrainingRequested: received.append}),
        )  # fmt: skip
        outcomes: list[str] = []
        deadline = time.monotonic() + 30
        while (not received or "dead_lettered" not in outcomes) and time.monotonic() < deadline:
            if outcome := subscriber.poll_once(0.2):
                outcomes.append(outcome)
        subscriber.close()
        dead = read_topic(broker.bootstrap_servers, "driftline.models.dlq", want=bool, timeout=10)

        table = Table(title="one command through the bus")
        table.add_column("step")
        table.add_column("result")
        table.add_row("published", f"{sent.type} id={sent.id}")
        if received:
            got = received[0]
            table.add_row("consumed", f"{got.event.model_name} reason={got.event.reason!r}")
            table.add_row("correlation_id", got.meta.correlation_id)
        table.add_row("outcomes", ", ".join(outcomes))
        if dead:
            headers = dict(dead[0].headers)
            table.add_row("dead letter", headers.get("dlq_error", b"").decode())
        console.print(table)
        ok = bool(received) and received[0].meta.id == sent.id and bool(dead)
        console.print("[bold green]foundation OK[/]" if ok else "[bold red]foundation FAILED[/]")
        if not ok:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
