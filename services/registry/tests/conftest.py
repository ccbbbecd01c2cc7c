"""Event builders shared by the registry's unit and integration tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from driftline.bus import Message
from driftline.bus.ports import event_type_name
from driftline.envelope import Metadata
from driftline.events import (
    CanaryVerdict,
    DataWindow,
    Event,
    Lineage,
    ModelEvaluated,
    ModelRetired,
    ModelTrained,
)
from driftline.spec import parse_spec
from driftline_registry.domain import Cause

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WINDOW = DataWindow(start=T0 - timedelta(days=14), end=T0)


def trained(
    model: str = "churn", run_id: str = "run-1", size: int = 1000, **kw: Any
) -> ModelTrained:
    lineage = Lineage(
        dataset="customers", data_window=WINDOW, row_count=500, content_hash="c" * 64,
        feature_names=["tenure", "spend"], code_version="0.1.0+abc", trigger_type="drift",
        trigger_event_id="drift-1",
    )  # fmt: skip
    values: dict[str, Any] = {
        "model_name": model, "run_id": run_id, "flavor": "sklearn", "estimator": "logistic_regression",
        "params": {"C": "1.0"}, "metrics": {"roc_auc": 0.8}, "artifact_uri": f"var/artifacts/{run_id}",
        "artifact_sha256": "a" * 64, "artifact_size_bytes": size, "duration_seconds": 2.5, "lineage": lineage,
    }  # fmt: skip
    return ModelTrained(**{**values, **kw})


def evaluated(
    model: str = "churn", run_id: str = "run-1", decision: str = "promote", **kw: Any
) -> ModelEvaluated:
    values: dict[str, Any] = {
        "model_name": model, "run_id": run_id, "champion_version": None, "primary_metric": "roc_auc",
        "challenger_score": 0.82, "champion_score": None, "baseline_score": 0.5, "delta": 0.32,
        "ci_low": 0.2, "ci_high": 0.4, "test": "paired_bootstrap", "min_improvement": 0.005,
        "guardrails": {"latency_ms_p99": 3.0}, "decision": decision, "reasons": ["better"],
        "eval_window": WINDOW, "eval_rows": 400,
    }  # fmt: skip
    return ModelEvaluated(**{**values, **kw})


def verdict(
    model: str = "churn", canary: int = 2, champion: int = 1, outcome: str = "promote"
) -> CanaryVerdict:
    return CanaryVerdict(model_name=model, canary_version=canary, champion_version=champion,
                         verdict=outcome, canary_metrics={"accuracy": 0.9}, sample_size=300)  # fmt: skip


def retired(model: str = "churn", version: int = 1) -> ModelRetired:
    return ModelRetired(model_name=model, version=version, reason="replaced",
                        archive_uri=f"var/archive/{version}", retired_by="driftline/retirement")  # fmt: skip


def message(event: Event, correlation_id: str = "", source: str = "test") -> Message[Any]:
    meta = Metadata(type=event_type_name(type(event)), source=source, correlation_id=correlation_id)
    return Message(event=event, meta=meta, key=getattr(event, "model_name", None))


def cause(at: datetime = T0, event_type: str = "ModelEvaluated", event_id: str = "ev-1") -> Cause:
    return Cause(event_id=event_id, event_type=event_type, correlation_id="corr-1", at=at,
                 actor="test", evidence={"event": {"id": event_id}})  # fmt: skip


SPEC = parse_spec({
    "project": "unit",
    "datasets": {"customers": {"entity_key": "customer_id", "label": {"name": "churned"},
                               "features": {"tenure": {"type": "float"}, "spend": {"type": "float"}}}},
    "models": {
        "churn": {"dataset": "customers", "estimator": {"name": "logistic_regression"},
                  "promotion": {"min_improvement": 0.01, "max_latency_ms_p99": 20}},
        "churn_canary": {"dataset": "customers", "estimator": {"name": "logistic_regression"},
                         "promotion": {"rollout": "canary", "canary_fraction": 0.25},
                         "retention": {"restore_within_days": 30}},
    },
})  # fmt: skip


@pytest.fixture
def build() -> Any:
    """The event builders (test modules cannot import each other under importlib mode)."""
    return SimpleNamespace(trained=trained, evaluated=evaluated, verdict=verdict, retired=retired,
                           message=message, cause=cause, T0=T0, SPEC=SPEC)  # fmt: skip
