"""Where tests get a real Kafka: $KAFKA_BOOTSTRAP_SERVERS, a testcontainers Kafka, or Tansu.

The choice is made once per session and printed in pytest's header, so a run
always says which broker it really used and why.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from confluent_kafka import Consumer

from driftline.bus.reading import assign_all
from driftline.bus.records import RawRecord

__all__ = [
    "KafkaBackend",
    "choose_kafka_backend",
    "docker_engine_problem",
    "read_topic",
    "running_kafka",
]


@dataclass(frozen=True, slots=True)
class KafkaBackend:
    kind: Literal["external", "testcontainers", "embedded"]
    reason: str


def docker_engine_problem() -> str | None:
    """None when a Docker engine answers `GET /_ping`, else why not."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    family, address = (
        (socket.AF_UNIX, host.removeprefix("unix://"))
        if host.startswith("unix://")
        else (socket.AF_INET, tuple(host.removeprefix("tcp://").rsplit(":", 1)))
    )
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(3)
            sock.connect(address if isinstance(address, str) else (address[0], int(address[1])))
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = sock.recv(64)
    except OSError as exc:
        return f"{host}: {exc.strerror or exc}"
    return None if b" 200 " in reply else f"{host} answered {reply[:40]!r}"


def choose_kafka_backend() -> KafkaBackend:
    if servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return KafkaBackend("external", f"KAFKA_BOOTSTRAP_SERVERS={servers}")
    problem = docker_engine_problem()
    if problem is None:
        return KafkaBackend("testcontainers", "a Docker engine answered")
    return KafkaBackend(
        "embedded",
        f"no Docker engine ({problem}); using the embedded Tansu broker on a free port",
    )


@contextmanager
def running_kafka(backend: KafkaBackend) -> Iterator[str]:
    """Yield bootstrap servers of a broker that lives as long as the context."""
    if backend.kind == "external":
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    elif backend.kind == "testcontainers":
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as container:
            yield container.get_bootstrap_server()
    else:
        from driftline.broker import EmbeddedBroker

        with EmbeddedBroker() as broker:
            yield broker.bootstrap_servers


def read_topic(
    bootstrap: str,
    topic: str,
    *,
    want: Callable[[list[RawRecord]], bool] | None = None,
    timeout: float = 20.0,
    idle: float = 2.0,
) -> list[RawRecord]:
    """Records of `topic` from the beginning: until `want` holds (or `timeout`), else until quiet."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"read-{uuid.uuid4()}"})
    if not assign_all(consumer, [topic]):
        consumer.close()
        raise LookupError(f"topic {topic!r} does not exist")
    records: list[RawRecord] = []
    deadline, quiet_since = time.monotonic() + timeout, time.monotonic()
    try:
        while time.monotonic() < deadline:
            if want is not None and want(records):
                break
            msg = consumer.poll(0.2)
            if msg is None or msg.error():
                if want is None and time.monotonic() - quiet_since > idle:
                    break
                continue
            quiet_since = time.monotonic()
            records.append(RawRecord.of(msg))
    finally:
        consumer.close()
    return records
