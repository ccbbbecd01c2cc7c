"""Derive a dataset's raw-record Avro schema from the spec (namespace `driftline.records`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftline.spec import DatasetSpec

__all__ = ["RECORDS_NAMESPACE", "record_schema"]

RECORDS_NAMESPACE = "driftline.records"
_AVRO = {"float": "double", "int": "long", "bool": "boolean", "string": "string"}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def record_schema(name: str, dataset: DatasetSpec) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [
        {"name": dataset.entity_key, "type": "string", "doc": "Entity key."},
        {
            "name": dataset.event_timestamp,
            "type": {"type": "long", "logicalType": "timestamp-millis"},
            "doc": "Event time.",
        },
    ]
    for fname, feature in dataset.features.items():
        # Categories stay strings on the wire (enum symbols cannot hold every value);
        # the closed set travels as a schema attribute and is enforced by validation.
        ftype: Any = "string" if feature.type == "category" else _AVRO[feature.type]
        field: dict[str, Any] = {"name": fname, "type": ftype, "doc": feature.description}
        if feature.categories:
            field["categories"] = list(feature.categories)
        if feature.nullable:
            field.update(type=["null", ftype], default=None)
        fields.append(field)
    if dataset.label is not None:
        ltype = "string" if dataset.label.type == "category" else _AVRO[dataset.label.type]
        fields.append(
            {"name": dataset.label.name, "type": ["null", ltype], "default": None, "doc": "Label."}
        )
    return {
        "type": "record",
        "name": f"{_camel(name)}Record",
        "namespace": RECORDS_NAMESPACE,
        "doc": f"A raw record of dataset {name}, derived from driftline.yaml.",
        "fields": fields,
    }
