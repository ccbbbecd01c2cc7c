"""Load for the serving benchmark: wrk (when installed) or an async Python client, closed loop,
one request body per line of a file, from a process of its own; and py-spy on the server.

Every generator returns ``{"requests", "errors", "rps", "p50_ms", "p99_ms", "max_ms"}``.
"""

from __future__ import annotations

import asyncio
import collections
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "bodies.lua"


def run_wrk(
    port: int, path: str, body_file: Path, concurrency: int, seconds: float
) -> dict[str, Any]:
    env = {**os.environ, "BENCH_PATH": path, "BENCH_BODIES": str(body_file)}
    out = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(WRK_SCRIPT),
         f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(line for line in out.splitlines() if line.startswith("JSON "))
    r = json.loads(line[5:])
    return {"requests": r["requests"], "errors": r["errors"] + r["non2xx"],
            "rps": r["requests"] / r["seconds"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"],
            "max_ms": r["max_ms"]}  # fmt: skip


async def _connection(port: int, reqs: list[bytes], start: int, until: float, lat: list[float],
                      errors: list[int]) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = start
    while time.perf_counter() < until:
        began = time.perf_counter()
        writer.write(reqs[i % len(reqs)])
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        lat.append(time.perf_counter() - began)
        if head[9:12] != b"200":
            errors.append(int(head[9:12]))
        i += 7
    writer.close()


def _python_load(port: int, reqs: list[bytes], concurrency: int, seconds: float, out: Any) -> None:
    lat: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, reqs, c * 101, until, lat, errors)
                               for c in range(concurrency)))  # fmt: skip

    began = time.perf_counter()
    asyncio.run(main())
    out.put({"latencies": lat, "errors": len(errors), "seconds": time.perf_counter() - began})


def run_python(port: int, path: str, body_file: Path, concurrency: int, seconds: float
               ) -> dict[str, Any]:  # fmt: skip
    reqs = [f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(b)}\r\n\r\n".encode() + b
            for b in body_file.read_bytes().splitlines()]  # fmt: skip
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_python_load, args=(port, reqs, concurrency, seconds, queue))
    proc.start()
    result = queue.get(timeout=seconds + 60)
    proc.join(30)
    lat = np.asarray(result["latencies"]) * 1000
    return {"requests": len(lat), "errors": result["errors"], "rps": len(lat) / result["seconds"],
            "p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
            "max_ms": float(lat.max())}  # fmt: skip


def profile(pids: list[int], seconds: float, out: Path) -> list[tuple[float, str]]:
    """py-spy (GIL holders only) on every replica for `seconds`: the top frames by own time."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    procs = [subprocess.Popen([spy, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "250",
                               "--gil", "-f", "raw", "-o", f"{out}.{pid}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in pids]  # fmt: skip
    for proc in procs:
        proc.wait()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for pid in pids:
        for line in Path(f"{out}.{pid}").read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            own[stack.split(";")[-1]] += int(count)
            total += int(count)
    return [(n / total, frame) for frame, n in own.most_common(15)]
