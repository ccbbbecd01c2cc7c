"""`driftline`: the operator's front door (broker, topics, publish, tail, schemas)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from driftline.catalog import Catalog, UnknownEventTypeError
from driftline.settings import DriftlineSettings

__all__ = ["app", "main"]

app = typer.Typer(
    name="driftline",
    help="Driftline: event-driven MLOps. Start a broker, manage topics, publish and tail events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
topics_app = typer.Typer(help="Create and list the catalog's topics.", no_args_is_help=True)
schemas_app = typer.Typer(help="The Avro contract: models, checks, history.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
app.add_typer(schemas_app, name="schemas")

out = Console()
err = Console(stderr=True)

BootstrapOpt = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        "-b",
        help="Kafka bootstrap servers (default: $DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS, "
        "$KAFKA_BOOTSTRAP_SERVERS, then 127.0.0.1:9092).",
    ),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _settings(bootstrap: str | None) -> DriftlineSettings:
    settings = DriftlineSettings()
    if bootstrap:
        settings = settings.model_copy(update={"kafka_bootstrap_servers": bootstrap})
    return settings


def _check_reachable(settings: DriftlineSettings) -> None:
    from driftline.broker import BrokerError, wait_for_kafka

    try:
        wait_for_kafka(settings.kafka_bootstrap_servers, timeout=5)
    except BrokerError as exc:
        raise fail(f"{exc}. Start one with `driftline broker` or pass --bootstrap.") from None


# -- broker ------------------------------------------------------------------------
@app.command()
def broker(
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: a free one).")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    create_topics: Annotated[
        bool, typer.Option("--topics/--no-topics", help="Create the catalog's topics.")
    ] = True,
    log_file: Annotated[Path | None, typer.Option(help="Write the broker's own log here.")] = None,
) -> None:
    """Run a local Kafka-compatible broker (Tansu, memory only) until Ctrl-C or SIGTERM."""
    from driftline.broker import BrokerError, EmbeddedBroker
    from driftline.bus.topics import ensure_topics

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        embedded = EmbeddedBroker(port=port, host=host, log_path=log_file).start()
    except BrokerError as exc:
        raise fail(str(exc)) from None
    try:
        if create_topics:
            settings = _settings(embedded.bootstrap_servers)
            ensure_topics(settings.admin_config(), Catalog.load(settings.schemas_dir).all_topics())
        err.print(
            f"[green]broker ready[/] on {embedded.bootstrap_servers} (memory only: a restart loses data)"
        )
        out.print(embedded.bootstrap_servers, highlight=False)
        while not stop.wait(0.5):
            if not embedded.alive():
                raise fail("the broker process exited unexpectedly", code=1)
    finally:
        embedded.stop()
        err.print("broker stopped")


# -- the stack -----------------------------------------------------------------------
_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_red", "bright_cyan", "white")


@app.command()
def up(
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Start only these services (repeatable).")
    ] = None,
    bootstrap: Annotated[
        str | None,
        typer.Option("--bootstrap", "-b", help="Use this broker instead of an embedded one."),
    ] = None,
    ready_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for every /readyz.")
    ] = 180.0,
) -> None:
    """Start the embedded broker and every service as its own process; Ctrl-C stops them all."""
    from driftline.stack import Stack, StackError, installed_services

    services = [s for s in installed_services() if not only or s.name in only]
    if only and (unknown := set(only) - {s.name for s in services}):
        raise fail(f"unknown or uninstalled service(s): {', '.join(sorted(unknown))}")
    colour = {s.name: _COLOURS[i % len(_COLOURS)] for i, s in enumerate(services)}

    def echo(name: str, line: str) -> None:
        err.print(
            f"[{colour.get(name, 'white')}]{name:>10}[/] | {line}",
            highlight=False,
            markup=True,
            soft_wrap=True,
        )

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stack = Stack(DriftlineSettings(), services=services, external_bootstrap=bootstrap, echo=echo)
    try:
        stack.start(ready_timeout=ready_timeout)
        err.print(
            f"[bold green]driftline is up[/]: {len(services)} services, broker {stack.bootstrap}. Ctrl-C stops."
        )
        while not stop.wait(0.5):
            if dead := stack.dead():
                raise fail(f"service(s) exited: {', '.join(dead)}; stopping the stack", code=1)
    except StackError as exc:
        raise fail(str(exc), code=1) from None
    finally:
        stack.stop()
        err.print("driftline stopped: no process left running")


@app.command()
def status() -> None:
    """Services (alive, ready) and each model's champion."""
    from rich.table import Table

    from driftline.stack import SERVICES, http_json

    settings = DriftlineSettings()
    table = Table(title="services")
    for column in ("service", "url", "alive", "ready"):
        table.add_column(column)
    for spec in SERVICES:
        url = os.environ.get(f"DRIFTLINE_{spec.name.upper()}_URL", spec.url)
        alive, _ = http_json(f"{url}/healthz")
        ready, body = http_json(f"{url}/readyz")
        detail = (
            "yes"
            if ready == 200
            else (json.dumps(body.get("checks")) if isinstance(body, dict) else "no")
        )
        table.add_row(spec.name, url, "yes" if alive == 200 else "no", detail)
    out.print(table)
    code, models = http_json(f"{settings.registry_url}/models")
    if code != 200 or not isinstance(models, list):
        err.print(f"registry not reachable at {settings.registry_url}")
        return
    champions = Table(title="models")
    for column in ("model", "champion", "challenger", "versions"):
        champions.add_column(column)
    for model in models:
        _, body = http_json(f"{settings.registry_url}/models/{model['name']}")
        info: dict[str, Any] = body if isinstance(body, dict) else {}
        champions.add_row(model["name"], str(info.get("champion") or "-"),
                          str(info.get("challenger") or "-"), str(info.get("version_count", "-")))  # fmt: skip
    out.print(champions)


# -- topics ------------------------------------------------------------------------
@topics_app.command("apply")
def topics_apply(bootstrap: BootstrapOpt = None) -> None:
    """Create every catalog topic and its dead-letter twin (idempotent)."""
    from driftline.bus.topics import ensure_topics

    settings = _settings(bootstrap)
    _check_reachable(settings)
    catalog = Catalog.load(settings.schemas_dir)
    for name, state in ensure_topics(settings.admin_config(), catalog.all_topics()).items():
        out.print(f"{state:8} {name}", highlight=False)


@topics_app.command("list")
def topics_list(bootstrap: BootstrapOpt = None) -> None:
    """List the broker's topics with their partition counts."""
    from driftline.bus.topics import list_topics

    settings = _settings(bootstrap)
    _check_reachable(settings)
    for name, partitions in list_topics(settings.admin_config()).items():
        out.print(f"{name}\t{partitions}", highlight=False)


# -- publish -----------------------------------------------------------------------
@app.command()
def publish(
    event_type: Annotated[str, typer.Argument(help="Event type, e.g. TrainingRequested.")],
    data: Annotated[
        str, typer.Option("--data", "-d", help="JSON file with the payload ('-' = stdin).")
    ],
    key: Annotated[str | None, typer.Option(help="Kafka key (default: from the catalog).")] = None,
    correlation_id: Annotated[
        str | None, typer.Option(help="Workflow id (default: the new event's own id).")
    ] = None,
    source: Annotated[str, typer.Option(help="ce_source of the event.")] = "driftline/cli",
    bootstrap: BootstrapOpt = None,
) -> None:
    """Validate a payload against its schema, publish it with a full envelope, print its id."""
    from driftline.bus.kafka import KafkaPublisher
    from driftline.codec import EventCodec
    from driftline.events import EVENT_TYPES

    settings = _settings(bootstrap)
    catalog = Catalog.load(settings.schemas_dir)
    try:
        catalog.event(event_type)
    except UnknownEventTypeError as exc:
        raise fail(str(exc.args[0])) from None
    try:
        raw = sys.stdin.read() if data == "-" else Path(data).read_text()
        payload = json.loads(raw)
    except FileNotFoundError:
        raise fail(f"no such file: {data}") from None
    except json.JSONDecodeError as exc:
        raise fail(f"{data} is not valid JSON: {exc}") from None
    try:
        event = EVENT_TYPES[event_type].model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()
        )
        raise fail(f"{event_type} payload is invalid: {problems}") from None
    _check_reachable(settings)
    publisher = KafkaPublisher(settings, EventCodec.from_settings(settings), source=source)
    meta = publisher.publish(event, key=key, correlation_id=correlation_id)
    spec = catalog.event(event_type)
    err.print(
        f"published {meta.type} to {spec.topic} (correlation_id {meta.correlation_id})",
        highlight=False,
    )
    out.print(meta.id, highlight=False)


# -- tail --------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


@app.command()
def tail(
    topic: Annotated[str, typer.Argument(help="Topic to read, e.g. driftline.models.")],
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep waiting for new events.")
    ] = False,
    from_beginning: Annotated[
        bool,
        typer.Option("--from-beginning/--latest", help="Start at the oldest record or at the end."),
    ] = True,
    max_events: Annotated[
        int | None, typer.Option("--max", "-n", help="Stop after N events.")
    ] = None,
    idle_timeout: Annotated[
        float, typer.Option(help="Without --follow, stop after this many quiet seconds.")
    ] = 3.0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    bootstrap: BootstrapOpt = None,
) -> None:
    """Decode and print a topic's events with their headers (dead-letter topics too)."""
    from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, TopicPartition

    from driftline.bus.records import RawRecord, header_dict
    from driftline.codec import EventCodec
    from driftline.envelope import EnvelopeError
    from driftline.serde import DecodeError

    settings = _settings(bootstrap)
    _check_reachable(settings)
    codec = EventCodec.from_settings(settings)
    consumer = Consumer(
        {
            **settings.admin_config(),
            "group.id": f"driftline-tail-{uuid.uuid4()}",
            "enable.auto.commit": False,
        }
    )
    metadata = consumer.list_topics(topic, timeout=10).topics.get(topic)
    if metadata is None or metadata.error is not None or not metadata.partitions:
        consumer.close()
        raise fail(f"topic {topic!r} does not exist; see `driftline topics list`")
    start = OFFSET_BEGINNING if from_beginning else OFFSET_END
    consumer.assign([TopicPartition(topic, p, start) for p in metadata.partitions])
    shown, quiet_since = 0, time.monotonic()
    try:
        while max_events is None or shown < max_events:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                if not follow and time.monotonic() - quiet_since > idle_timeout:
                    break
                continue
            quiet_since = time.monotonic()
            record = RawRecord.of(msg)
            headers = header_dict(record.headers)
            try:
                decoded = codec.serde.decode(record.value)
                value: Any = decoded.record
                schema = decoded.full_name
            except (DecodeError, EnvelopeError) as exc:
                value, schema = (
                    {"undecodable": str(exc), "hex": (record.value or b"")[:64].hex()},
                    "?",
                )
            row = {
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "key": record.key_text,
                "schema": schema,
                "headers": headers,
                "value": value,
            }
            if as_json:
                print(json.dumps(row, default=_jsonable), flush=True)
            else:
                out.rule(f"{row['topic']}[{row['partition']}]@{row['offset']}  key={row['key']}")
                for name, header in headers.items():
                    out.print(f"  [cyan]{name}[/]: {header}", highlight=False)
                out.print_json(json.dumps(value, default=_jsonable))
            shown += 1
    finally:
        consumer.close()
    if not as_json:
        err.print(f"{shown} event(s)")


# -- trace -------------------------------------------------------------------------
@app.command()
def trace(
    correlation_id: Annotated[str, typer.Argument(help="The workflow's correlation id.")],
    include_predictions: Annotated[
        bool, typer.Option(help="Also scan the (large) predictions topic.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per step.")] = False,
    idle_timeout: Annotated[float, typer.Option(help="Stop after this many quiet seconds.")] = 2.0,
    bootstrap: BootstrapOpt = None,
) -> None:
    """The ordered timeline of one workflow across the services, with decisions and evidence."""
    from rich.table import Table

    from driftline.trace import collect

    settings = _settings(bootstrap)
    _check_reachable(settings)
    catalog = Catalog.load(settings.schemas_dir)
    topics = [t for t in catalog.topics if include_predictions or t != "driftline.predictions"]
    steps = collect(settings, correlation_id, topics, idle_timeout=idle_timeout)
    if not steps:
        raise fail(f"no events with correlation_id {correlation_id} on {', '.join(topics)}", code=1)
    if as_json:
        for step in steps:
            print(json.dumps(step.as_dict(), default=_jsonable), flush=True)
        return
    table = Table(title=f"workflow {correlation_id}", show_lines=False)
    for column in ("time", "event", "source", "decision / evidence"):
        table.add_column(column, overflow="fold")
    start = steps[0].message.meta.time
    for step in steps:
        meta = step.message.meta
        offset = (meta.time - start).total_seconds()
        table.add_row(f"{meta.time:%H:%M:%S} +{offset:.1f}s", step.type, meta.source,
                      step.as_dict()["summary"])  # fmt: skip
    out.print(table)


# -- schemas -----------------------------------------------------------------------
@schemas_app.command("codegen")
def schemas_codegen() -> None:
    """Regenerate the typed event models from schemas/."""
    from driftline.codegen import write_models

    out.print(f"wrote {write_models(Catalog.load())}")


@schemas_app.command("check")
def schemas_check() -> None:
    """Fail if any schema is not BACKWARD_TRANSITIVE compatible with its history."""
    from driftline.compat import check_catalog

    problems = check_catalog(Catalog.load())
    for problem in problems:
        err.print(f"[red]incompatible:[/] {problem}", highlight=False)
    if problems:
        raise typer.Exit(1)
    out.print("all schemas compatible with every earlier version")


@schemas_app.command("snapshot")
def schemas_snapshot() -> None:
    """Record each changed schema as the next version under schemas/history/."""
    from driftline.compat import snapshot_catalog

    for path in snapshot_catalog(Catalog.load()):
        out.print(f"recorded {path}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
