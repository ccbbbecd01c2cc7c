"""The bus from the command line: topics, publish, tail, trace."""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from driftline.catalog import Catalog, UnknownEventTypeError
from driftline.cli.common import (
    BootstrapOpt,
    app,
    check_reachable,
    err,
    fail,
    jsonable,
    out,
    settings_for,
)

topics_app = typer.Typer(help="Create and list the catalog's topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")


# -- topics ------------------------------------------------------------------------
@topics_app.command("apply")
def topics_apply(bootstrap: BootstrapOpt = None) -> None:
    """Create every catalog topic and its dead-letter twin (idempotent)."""
    from driftline.bus.topics import ensure_topics

    settings = settings_for(bootstrap)
    check_reachable(settings)
    catalog = Catalog.load(settings.schemas_dir)
    for name, state in ensure_topics(settings.admin_config(), catalog.all_topics()).items():
        out.print(f"{state:8} {name}", highlight=False)


@topics_app.command("list")
def topics_list(bootstrap: BootstrapOpt = None) -> None:
    """List the broker's topics with their partition counts."""
    from driftline.bus.topics import list_topics

    settings = settings_for(bootstrap)
    check_reachable(settings)
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

    settings = settings_for(bootstrap)
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
    check_reachable(settings)
    publisher = KafkaPublisher(settings, EventCodec.from_settings(settings), source=source)
    meta = publisher.publish(event, key=key, correlation_id=correlation_id)
    spec = catalog.event(event_type)
    err.print(
        f"published {meta.type} to {spec.topic} (correlation_id {meta.correlation_id})",
        highlight=False,
    )
    out.print(meta.id, highlight=False)


# -- tail --------------------------------------------------------------------------
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
    from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer

    from driftline.bus.reading import assign_all
    from driftline.bus.records import RawRecord, header_dict
    from driftline.codec import EventCodec
    from driftline.envelope import EnvelopeError
    from driftline.serde import DecodeError

    settings = settings_for(bootstrap)
    check_reachable(settings)
    codec = EventCodec.from_settings(settings)
    consumer = Consumer(
        {
            **settings.admin_config(),
            "group.id": f"driftline-tail-{uuid.uuid4()}",
            "enable.auto.commit": False,
        }
    )
    if not assign_all(consumer, [topic], start=OFFSET_BEGINNING if from_beginning else OFFSET_END):
        consumer.close()
        raise fail(f"topic {topic!r} does not exist; see `driftline topics list`")
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
                print(json.dumps(row, default=jsonable), flush=True)
            else:
                out.rule(f"{row['topic']}[{row['partition']}]@{row['offset']}  key={row['key']}")
                for name, header in headers.items():
                    out.print(f"  [cyan]{name}[/]: {header}", highlight=False)
                out.print_json(json.dumps(value, default=jsonable))
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

    settings = settings_for(bootstrap)
    check_reachable(settings)
    catalog = Catalog.load(settings.schemas_dir)
    topics = [t for t in catalog.topics if include_predictions or t != "driftline.predictions"]
    steps = collect(settings, correlation_id, topics, idle_timeout=idle_timeout)
    if not steps:
        raise fail(f"no events with correlation_id {correlation_id} on {', '.join(topics)}", code=1)
    if as_json:
        for step in steps:
            print(json.dumps(step.as_dict(), default=jsonable), flush=True)
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
