"""Schema evolution: BACKWARD_TRANSITIVE checks with the `avro` package, and history snapshots.

BACKWARD: a consumer on the new schema reads data written with the old one.
TRANSITIVE: against every released version, not only the last.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from driftline.catalog import Catalog
from driftline.schema_store import fingerprint_of, resolve

__all__ = ["backward_problem", "check_catalog", "history", "snapshot_catalog"]


def history(catalog: Catalog, event_type: str) -> list[tuple[int, dict[str, Any]]]:
    """Released versions of one event type, oldest first."""
    folder = catalog.root / "history" / event_type
    versions = [(int(p.stem[1:]), p) for p in folder.glob("v*.avsc")]
    return [(n, json.loads(p.read_text())) for n, p in sorted(versions)]


def backward_problem(reader: dict[str, Any], writer: dict[str, Any]) -> str | None:
    """None when `reader` can read data written with `writer`, else the checker's message."""
    result = ReaderWriterCompatibilityChecker().get_compatibility(  # type: ignore[no-untyped-call]
        reader=avro.schema.parse(json.dumps(reader)), writer=avro.schema.parse(json.dumps(writer))
    )
    if result.compatibility is SchemaCompatibilityType.compatible:
        return None
    details = "; ".join(sorted(result.messages)) or "incompatible"
    return f"{details} (at {', '.join(sorted(result.locations)) or 'root'})"


def check_catalog(catalog: Catalog) -> list[str]:
    """Every incompatibility between a current schema and any earlier version."""
    problems = []
    for event_type in catalog.events:
        current = resolve(catalog.schema_path(event_type))
        for version, old in history(catalog, event_type):
            if problem := backward_problem(current, old):
                problems.append(f"{event_type} cannot read v{version}: {problem}")
    return problems


def snapshot_catalog(catalog: Catalog) -> list[Path]:
    """Write `history/<Type>/v<N+1>.avsc` for every schema that differs from its last version."""
    written = []
    for event_type in catalog.events:
        current = resolve(catalog.schema_path(event_type))
        released = history(catalog, event_type)
        if released and fingerprint_of(released[-1][1]) == fingerprint_of(current):
            continue
        for version, old in released:
            if problem := backward_problem(current, old):
                raise ValueError(f"{event_type} is incompatible with v{version}: {problem}")
        next_version = released[-1][0] + 1 if released else 1
        path = catalog.root / "history" / event_type / f"v{next_version}.avsc"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current, indent=2) + "\n")
        written.append(path)
    return written
