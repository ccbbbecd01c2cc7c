"""The embedded profile: `driftline broker`, `driftline up`, `driftline status`."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from driftline.catalog import Catalog
from driftline.cli.common import app, err, fail, out, settings_for
from driftline.settings import DriftlineSettings


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
            settings = settings_for(embedded.bootstrap_servers)
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
    free_ports: Annotated[
        bool, typer.Option(help="Free ports instead of 8001-8007 (a second stack, tests).")
    ] = False,
) -> None:
    """Start the embedded broker and every service as its own process; Ctrl-C stops them all."""
    from driftline.stack import Stack, StackError, installed_services

    services = [s for s in installed_services(free_ports=free_ports) if not only or s.name in only]
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
