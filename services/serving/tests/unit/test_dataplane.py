"""The data plane: one snapshot per batch, features read once, routing, shadow and the log."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from driftline.spec import ProjectSpec
from driftline_serving.adapters import FakeFeatureSource, FakeModel, FakeSink, FakeTelemetry
from driftline_serving.core import (
    BadInputError,
    DataPlane,
    FeatureRows,
    FeaturesUnavailableError,
    Job,
    ModelNotReadyError,
    ModelSlots,
    ShadowScorer,
    UnknownEntityError,
    UnknownModelError,
    VersionNotLoadedError,
)

MODEL = "loan_default"
FEATURES = ("income", "region")


@dataclass
class Plane:
    plane: DataPlane
    slots: ModelSlots
    store: FakeFeatureSource
    sink: FakeSink
    telemetry: FakeTelemetry
    shadow: ShadowScorer
    models: dict[int, FakeModel] = field(default_factory=dict)

    def model(self, version: int, **kw: object) -> FakeModel:
        model = FakeModel(MODEL, version, features=FEATURES, **kw)  # type: ignore[arg-type]
        self.models[version] = model
        return model


@pytest.fixture
def p(spec: ProjectSpec) -> Plane:
    slots, store, sink, telemetry = (
        ModelSlots(spec.models),
        FakeFeatureSource(),
        FakeSink(),
        FakeTelemetry(),
    )
    shadow = ShadowScorer(sink, telemetry, capacity=2)
    plane = DataPlane(slots=slots, feature_rows=FeatureRows(spec, store), sink=sink, shadow=shadow,
                      telemetry=telemetry, clock=lambda: 1_700_000_000.0)  # fmt: skip
    store.rows = {f"a{i}": {"income": 1000.0 * i, "region": "north"} for i in range(10)}
    return Plane(plane, slots, store, sink, telemetry, shadow)


def serve(p: Plane, version: int) -> FakeModel:
    model = p.model(version)
    p.slots.apply(MODEL, lambda d: d.promoted(model, "full"))
    return model


def test_entity_keys_of_a_whole_batch_are_read_in_one_lookup_and_predicted_in_one_call(
    p: Plane,
) -> None:
    model = serve(p, 1)
    jobs = [Job(f"r{i}", 0.0, entity_keys=[f"a{i}"]) for i in range(5)]
    results = p.plane.run(MODEL, jobs)
    assert len(p.store.reads) == 1
    assert p.store.reads[0][1] == ["a0", "a1", "a2", "a3", "a4"]
    assert len(model.calls) == 1
    assert len(model.calls[0]) == 5
    assert [r[0].request_id for r in results if isinstance(r, list)] == [
        "r0",
        "r1",
        "r2",
        "r3",
        "r4",
    ]


def test_each_prediction_is_logged_with_its_version_features_and_entity(p: Plane) -> None:
    serve(p, 7)
    [result] = p.plane.run(MODEL, [Job("req-1", 0.0, entity_keys=["a3"])])
    assert isinstance(result, list)
    [record] = p.sink.records
    assert (record.request_id, record.model_version, record.entity_key, record.role) == (
        "req-1",
        7,
        "a3",
        "champion",
    )
    assert record.features == {"income": 3000.0, "region": "north"}
    assert record.prediction == 1
    assert record.score == 0.75
    assert record.timestamp == 1_700_000_000.0


def test_rows_of_a_multi_key_request_get_indexed_request_ids(p: Plane) -> None:
    serve(p, 1)
    [result] = p.plane.run(MODEL, [Job("req", 0.0, entity_keys=["a1", "a2"])])
    assert isinstance(result, list)
    assert [a.request_id for a in result] == ["req:0", "req:1"]


def test_an_unknown_entity_is_an_error_naming_the_key_and_fails_only_its_request(p: Plane) -> None:
    serve(p, 1)
    bad, good = p.plane.run(
        MODEL, [Job("x", 0.0, entity_keys=["nope"]), Job("y", 0.0, entity_keys=["a1"])]
    )
    assert isinstance(bad, UnknownEntityError)
    assert "nope" in str(bad)
    assert isinstance(good, list)


def test_overrides_fill_only_the_values_the_store_lacks(p: Plane) -> None:
    model = serve(p, 1)
    p.store.rows["gap"] = {"income": None, "region": "south"}
    p.plane.run(
        MODEL, [Job("r", 0.0, entity_keys=["gap"], overrides={"income": 5.0, "region": "west"})]
    )
    assert model.calls[0] == [{"income": 5.0, "region": "south"}]


def test_an_override_of_a_feature_the_dataset_lacks_is_bad_input(p: Plane) -> None:
    serve(p, 1)
    [result] = p.plane.run(MODEL, [Job("r", 0.0, entity_keys=["a1"], overrides={"shoe_size": 4})])
    assert isinstance(result, BadInputError)


def test_a_bad_request_in_a_batch_fails_alone(p: Plane) -> None:
    def strict(row: dict[str, object]) -> float:
        if not isinstance(row["income"], float):
            raise ValueError("income must be a number")
        return 0.2

    model = p.model(1, rule=strict)
    p.slots.apply(MODEL, lambda d: d.promoted(model, "full"))
    ok, bad = p.plane.run(MODEL, [Job("ok", 0.0, rows=[{"income": 1.0, "region": "x"}]),
                                  Job("bad", 0.0, rows=[{"income": "lots", "region": "x"}])])  # fmt: skip
    assert isinstance(ok, list)
    assert ok[0].prediction == 0
    assert isinstance(bad, BadInputError)
    assert "income must be a number" in str(bad)


def test_without_a_champion_every_request_is_told_the_model_is_not_ready(p: Plane) -> None:
    [result] = p.plane.run(MODEL, [Job("r", 0.0, entity_keys=["a1"])])
    assert isinstance(result, ModelNotReadyError)


def test_an_unknown_model_is_an_error(p: Plane) -> None:
    [result] = p.plane.run("nope", [Job("r", 0.0, rows=[{}])])
    assert isinstance(result, UnknownModelError)


def test_a_store_that_cannot_be_read_makes_keyed_requests_unavailable(
    p: Plane, spec: ProjectSpec
) -> None:
    class Broken(FakeFeatureSource):
        def get(self, *args: object, **kw: object) -> list[dict[str, object] | None]:
            raise LookupError("no online table")

    p.plane.feature_rows = FeatureRows(spec, Broken())
    serve(p, 1)
    [result] = p.plane.run(MODEL, [Job("r", 0.0, entity_keys=["a1"])])
    assert isinstance(result, FeaturesUnavailableError)


def test_a_canary_answers_its_share_and_says_so(p: Plane) -> None:
    serve(p, 1)
    canary = p.model(2)
    p.slots.apply(MODEL, lambda d: d.promoted(canary, "canary", 0.5))
    results = p.plane.run(MODEL, [Job(f"r{i}", 0.0, entity_keys=[f"a{i % 10}"]) for i in range(40)])
    roles = {(a.model.version, a.role) for r in results if isinstance(r, list) for a in r}
    assert roles == {(1, "champion"), (2, "canary")}
    assert {(r.model_version, r.role) for r in p.sink.records} == roles


def test_a_shadow_scores_the_same_rows_off_the_answer_and_logs_them_as_shadow(p: Plane) -> None:
    serve(p, 1)
    shadow = p.model(2)
    p.slots.apply(MODEL, lambda d: d.promoted(shadow, "shadow"))
    [result] = p.plane.run(MODEL, [Job("r", 0.0, entity_keys=["a1"])])
    assert isinstance(result, list)
    assert result[0].model.version == 1
    assert shadow.calls == []  # not on the request's path
    p.shadow.drain()
    assert shadow.calls == [[{"income": 1000.0, "region": "north"}]]
    assert [(r.request_id, r.model_version, r.role) for r in p.sink.records] == [
        ("r", 1, "champion"),
        ("r", 2, "shadow"),
    ]


def test_shadow_jobs_beyond_the_queue_are_dropped_and_counted(p: Plane) -> None:
    serve(p, 1)
    shadow = p.model(2)
    p.slots.apply(MODEL, lambda d: d.promoted(shadow, "shadow"))
    p.plane.run(MODEL, [Job(f"r{i}", 0.0, entity_keys=["a1"]) for i in range(5)])
    assert p.telemetry.shadow_drops == 3  # capacity 2


def test_a_pinned_version_is_answered_by_that_version(p: Plane) -> None:
    serve(p, 1)
    canary = p.model(2)
    p.slots.apply(MODEL, lambda d: d.promoted(canary, "canary", 0.01))
    [result] = p.plane.run(MODEL, [Job("r", 0.0, rows=[{"income": 1.0, "region": "x"}], version=2)])
    assert isinstance(result, list)
    assert (result[0].model.version, result[0].role) == (2, "canary")
    [missing] = p.plane.run(MODEL, [Job("r", 0.0, rows=[{}], version=9)])
    assert isinstance(missing, VersionNotLoadedError)


def test_latency_and_predictions_are_measured_per_version_and_role(p: Plane) -> None:
    serve(p, 4)
    p.plane.timer = lambda: 10.0
    p.plane.run(MODEL, [Job("r", 9.5, entity_keys=["a1", "a2"])])
    assert p.telemetry.requests == [(MODEL, 4, "champion", 0.5)]
    assert p.telemetry.predictions == {(MODEL, 4, "champion"): 2}
