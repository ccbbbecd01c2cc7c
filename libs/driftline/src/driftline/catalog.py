"""The event catalog: event type <-> schema <-> topic <-> key, partitions and retention."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from driftline.paths import schemas_dir

__all__ = [
    "DLQ_SUFFIX",
    "Catalog",
    "EventSpec",
    "TopicSpec",
    "UnknownEventTypeError",
    "default_catalog",
    "dlq_topic",
]

DLQ_SUFFIX = ".dlq"


class UnknownEventTypeError(KeyError):
    """An event type that the catalog does not list."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int
    description: str = ""

    @property
    def dlq(self) -> str:
        return dlq_topic(self.name)

    def with_name(self, name: str, partitions: int | None = None) -> TopicSpec:
        return TopicSpec(name, partitions or self.partitions, self.retention_ms, self.description)


@dataclass(frozen=True, slots=True)
class EventSpec:
    type: str
    full_name: str
    topic: str
    key_field: str
    kind: str  # "event" (a fact) or "command" (a request)


@dataclass(frozen=True, slots=True)
class Catalog:
    namespace: str
    topics: dict[str, TopicSpec]
    events: dict[str, EventSpec]
    root: Path

    @classmethod
    def load(cls, root: Path | None = None) -> Catalog:
        root = schemas_dir(root)
        raw: dict[str, Any] = yaml.safe_load((root / "catalog.yaml").read_text())
        namespace = raw["namespace"]
        topics = {
            name: TopicSpec(
                name=name,
                partitions=int(spec["partitions"]),
                retention_ms=int(spec["retention_ms"]),
                description=spec.get("description", ""),
            )
            for name, spec in raw["topics"].items()
        }
        events = {}
        for etype, spec in raw["events"].items():
            if spec["topic"] not in topics:
                raise ValueError(f"catalog: event {etype} names unknown topic {spec['topic']!r}")
            events[etype] = EventSpec(
                type=etype,
                full_name=f"{namespace}.{etype}",
                topic=spec["topic"],
                key_field=spec["key"],
                kind=spec.get("kind", "event"),
            )
        return cls(namespace=namespace, topics=topics, events=events, root=root)

    def event(self, event_type: str) -> EventSpec:
        try:
            return self.events[event_type]
        except KeyError:
            known = ", ".join(sorted(self.events))
            raise UnknownEventTypeError(
                f"unknown event type {event_type!r}; known: {known}"
            ) from None

    def schema_path(self, event_type: str) -> Path:
        return self.root / f"{self.namespace}.{event_type}.avsc"

    def all_topics(self, *, with_dlq: bool = True) -> list[TopicSpec]:
        """Every topic of the catalog, each followed by its dead-letter twin."""
        out: list[TopicSpec] = []
        for topic in self.topics.values():
            out.append(topic)
            if with_dlq:
                out.append(
                    TopicSpec(topic.dlq, 1, topic.retention_ms, f"dead letters of {topic.name}")
                )
        return out


@cache
def default_catalog() -> Catalog:
    return Catalog.load()


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of any topic (catalog topics and per-dataset record topics alike)."""
    return topic + DLQ_SUFFIX
