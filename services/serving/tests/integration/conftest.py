"""Integration support: service processes started as an operator would (`python -m ...`),
a paced load generator over real sockets, and a Feast SQLite online table written with
Feast's own value encoding."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from driftline.featurestore import entity_key_bytes, online_table


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    """One `python -m <module>` process with its API on `port`."""

    def __init__(self, module: str, env: dict[str, str], port: int, log: Path) -> None:
        self.module, self.env, self.log = module, env, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> ServiceProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", self.module], env=self.env,
                                         stdout=out, stderr=out)  # fmt: skip
        self.wait_for("/healthz", timeout)
        return self

    def wait_for(self, path: str, timeout: float = 60, want: Callable[[httpx.Response], bool] =
                 lambda r: r.status_code == 200) -> httpx.Response:  # fmt: skip
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            assert self.proc is not None
            assert self.proc.poll() is None, f"{self.module} exited:\n{self.tail()}"
            try:
                last = httpx.get(f"{self.url}{path}", timeout=2)
                if want(last):
                    return last
            except httpx.TransportError as exc:
                last = exc
            time.sleep(0.2)
        raise AssertionError(
            f"{self.module} {path}: still {last!r} after {timeout}s\n{self.tail()}"
        )

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="module")
def spawn(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str, dict[str, str], int], ServiceProcess]]:
    """Start `python -m <module>` processes; all are stopped when the module's tests end."""
    started: list[ServiceProcess] = []
    logs = tmp_path_factory.mktemp("logs")

    def start(module: str, env: dict[str, str], port: int) -> ServiceProcess:
        process = ServiceProcess(module, env, port, logs / f"{module}-{port}.log")
        started.append(process)
        return process.start()

    yield start
    for process in reversed(started):
        process.stop()


@dataclass
class Shot:
    started: float
    ended: float
    status: int
    """HTTP status; 0 when the request failed at the transport."""
    version: str | None


@dataclass
class LoadGenerator:
    """Paced requests from a thread pool, each over its own keep-alive connection."""

    send: Callable[[httpx.Client, int], httpx.Response]
    rate: float
    workers: int = 8
    shots: list[Shot] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(self.workers)
        self.began = time.monotonic()
        for worker in range(self.workers):
            self._pool.submit(self._loop, worker)

    def _loop(self, worker: int) -> None:
        interval = self.workers / self.rate
        n, local = 0, []
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                due = self.began + (n + worker / self.workers) * interval
                n += 1
                if (pause := due - time.monotonic()) > 0:
                    time.sleep(pause)
                started = time.monotonic()
                try:
                    response = self.send(client, n)
                    version = (
                        response.json().get("model_version")
                        if response.status_code == 200
                        else None
                    )
                    local.append(Shot(started, time.monotonic(), response.status_code,
                                      None if version is None else str(version)))  # fmt: skip
                except httpx.HTTPError:
                    local.append(Shot(started, time.monotonic(), 0, None))
        self.shots.extend(local)

    def stop(self) -> None:
        self._stop.set()
        assert self._pool is not None
        self._pool.shutdown(wait=True)
        self.ended = time.monotonic()


@pytest.fixture
def load_generator() -> Callable[..., LoadGenerator]:
    return LoadGenerator


def feast_value_class() -> Any:
    """Feast's ValueProto class, without the process-wide side effect of importing feast:
    it switches prometheus_client to multi-process mode (PROMETHEUS_MULTIPROC_DIR), which
    every later test, and every service process started from this environment, would inherit."""
    before = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    from feast.protos.feast.types.Value_pb2 import Value

    if before is None:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return Value


def write_online_table(path: Path, project: str, dataset: str, entity_key: str,
                       rows: dict[str, dict[str, Any]]) -> None:  # fmt: skip
    """Feast's SQLite online table (its layout, its ValueProto bytes) holding `rows`."""
    Value = feast_value_class()  # noqa: N806

    def encode(value: Any) -> bytes:
        proto = Value()
        if isinstance(value, bool):
            proto.bool_val = value
        elif isinstance(value, int):
            proto.int64_val = value
        elif isinstance(value, float):
            proto.double_val = value
        else:
            proto.string_val = str(value)
        return proto.SerializeToString()

    path.parent.mkdir(parents=True, exist_ok=True)
    table = online_table(project, dataset)
    with sqlite3.connect(path) as db:
        db.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (entity_key BLOB, feature_name TEXT, '
                   "value BLOB, value_text TEXT, event_ts timestamp, created_ts timestamp, "
                   "PRIMARY KEY(entity_key, feature_name))")  # fmt: skip
        for key, features in rows.items():
            [raw] = entity_key_bytes(entity_key, [key])
            db.executemany(f'INSERT OR REPLACE INTO "{table}" VALUES (?, ?, ?, NULL, 0, 0)',
                           [(raw, name, encode(v)) for name, v in features.items()])  # fmt: skip


@pytest.fixture(scope="session")
def online_table_writer() -> Callable[..., None]:
    return write_online_table
