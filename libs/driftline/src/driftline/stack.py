"""`driftline up`: the embedded profile — a local broker and every service as its own process.

Each service runs as ``python -m driftline_<name>`` in its own process group,
its output prefixed and copied to ``<state_dir>/logs/<name>.log``. `start`
waits until every ``/readyz`` answers 200; `stop` sends SIGTERM to each group
in reverse order, then SIGKILL to whatever is left, then stops the broker — so
no process outlives the stack.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from driftline.broker import EmbeddedBroker, free_port, wait_for_kafka
from driftline.bus.topics import ensure_topics
from driftline.catalog import Catalog
from driftline.settings import DriftlineSettings
from driftline.spec import load_spec

__all__ = ["SERVICES", "ServiceSpec", "Stack", "StackError", "http_json", "installed_services"]


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    port: int

    @property
    def module(self) -> str:
        return f"driftline_{self.name}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# Start order: stores and decision-makers first, traffic last.
SERVICES = (
    ServiceSpec("registry", 8004),
    ServiceSpec("features", 8002),
    ServiceSpec("ingestion", 8001),
    ServiceSpec("training", 8003),
    ServiceSpec("serving", 8005),
    ServiceSpec("monitoring", 8006),
    ServiceSpec("retirement", 8007),
)


class StackError(RuntimeError):
    """A service did not start or become ready."""


def installed_services(*, free_ports: bool = False) -> list[ServiceSpec]:
    """The services whose packages are installed; on free ports instead of the defaults (tests)."""
    found = [s for s in SERVICES if importlib.util.find_spec(s.module) is not None]
    return [ServiceSpec(s.name, free_port()) for s in found] if free_ports else found


def http_json(url: str, timeout: float = 2.0) -> tuple[int, Any]:
    """(status, JSON body) of a GET; (0, reason) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (local URLs)
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null")
        except ValueError:
            return exc.code, None
    except (OSError, ValueError) as exc:
        return 0, str(exc)


@dataclass
class _Running:
    spec: ServiceSpec
    proc: subprocess.Popen[bytes]
    pump: threading.Thread
    log: IO[bytes] = field(repr=False)


class Stack:
    def __init__(
        self,
        settings: DriftlineSettings,
        *,
        services: Sequence[ServiceSpec] | None = None,
        external_bootstrap: str | None = None,
        env: dict[str, str] | None = None,
        echo: Callable[[str, str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.services = list(services if services is not None else installed_services())
        self.external_bootstrap = external_bootstrap
        self.extra_env = env or {}
        self.echo = echo or (lambda name, line: print(f"[{name}] {line}", flush=True))
        self.broker: EmbeddedBroker | None = None
        self.running: list[_Running] = []
        self.state_dir = settings.state_dir.resolve()

    @property
    def bootstrap(self) -> str:
        if self.external_bootstrap:
            return self.external_bootstrap
        assert self.broker is not None, "the stack is not started"
        return self.broker.bootstrap_servers

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "DRIFTLINE_STATE_DIR": str(self.state_dir),
            "DRIFTLINE_SPEC_PATH": str(self.settings.spec_path.resolve()),
            "DRIFTLINE_OFFLINE_STORE_URL": _absolute(self.settings.offline_store_url),
            "DRIFTLINE_ARTIFACT_STORE_URL": _absolute(self.settings.artifact_store_url),
            "DRIFTLINE_ARCHIVE_STORE_URL": _absolute(self.settings.archive_store_url),
            "DRIFTLINE_LOG_JSON": "false",
            **{f"DRIFTLINE_{s.name.upper()}_PORT": str(s.port) for s in self.services},
            **{f"DRIFTLINE_{s.name.upper()}_URL": s.url for s in self.services},
            **self.extra_env,
        }

    # -- lifecycle -------------------------------------------------------------
    def start(self, *, ready_timeout: float = 120.0) -> None:
        (self.state_dir / "logs").mkdir(parents=True, exist_ok=True)
        if self.external_bootstrap:
            wait_for_kafka(self.external_bootstrap, 15)
        else:
            self.broker = EmbeddedBroker(log_path=self.state_dir / "logs" / "broker.log").start()
            self.echo("broker", f"ready on {self.broker.bootstrap_servers} (memory only)")
        admin = DriftlineSettings(kafka_bootstrap_servers=self.bootstrap).admin_config()
        topics = Catalog.load(self.settings.schemas_dir).all_topics()
        if self.settings.spec_path.exists():
            project = load_spec(self.settings.spec_path)
            topics += [t for r in project.record_topics() for t in (r, r.with_name(r.dlq, 1))]
        ensure_topics(admin, topics)
        try:
            for spec in self.services:
                self._spawn(spec)
            self.wait_ready(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, spec: ServiceSpec) -> None:
        log = (self.state_dir / "logs" / f"{spec.name}.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", spec.module],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: we stop it and its children together
        )
        pump = threading.Thread(target=self._pump, args=(spec.name, proc, log), daemon=True)
        pump.start()
        self.running.append(_Running(spec, proc, pump, log))
        self.echo(spec.name, f"started pid {proc.pid} on port {spec.port}")

    def _pump(self, name: str, proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            log.write(raw)
            log.flush()
            self.echo(name, raw.decode(errors="replace").rstrip())

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = {r.spec.name: r for r in self.running}
        while pending:
            for name, running in list(pending.items()):
                if (code := running.proc.poll()) is not None:
                    raise StackError(f"{name} exited with {code} before it was ready; see its log")
                status, _ = http_json(f"{running.spec.url}/readyz")
                if status == 200:
                    self.echo(name, "ready")
                    del pending[name]
            if pending and time.monotonic() > deadline:
                raise StackError(f"not ready after {timeout:.0f}s: {', '.join(sorted(pending))}")
            time.sleep(0.3)

    def dead(self) -> list[str]:
        return [r.spec.name for r in self.running if r.proc.poll() is not None]

    def stop(self, timeout: float = 20.0) -> None:
        for running in reversed(self.running):
            _signal_group(running.proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for running in reversed(self.running):
            try:
                running.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.echo(running.spec.name, "did not stop in time: killed")
            _signal_group(running.proc, signal.SIGKILL)  # children it may have left behind
            running.proc.wait(5)
            running.pump.join(2)
            if running.proc.stdout is not None:
                running.proc.stdout.close()
            running.log.close()
        self.running.clear()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(proc.pid, sig)


def _absolute(url: str) -> str:
    return url if "://" in url else str(Path(url).resolve())
