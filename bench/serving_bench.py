"""Serving throughput and latency: the real service process, over real sockets.

Run: ``uv run python bench/serving_bench.py [--duration 10] [--concurrency 1 8 32]
[--path friendly|oip] [--no-kafka]``. Prints a table and writes ``bench/results/serving.json``.

What runs: the repo's spec (model ``loan_default``: gradient boosting, 100 trees, 8 features
of every type), trained here on synthetic rows and stored as a skops artifact; a Feast
SQLite online table of ``--entities`` entities (Feast's own value encoding); a one-route
registry stub that names the champion; the embedded broker (the prediction log on, as in
production) unless ``--no-kafka``; and ``python -m driftline_serving`` on a free port.
The load comes from another process: ``concurrency`` keep-alive connections, each sending
its next request when the previous answer arrived (closed loop), for ``--duration`` seconds
after a warm-up. ``friendly`` requests are ``POST /v1/models/loan_default/predict`` with a
random entity key (online feature lookup included); ``oip`` requests are one-row OIP v2
``infer`` calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
from driftline.artifacts import ArtifactStore
from driftline.featurestore import entity_key_bytes, online_table
from driftline.runtimes import get_runtime
from driftline.spec import ProjectSpec, load_spec

ROOT = Path(__file__).resolve().parents[1]
MODEL = "loan_default"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def synthetic(spec: ProjectSpec, rows: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    dataset = spec.dataset(spec.model(MODEL).dataset)
    frame, score = pd.DataFrame(), np.zeros(rows)
    for i, (name, f) in enumerate(dataset.features.items()):
        if f.type == "category":
            codes = rng.integers(0, len(f.categories or ()), rows)
            frame[name] = np.asarray(f.categories, dtype=object)[codes]
            score += (codes == 0) * 0.8
        elif f.type == "bool":
            frame[name] = rng.random(rows) < 0.5
            score += frame[name] * 0.5
        else:
            lo, hi = f.min or 0.0, f.max if f.max is not None else (f.min or 0.0) + 100.0
            values = rng.uniform(lo, hi, rows)
            frame[name] = np.round(values).astype("int64") if f.type == "int" else values
            score += (values - lo) / (hi - lo) * (1 if i % 2 else -1)
    labels = (score + rng.normal(0, 0.3, rows) > np.median(score)).astype("int64")
    return frame, labels


def train(spec: ProjectSpec, store: ArtifactStore) -> Any:
    runtime = get_runtime("sklearn")
    model_spec, features = spec.model(MODEL), spec.model_features(MODEL)
    types = {n: f.type for n, f in spec.dataset(model_spec.dataset).features.items()}
    model = runtime.build(model_spec.estimator, features, types, model_spec.task)
    frame, labels = synthetic(spec, 3000)
    return store.put(runtime.save(runtime.fit(model, frame, labels)), name="model.skops")


def write_online(path: Path, spec: ProjectSpec, entities: int) -> list[str]:
    before = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    from feast.protos.feast.types.Value_pb2 import Value

    if before is None:  # importing feast switches prometheus_client to multi-process mode
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

    def encode(value: Any) -> bytes:
        proto = Value()
        if isinstance(value, bool | np.bool_):
            proto.bool_val = bool(value)
        elif isinstance(value, int | np.integer):
            proto.int64_val = int(value)
        elif isinstance(value, float | np.floating):
            proto.double_val = float(value)
        else:
            proto.string_val = str(value)
        return proto.SerializeToString()

    dataset_name = spec.model(MODEL).dataset
    dataset = spec.dataset(dataset_name)
    frame, _ = synthetic(spec, entities, seed=1)
    keys = [f"app-{i}" for i in range(entities)]
    path.parent.mkdir(parents=True, exist_ok=True)
    table = online_table(spec.project, dataset_name)
    with sqlite3.connect(path) as db:
        db.execute(f'CREATE TABLE "{table}" (entity_key BLOB, feature_name TEXT, value BLOB, '
                   "value_text TEXT, event_ts timestamp, created_ts timestamp, "
                   "PRIMARY KEY (entity_key, feature_name))")  # fmt: skip
        raw = entity_key_bytes(dataset.entity_key, keys)
        rows = [(raw[i], name, encode(frame[name].iat[i]))
                for i in range(entities) for name in dataset.features]  # fmt: skip
        db.executemany(f'INSERT INTO "{table}" VALUES (?, ?, ?, NULL, 0, 0)', rows)
    return keys


def registry_stub(champion: dict[str, Any]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == f"/models/{MODEL}/champion"
            body = json.dumps(champion if ok else {"detail": "not found"}).encode()
            self.send_response(200 if ok else 404)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def requests(
    path: str, keys: list[str], spec: ProjectSpec, port: int, n: int = 2000
) -> list[bytes]:
    rng = np.random.default_rng(2)
    frame, _ = synthetic(spec, n, seed=3)
    dataset = spec.dataset(spec.model(MODEL).dataset)
    kinds = {
        "float": "FP64",
        "int": "INT64",
        "bool": "BOOL",
        "category": "BYTES",
        "string": "BYTES",
    }
    out = []
    for i in range(n):
        if path == "friendly":
            url, body = f"/v1/models/{MODEL}/predict", {"entity_key": keys[rng.integers(len(keys))]}
        else:
            url = f"/v2/models/{MODEL}/infer"
            body = {"inputs": [{"name": f, "datatype": kinds[s.type], "shape": [1],
                                "data": [_plain(frame[f].iat[i])]} for f, s in dataset.features.items()]}  # fmt: skip
        data = json.dumps(body).encode()
        out.append(f"POST {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
                   f"content-length: {len(data)}\r\n\r\n".encode() + data)  # fmt: skip
    return out


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


def _load(port: int, reqs: list[bytes], concurrency: int, seconds: float, out: Any) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    lat: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, reqs, c * 101, until, lat, errors)
                               for c in range(concurrency)))  # fmt: skip

    began = time.perf_counter()
    asyncio.run(main())
    out.put({"latencies": lat, "errors": len(errors), "seconds": time.perf_counter() - began})


def run_load(port: int, reqs: list[bytes], concurrency: int, seconds: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_load, args=(port, reqs, concurrency, seconds, queue))
    proc.start()
    result = queue.get(timeout=seconds + 60)
    proc.join(30)
    lat = np.asarray(result["latencies"]) * 1000
    return {
        "concurrency": concurrency, "requests": len(lat), "errors": result["errors"],
        "rps": round(len(lat) / result["seconds"], 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 2),
        "p99_ms": round(float(np.percentile(lat, 99)), 2),
        "max_ms": round(float(lat.max()), 2),
    }  # fmt: skip


def metric(port: int, name: str) -> list[str]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    return [line for line in text.splitlines() if line.startswith(name)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--path", choices=["friendly", "oip"], default="friendly")
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--no-kafka", action="store_true", help="no broker, no prediction log")
    parser.add_argument("--env", nargs="*", default=[], help="extra KEY=VALUE for the service")
    args = parser.parse_args()
    spec = load_spec(ROOT / "driftline.yaml")
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="serving-bench-")))
        store = ArtifactStore.from_url(str(root / "artifacts"))
        stored = train(spec, store)
        keys = write_online(root / "feast" / "online.db", spec, args.entities)
        registry = registry_stub({"version": 1, "artifact_uri": stored.uri,
                                  "artifact_sha256": stored.sha256, "flavor": "sklearn"})  # fmt: skip
        stack.callback(registry.shutdown)
        port = free_port()
        env = {**os.environ, "DRIFTLINE_SPEC_PATH": str(ROOT / "driftline.yaml"),
               "DRIFTLINE_ARTIFACT_STORE_URL": str(root / "artifacts"), "DRIFTLINE_STATE_DIR": str(root),
               "DRIFTLINE_FEATURES_REPO_DIR": str(root / "feast"), "DRIFTLINE_SERVING_PORT": str(port),
               "DRIFTLINE_REGISTRY_URL": f"http://127.0.0.1:{registry.server_port}",
               "DRIFTLINE_LOG_LEVEL": "WARNING", "DRIFTLINE_SERVING_INSTANCE_ID": "bench"}  # fmt: skip
        if args.no_kafka:
            env.update(DRIFTLINE_SERVING_CONSUME="false", DRIFTLINE_SERVING_LOG_PREDICTIONS="false")
        else:
            from driftline.broker import EmbeddedBroker
            from driftline.bus.topics import ensure_topics
            from driftline.catalog import Catalog
            from driftline.settings import DriftlineSettings

            broker = stack.enter_context(EmbeddedBroker())
            ensure_topics(DriftlineSettings(kafka_bootstrap_servers=broker.bootstrap_servers)
                          .admin_config(), Catalog.load().all_topics())  # fmt: skip
            env["DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
        env.update(item.split("=", 1) for item in args.env)
        log = (root / "serving.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "driftline_serving"], env=env, stdout=log, stderr=log
        )
        stack.callback(proc.wait, 30)
        stack.callback(proc.terminate)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v2/models/{MODEL}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        else:
            raise SystemExit((root / "serving.log").read_text()[-3000:])
        reqs = requests(args.path, keys, spec, port)
        run_load(port, reqs, 8, args.warmup)
        results = [run_load(port, reqs, c, args.duration) for c in args.concurrency]
        print(
            f"serving bench: path={args.path}, kafka={not args.no_kafka}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores"
        )
        print(
            f"{'conc':>5} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        )
        for r in results:
            print(f"{r['concurrency']:>5} {r['requests']:>9} {r['errors']:>7} {r['rps']:>8} "
                  f"{r['p50_ms']:>8} {r['p99_ms']:>8} {r['max_ms']:>8}")  # fmt: skip
        for line in (
            metric(port, "driftline_prediction_log_dropped_total")
            + metric(port, "driftline_serving_batch_size_sum")
            + metric(port, "driftline_serving_batch_size_count")
        ):
            print("  ", line)
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"serving-{args.path}.json").write_text(
            json.dumps(
                {
                    "path": args.path,
                    "kafka": not args.no_kafka,
                    "results": results,
                    "cores": os.cpu_count(),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
