"""Predictions per second the drift monitor sustains, without falling behind.

1. Pure detector: the domain's `ModelMonitor` fed a pre-generated stream (window
   evaluation included), for window sizes 200 and 500.
2. Through the broker: a real ``python -m driftline_monitoring`` worker on the
   embedded broker. (a) drain: a backlog of N predictions published up front,
   timed from the first to the last one monitored (read from its /metrics);
   (b) paced: predictions published at a fixed rate for a while, checking that
   the monitored count keeps up (the lag at the end, in seconds of traffic).

Prints a table and writes bench/results/monitoring.json.
Usage: uv run python bench/monitoring_bench.py [--predictions 20000] [--rate 1000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from driftline.broker import EmbeddedBroker, free_port
from driftline.bus import KafkaPublisher
from driftline.bus.topics import ensure_topics
from driftline.catalog import Catalog
from driftline.codec import EventCodec
from driftline.settings import DriftlineSettings
from driftline.spec import DriftPolicy
from driftline_monitoring.domain import ModelMonitor, Prediction
from driftline_monitoring.testing import FEATURES, LoanStream, logged

RESULTS = Path(__file__).parent / "results" / "monitoring.json"
KINDS: Any = {
    n: "categorical" if t in ("category", "bool") else "numeric" for n, t in FEATURES.items()
}
MODEL = "bench_model"  # every broker phase gets a broker of its own: no backlog of the others


def pure(n: int, window: int) -> dict[str, Any]:
    warm = ModelMonitor(MODEL, KINDS, DriftPolicy(window=50, min_samples=30))
    warm.set_reference(1, None)
    for r in LoanStream(0).rows(200):  # imports and first calls are not the detector's pace
        warm.observe(Prediction(str(r.index), MODEL, 1, "champion", r.features, 1, r.score,
                                r.event_time))  # fmt: skip
    rows = list(LoanStream(1, shift_at=n // 2).rows(n))
    preds = [Prediction(str(r.index), MODEL, 1, "champion", r.features, int(r.score > 0.5),
                        r.score, r.event_time) for r in rows]  # fmt: skip
    monitor = ModelMonitor(MODEL, KINDS, DriftPolicy(window=window, min_samples=int(window * 0.6)))
    monitor.set_reference(1, None)
    started = time.perf_counter()
    for p in preds:
        monitor.observe(p)
    seconds = time.perf_counter() - started
    return {"mode": f"pure detector, window {window}", "predictions": n, "seconds": seconds,
            "per_second": n / seconds, "windows": monitor.counts["closed"]}  # fmt: skip


def monitored(url: str) -> int:
    try:
        text = httpx.get(f"{url}/metrics", timeout=5).text
    except httpx.HTTPError:
        return -1
    found = re.findall(r'^driftline_monitoring_predictions_total\{[^}]*model="bench_model"[^}]*\} (\S+)$',
                       text, re.MULTILINE)  # fmt: skip
    return int(sum(float(v) for v in found))


def start_worker(bootstrap: str, home: Path, app_id: str) -> tuple[subprocess.Popen[bytes], str]:
    spec = yaml.safe_load((Path(__file__).parents[1] / "driftline.yaml").read_text())
    spec["models"] = {MODEL: spec["models"]["loan_default"]}
    (home / "spec.yaml").write_text(yaml.safe_dump(spec))
    port = free_port()
    env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "DRIFTLINE_SPEC_PATH": str(home / "spec.yaml"), "DRIFTLINE_STATE_DIR": str(home / app_id),
           "DRIFTLINE_MONITORING_PORT": str(port), "DRIFTLINE_MONITORING_APP_ID": app_id,
           "DRIFTLINE_MONITORING_REFERENCE": "first_window", "DRIFTLINE_LOG_LEVEL": "WARNING"}  # fmt: skip
    log = (home / f"{app_id}.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "driftline_monitoring"], env=env,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and monitored(url) < 0:
        time.sleep(0.2)
    return proc, url


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)


def events(n: int, start: int = 0) -> list[Any]:
    return [logged(r, MODEL) for r in LoanStream(2, shift_at=start + n // 2).rows(n, start)]


def on_fresh_broker(phase: Any, *args: Any) -> dict[str, Any]:
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as tmp:
        settings = DriftlineSettings(kafka_bootstrap_servers=broker.bootstrap_servers)
        ensure_topics(settings.admin_config(), Catalog.load().all_topics())
        result: dict[str, Any] = phase(broker.bootstrap_servers, Path(tmp), *args)
        return result


def drain(bootstrap: str, home: Path, n: int) -> dict[str, Any]:
    settings = DriftlineSettings(kafka_bootstrap_servers=bootstrap)
    out = KafkaPublisher(settings, EventCodec.from_settings(settings), source="bench", wait=False)
    for event in events(n):
        out.publish(event)
    out.flush()
    proc, url = start_worker(bootstrap, home, "bench-drain")
    try:
        first = last = None
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            count, now = monitored(url), time.monotonic()
            if count > 0 and first is None:
                first = (now, count)
            if count >= n:
                last = (now, count)
                break
            time.sleep(0.05)
        if first is None or last is None:
            raise SystemExit("the worker did not monitor the backlog within 10 minutes")
        seconds = last[0] - first[0]
        return {"mode": "broker, drain a backlog", "predictions": last[1] - first[1],
                "seconds": seconds, "per_second": (last[1] - first[1]) / seconds}  # fmt: skip
    finally:
        stop(proc)


def paced(bootstrap: str, home: Path, rate: int, seconds: float) -> dict[str, Any]:
    settings = DriftlineSettings(kafka_bootstrap_servers=bootstrap)
    out = KafkaPublisher(settings, EventCodec.from_settings(settings), source="bench", wait=False)
    proc, url = start_worker(bootstrap, home, f"bench-paced-{rate}")
    try:
        base = monitored(url)
        batch = events(int(rate * seconds), start=10**6)
        started, sent = time.monotonic(), 0
        while sent < len(batch):
            due = min(len(batch), int((time.monotonic() - started) * rate))
            for event in batch[sent:due]:
                out.publish(event)
            sent = due
            out.flush()
            time.sleep(0.01)
        out.flush()
        published_at = time.monotonic()
        lag = max(0, len(batch) - (monitored(url) - base))
        while monitored(url) - base < len(batch) and time.monotonic() - published_at < 120:
            time.sleep(0.05)
        catch_up = time.monotonic() - published_at
        return {"mode": f"broker, paced at {rate}/s", "predictions": len(batch),
                "seconds": published_at - started, "per_second": rate,
                "lag_at_end_predictions": lag, "lag_at_end_seconds": lag / rate,
                "caught_up_after_s": catch_up, "kept_up": catch_up < 2.0}  # fmt: skip
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--predictions", type=int, default=20_000)
    parser.add_argument("--rate", type=int, nargs="*", default=[1000, 2500, 4000])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    rows = [pure(args.predictions, 200), pure(args.predictions, 500)]
    rows.append(on_fresh_broker(drain, args.predictions))
    for rate in args.rate:
        rows.append(on_fresh_broker(paced, rate, args.seconds))
    print(f"\n{'mode':<32} {'predictions':>11} {'seconds':>8} {'per second':>11}  note")
    for row in rows:
        note = (f"lag at end {row['lag_at_end_seconds']:.2f} s, caught up after "
                f"{row['caught_up_after_s']:.2f} s" if "lag_at_end_seconds" in row else "")  # fmt: skip
        print(f"{row['mode']:<32} {row['predictions']:>11} {row['seconds']:>8.2f} "
              f"{row['per_second']:>11.0f}  {note}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "monitoring", "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                               "platform": platform.platform()},
        "broker": "embedded Tansu (memory)", "features": len(FEATURES), "results": rows,
    }, indent=2) + "\n")  # fmt: skip
    print(f"\nwritten {RESULTS}")


if __name__ == "__main__":
    main()
