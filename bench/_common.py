"""What the benchmark scripts share: timing, free ports, waiting for HTTP, results files."""

from __future__ import annotations

import json
import os
import platform
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack, suppress
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


def start_process(stack: ExitStack, argv: list[str], env: dict[str, str], log: Path,
                  ready_url: str, timeout: float = 180) -> subprocess.Popen[bytes]:  # fmt: skip
    """`argv` in a process group of its own, logging to `log`, once `ready_url` answers 200;
    stopped when `stack` closes (SIGTERM to the group, then SIGKILL to what is left)."""
    out = stack.enter_context(log.open("wb"))
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    def stop() -> None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        with suppress(ProcessLookupError):  # whatever is left of its group
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)

    stack.callback(stop)
    try:
        wait_http(ready_url, timeout, alive=lambda: proc.poll() is None)
    except TimeoutError:
        raise SystemExit(f"{argv[0]} did not become ready:\n{log.read_text()[-3000:]}") from None
    return proc


def children(pid: int) -> list[int]:
    """The live child processes of `pid`."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def metric_sums(url: str, names: Iterable[str]) -> dict[str, float]:
    """Each metric of `names` on a service's /metrics, summed over its samples (0 if absent)."""
    wanted = set(names)
    sums = dict.fromkeys(wanted, 0.0)
    for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines():
        name = line.split("{")[0].split(" ")[0]
        if name in wanted:
            sums[name] += float(line.rsplit(" ", 1)[1])
    return sums


def machine() -> dict[str, Any]:
    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version()}  # fmt: skip


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**payload, "machine": machine(),
                                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=2))  # fmt: skip
    return path
