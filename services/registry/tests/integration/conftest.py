"""Integration support: real databases, a real broker, the registry running in-process.

`live` runs the registry as `python -m driftline_registry` would (API on a real
socket, consumer and outbox relay in threads) against a fresh SQLite file or a
fresh PostgreSQL database, once per backend for a module. `BusTap` reads the
lifecycle topic and its dead letters from the session's real broker.
"""

from __future__ import annotations

import gc
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from confluent_kafka import Consumer
from driftline.broker import free_port
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.envelope import EnvelopeError
from driftline.serde import DecodeError
from driftline.settings import DriftlineSettings
from driftline.testing.postgres import create_database
from driftline_registry import RegistrySettings, bootstrap
from driftline_registry.entrypoints.api import create_api
from driftline_registry.entrypoints.worker import workers

BACKENDS = ["sqlite", "postgresql"]
TOKENS = {"viewer": "viewer-token-1", "operator": "operator-token-1"}
TOPIC = "driftline.models"


def database_url(backend: str, request: pytest.FixtureRequest, tmp_dir: Path) -> str:
    """A fresh, empty database of the given kind."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / 'registry.db'}"
    server: str = request.getfixturevalue("postgres_url")
    return create_database(server, f"registry_{uuid.uuid4().hex[:12]}")


def write_spec(path: Path, models: dict[str, str]) -> Path:
    """A project spec declaring `models` (name -> rollout) on one small dataset."""
    spec = {
        "project": "registry_it",
        "datasets": {"customers": {"entity_key": "customer_id", "label": {"name": "churned"},
                                   "features": {"tenure": {"type": "float"}}}},
        "models": {
            name: {"dataset": "customers", "estimator": {"name": "logistic_regression"},
                   "promotion": {"min_improvement": 0.005, "rollout": rollout, "canary_fraction": 0.2}}
            for name, rollout in models.items()
        },
    }  # fmt: skip
    path.write_text(yaml.safe_dump(spec))
    return path


@dataclass
class Tapped:
    topic: str
    key: str | None
    headers: dict[str, str]
    event: Any = None


@dataclass
class BusTap:
    """Every record of the lifecycle topic and its dead letters, read by a private group."""

    bootstrap: str
    codec: EventCodec
    records: list[Tapped] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> BusTap:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"tap-{uuid.uuid4()}",
                             "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                             "enable.auto.commit": False})  # fmt: skip
        consumer.subscribe([TOPIC, f"{TOPIC}.dlq"])
        while not self._stop.is_set():
            msg = consumer.poll(0.2)
            if msg is None or msg.error():
                continue
            headers = {k: v.decode(errors="replace") for k, v in (msg.headers() or [])}
            key = msg.key().decode(errors="replace") if msg.key() else None
            event = None
            if msg.topic() == TOPIC:
                try:
                    event = self.codec.decode(msg.value(), msg.headers()).event
                except (DecodeError, EnvelopeError):  # other tests' poison records share the broker
                    continue
            self.records.append(Tapped(msg.topic(), key, headers, event))
        consumer.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def wait_for(
        self, match: Callable[[Tapped], bool], count: int = 1, timeout: float = 30
    ) -> list[Tapped]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [r for r in list(self.records) if match(r)]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"fewer than {count} matching record(s) on the bus within {timeout}s")

    def of(self, key: str, etype: str) -> Callable[[Tapped], bool]:
        return lambda r: r.key == key and r.headers.get("ce_type") == f"driftline.events.{etype}"


def http(base: str, method: str, path: str, body: Any = None, token: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:  # fmt: skip
    """One HTTP request over a real socket; returns (status, JSON body or text)."""
    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)  # fmt: skip
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw, status = response.read().decode(), response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read().decode(), error.code
    except (urllib.error.URLError, ConnectionError) as error:
        return 0, f"no answer: {error}"  # not listening (yet)
    try:
        return status, json.loads(raw)
    except json.JSONDecodeError:
        return status, raw


@dataclass
class Live:
    base: str
    tap: BusTap
    publisher: KafkaPublisher
    names: dict[str, str]
    backend: str

    def get(self, path: str, token: str | None = TOKENS["viewer"]) -> tuple[int, Any]:
        return http(self.base, "GET", path, token=token)

    def post(
        self, path: str, body: Any, token: str | None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        return http(self.base, "POST", path, body, token=token, headers=headers)

    def wait_until(self, path: str, check: Callable[[Any], bool], timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.get(path)
            if status == 200 and check(body):
                return body
            time.sleep(0.1)
        raise AssertionError(f"GET {path} never satisfied the check; last: {status} {body}")


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, kafka_bootstrap: str,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:  # fmt: skip
    tmp = tmp_path_factory.mktemp("registry")
    tag = uuid.uuid4().hex[:8]
    names = {k: f"m{tag}_{k}" for k in ("reg", "gate", "dlq", "ops", "canary")}
    spec = write_spec(tmp / "driftline.yaml",
                      {n: "canary" if k == "canary" else "full" for k, n in names.items()})  # fmt: skip
    common = DriftlineSettings(
        kafka_bootstrap_servers=kafka_bootstrap, state_dir=tmp / "state", spec_path=spec,
        consumer_retry_backoff_s=0.01, log_json=False,
        api_tokens=",".join(f"{t}:{role}" for role, t in TOKENS.items()),  # type: ignore[arg-type]
    )  # fmt: skip
    settings = RegistrySettings(common=common, port=free_port(), group_id=f"registry-it-{tag}",
                                database_url=database_url(request.param, request, tmp))  # fmt: skip
    registry = bootstrap(settings)
    app = create_api(registry)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1",
                                           port=settings.port, log_config=None))  # fmt: skip
    running = workers(registry)
    threads = [threading.Thread(target=w.run, daemon=True) for w in running]
    threads.append(threading.Thread(target=server.run, daemon=True))
    for thread in threads:
        thread.start()
    codec = EventCodec.from_settings(common)
    tap = BusTap(kafka_bootstrap, codec).start()
    publisher = KafkaPublisher(common, codec, source="test/model-plane")
    live = Live(f"http://127.0.0.1:{settings.port}", tap, publisher, names, request.param)
    live.wait_until("/healthz", lambda body: body["status"] == "ok")
    yield live
    server.should_exit = True
    for worker in running:
        worker.stop()
    for thread in threads:
        thread.join(30)
    tap.stop()
    registry.close()
    # Drop the Kafka clients now rather than at some later garbage collection, when the
    # session's broker may be gone and librdkafka would log connection failures.
    del live.publisher, publisher, running, worker, threads, thread, registry
    gc.collect()


@pytest.fixture
def kit() -> Any:
    """The helpers above, for test modules (which cannot import this conftest)."""
    from types import SimpleNamespace

    return SimpleNamespace(http=http, write_spec=write_spec, database_url=database_url,
                           BusTap=BusTap, BACKENDS=BACKENDS)  # fmt: skip
