"""The durable state survives a JSON round trip, whatever kind of reference it holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from driftline.spec import DriftPolicy
from driftline_monitoring.adapters import JsonFileStateStore
from driftline_monitoring.domain import CategoricalProfile, ModelMonitor, NumericProfile, Reference
from driftline_monitoring.snapshot import dump, restore

KINDS = {"x": "numeric", "c": "categorical"}


def monitor() -> ModelMonitor:
    return ModelMonitor("m", KINDS, DriftPolicy(window=100, min_samples=50))  # type: ignore[arg-type]


def test_references_trials_and_cooldown_come_back_from_the_state_file(tmp_path: Path) -> None:
    before = monitor()
    summary = NumericProfile.from_summary(deciles=list(np.linspace(1, 9, 9)), low=0.0, high=10.0)
    before.set_reference(3, Reference({"x": summary, "c": CategoricalProfile({"a": 2.0})},
                                      "feature_service"))  # fmt: skip
    before.set_reference(4, None)
    before.champion, before.episode = 3, True
    before.last_alert = datetime(2026, 1, 1, tzinfo=UTC)
    before.promoted(4, "canary", 3, datetime(2026, 1, 2, tzinfo=UTC), {"id": "e1"})
    store = JsonFileStateStore(tmp_path / "state.json")
    store.save(dump({"m": before}))
    after = monitor()
    saved = store.load()
    assert saved is not None
    restore({"m": after, "gone": monitor()}, json.loads(json.dumps(saved)))
    assert (after.champion, after.episode, after.last_alert) == (3, True, before.last_alert)
    reference = after.references[3]
    assert reference is not None
    assert reference.origin == "feature_service"
    x = reference.profiles["x"]
    assert isinstance(x, NumericProfile)
    assert x.edges.tolist() == summary.edges.tolist()
    assert x.sample is None
    assert after.references[4] is None  # still to be learnt from its first window
    assert after.canary is not None
    assert (after.canary.canary_version, after.canary.cause) == (4, {"id": "e1"})


def test_a_missing_state_file_means_a_fresh_start(tmp_path: Path) -> None:
    assert JsonFileStateStore(tmp_path / "nothing.json").load() is None
