"""The demo's replay and summary, against a fake platform and a hand-fed lifecycle tail."""

from __future__ import annotations

from typing import Any

from driftline.bus import Message
from driftline.demo.data import LoanGenerator
from driftline.demo.lifecycle import Seen
from driftline.demo.replay import Replay, Served
from driftline.demo.summary import summarize_run
from driftline.envelope import Metadata
from driftline.events import (
    DriftDetected,
    Lineage,
    ModelPromoted,
    ModelRetired,
    ModelTrained,
)


class FakePlatform:
    def __init__(self) -> None:
        self.records: list[str] = []
        self.labels: list[dict[str, Any]] = []
        self.requests: list[tuple[list[str], str]] = []

    def post_records(self, batch_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        self.records += [r["application_id"] for r in rows]
        return {"accepted": len(rows)}

    def post_labels(self, batch_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        self.labels += rows
        return {"accepted": len(rows)}

    def online(self, entity_key: str) -> bool:
        return entity_key in self.records

    def predict(self, entity_key: str, request_id: str) -> dict[str, Any]:
        self.requests.append(([entity_key], request_id))
        return {"request_id": request_id, "model_version": 1, "score": 0.5}

    def predict_many(self, entity_keys: list[str], request_id: str) -> list[dict[str, Any]]:
        self.requests.append((entity_keys, request_id))
        return [{"request_id": f"{request_id}:{i}", "model_version": 1, "score": 0.5}
                for i in range(len(entity_keys))]  # fmt: skip


def test_batched_predictions_label_each_row_by_the_request_id_it_was_answered_with() -> None:
    live = LoanGenerator(seed=1, history_rows=0, live_rows=20).generate().live
    platform = FakePlatform()
    replay = Replay(platform, chunk=10, label_delay=4, workers=2, rate=None, predict_batch=3)
    replay.live(live)
    assert len(replay.served) == 20
    assert max(len(keys) for keys, _ in platform.requests) == 3
    answered = {f"{rid}:{i}" for keys, rid in platform.requests for i in range(len(keys))}
    assert len(platform.labels) == 20 - 4  # the last label_delay rows are not labelled yet
    assert {label["prediction_id"] for label in platform.labels} <= answered
    first = platform.requests[0]
    assert platform.labels[0]["prediction_id"] == f"{first[1]}:0"
    assert platform.labels[0]["application_id"] == first[0][0]


def test_one_key_per_request_labels_by_the_key_derived_id() -> None:
    live = LoanGenerator(seed=1, history_rows=0, live_rows=8).generate().live
    platform = FakePlatform()
    Replay(platform, chunk=4, label_delay=2, workers=2, rate=None).live(live)
    assert all(len(keys) == 1 for keys, _ in platform.requests)
    assert [label["prediction_id"] for label in platform.labels] == [
        f"req-{key}" for key in live["application_id"][:6]
    ]


class FakeTail:
    def __init__(self, seen: list[Seen]) -> None:
        self.seen, self.dead_letters = seen, []

    def events(self, *types: str) -> list[Seen]:
        return [s for s in self.seen if not types or s.type in types]

    def first(self, type_: str, after: float = 0.0, **fields: object) -> Seen | None:
        return next((s for s in self.events(type_) if s.at >= after
                     and all(s.get(k) == v for k, v in fields.items())), None)  # fmt: skip


def _seen(at: float, event: Any, correlation_id: str) -> Seen:
    meta = Metadata(type=type(event).__avro_name__, source="test", correlation_id=correlation_id)
    return Seen(at, Message(event, meta))


def test_the_summary_times_each_stage_of_the_incident_from_detection() -> None:
    lineage = Lineage.model_construct(row_count=10_000)
    incident = "incident-1"
    tail = FakeTail([  # the fields the summary reads
        _seen(100.0, DriftDetected.model_construct(model_name="m", kind="data"), incident),
        _seen(120.0, ModelTrained.model_construct(model_name="m", duration_seconds=4.5,
                                                  lineage=lineage), incident),
        _seen(121.0, ModelPromoted.model_construct(model_name="m", version=2), incident),
        _seen(122.0, ModelRetired.model_construct(model_name="m", version=1, archive_uri="a"),
              incident),
        _seen(130.0, DriftDetected.model_construct(model_name="m", kind="data"), "another"),
    ])  # fmt: skip
    served = [Served(i, 90.0 + i, 1, 0.5, i % 2) for i in range(20)]
    served += [Served(20 + i, 121.5 + i, 2, 0.5, i % 2) for i in range(5)]
    summary = summarize_run(served, tail, drift_index=5)
    assert summary.loop_closed
    assert summary.training_rows == 10_000
    assert summary.training_seconds == 4.5
    assert summary.incident_timeline == [("DriftDetected", 0.0), ("ModelTrained", 20.0),
                                         ("ModelPromoted", 21.0), ("ModelRetired", 22.0),
                                         ("served", 21.5)]  # fmt: skip
    assert summary.detection_to_champion_seconds == 21.5
