"""The champion read at start: after the consumer is positioned, retried, never overriding events."""

from __future__ import annotations

import threading

from driftline.spec import ProjectSpec
from driftline_serving.adapters import FakeChampionSource, FakeLoader, FakeModel
from driftline_serving.core import ModelRef, ModelSlots
from driftline_serving.startup import StartupLoader

MODEL = "loan_default"
REF = ModelRef(MODEL, 3, "file:///a/3", "3" * 64, "sklearn")


def run_until_done(loader: StartupLoader) -> None:
    thread = threading.Thread(target=loader.run, daemon=True)
    thread.start()
    assert loader.done.wait(5), loader.status
    loader.stop()
    thread.join(5)


def test_it_loads_the_registry_champion(spec: ProjectSpec) -> None:
    slots = ModelSlots(spec.models)
    run_until_done(StartupLoader(slots, FakeChampionSource({MODEL: REF}), FakeLoader()))
    assert slots.get(MODEL).versions_by_role() == {"champion": 3}


def test_a_model_without_a_champion_is_settled_and_the_service_ready(spec: ProjectSpec) -> None:
    slots = ModelSlots(spec.models)
    loader = StartupLoader(slots, FakeChampionSource(), FakeLoader())
    run_until_done(loader)
    assert slots.get(MODEL).champion is None
    assert loader.status[MODEL] == "no champion yet"
    assert loader.check() is True


def test_it_retries_while_the_registry_is_down(spec: ProjectSpec) -> None:
    source = FakeChampionSource({MODEL: REF}, errors=[ConnectionError("refused")] * 2)
    slots = ModelSlots(spec.models)
    loader = StartupLoader(slots, source, FakeLoader(), first_delay=0.01)
    assert "pending" in str(loader.check())
    run_until_done(loader)
    assert source.asked == [MODEL] * 3
    assert slots.get(MODEL).versions_by_role() == {"champion": 3}


def test_a_champion_that_fails_to_load_is_retried_and_keeps_the_service_unready(
    spec: ProjectSpec,
) -> None:
    slots = ModelSlots(spec.models)
    failing = FakeLoader(fail={3: ValueError("bad hash")})
    loader = StartupLoader(slots, FakeChampionSource({MODEL: REF}), failing, first_delay=0.01)
    thread = threading.Thread(target=loader.run, daemon=True)
    thread.start()
    try:
        threading.Event().wait(0.1)
        assert len(failing.loaded) >= 2
        assert "failed to load: bad hash" in str(loader.check())
    finally:
        loader.stop()
        thread.join(5)


def test_it_waits_for_the_lifecycle_consumer_to_be_positioned_first(spec: ProjectSpec) -> None:
    positioned = threading.Event()
    source = FakeChampionSource({MODEL: REF})
    loader = StartupLoader(
        ModelSlots(spec.models), source, FakeLoader(), wait_positioned=positioned.wait
    )
    thread = threading.Thread(target=loader.run, daemon=True)
    thread.start()
    threading.Event().wait(0.1)
    assert source.asked == []
    positioned.set()
    assert loader.done.wait(5)
    loader.stop()
    thread.join(5)
    assert source.asked == [MODEL]


def test_a_champion_installed_by_an_event_meanwhile_wins(spec: ProjectSpec) -> None:
    slots = ModelSlots(spec.models)
    newer = FakeModel(MODEL, 4)
    slots.apply(MODEL, lambda d: d.promoted(newer, "full"))
    run_until_done(StartupLoader(slots, FakeChampionSource({MODEL: REF}), FakeLoader()))
    assert slots.get(MODEL).champion is newer
