"""Idempotent topic creation from the catalog (explicit: brokers may auto-create badly)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from driftline.catalog import TopicSpec

__all__ = ["ensure_topics", "list_topics"]

log = logging.getLogger(__name__)


def ensure_topics(
    admin_config: dict[str, Any], topics: Iterable[TopicSpec], *, timeout: float = 30.0
) -> dict[str, str]:
    """Create the topics that do not exist; return name -> created|exists."""
    admin = AdminClient(admin_config)
    specs = list(topics)
    new = [
        NewTopic(
            t.name,
            num_partitions=t.partitions,
            replication_factor=-1,  # the broker's default (1 locally, 3 on MSK)
            config={"retention.ms": str(t.retention_ms)},
        )
        for t in specs
    ]
    result: dict[str, str] = {}
    for name, future in admin.create_topics(new, request_timeout=timeout).items():
        try:
            future.result(timeout)
            result[name] = "created"
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
            result[name] = "exists"
    existing = admin.list_topics(timeout=timeout).topics
    for t in specs:
        found = existing.get(t.name)
        if found is not None and len(found.partitions) != t.partitions:
            log.warning(
                "partition count differs from the catalog",
                extra={"topic": t.name, "want": t.partitions, "have": len(found.partitions)},
            )
    return result


def list_topics(admin_config: dict[str, Any], *, timeout: float = 10.0) -> dict[str, int]:
    """Topic name -> partition count, internal topics excluded."""
    metadata = AdminClient(admin_config).list_topics(timeout=timeout)
    return {
        name: len(topic.partitions)
        for name, topic in sorted(metadata.topics.items())
        if not name.startswith("__")
    }
