"""The processes the monitoring benchmark measures and drives: the real faust worker
(``python -m driftline_monitoring``), a publisher of pre-encoded PredictionLogged records, and
their CPU use read from /proc/<pid>/task/*/schedstat."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml
from _common import ROOT, free_port, wait_http
from confluent_kafka import KafkaError, Message, Producer
from driftline.bus.ports import build_metadata
from driftline.codec import EventCodec
from driftline.settings import DriftlineSettings
from driftline_monitoring.testing import LoanStream, logged

MODEL = "bench_model"
Record = tuple[str, bytes, str | bytes | None, list[tuple[str, bytes]]]


def schedstat(pid: int | None) -> tuple[float, float]:
    """(CPU seconds, seconds runnable but waiting for a CPU) over a process's threads."""
    cpu = wait = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat") if pid else ():
        try:
            on, queued, _ = stat.read_text().split()
        except (OSError, ValueError):  # a thread ended meanwhile
            continue
        cpu, wait = cpu + int(on), wait + int(queued)
    return cpu / 1e9, wait / 1e9


class Usage:
    """CPU cores used by the worker, the broker and this bench, and the worker's CPU wait."""

    def __init__(self, worker_pid: int, broker_pid: int | None) -> None:
        self.pids = (worker_pid, broker_pid)
        self.began, self.start = time.monotonic(), self._read()

    def _read(self) -> tuple[float, float, float, float]:
        (w_cpu, w_wait), (b_cpu, _) = schedstat(self.pids[0]), schedstat(self.pids[1])
        return w_cpu, w_wait, b_cpu, time.process_time()

    def since(self) -> dict[str, float]:
        seconds = time.monotonic() - self.began
        used = [(b - a) / seconds for a, b in zip(self.start, self._read(), strict=True)]
        return dict(zip(("worker_cpu", "worker_starved", "broker_cpu", "bench_cpu"), used,
                        strict=True))  # fmt: skip


class Worker:
    """``python -m driftline_monitoring`` on a broker, in a session of its own (Ctrl-C reaches
    the bench, which stops it in order); `stop` is idempotent and kills after 20 s."""

    def __init__(self, bootstrap: str, home: Path, app_id: str) -> None:
        spec = yaml.safe_load((ROOT / "driftline.yaml").read_text())
        spec["models"] = {MODEL: spec["models"]["loan_default"]}
        (home / "spec.yaml").write_text(yaml.safe_dump(spec))
        port = free_port()
        env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
               "DRIFTLINE_SPEC_PATH": str(home / "spec.yaml"), "DRIFTLINE_STATE_DIR": str(home),
               "DRIFTLINE_MONITORING_PORT": str(port), "DRIFTLINE_MONITORING_APP_ID": app_id,
               "DRIFTLINE_MONITORING_REFERENCE": "first_window", "DRIFTLINE_LOG_LEVEL": "WARNING"}  # fmt: skip
        self.log_path = home / f"{app_id}.log"
        self._log = self.log_path.open("wb")
        self.url = f"http://127.0.0.1:{port}"
        self._http = httpx.Client(timeout=5)
        self.proc = subprocess.Popen([sys.executable, "-m", "driftline_monitoring"], env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # fmt: skip

    def ready(self, timeout: float = 90) -> float:
        """Seconds until /readyz answers 200: partitions assigned, the consumer group joined."""
        try:
            return wait_http(f"{self.url}/readyz", timeout, alive=lambda: self.proc.poll() is None)
        except TimeoutError:
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise SystemExit(
                f"monitoring worker not ready (exit {self.proc.poll()}):\n{tail}"
            ) from None

    def monitored(self) -> int:
        """Predictions of bench_model monitored so far (-1 if /metrics does not answer)."""
        try:
            text = self._http.get(f"{self.url}/metrics").text
        except httpx.HTTPError:
            return -1
        found = re.findall(r'^driftline_monitoring_predictions_total\{[^}]*model="bench_model"[^}]*\} (\S+)$',
                           text, re.MULTILINE)  # fmt: skip
        return int(sum(float(v) for v in found))

    def stop(self) -> None:
        self._http.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


# -- the publisher -----------------------------------------------------------------------------
class Publisher:
    """Pre-encodes PredictionLogged records, then produces them as bytes; counts the acks."""

    def __init__(self, bootstrap: str) -> None:
        settings = DriftlineSettings(kafka_bootstrap_servers=bootstrap)
        self.codec = EventCodec.from_settings(settings)
        self.producer = Producer({**settings.producer_config("bench"), "log.connection.close": False,
                                  "queue.buffering.max.messages": 1_000_000})  # fmt: skip
        self.acked = self.failed = 0
        self.next_index = 0  # request ids never repeat: monitoring drops duplicates

    def encode(self, n: int) -> list[Record]:
        start, self.next_index = self.next_index, self.next_index + n
        out: list[Record] = []
        for row in LoanStream(start + 2, shift_at=start + n // 2).rows(n, start):
            event = logged(row, MODEL)
            meta = build_metadata(event, "bench", caused_by=None, correlation_id=None, meta=None)
            out.append((self.codec.spec(event).topic, self.codec.encode(event),
                        self.codec.key_of(event), meta.to_headers()))  # fmt: skip
        return out

    def _delivered(self, err: KafkaError | None, msg: Message) -> None:
        if err is None:
            self.acked += 1
        else:
            self.failed += 1

    def send(self, records: list[Record]) -> None:
        for topic, value, key, headers in records:
            while True:
                try:
                    self.producer.produce(topic, value=value, key=key, headers=headers,
                                          on_delivery=self._delivered)  # fmt: skip
                    break
                except BufferError:  # local queue full: serve callbacks, then retry
                    self.producer.poll(0.05)
        self.producer.poll(0)

    def flush(self) -> None:
        if self.producer.flush(30) or self.failed:
            raise SystemExit(f"publisher: records not acknowledged ({self.failed} failed)")
