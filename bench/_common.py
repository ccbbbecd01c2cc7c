"""What the benchmark scripts share: timing, free ports, waiting for HTTP, results files."""

from __future__ import annotations

import json
import os
import platform
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so `with`/ExitStack cleanups stop what a bench started
    (the embedded broker runs in a session of its own and would outlive a killed bench)."""

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    out = fn()
    return time.perf_counter() - began, out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float, *, alive: Callable[[], bool] = lambda: True) -> float:
    """Seconds until `url` answers 200; TimeoutError after `timeout` or once `alive()` fails."""
    began = time.monotonic()
    while time.monotonic() - began < timeout and alive():
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - began
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


def machine() -> dict[str, Any]:
    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version()}  # fmt: skip


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**payload, "machine": machine(),
                                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=2))  # fmt: skip
    return path
