"""Fakes and builders shared by the monitoring unit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from driftline.bus import FakePublisher, Message
from driftline.bus.ports import event_type_name
from driftline.envelope import Metadata
from driftline.events import Event
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec, parse_spec
from driftline_monitoring.adapters import MemoryStateStore
from driftline_monitoring.bootstrap import Monitoring, bootstrap
from driftline_monitoring.config import MonitoringSettings
from driftline_monitoring.domain import Reference
from driftline_monitoring.testing import FEATURES


class FakeReferenceSource:
    """Answers from a dict (None: learn from traffic); records what it was asked."""

    def __init__(self, references: dict[str, Reference | None] | None = None) -> None:
        self.references = references or {}
        self.asked: list[tuple[str, int]] = []

    def load(self, model: str, version: int) -> Reference | None:
        self.asked.append((model, version))
        return self.references.get(model)


def make_spec(**drift: Any) -> ProjectSpec:
    features = {n: {"type": t, **({"categories": ["north", "south", "east", "west"]}
                                  if t == "category" else {})} for n, t in FEATURES.items()}  # fmt: skip
    policy = {"window": 100, "min_samples": 80, "cooldown_minutes": 10} | drift
    model = {"dataset": "loans", "estimator": {"name": "logistic_regression"}, "drift": policy,
             "promotion": {"confidence": 0.95}}  # fmt: skip
    return parse_spec({
        "project": "test",
        "datasets": {"loans": {"entity_key": "application_id", "features": features,
                               "label": {"name": "defaulted"}}},
        "models": {"loans_model": model},
    })  # fmt: skip


def message(event: Event, **meta: Any) -> Message[Any]:
    return Message(
        event=event, meta=Metadata(type=event_type_name(type(event)), source="test", **meta)
    )


@pytest.fixture
def settings(tmp_path: Path) -> MonitoringSettings:
    return MonitoringSettings(common=DriftlineSettings(state_dir=tmp_path, log_json=False))


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def store() -> MemoryStateStore:
    return MemoryStateStore()


@pytest.fixture
def monitoring(settings: MonitoringSettings, publisher: FakePublisher,
               store: MemoryStateStore) -> Monitoring:  # fmt: skip
    return bootstrap(settings, spec=make_spec(), publisher=publisher,
                     references=FakeReferenceSource(), store=store)  # fmt: skip
