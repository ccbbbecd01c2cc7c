"""The project spec: derived schemas, and errors that name the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from driftline.schema_store import SchemaStore
from driftline.spec import SpecError, load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[4]
RAW: dict[str, Any] = yaml.safe_load((ROOT / "driftline.yaml").read_text())


def edited(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    node = raw
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    return raw


def test_example_spec_loads() -> None:
    spec = load_spec(ROOT / "driftline.yaml")
    assert "loan_default" in spec.models


def test_record_schema_is_derived_from_the_features() -> None:
    spec = parse_spec(RAW)
    schema = spec.record_schemas["loans"]
    names = [f["name"] for f in schema["fields"]]
    assert names[:2] == ["application_id", "event_time"]
    assert set(spec.datasets["loans"].features) <= set(names)
    assert SchemaStore().register(schema).full_name == "driftline.records.LoansRecord"


def test_unknown_dataset_is_named() -> None:
    with pytest.raises(SpecError, match=r"models\.loan_default\.dataset: unknown dataset 'nope'"):
        parse_spec(edited("models.loan_default.dataset", "nope"))


def test_unknown_metric_is_named() -> None:
    with pytest.raises(SpecError, match=r"models\.loan_default: unknown primary_metric"):
        parse_spec(edited("models.loan_default.primary_metric", "auc2"))


def test_bad_feature_type_is_named() -> None:
    with pytest.raises(SpecError, match=r"datasets\.loans\.features\.income\.type"):
        parse_spec(edited("datasets.loans.features.income", {"type": "complex"}))


def test_category_without_categories_is_refused() -> None:
    with pytest.raises(SpecError, match="categories"):
        parse_spec(edited("datasets.loans.features.region", {"type": "category"}))


def test_second_dataset_and_model_need_only_the_spec() -> None:
    raw = copy.deepcopy(RAW)
    raw["datasets"]["deliveries"] = {
        "entity_key": "order_id",
        "features": {"distance_km": {"type": "float", "min": 0}},
        "label": {"name": "minutes", "type": "float"},
    }
    raw["models"]["eta"] = {
        "dataset": "deliveries",
        "task": "regression",
        "estimator": {"name": "ridge"},
        "primary_metric": "rmse",
    }
    spec = parse_spec(raw)
    assert spec.records_topic("deliveries") == "driftline.records.deliveries"
    assert spec.model_features("eta") == ("distance_km",)
    assert not spec.models["eta"].higher_is_better
