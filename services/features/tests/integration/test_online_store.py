"""The bulk path writes Feast's own SQLite table: Feast reads it back, newest value wins."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from driftline import featurestore as fs
from driftline.spec import ProjectSpec
from driftline_features.adapters.offline_schema import records_schema
from driftline_features.adapters.online_sqlite import SqliteBulkWriter
from driftline_features.bootstrap import FeatureService, bootstrap
from driftline_features.config import Settings
from driftline_features.testing import utc
from feast import FeatureStore

pytestmark = pytest.mark.integration
T0 = utc("2026-11-01T10:00")


def records(spec: ProjectSpec, rows: list[dict[str, object]], created=T0) -> pa.Table:  # type: ignore[no-untyped-def]
    ds = spec.dataset("loans")
    full = [{**dict.fromkeys(ds.features), "defaulted": None, "created_at": created,
             "batch_id": "b", **row} for row in rows]  # fmt: skip
    return pa.Table.from_pylist(full, schema=records_schema(ds))


@pytest.fixture
def service(settings: Settings, spec: ProjectSpec) -> FeatureService:
    from driftline.bus import FakePublisher

    return bootstrap(settings, spec=spec, publisher=FakePublisher())


def feast_rows(store: FeatureStore, spec: ProjectSpec, keys: list[str]) -> list[dict[str, object]]:
    features = list(spec.dataset("loans").features)
    result = store.get_online_features(
        features=[f"loans:{f}" for f in features], entity_rows=[{"application_id": k} for k in keys]
    ).to_dict()
    return [{f: result[f][i] for f in features} for i in range(len(keys))]


def test_rows_written_in_bulk_are_read_back_by_feasts_own_get_online_features(
    service: FeatureService, spec: ProjectSpec
) -> None:
    rng = np.random.default_rng(3)
    rows = [{"application_id": f"app-{i}", "event_time": T0 + timedelta(seconds=i),
             "income": float(rng.uniform(0, 1e5)) if i % 7 else None,
             "credit_score": int(rng.integers(300, 851)), "region": ["north", "east"][i % 2],
             "has_mortgage": bool(i % 3), "note": "ünï" if i % 5 == 0 else None}
            for i in range(300)]  # fmt: skip
    outcome = service.deps.online.write("loans", records(spec, rows))
    assert (outcome.offered, outcome.written) == (300, 300)
    keys = [f"app-{i}" for i in range(300)]
    features = list(spec.dataset("loans").features)
    assert service.store is not None
    assert feast_rows(service.store, spec, keys) == [{f: r[f] for f in features} for r in rows]
    assert service.queries.reader.get("loans", keys) == [{f: r[f] for f in features} for r in rows]


def test_an_older_batch_never_replaces_a_newer_value(
    service: FeatureService, spec: ProjectSpec
) -> None:
    online = service.deps.online
    online.write("loans", records(spec, [{"application_id": "a", "event_time": T0, "income": 2.0}]))
    older = [{"application_id": "a", "event_time": T0 - timedelta(hours=1), "income": 1.0}]
    outcome = online.write("loans", records(spec, older, created=T0 + timedelta(days=1)))
    assert outcome.stale == 1
    assert service.store is not None
    assert feast_rows(service.store, spec, ["a"])[0]["income"] == 2.0
    newer = [{"application_id": "a", "event_time": T0 + timedelta(hours=1), "income": 3.0}]
    online.write("loans", records(spec, newer))
    assert feast_rows(service.store, spec, ["a"])[0]["income"] == 3.0


def test_a_redelivered_batch_writes_the_same_values_again(
    service: FeatureService, spec: ProjectSpec
) -> None:
    batch = records(
        spec, [{"application_id": "a", "event_time": T0, "income": 5.0, "credit_score": 600}]
    )
    first = service.deps.online.write("loans", batch)
    again = service.deps.online.write("loans", batch)
    assert (first.written, again.written) == (1, 1)
    assert service.queries.reader.get("loans", ["a"], ["income", "credit_score"]) == [
        {"income": 5.0, "credit_score": 600}
    ]


def test_a_batch_larger_than_one_transaction_is_written_whole(
    settings: Settings, spec: ProjectSpec, tmp_path: Path
) -> None:
    store = fs.feature_store(fs.repo_config(settings.common, settings.store, spec))
    fs.apply_definitions(store, fs.feast_definitions(spec, settings.common))
    writer = SqliteBulkWriter(fs.repo_dir(settings.common, settings.store) / "online.db",
                              store.project, spec, chunk_records=100)  # fmt: skip
    rows = [{"application_id": f"k{i}", "event_time": T0, "income": float(i)} for i in range(1050)]
    assert writer.write("loans", records(spec, rows)).written == 1050
    assert feast_rows(store, spec, ["k0", "k1049"])[1]["income"] == 1049.0
