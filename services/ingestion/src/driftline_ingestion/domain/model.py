"""The service's messages: commands it handles and the manifest that records each batch.

The manifest is the batch's lineage and its idempotency record: written last,
atomically, at `<root>/<dataset>/_batches/<batch_id>.json` (label batches under
`_label_batches/`). A batch whose manifest exists is a duplicate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import orjson

from driftline_ingestion.domain.raw import RawBatch

__all__ = [
    "DeadLetter",
    "IngestBatch",
    "IngestStream",
    "KafkaOrigin",
    "Kind",
    "Manifest",
    "Receipt",
    "Source",
    "StreamOutcome",
    "StreamRecord",
]

Kind = Literal["records", "labels"]
Source = Literal["http", "kafka"]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A Kafka record that could not be read at all, and why."""

    offset: int
    reason: str


@dataclass(frozen=True, slots=True)
class KafkaOrigin:
    """Where a micro-batch came from: its partition and offsets, poison records included."""

    topic: str
    partition: int
    first_offset: int
    last_offset: int
    dead_letters: tuple[DeadLetter, ...] = ()


@dataclass(frozen=True)
class IngestBatch:
    """Command: validate, store and announce one batch of records or labels."""

    dataset: str
    kind: Kind
    raw: RawBatch
    batch_id: str
    source: Source
    correlation_id: str | None = None
    kafka: KafkaOrigin | None = None


@dataclass(frozen=True, slots=True)
class StreamRecord:
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True)
class IngestStream:
    """Command: ingest a run of consecutive records of one raw-records partition."""

    dataset: str
    topic: str
    partition: int
    records: tuple[StreamRecord, ...]


@dataclass(frozen=True)
class StreamOutcome:
    """Records to dead-letter, and where the partition resumes when it skipped ahead."""

    dead_letters: tuple[DeadLetter, ...] = ()
    resume_at: int | None = None


@dataclass(frozen=True)
class Manifest:
    """What one batch stored and announced (see the module docstring)."""

    dataset: str
    kind: Kind
    batch_id: str
    source: Source
    correlation_id: str
    created_at: int  # epoch ms
    received: int
    accepted: int
    rejected: int
    label_rows: int
    time_range: tuple[int, int] | None  # [start, end) epoch ms of the accepted rows
    content_hash: str
    storage_path: str
    files: tuple[str, ...]
    rejected_path: str | None
    rejected_files: tuple[str, ...]
    label_files: tuple[str, ...]
    labels_path: str | None
    event_ids: tuple[str, ...]
    events_published: bool = False
    kafka: KafkaOrigin | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def published(self) -> Manifest:
        return replace(self, events_published=True)

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2)

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = orjson.loads(data)
        kafka = raw.pop("kafka")
        if kafka is not None:
            letters = tuple(DeadLetter(**d) for d in kafka.pop("dead_letters"))
            kafka = KafkaOrigin(**kafka, dead_letters=letters)
        span = raw.pop("time_range")
        tuples = ("files", "rejected_files", "label_files", "event_ids")
        fields: dict[str, Any] = {k: tuple(v) if k in tuples else v for k, v in raw.items()}
        return cls(**fields, time_range=tuple(span) if span else None, kafka=kafka)


@dataclass(frozen=True, slots=True)
class Receipt:
    """The answer to a batch: its manifest, and whether it had been stored before."""

    manifest: Manifest
    duplicate: bool
