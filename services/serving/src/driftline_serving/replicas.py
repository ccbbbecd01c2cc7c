"""``processes`` > 1: this process supervises that many serving replicas on one port.

Each replica is a whole ``python -m driftline_serving`` (its own models, lifecycle consumer
group, prediction log and GIL) binding the port with SO_REUSEPORT, so the kernel spreads
connections across them. They share a fresh Prometheus multi-process directory, so any
replica's ``/metrics`` reports the sum. The supervisor forwards SIGTERM/SIGINT, and when one
replica exits on its own it stops the others and exits non-zero (the platform restarts it).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence

from driftline_serving.config import ServingSettings

__all__ = ["supervise"]

log = logging.getLogger(__name__)


def supervise(settings: ServingSettings, argv: Sequence[str] = (), *,
              stop_timeout: float = 30.0) -> int:  # fmt: skip
    """Run `settings.processes` replicas until a signal or one of them exits; the exit code."""
    metrics_dir = tempfile.mkdtemp(prefix="driftline-serving-metrics-")
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda _s, _f: stopping.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}  # fmt: skip
    replicas: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(settings.processes):
            env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
                   "DRIFTLINE_SERVING_REPLICA_INDEX": str(index),
                   "DRIFTLINE_SERVING_INSTANCE_ID": f"{settings.instance_id}-{index}"}  # fmt: skip
            replicas.append(subprocess.Popen([sys.executable, "-m", "driftline_serving", *argv],
                                             env=env))  # fmt: skip
        log.info("serving replicas started", extra={
            "port": settings.port, "pids": [p.pid for p in replicas], "metrics_dir": metrics_dir,
        })  # fmt: skip
        while not stopping.wait(0.5):
            exited = [p for p in replicas if p.poll() is not None]
            if exited:
                log.error("a serving replica exited; stopping the others", extra={
                    "pid": exited[0].pid, "code": exited[0].returncode})  # fmt: skip
                break
    finally:
        _stop(replicas, stop_timeout)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        shutil.rmtree(metrics_dir, ignore_errors=True)
    clean = stopping.is_set() and all(p.returncode in (0, -signal.SIGTERM) for p in replicas)
    return 0 if clean else 1


def _stop(replicas: Sequence[subprocess.Popen[bytes]], timeout: float) -> None:
    for proc in replicas:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in replicas:
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.error("a serving replica did not stop in time; killed", extra={"pid": proc.pid})
            proc.kill()
            proc.wait()
