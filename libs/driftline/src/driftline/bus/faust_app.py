"""A faust-streaming app factory configured from the same settings as the plain bus.

Agents read raw bytes (``value_serializer="raw"``) and turn each event into the
same typed `Message` as the plain consumer with `to_message`, so decoding,
envelope checks and dead-lettering are shared, not re-implemented per engine.
"""

from __future__ import annotations

import logging
import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faust
from confluent_kafka import Producer

from driftline.bus.ports import Message
from driftline.bus.records import normalise_headers
from driftline.catalog import dlq_topic
from driftline.envelope import EnvelopeError
from driftline.serde import DecodeError
from driftline.telemetry import DEAD_LETTERED

if TYPE_CHECKING:
    from driftline.codec import EventCodec
    from driftline.settings import DriftlineSettings

__all__ = ["FaustBridge", "create_faust_app"]

log = logging.getLogger(__name__)


def create_faust_app(app_id: str, settings: DriftlineSettings, **overrides: Any) -> faust.App:
    """A faust App on the configured brokers: in-memory tables backed by changelog topics."""
    _fetch_wait.ms = settings.kafka_fetch_max_wait_ms
    conf: dict[str, Any] = {
        "broker": [f"kafka://{hp.strip()}" for hp in settings.kafka_bootstrap_servers.split(",")],
        "broker_session_timeout": settings.kafka_session_timeout_ms / 1000,
        "broker_heartbeat_interval": max(0.5, settings.kafka_session_timeout_ms / 3000),
        "consumer_auto_offset_reset": "earliest",
        "producer_acks": -1,
        "store": "memory://",
        "datadir": str(settings.state_dir / "faust" / app_id),
        "web_enabled": False,
        "topic_replication_factor": 1 if settings.profile == "embedded" else 3,
        "topic_allow_declare": True,
    }
    if settings.kafka_security_protocol != "PLAINTEXT":
        context = ssl.create_default_context()
        if settings.kafka_sasl_mechanism:
            conf["broker_credentials"] = faust.SASLCredentials(
                username=settings.kafka_sasl_username or "",
                password=(
                    settings.kafka_sasl_password.get_secret_value()
                    if settings.kafka_sasl_password
                    else ""
                ),
                ssl_context=context,
                mechanism=settings.kafka_sasl_mechanism,
            )
        else:
            conf["broker_credentials"] = faust.SSLCredentials(context)
    conf.update(overrides)
    Path(conf["datadir"]).parent.mkdir(parents=True, exist_ok=True)  # faust makes only the leaf
    return faust.App(app_id, **conf)


class _FetchWait:
    """faust-streaming builds its aiokafka consumer with a hard-coded ``fetch_max_wait_ms=1500``
    and has no setting for it. This wraps its consumer factory once so the consumer it builds
    (not yet started: aiokafka hands the value to its fetcher at start) waits `ms` instead."""

    ms = 1500

    def install(self) -> None:
        from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

        create = AIOKafkaConsumerThread._create_worker_consumer
        if getattr(create, "_driftline_fetch_wait", False):
            return

        def create_worker_consumer(thread: Any, transport: Any) -> Any:
            consumer = create(thread, transport)
            consumer._fetch_max_wait_ms = self.ms
            return consumer

        create_worker_consumer._driftline_fetch_wait = True  # type: ignore[attr-defined]
        AIOKafkaConsumerThread._create_worker_consumer = create_worker_consumer  # type: ignore[method-assign,assignment]


_fetch_wait = _FetchWait()
_fetch_wait.install()


class FaustBridge:
    """Decode faust events into typed messages; send undecodable ones to the dead-letter topic."""

    def __init__(self, settings: DriftlineSettings, codec: EventCodec, service: str) -> None:
        self.codec = codec
        self.service = service
        self._dlq = Producer(settings.producer_config(f"{service}-dlq"))

    def to_message(self, event: Any) -> Message[Any] | None:
        """The typed message (from a faust `EventT`), or None after dead-lettering it."""
        msg = event.message
        headers = normalise_headers(msg.headers)
        try:
            return self.codec.decode(
                event.value, headers, topic=msg.topic, key=msg.key,
                partition=msg.partition, offset=msg.offset,
            )  # fmt: skip
        except (DecodeError, EnvelopeError) as exc:
            self.dead_letter(msg.topic, msg.key, event.value, headers, str(exc))
            return None

    def dead_letter(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: list[tuple[str, bytes]],
        reason: str,
        *,
        kind: str = "undecodable",
    ) -> None:
        """Send the original record to ``<topic>.dlq``; `kind` is the reason class
        (``dlq_reason`` header), `reason` the error text."""
        self._dlq.produce(
            dlq_topic(topic),
            key=key,
            value=value,
            headers=[
                *headers,
                ("dlq_reason", kind.encode()),
                ("dlq_error", reason.encode()[:4000]),
                ("dlq_attempts", b"0"),
                ("dlq_source_topic", topic.encode()),
                ("dlq_service", self.service.encode()),
            ],
        )
        if self._dlq.flush(30):
            raise RuntimeError(f"dead-letter topic for {topic} unreachable")
        DEAD_LETTERED.labels(self.service, topic, kind).inc()
        log.warning("%s record dead-lettered", kind, extra={"topic": topic, "reason": reason})
