"""Builders and fixtures shared by retirement's unit and integration tests.

Test modules cannot import each other under importlib mode, so shared helpers
are fixtures: `kit` (builders, the spec, a clock), `service` (bootstrap with
fakes) and `registry_server` (a real HTTP server answering the registry's
read routes from a `FakeRegistryReader`'s data).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from driftline.bus import FakePublisher, Message
from driftline.bus.ports import event_type_name
from driftline.envelope import Metadata
from driftline.events import Event, ModelPromoted, ModelRolledBack
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec, parse_spec
from driftline_retirement.adapters import FakeArchive, FakeRegistryReader, SqliteLedger
from driftline_retirement.bootstrap import RetirementService, bootstrap
from driftline_retirement.config import RetirementSettings
from driftline_retirement.domain import VersionInfo

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SHA = {n: f"{n:x}" * 64 for n in range(1, 10)}


def spec_with(model: str = "churn", **retention: Any) -> ProjectSpec:
    return parse_spec({
        "project": "unit",
        "datasets": {"customers": {"entity_key": "customer_id", "label": {"name": "churned"},
                                   "features": {"tenure": {"type": "float"}}}},
        "models": {model: {"dataset": "customers", "estimator": {"name": "logistic_regression"},
                           "retention": {"keep_last": 3, "candidate_ttl_days": 7,
                                         "restore_within_days": 30, **retention}}},
    })  # fmt: skip


@dataclass
class FakeClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def version(n: int, status: str, model: str = "churn", age_days: float = 1.0,
            root: str = "mem://artifacts") -> VersionInfo:  # fmt: skip
    sha = SHA[n]
    at = T0 - timedelta(days=age_days)
    return VersionInfo(model, n, status, f"{root}/{sha[:2]}/{sha}/model.skops", sha, at, at)


def promoted(n: int, previous: int | None, model: str = "churn", rollout: str = "full",
             root: str = "mem://artifacts") -> ModelPromoted:  # fmt: skip
    sha = SHA[n]
    return ModelPromoted(
        model_name=model, version=n, previous_version=previous, run_id=f"run-{n}",
        artifact_uri=f"{root}/{sha[:2]}/{sha}/model.skops", artifact_sha256=sha,
        rollout=rollout, reason="beats the champion",
    )  # fmt: skip


def rolled_back(from_version: int, to_version: int, model: str = "churn",
                artifact_uri: str = "mem://archive/x") -> ModelRolledBack:  # fmt: skip
    return ModelRolledBack(
        model_name=model, from_version=from_version, to_version=to_version,
        artifact_uri=artifact_uri, artifact_sha256=SHA[to_version], reason="worse live",
        requested_by="operator",
    )  # fmt: skip


def message(event: Event, meta: Metadata | None = None) -> Message[Any]:
    meta = meta or Metadata(type=event_type_name(type(event)), source="test")
    return Message(event=event, meta=meta, key=getattr(event, "model_name", None))


@pytest.fixture
def kit() -> SimpleNamespace:
    return SimpleNamespace(T0=T0, SHA=SHA, spec_with=spec_with, version=version,
                           promoted=promoted, rolled_back=rolled_back, message=message)  # fmt: skip


@dataclass
class Fakes:
    clock: FakeClock = field(default_factory=FakeClock)
    registry: FakeRegistryReader = field(default_factory=FakeRegistryReader)
    archive: FakeArchive = field(default_factory=FakeArchive)
    publisher: FakePublisher = field(default_factory=lambda: FakePublisher("driftline/retirement"))


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
def service(fakes: Fakes, tmp_path: Path) -> Iterator[RetirementService]:
    """The service assembled by `bootstrap` around fakes (no broker, no HTTP, no files)."""
    settings = RetirementSettings(common=DriftlineSettings(state_dir=tmp_path / "state"))
    ledger = SqliteLedger(":memory:")
    yield bootstrap(settings, spec=spec_with(), ledger=ledger, registry=fakes.registry,
                    archive=fakes.archive, publisher=fakes.publisher, clock=fakes.clock,
                    consume=False, sweep=False)  # fmt: skip
    ledger.close()


class _RegistryRoutes(BaseHTTPRequestHandler):
    data: FakeRegistryReader

    def do_GET(self) -> None:
        self._send(*self._route(self.path.strip("/").split("/")))

    def _route(self, parts: list[str]) -> tuple[int, Any]:
        if parts == ["healthz"]:
            return 200, {"status": "ok", "service": "registry"}
        if parts == ["models"]:
            return 200, [{"name": name} for name in sorted(self.data.models)]
        if len(parts) != 3 or parts[0] != "models":
            return 404, {"detail": "not found"}
        model, what = parts[1], parts[2]
        if what == "versions" and model in self.data.models:
            return 200, [_as_json(v) for v in self.data.versions(model)]
        champion = self.data.champion(model) if what == "champion" else None
        if champion is not None:
            return 200, {"version": champion.version, "artifact_uri": champion.artifact_uri,
                         "artifact_sha256": champion.artifact_sha256, "flavor": "sklearn"}  # fmt: skip
        return 404, {"detail": f"no {what} for model {model!r}"}

    def _send(self, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return


def _as_json(v: VersionInfo) -> dict[str, Any]:
    return {"name": v.model, "version": v.version, "status": v.status, "run_id": f"run-{v.version}",
            "artifact_uri": v.artifact_uri, "artifact_sha256": v.artifact_sha256,
            "created_at": v.created_at.isoformat() if v.created_at else None,
            "updated_at": v.updated_at.isoformat() if v.updated_at else None}  # fmt: skip


@contextmanager
def serving_registry() -> Iterator[SimpleNamespace]:
    """A real HTTP server with the registry's read routes; set versions on `.data`."""
    data = FakeRegistryReader()
    handler = type("Routes", (_RegistryRoutes,), {"data": data})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", data=data)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def registry_server() -> Iterator[SimpleNamespace]:
    with serving_registry() as server:
        yield server


@pytest.fixture(scope="module")
def module_registry_server() -> Iterator[SimpleNamespace]:
    with serving_registry() as server:
        yield server
