"""Lifecycle handlers: load first, swap once, replay-safe, never unload the champion."""

from __future__ import annotations

import logging

import pytest
from driftline.bus import Message
from driftline.envelope import Metadata
from driftline.events import Event, ModelPromoted, ModelRetired, ModelRolledBack
from driftline.spec import ProjectSpec
from driftline_serving.adapters import FakeLoader, FakeModel
from driftline_serving.core import ModelSlots
from driftline_serving.handlers import Context, routing_table

MODEL = "loan_default"


def msg(event: Event) -> Message[Event]:
    return Message(event=event, meta=Metadata(type=event.__avro_name__, source="test"))


def promoted(version: int, rollout: str = "full", fraction: float = 0.0,
             model: str = MODEL) -> ModelPromoted:  # fmt: skip
    return ModelPromoted(model_name=model, version=version, run_id=f"run-{version}",
                         artifact_uri=f"file:///a/{version}", artifact_sha256=f"{version:064x}",
                         rollout=rollout, canary_fraction=fraction, reason="test")  # fmt: skip


def retired(version: int) -> ModelRetired:
    return ModelRetired(model_name=MODEL, version=version, reason="replaced", retired_by="test")


def rolled_back(from_version: int, to_version: int) -> ModelRolledBack:
    return ModelRolledBack(model_name=MODEL, from_version=from_version, to_version=to_version,
                           artifact_uri=f"file:///a/{to_version}",
                           artifact_sha256=f"{to_version:064x}", reason="bad", requested_by="op")  # fmt: skip


class World:
    def __init__(self, spec: ProjectSpec) -> None:
        self.slots = ModelSlots(spec.models)
        self.loader = FakeLoader()
        self.refused: list[tuple[str, int]] = []
        ctx = Context(self.slots, self.loader, lambda m, v: self.refused.append((m, v)))
        self.table = routing_table(ctx)

    def handle(self, event: Event) -> None:
        self.table[event.__avro_name__](msg(event))

    def roles(self) -> dict[str, int]:
        return dict(self.slots.get(MODEL).versions_by_role())


@pytest.fixture
def world(spec: ProjectSpec) -> World:
    return World(spec)


def test_a_promotion_loads_the_artifact_then_swaps_the_champion(world: World) -> None:
    world.handle(promoted(1))
    assert [r.version for r in world.loader.loaded] == [1]
    assert world.loader.loaded[0].artifact_uri == "file:///a/1"
    assert world.roles() == {"champion": 1}


def test_a_replayed_promotion_neither_reloads_nor_swaps(world: World) -> None:
    world.handle(promoted(1))
    before = world.slots.get(MODEL)
    world.handle(promoted(1))
    assert len(world.loader.loaded) == 1
    assert world.slots.get(MODEL) is before


def test_a_failed_load_keeps_the_old_champion_serving_and_raises_for_a_retry(world: World) -> None:
    world.handle(promoted(1))
    world.loader.fail[2] = ValueError("hash mismatch")
    with pytest.raises(ValueError, match="hash mismatch"):
        world.handle(promoted(2))
    assert world.roles() == {"champion": 1}


def test_a_canary_then_its_promotion_reuses_the_loaded_challenger(world: World) -> None:
    world.handle(promoted(1))
    world.handle(promoted(2, "canary", 0.1))
    assert world.roles() == {"champion": 1, "canary": 2}
    world.handle(promoted(2))
    assert world.roles() == {"champion": 2}
    assert [r.version for r in world.loader.loaded] == [1, 2]


def test_a_rollback_of_a_canary_keeps_the_champion(world: World) -> None:
    world.handle(promoted(1))
    world.handle(promoted(2, "canary", 0.1))
    world.handle(rolled_back(2, 1))
    assert world.roles() == {"champion": 1}
    assert [r.version for r in world.loader.loaded] == [1, 2]


def test_a_rollback_swaps_back_to_the_version_it_names(world: World) -> None:
    world.handle(promoted(1))
    world.handle(promoted(2))
    world.handle(rolled_back(2, 1))
    assert world.roles() == {"champion": 1}
    assert world.loader.loaded[-1].artifact_uri == "file:///a/1"


def test_retiring_a_shadow_unloads_it(world: World) -> None:
    world.handle(promoted(1))
    world.handle(promoted(2, "shadow"))
    world.handle(retired(2))
    assert world.roles() == {"champion": 1}


def test_retiring_the_champion_is_refused_loudly(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.handle(promoted(1))
    with caplog.at_level(logging.ERROR):
        world.handle(retired(1))
    assert world.roles() == {"champion": 1}
    assert world.refused == [(MODEL, 1)]
    assert "REFUSED to unload the champion" in caplog.text


def test_events_about_models_the_spec_does_not_declare_are_ignored(world: World) -> None:
    world.handle(promoted(1, model="someone_elses_model"))
    assert world.loader.loaded == []


def test_the_loaded_model_is_reused_only_for_the_same_artifact(world: World) -> None:
    world.handle(promoted(1))
    first = world.slots.get(MODEL).champion
    assert isinstance(first, FakeModel)
    world.handle(ModelPromoted(**{**promoted(1).model_dump(), "artifact_sha256": "f" * 64,
                                  "rollout": "canary", "canary_fraction": 0.5}))  # fmt: skip
    assert len(world.loader.loaded) == 2
