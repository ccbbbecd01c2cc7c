"""The local schema registry: every writer schema we know, by CRC-64-AVRO fingerprint.

With no Schema Registry configured, `schemas/` *is* the registry: the current
`.avsc` of each named type plus every released version under `history/`.
Dataset record schemas derived from the project spec are registered at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastavro.schema import fingerprint, load_schema, parse_schema, to_parsing_canonical_form

from driftline.catalog import Catalog

__all__ = ["KnownSchema", "SchemaStore", "UnknownSchemaError", "fingerprint_of", "resolve"]


class UnknownSchemaError(LookupError):
    """A fingerprint, schema id or name that no registry knows."""


@dataclass(frozen=True, slots=True)
class KnownSchema:
    full_name: str
    fingerprint: bytes
    resolved: dict[str, Any]  # self-contained Avro JSON (named types inlined once)
    parsed: Any  # fastavro parsed schema, ready for reading and writing


def resolve(path: Path) -> dict[str, Any]:
    """Load one `.avsc`, inlining named types from sibling files."""
    loaded = load_schema(str(path), _write_hint=False)
    resolved: dict[str, Any] = json.loads(json.dumps(loaded))
    return resolved


def fingerprint_of(schema: dict[str, Any]) -> bytes:
    """CRC-64-AVRO fingerprint of the Parsing Canonical Form, in single-object byte order."""
    canonical = to_parsing_canonical_form(parse_schema(schema, _write_hint=False))
    return bytes.fromhex(fingerprint(canonical, "CRC-64-AVRO"))


class SchemaStore:
    """Writer schemas by fingerprint and the current schema of each full name."""

    def __init__(self) -> None:
        self._by_fingerprint: dict[bytes, KnownSchema] = {}
        self._current: dict[str, KnownSchema] = {}

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> SchemaStore:
        store = cls()
        history = catalog.root / "history"
        for event_type in catalog.events:
            versions = sorted((history / event_type).glob("v*.avsc"), key=lambda p: int(p.stem[1:]))
            for old in versions:
                store.register(json.loads(old.read_text()), current=False)
            store.register(resolve(catalog.schema_path(event_type)))
        return store

    def register(self, schema: dict[str, Any], *, current: bool = True) -> KnownSchema:
        """Make a writer schema known; with `current`, it becomes the one we write."""
        parsed = parse_schema(schema, _write_hint=False)
        full_name: str = parsed["name"]  # type: ignore[call-overload,index]
        fp = fingerprint_of(schema)
        known = self._by_fingerprint.get(fp) or KnownSchema(full_name, fp, schema, parsed)
        self._by_fingerprint[fp] = known
        if current:
            self._current[full_name] = known
        return known

    def by_fingerprint(self, fp: bytes) -> KnownSchema:
        try:
            return self._by_fingerprint[fp]
        except KeyError:
            raise UnknownSchemaError(f"unknown schema fingerprint {fp.hex()}") from None

    def current(self, full_name: str) -> KnownSchema:
        try:
            return self._current[full_name]
        except KeyError:
            raise UnknownSchemaError(f"no schema registered for {full_name}") from None

    def names(self) -> list[str]:
        return sorted(self._current)
