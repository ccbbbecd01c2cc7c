"""A plain view of a consumed Kafka record, so code past the transport sees no Optionals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["RawRecord", "header_dict", "normalise_headers"]


def normalise_headers(headers: Any) -> list[tuple[str, bytes]]:
    """Headers as (name, bytes) pairs, whatever shape the client library gave."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    out: list[tuple[str, bytes]] = []
    for name, value in items:
        if value is None:
            out.append((str(name), b""))
        else:
            out.append((str(name), value if isinstance(value, bytes) else str(value).encode()))
    return out


def header_dict(headers: list[tuple[str, bytes]]) -> dict[str, str]:
    return {name: value.decode(errors="replace") for name, value in headers}


@dataclass(frozen=True, slots=True)
class RawRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]

    @classmethod
    def of(cls, msg: Any) -> RawRecord:
        """From a confluent-kafka `Message`."""
        key = msg.key()
        value = msg.value()
        return cls(
            topic=msg.topic() or "",
            partition=msg.partition() if msg.partition() is not None else -1,
            offset=msg.offset() if msg.offset() is not None else -1,
            key=key.encode() if isinstance(key, str) else key,
            value=value.encode() if isinstance(value, str) else value,
            headers=normalise_headers(msg.headers()),
        )

    @property
    def key_text(self) -> str | None:
        return None if self.key is None else self.key.decode(errors="replace")
