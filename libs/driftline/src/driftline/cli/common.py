"""What every command shares: the consoles, clear failures, settings and the broker check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.console import Console

from driftline.settings import DriftlineSettings

__all__ = [
    "BootstrapOpt",
    "app",
    "check_reachable",
    "err",
    "fail",
    "jsonable",
    "out",
    "settings_for",
]

app = typer.Typer(
    name="driftline",
    help="Driftline: event-driven MLOps. Start a broker, manage topics, publish and tail events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
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


def settings_for(bootstrap: str | None) -> DriftlineSettings:
    settings = DriftlineSettings()
    if bootstrap:
        settings = settings.model_copy(update={"kafka_bootstrap_servers": bootstrap})
    return settings


def check_reachable(settings: DriftlineSettings) -> None:
    from driftline.broker import BrokerError, wait_for_kafka

    try:
        wait_for_kafka(settings.kafka_bootstrap_servers, timeout=5)
    except BrokerError as exc:
        raise fail(f"{exc}. Start one with `driftline broker` or pass --bootstrap.") from None


def jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
