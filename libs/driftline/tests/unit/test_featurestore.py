"""Feast, derived from the spec: definitions, configuration, apply, and the fast online reader.

These tests need `feast` (installed with the features and serving services): without it they
fail at import, loudly.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from driftline import featurestore as fs
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec, parse_spec
from feast import FeatureStore
from feast.infra.key_encoding_utils import serialize_entity_key
from feast.protos.feast.types.EntityKey_pb2 import EntityKey
from feast.protos.feast.types.Value_pb2 import Value
from feast.types import Bool, Float64, Int64, String
from pydantic import SecretStr

RAW = {
    "project": "fs_test",
    "datasets": {
        "loans": {
            "entity_key": "application_id",
            "features": {
                "income": {"type": "float"},
                "score": {"type": "int"},
                "region": {"type": "category", "categories": ["n", "s"]},
                "owner": {"type": "bool"},
                "note": {"type": "string", "nullable": True},
            },
            "label": {"name": "defaulted"},
        },
        "cards": {"entity_key": "application_id", "features": {"limit": {"type": "float"}}},
    },
    "models": {
        "risk": {
            "dataset": "loans",
            "features": ["score", "income"],
            "estimator": {"name": "logistic_regression"},
        }
    },
}


@pytest.fixture(scope="module")
def spec() -> ProjectSpec:
    return parse_spec(RAW)


@pytest.fixture
def common(tmp_path: Path) -> DriftlineSettings:
    return DriftlineSettings(state_dir=tmp_path / "state", offline_store_url=str(tmp_path / "off"))


@pytest.fixture
def store(common: DriftlineSettings, spec: ProjectSpec) -> FeatureStore:
    feast = fs.feature_store(fs.repo_config(common, fs.FeatureStoreSettings(), spec))
    fs.apply_definitions(feast, fs.feast_definitions(spec, common))
    return feast


def test_derives_one_view_per_dataset_typed_from_the_spec(
    spec: ProjectSpec, common: DriftlineSettings
) -> None:
    defs = fs.feast_definitions(spec, common)
    views = {v.name: v for v in defs.views}
    assert set(views) == {"loans", "cards"}
    assert {f.name: f.dtype for f in views["loans"].features} == {
        "income": Float64, "score": Int64, "region": String, "owner": Bool, "note": String,
    }  # fmt: skip
    assert views["loans"].tags["driftline.definition_hash"] == fs.view_version(
        spec.dataset("loans")
    )
    source = views["loans"].batch_source
    assert source.path == f"{common.offline_store_url}/loans/records"
    assert (source.timestamp_field, source.created_timestamp_column) == ("event_time", "created_at")


def test_datasets_that_share_an_entity_key_share_one_entity(
    spec: ProjectSpec, common: DriftlineSettings
) -> None:
    assert [e.name for e in fs.feast_definitions(spec, common).entities] == ["application_id"]


def test_derives_a_feature_service_per_model_with_its_features_in_order(
    spec: ProjectSpec, common: DriftlineSettings
) -> None:
    [service] = fs.feast_definitions(spec, common).services
    assert service.name == "risk"
    [projection] = service.feature_view_projections
    assert [f.name for f in projection.features] == ["score", "income"]


def test_the_local_profile_keeps_the_registry_and_online_store_under_the_state_dir(
    spec: ProjectSpec, common: DriftlineSettings
) -> None:
    config = fs.repo_config(common, fs.FeatureStoreSettings(), spec)
    root = (common.state_dir / "feast").resolve()
    assert config.registry.path == str(root / "registry.db")
    assert config.online_store.path == str(root / "online.db")
    assert config.project == "fs_test"


def test_the_production_profile_uses_redis_and_a_sql_registry(
    spec: ProjectSpec, common: DriftlineSettings
) -> None:
    settings = fs.FeatureStoreSettings(
        online_store="redis", redis_url=SecretStr("rediss://:p%40ss@cache:6380/2"),
        registry="sql", registry_url=SecretStr("postgresql+psycopg://u:p@db/feast"),
    )  # fmt: skip
    config = fs.repo_config(common, settings, spec)
    assert config.online_store.connection_string == "cache:6380,db=2,password=p@ss,ssl=true"
    assert (config.registry.registry_type, config.registry.path) == (
        "sql", "postgresql+psycopg://u:p@db/feast",
    )  # fmt: skip


def test_a_production_store_without_its_url_is_refused_with_the_variable_to_set(
    spec: ProjectSpec, common: DriftlineSettings
) -> None:
    with pytest.raises(ValueError, match="DRIFTLINE_FEATURES_REDIS_URL"):
        fs.repo_config(common, fs.FeatureStoreSettings(online_store="redis"), spec)


def test_apply_is_idempotent_and_removes_what_the_spec_no_longer_declares(
    store: FeatureStore, spec: ProjectSpec, common: DriftlineSettings
) -> None:
    assert fs.apply_definitions(store, fs.feast_definitions(spec, common)) == []
    smaller = parse_spec({**RAW, "datasets": {"loans": RAW["datasets"]["loans"]}})  # type: ignore[dict-item]
    deleted = fs.apply_definitions(store, fs.feast_definitions(smaller, common))
    assert set(deleted) == {"cards", "cards_records"}
    assert [v.name for v in store.list_feature_views()] == ["loans"]


def test_entity_keys_are_serialised_as_feast_does() -> None:
    proto = EntityKey(join_keys=["application_id"], entity_values=[Value(string_val="é-42")])
    assert fs.entity_key_bytes("application_id", ["é-42"]) == [serialize_entity_key(proto, 3)]


def write_with_feast(store: FeatureStore) -> None:
    stamp = pd.Timestamp("2026-11-01T10:00:00Z")
    store.write_to_online_store("loans", pd.DataFrame({
        "application_id": ["a", "b"], "event_time": [stamp, stamp], "created_at": [stamp, stamp],
        "income": [1.5, None], "score": [-7, 700], "region": ["n", "s"], "owner": [True, False],
        "note": [None, "x"],
    }))  # fmt: skip


def test_the_fast_reader_returns_what_feasts_get_online_features_returns(
    store: FeatureStore, spec: ProjectSpec, common: DriftlineSettings
) -> None:
    write_with_feast(store)
    keys = ["a", "b", "unknown", "a"]
    fast = fs.online_reader(common, fs.FeatureStoreSettings(), spec)
    assert isinstance(fast, fs.SqliteOnlineReader)
    features = list(spec.dataset("loans").features)
    reference = store.get_online_features(
        features=[f"loans:{f}" for f in features], entity_rows=[{"application_id": k} for k in keys]
    ).to_dict()
    expected = [{f: reference[f][i] for f in features} for i in range(len(keys))]
    got = fast.get("loans", keys)
    assert [row or dict.fromkeys(features) for row in got] == expected
    assert got[2] is None
    assert fs.FeastOnlineReader(store, spec).get("loans", keys) == got


def test_the_fast_reader_returns_only_the_features_asked_for(
    store: FeatureStore, spec: ProjectSpec, common: DriftlineSettings
) -> None:
    write_with_feast(store)
    fast = fs.online_reader(common, fs.FeatureStoreSettings(), spec)
    assert fast.get("loans", ["b"], ["score", "note"]) == [{"score": 700, "note": "x"}]
    with pytest.raises(KeyError, match="no feature"):
        fast.get("loans", ["b"], ["nope"])


def test_reading_before_the_registry_was_applied_says_so(spec: ProjectSpec, tmp_path: Path) -> None:
    reader = fs.SqliteOnlineReader(tmp_path / "online.db", "fs_test", spec)
    with pytest.raises(fs.OnlineTableMissingError, match="apply the registry"):
        reader.get("loans", ["a"])


@pytest.mark.parametrize("value", [Value(double_val=-0.5), Value(int64_val=-(2**63)),
    Value(int32_val=5), Value(float_val=1.25), Value(bool_val=False), Value(string_val=""),
    Value(bytes_val=b"\x00"), Value()])  # fmt: skip
def test_decodes_stored_values_as_feast_does(value: Value) -> None:
    from feast.type_map import feast_value_type_to_python_type

    assert fs.decode_value(value.SerializeToString()) == feast_value_type_to_python_type(value)
