"""Every Feast object derived from the spec, its definition hash, and `feast apply`.

One Entity per dataset entity key, one FileSource over the dataset's offline records
(``<offline root>/<dataset>/records``), one FeatureView per dataset named after it, one
FeatureService per model listing its features. No feature list is written twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from driftline.featurestore.settings import offline_records_url
from driftline.settings import DriftlineSettings
from driftline.spec import DatasetSpec, ProjectSpec

if TYPE_CHECKING:
    from feast import FeatureStore

__all__ = [
    "CREATED_COLUMN",
    "MANAGED_TAG",
    "FeastDefinitions",
    "apply_definitions",
    "feast_definitions",
    "view_version",
    "view_versions",
]

CREATED_COLUMN = "created_at"
"""Ingestion's write time column in the offline Parquet: Feast's created timestamp (tie-break)."""
MANAGED_TAG = "driftline.managed"


def view_version(dataset: DatasetSpec) -> str:
    """Hash of what defines a dataset's feature view: key, timestamp, features and their types."""
    definition = {
        "entity_key": dataset.entity_key,
        "event_timestamp": dataset.event_timestamp,
        "features": [[name, f.type] for name, f in dataset.features.items()],
    }
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def view_versions(spec: ProjectSpec, datasets: Iterable[str] | None = None) -> dict[str, str]:
    names = spec.datasets if datasets is None else datasets
    return {name: view_version(spec.dataset(name)) for name in names}


@dataclass(frozen=True)
class FeastDefinitions:
    """The Feast objects of a spec, by kind; `all()` is what `FeatureStore.apply` takes."""

    entities: list[Any] = field(default_factory=list)
    sources: list[Any] = field(default_factory=list)
    views: list[Any] = field(default_factory=list)
    services: list[Any] = field(default_factory=list)

    def all(self) -> list[Any]:
        return [*self.entities, *self.sources, *self.views, *self.services]


def _dtype(kind: str) -> Any:
    from feast.types import Bool, Float64, Int64, String

    return {"float": Float64, "int": Int64, "bool": Bool, "category": String, "string": String}[
        kind
    ]


def feast_definitions(spec: ProjectSpec, common: DriftlineSettings) -> FeastDefinitions:
    """Derive every Feast object from the spec (nothing else defines features)."""
    from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType
    from feast.data_format import ParquetFormat
    from feast.types import String

    tags = {MANAGED_TAG: "true"}
    defs = FeastDefinitions()
    entities: dict[str, Any] = {}
    views: dict[str, Any] = {}
    for name, ds in spec.datasets.items():
        entity = entities.get(ds.entity_key)
        if entity is None:
            entity = Entity(name=ds.entity_key, join_keys=[ds.entity_key], tags=tags,
                            value_type=ValueType.STRING)  # fmt: skip
            entities[ds.entity_key] = entity
            defs.entities.append(entity)
        source = FileSource(
            name=f"{name}_records",
            path=offline_records_url(common, name),
            file_format=ParquetFormat(),
            timestamp_field=ds.event_timestamp,
            created_timestamp_column=CREATED_COLUMN,
            s3_endpoint_override=common.storage_endpoint_url,
            tags=tags,
        )
        schema = [Field(name=ds.entity_key, dtype=String)]
        schema += [Field(name=f, dtype=_dtype(s.type)) for f, s in ds.features.items()]
        view = FeatureView(
            name=name,
            entities=[entity],
            ttl=timedelta(0),  # no expiry: the latest known value stays valid
            schema=schema,
            source=source,
            online=True,
            description=ds.description,
            tags={**tags, "driftline.definition_hash": view_version(ds)},
        )
        views[name] = view
        defs.sources.append(source)
        defs.views.append(view)
    for model_name, model in spec.models.items():
        features = list(spec.model_features(model_name))
        defs.services.append(FeatureService(
            name=model_name, features=[views[model.dataset][features]], tags=tags,
        ))  # fmt: skip
    return defs


def apply_definitions(store: FeatureStore, definitions: FeastDefinitions) -> list[str]:
    """`feast apply`: register the definitions, delete managed objects the spec no longer has.

    Idempotent; returns the names of the objects deleted.
    """
    wanted = {(type(o).__name__, o.name) for o in definitions.all()}
    existing: list[Any] = [
        *store.list_feature_services(),
        *store.list_feature_views(),
        *store.list_data_sources(),
        *store.list_entities(),
    ]
    stale = [
        o
        for o in existing
        if o.tags.get(MANAGED_TAG) == "true" and (type(o).__name__, o.name) not in wanted
    ]
    store.apply(definitions.all(), objects_to_delete=stale, partial=False)
    return [o.name for o in stale]
