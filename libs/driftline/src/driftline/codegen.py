"""Generate the typed Python event models from `schemas/` (STYLE rule 4).

`driftline schemas codegen` writes `driftline/events/_generated.py`; a contract
test fails when the committed file differs from what the schemas produce, so the
models can never drift from the Avro contract.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from driftline.catalog import Catalog

__all__ = ["GENERATED_PATH", "render_models", "write_models"]

GENERATED_PATH = Path(__file__).parent / "events" / "_generated.py"

_PRIMITIVES = {
    "string": "str",
    "long": "int",
    "int": "int",
    "double": "float",
    "float": "float",
    "boolean": "bool",
    "bytes": "bytes",
    "null": "None",
}
_LOGICAL = {"timestamp-millis": "datetime", "timestamp-micros": "datetime"}


class _Renderer:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.records: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []

    def short(self, name: str) -> str:
        return name.rsplit(".", 1)[-1]

    def annotation(self, schema: Any) -> str:
        if isinstance(schema, list):
            return " | ".join(self.annotation(branch) for branch in schema)
        if isinstance(schema, str):
            if schema in _PRIMITIVES:
                return _PRIMITIVES[schema]
            return self.short(schema)
        if logical := _LOGICAL.get(schema.get("logicalType", "")):
            return logical
        kind = schema["type"]
        if kind == "array":
            return f"list[{self.annotation(schema['items'])}]"
        if kind == "map":
            return f"dict[str, {self.annotation(schema['values'])}]"
        if kind == "record":
            self.visit(schema)
            return self.short(schema["name"])
        if kind == "enum":
            symbols = ", ".join(repr(s) for s in schema["symbols"])
            return f"Literal[{symbols}]"
        return self.annotation(kind)

    def visit(self, record: dict[str, Any]) -> None:
        name = self.short(record["name"])
        if name in self.records:
            return
        self.records[name] = record
        for field in record["fields"]:
            self.annotation(field["type"])
        self.order.append(name)

    def render_record(self, name: str, *, event_types: set[str]) -> str:
        record = self.records[name]
        base = "Event" if name in event_types else "Record"
        lines = [f"class {name}({base}):", f'    """{record.get("doc", name)}"""', ""]
        lines.append(f'    __avro_name__: ClassVar[str] = "{self.namespace}.{name}"')
        for field in record["fields"]:
            annotation = self.annotation(field["type"])
            line = f"    {field['name']}: {annotation}"
            if "default" in field:
                default = field["default"]
                if isinstance(default, (dict, list)):
                    factory = "dict" if isinstance(default, dict) else "list"
                    line += f" = Field(default_factory={factory})"
                else:
                    line += f" = {default!r}"
            lines.append(line)
            lines.append(f'    """{field.get("doc", "")}"""')
        return "\n".join(lines)


def render_models(catalog: Catalog) -> str:
    """Return the source of `_generated.py` for the catalog's event types."""
    from fastavro.schema import load_schema

    renderer = _Renderer(catalog.namespace)
    for event_type in catalog.events:
        schema = load_schema(str(catalog.schema_path(event_type)), _write_hint=False)
        renderer.visit(json.loads(json.dumps(schema)))
    event_types = set(catalog.events)
    body = "\n\n\n".join(renderer.render_record(n, event_types=event_types) for n in renderer.order)
    registry = "\n".join(f'    "{name}": {name},' for name in catalog.events)
    exports = "\n".join(f'    "{name}",' for name in sorted(renderer.order))
    typing_names = "ClassVar, Literal" if "Literal[" in body else "ClassVar"
    return f'''"""Event models generated from schemas/ by `driftline schemas codegen`. Do not edit."""

from __future__ import annotations

from datetime import datetime
from typing import {typing_names}

from pydantic import Field

from driftline.events.base import Event, Record

__all__ = [
    "EVENT_TYPES",
{exports}
]

{body}


EVENT_TYPES: dict[str, type[Event]] = {{
{registry}
}}
'''


def write_models(catalog: Catalog) -> Path:
    GENERATED_PATH.write_text(render_models(catalog))
    return GENERATED_PATH
