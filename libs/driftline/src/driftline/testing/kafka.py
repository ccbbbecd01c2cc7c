"""Where tests get a real Kafka: $KAFKA_BOOTSTRAP_SERVERS, a testcontainers Kafka, or Tansu.

The choice is made once per session and printed in pytest's header, so a run
always says which broker it really used and why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

__all__ = ["KafkaBackend", "choose_kafka_backend", "docker_engine_problem", "running_kafka"]


@dataclass(frozen=True, slots=True)
class KafkaBackend:
    kind: Literal["external", "testcontainers", "embedded"]
    reason: str


def docker_engine_problem() -> str | None:
    """None when a Docker engine answers a ping, else why not."""
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception as exc:  # DockerException, connection errors, missing socket
        return f"{type(exc).__name__}: {str(exc)[:160]}"
    return None


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
