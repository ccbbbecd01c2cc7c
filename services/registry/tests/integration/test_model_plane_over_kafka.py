"""The registry on a real broker and a real database (SQLite and PostgreSQL), API over HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from driftline.events import ModelPromoted, ModelRejected, ModelRolledBack

pytestmark = pytest.mark.integration
OPERATOR = "operator-token-1"


def train_and_evaluate(
    live: Any, build: Any, name: str, run: str, **evaluation: Any
) -> tuple[Any, Any]:
    trained = live.publisher.publish(build.trained(model=name, run_id=run))
    evaluated = live.publisher.publish(
        build.evaluated(model=name, run_id=run, **evaluation), correlation_id=trained.correlation_id
    )
    return trained, evaluated


def test_registers_a_trained_model_and_announces_it_in_the_same_workflow(
    live: Any, build: Any
) -> None:
    name = live.names["reg"]
    sent = live.publisher.publish(build.trained(model=name, run_id="r1"))
    [registered] = live.tap.wait_for(live.tap.of(name, "ModelRegistered"))
    assert registered.headers["causation_id"] == sent.id
    assert registered.headers["correlation_id"] == sent.correlation_id
    assert registered.event.version == 1
    version = live.wait_until(f"/models/{name}/versions/1", lambda v: v["status"] == "candidate")
    assert version["lineage"]["trained_event_id"] == sent.id
    assert version["lineage"]["training"]["trigger_type"] == "drift"
    assert version["artifact"]["sha256"] == "a" * 64
    status, lineage = live.get(f"/models/{name}/versions/1/lineage")
    assert (status, lineage["correlation_id"]) == (200, sent.correlation_id)
    assert name in [m["name"] for m in live.get("/models")[1]]
    assert live.get(f"/models/{name}", token=None)[0] == 401
    assert live.get(f"/models/{name}/champion")[0] == 404


def test_rejects_a_worse_challenger_with_its_evidence_and_promotes_a_better_one(
    live: Any, build: Any
) -> None:
    name, tap = live.names["gate"], live.tap
    train_and_evaluate(live, build, name, "r1")
    tap.wait_for(tap.of(name, "ModelPromoted"))
    _, gate = train_and_evaluate(live, build, name, "r2", champion_version=1, decision="reject",
                                 delta=-0.02, reasons=["roc_auc fell by 0.02"])  # fmt: skip
    [rejected] = tap.wait_for(tap.of(name, "ModelRejected"))
    assert isinstance(rejected.event, ModelRejected)
    assert (rejected.event.version, rejected.event.evidence_event_id) == (2, gate.id)
    assert "roc_auc fell by 0.02" in rejected.event.reason
    train_and_evaluate(live, build, name, "r3", champion_version=1, delta=0.03, ci_low=0.01)
    promotions = tap.wait_for(tap.of(name, "ModelPromoted"), count=2)
    better = promotions[-1].event
    assert isinstance(better, ModelPromoted)
    assert (better.version, better.previous_version, better.rollout) == (3, 1, "full")

    champion = live.wait_until(f"/models/{name}/champion", lambda c: c["version"] == 3)
    assert champion["artifact_uri"] == "var/artifacts/r3"
    status, history = live.get(f"/models/{name}/history?version=2")
    assert status == 200
    decision = history[-1]
    assert (decision["from_status"], decision["to_status"]) == ("candidate", "rejected")
    assert decision["event_id"] == gate.id
    assert decision["evidence"]["event"]["reasons"] == ["roc_auc fell by 0.02"]
    assert decision["evidence"]["checks"]["gate"] is False
    status, v1 = live.get(f"/models/{name}/versions/1")
    assert v1["status"] == "superseded"


def test_an_evaluation_of_an_unknown_run_goes_to_the_dead_letters(live: Any, build: Any) -> None:
    name = live.names["dlq"]
    live.publisher.publish(build.evaluated(model=name, run_id="ghost"))
    [dead] = live.tap.wait_for(lambda r: r.topic.endswith(".dlq") and r.key == name)
    assert dead.headers["dlq_reason"] == "handler_failed"
    assert "UnknownRunError" in dead.headers["dlq_error"]
    assert live.get(f"/models/{name}")[0] == 404


def test_canary_verdict_promotes_the_challenger(live: Any, build: Any) -> None:
    name, tap = live.names["canary"], live.tap
    train_and_evaluate(live, build, name, "r1")
    train_and_evaluate(live, build, name, "r2", champion_version=1, delta=0.03)
    canary = tap.wait_for(tap.of(name, "ModelPromoted"), count=2)[-1].event
    assert (canary.rollout, canary.canary_fraction) == ("canary", 0.2)
    model = live.wait_until(f"/models/{name}", lambda m: m["challenger"] is not None)
    assert model["aliases"] == {"champion": 1, "challenger": 2}
    live.publisher.publish(build.verdict(model=name, canary=2, champion=1, outcome="promote"))
    full = tap.wait_for(tap.of(name, "ModelPromoted"), count=3)[-1].event
    assert (full.version, full.rollout, full.previous_version) == (2, "full", 1)


def test_operators_roll_back_to_a_retired_champion_over_http(live: Any, build: Any) -> None:
    name, tap = live.names["ops"], live.tap
    train_and_evaluate(live, build, name, "r1")
    train_and_evaluate(live, build, name, "r2", champion_version=1, delta=0.03)
    tap.wait_for(tap.of(name, "ModelPromoted"), count=2)
    live.publisher.publish(build.retired(model=name, version=1))
    live.wait_until(f"/models/{name}/versions/1", lambda v: v["status"] == "retired")

    body = {"reason": "live AUC dropped", "to_version": 1}
    assert live.get(f"/models/{name}")[0] == 200
    status, _ = _post(live, f"/models/{name}/rollback", body, token=None)
    assert status == 401
    status, _ = _post(live, f"/models/{name}/rollback", body, token="viewer-token-1")
    assert status == 403
    status, done = _post(
        live, f"/models/{name}/rollback", body, headers={"x-correlation-id": "ops-42"}
    )
    assert status == 200, done
    assert (done["version"], done["status"], done["correlation_id"]) == (1, "champion", "ops-42")

    [rolled] = tap.wait_for(tap.of(name, "ModelRolledBack"))
    assert isinstance(rolled.event, ModelRolledBack)
    assert (rolled.event.from_version, rolled.event.to_version) == (2, 1)
    assert rolled.event.artifact_uri == "var/archive/1"
    assert rolled.headers["ce_id"] == done["announced"][0]
    assert rolled.headers["correlation_id"] == "ops-42"
    assert live.get(f"/models/{name}/champion")[1]["version"] == 1

    status, conflict = _post(live, f"/models/{name}/versions/1/promote", {"reason": "again"})
    assert status == 409, conflict
    status, promoted = _post(live, f"/models/{name}/versions/2/promote", {"reason": "fixed"})
    assert (status, promoted["status"]) == (200, "champion")


def test_metrics_report_versions_by_status_and_an_empty_outbox(live: Any) -> None:
    name = live.names["gate"]
    live.wait_until("/readyz", lambda r: r["status"] == "ready")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        text = live.get("/metrics")[1]
        if "driftline_outbox_pending 0.0" in text:
            break
        time.sleep(0.2)
    assert "driftline_outbox_pending 0.0" in text
    assert f'driftline_model_versions{{model="{name}",status="champion"}} 1.0' in text
    assert f'driftline_model_champion_version{{model="{name}"}} 3.0' in text


def _post(live: Any, path: str, body: Any, token: str | None = OPERATOR,
          headers: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    return live.post(path, body, token, headers)  # type: ignore[no-any-return]
