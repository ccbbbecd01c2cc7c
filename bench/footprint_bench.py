"""Footprint: start-up time of `driftline up` and the memory of the whole stack.

Run: ``uv run python bench/footprint_bench.py [--runs 2]``. Prints a table and writes
``bench/results/footprint.json``.

Each run starts ``driftline up --free-ports`` (the embedded broker and the seven services,
each its own process, in a fresh state directory) exactly as a user would, and measures:

* start-up: from the command's start until it prints ``driftline is up`` (every ``/readyz``
  answered 200), and when each service reported ready;
* memory, idle, a few seconds after start-up: RSS and PSS (proportional set size: shared
  pages divided among the processes sharing them, so the PSS column adds up honestly) of every
  process of the stack, found by an environment marker every process inherits;
* stop: from SIGINT until the command exits, and that no process of the stack is left.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import ROOT, stop_on_sigterm, write_result

READY = re.compile(r"^\s*(\w+)\s*\|\s*ready\b")


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def name_of(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = [a.decode(errors="replace") for a in argv if a]
    if "-m" in text and text.index("-m") + 1 < len(text):
        return text[text.index("-m") + 1].removeprefix("driftline_")
    if text and "tansu" in text[0]:
        return "broker (tansu)"
    if any(a.endswith("driftline") for a in text[:2]):
        return "driftline up"
    return Path(text[0]).name if text else "?"


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def one_run(index: int, settle: float) -> dict[str, Any]:
    marker = f"DRIFTLINE_FOOTPRINT_BENCH={os.getpid()}-{index}"
    key, _, value = marker.partition("=")
    with tempfile.TemporaryDirectory(prefix="footprint-") as state:
        env = {**os.environ, key: value, "DRIFTLINE_STATE_DIR": state,
               "DRIFTLINE_OFFLINE_STORE_URL": f"{state}/offline",
               "DRIFTLINE_ARTIFACT_STORE_URL": f"{state}/artifacts",
               "DRIFTLINE_ARCHIVE_STORE_URL": f"{state}/archive",
               "DRIFTLINE_SPEC_PATH": str(ROOT / "driftline.yaml")}  # fmt: skip
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        cli = Path(sys.executable).parent / "driftline"
        began = time.monotonic()
        proc = subprocess.Popen([str(cli), "up", "--free-ports"], env=env, cwd=state,
                                stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)  # fmt: skip
        ready_at: dict[str, float] = {}
        up = threading.Event()
        lines: list[str] = []

        def read() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                lines.append(line)
                if match := READY.match(line):
                    ready_at.setdefault(match.group(1), round(time.monotonic() - began, 2))
                if "driftline is up" in line:
                    ready_at["stack"] = round(time.monotonic() - began, 2)
                    up.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            if not up.wait(240) or proc.poll() is not None:
                raise SystemExit("driftline up did not come up:\n" + "".join(lines[-40:]))
            time.sleep(settle)
            pids = processes_with(marker)
            per: dict[str, list[int]] = {}
            for pid in pids:
                rss, pss = memory_kib(pid)
                entry = per.setdefault(name_of(pid), [0, 0, 0])
                entry[0] += 1
                entry[1] += rss
                entry[2] += pss
        finally:
            stopped = time.monotonic()
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
            stop_seconds = time.monotonic() - stopped
            reader.join(5)
        left = processes_with(marker)
        processes = {name: {"count": c, "rss_mib": round(r / 1024, 1),
                            "pss_mib": round(p / 1024, 1)} for name, (c, r, p) in sorted(per.items())}  # fmt: skip
        return {"startup_s": ready_at.get("stack"), "ready_at_s": ready_at, "processes": processes,
                "total_rss_mib": round(sum(v[1] for v in per.values()) / 1024, 1),
                "total_pss_mib": round(sum(v[2] for v in per.values()) / 1024, 1),
                "process_count": sum(v[0] for v in per.values()),
                "stop_s": round(stop_seconds, 2), "left_running": len(left)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="the first may read from a cold cache")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds idle before measuring")
    args = parser.parse_args()
    stop_on_sigterm()
    runs = []
    for i in range(args.runs):
        runs.append(one_run(i, args.settle))
        r = runs[-1]
        print(f"  run {i + 1}: up in {r['startup_s']} s, {r['process_count']} processes, "
              f"RSS {r['total_rss_mib']} MiB, PSS {r['total_pss_mib']} MiB, stopped in "
              f"{r['stop_s']} s, {r['left_running']} left", flush=True)  # fmt: skip
    last = runs[-1]
    print("\nfootprint of `driftline up` (embedded profile, idle, last run)")
    print(f"{'process':<16} {'n':>2} {'RSS MiB':>8} {'PSS MiB':>8} {'ready at s':>10}")
    for name, p in last["processes"].items():
        ready = last["ready_at_s"].get(name, "")
        print(f"{name:<16} {p['count']:>2} {p['rss_mib']:>8} {p['pss_mib']:>8} {ready!s:>10}")
    print(f"{'total':<16} {last['process_count']:>2} {last['total_rss_mib']:>8} "
          f"{last['total_pss_mib']:>8} {last['startup_s']!s:>10}")  # fmt: skip
    print("start-up (s): " + ", ".join(str(r["startup_s"]) for r in runs)
          + "; stop (s): " + ", ".join(str(r["stop_s"]) for r in runs)
          + f"; processes left after stop: {sum(r['left_running'] for r in runs)}")  # fmt: skip
    path = write_result("footprint", {"runs": runs})
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
