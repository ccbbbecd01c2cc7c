"""The event bus: typed publish, at-least-once subscribe with dead letters, topic admin."""

from driftline.bus.dedupe import DedupeStore, MemoryDedupeStore, SqliteDedupeStore
from driftline.bus.kafka import KafkaPublisher
from driftline.bus.memory import FakePublisher
from driftline.bus.ports import Handler, Message, Publisher, routes
from driftline.bus.subscriber import RetryPolicy, Subscriber
from driftline.bus.topics import ensure_topics, list_topics

__all__ = [
    "DedupeStore",
    "FakePublisher",
    "Handler",
    "KafkaPublisher",
    "MemoryDedupeStore",
    "Message",
    "Publisher",
    "RetryPolicy",
    "SqliteDedupeStore",
    "Subscriber",
    "ensure_topics",
    "list_topics",
    "routes",
]
