"""Identities and fingerprints of batches: batch ids, content hashes, time ranges, event ids.

Everything here is deterministic, so that a retried batch gets the same id,
stores under the same names and announces itself with the same event ids.
"""

from __future__ import annotations

import hashlib
import re
import uuid

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

__all__ = [
    "BATCH_ID_PATTERN",
    "InvalidBatchIdError",
    "check_batch_id",
    "content_hash",
    "event_id",
    "hash_batch_id",
    "stream_batch_id",
    "time_range",
]

BATCH_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_EVENTS = uuid.UUID("6f1d3c52-8f3e-4c47-9a57-1c0f2f6f4d10")


class InvalidBatchIdError(ValueError):
    """A client-supplied batch id that cannot name a file."""


def check_batch_id(batch_id: str) -> str:
    if not BATCH_ID_PATTERN.match(batch_id):
        raise InvalidBatchIdError(
            f"batch_id {batch_id!r} must be 1-128 letters, digits, '.', '_' or '-' "
            "and start with a letter or digit"
        )
    return batch_id


def hash_batch_id(canonical: bytes) -> str:
    """The id of a batch sent without one: the SHA-256 of its canonical bytes."""
    return "sha256-" + hashlib.sha256(canonical).hexdigest()[:32]


def stream_batch_id(topic: str, partition: int, offset: int, key: bytes | None,
                    value: bytes | None) -> str:  # fmt: skip
    """A Kafka micro-batch's id: its partition, first offset and first record's bytes.

    Redelivery after a crash starts at the committed offset, which is always the
    first offset of a batch, so the same batch gets the same id; the record's
    hash keeps a re-created topic (offsets from 0 again) from matching old batches.
    """
    digest = hashlib.sha256()
    for part in (topic.encode(), key or b"", value or b""):
        digest.update(len(part).to_bytes(8, "big") + part)
    return f"kafka-p{partition}-o{offset}-{digest.hexdigest()[:12]}"


def content_hash(table: pa.Table) -> str:
    """SHA-256 of the rows as an Arrow IPC stream: the same rows hash the same, batch id aside."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()


def time_range(times: pa.Array | pa.ChunkedArray) -> tuple[int, int] | None:
    """[min, max + 1 ms) of event times, in epoch ms; None when there are none."""
    bounds = pc.min_max(times.cast(pa.int64()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    return None if low is None else (int(low), int(high) + 1)


def event_id(dataset: str, kind: str, batch_id: str, event_type: str, index: int) -> str:
    """The id of the `index`-th event of a type announcing a batch (uuid5, stable on retry)."""
    return str(uuid.uuid5(_EVENTS, f"{dataset}/{kind}/{batch_id}/{event_type}/{index}"))
