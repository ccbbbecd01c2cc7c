"""Serving side by side: Driftline's predict (online lookup included) and MLServer, one run.

Run: ``uv run python bench/serving_bench.py [--duration 10] [--concurrency 1 8 32]
[--processes 2] [--targets driftline mlserver-estimator mlserver] [--client auto|wrk|python]
[--profile]``.
Prints a table and writes ``bench/results/serving.json``.

One model for both: the repo's ``loan_default`` (gradient boosting, 100 trees, 8 features of
every type), trained here on synthetic rows, stored as a skops artifact for Driftline and as a
joblib file for MLServer.

* **Driftline**: ``python -m driftline_serving`` with ``--processes`` replicas on one port, the
  embedded broker (every prediction logged to Kafka, as in production) and a Feast SQLite
  online table of ``--entities`` entities. A request is ``POST /v1/models/loan_default/predict``
  ``{"entity_key": "app-N"}`` with a random key: the features come from the online store.
* **MLServer** (``mlserver`` + ``mlserver-sklearn`` from PyPI, in their own virtualenv under
  ``var/bench/``, made on first use) with its default settings, the features in the request
  (no lookup, nothing logged), asking for ``predict_proba``, two ways: ``mlserver`` serves the
  same fitted pipeline on raw features (one input per column, pandas codec); and, since sklearn
  spends ~3 ms per one-row DataFrame in the pipeline's ColumnTransformer,
  ``mlserver-estimator`` serves only its estimator on features encoded here (one FP64 tensor):
  MLServer's best case, the baseline the ratio is taken against.

The load comes from another process: wrk (``apt-get install wrk``) when installed, else an
async Python client; ``concurrency`` keep-alive connections, closed loop, ``--duration``
seconds after a warm-up, one target at a time (the other idle). ``--profile`` records the
Driftline replicas with py-spy during a concurrency-8 run and prints where the GIL went.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
from _common import (
    ROOT,
    children,
    free_port,
    metric_sums,
    start_process,
    stop_on_sigterm,
    write_result,
)
from driftline.artifacts import ArtifactStore, StoredArtifact
from driftline.featurestore import entity_key_bytes, online_table
from driftline.runtimes import get_runtime
from driftline.spec import ProjectSpec, load_spec
from loadgen import profile, run_python, run_wrk
from mlserver_target import MLSERVER, start_mlserver

MODEL = "loan_default"
TARGETS = ["driftline", "mlserver-estimator", "mlserver"]
OIP_TYPES = {
    "float": "FP64",
    "int": "INT64",
    "bool": "BOOL",
    "category": "BYTES",
    "string": "BYTES",
}


# -- the model and the data -----------------------------------------------------------------
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


def train(spec: ProjectSpec, store: ArtifactStore) -> tuple[StoredArtifact, Any]:
    runtime = get_runtime("sklearn")
    model_spec, features = spec.model(MODEL), spec.model_features(MODEL)
    types = {n: f.type for n, f in spec.dataset(model_spec.dataset).features.items()}
    model = runtime.build(model_spec.estimator, features, types, model_spec.task)
    frame, labels = synthetic(spec, 3000)
    fitted = runtime.fit(model, frame, labels)
    return store.put(runtime.save(fitted), name="model.skops"), fitted


def write_online(path: Path, spec: ProjectSpec, entities: int) -> list[str]:
    """A Feast SQLite online table (Feast's own layout and value encoding) of `entities`."""
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


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def bodies(target: str, spec: ProjectSpec, keys: list[str], fitted: Any, n: int = 2000
           ) -> list[bytes]:  # fmt: skip
    """`n` request bodies: random entity keys (Driftline); raw feature rows, one input per
    column (MLServer, pipeline); rows already through the pipeline's preprocessing, one FP64
    tensor (MLServer, estimator)."""
    rng = np.random.default_rng(2)
    if target == "driftline":
        return [json.dumps({"entity_key": keys[i]}).encode()
                for i in rng.integers(len(keys), size=n)]  # fmt: skip
    frame, _ = synthetic(spec, n, seed=3)
    if target == "mlserver-estimator":
        encoded = np.asarray(fitted.named_steps["prep"].transform(frame), dtype="float64")
        return [json.dumps({"inputs": [{"name": "x", "datatype": "FP64", "shape": [1, encoded.shape[1]],
                                        "data": row.tolist()}],
                            "outputs": [{"name": "predict_proba"}]}).encode() for row in encoded]  # fmt: skip
    dataset = spec.dataset(spec.model(MODEL).dataset)
    out = []
    for i in range(n):
        inputs = []
        for name, f in dataset.features.items():
            item = {"name": name, "datatype": OIP_TYPES[f.type], "shape": [1],
                    "data": [_plain(frame[name].iat[i])]}  # fmt: skip
            if item["datatype"] == "BYTES":
                item["parameters"] = {"content_type": "str"}
            inputs.append(item)
        body = {"parameters": {"content_type": "pd"}, "inputs": inputs,
                "outputs": [{"name": "predict_proba"}]}  # fmt: skip
        out.append(json.dumps(body).encode())
    return out


# -- the servers ----------------------------------------------------------------------------
def registry_stub(champion: dict[str, Any]) -> ThreadingHTTPServer:
    """The one registry route serving reads at start: the champion."""

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


def start_driftline(stack: ExitStack, spec: ProjectSpec, root: Path, stored: StoredArtifact,
                    processes: int) -> tuple[int, subprocess.Popen[bytes]]:  # fmt: skip
    from driftline.broker import EmbeddedBroker
    from driftline.bus.topics import ensure_topics
    from driftline.catalog import Catalog
    from driftline.settings import DriftlineSettings

    registry = registry_stub({"version": 1, "artifact_uri": stored.uri,
                              "artifact_sha256": stored.sha256, "flavor": "sklearn"})  # fmt: skip
    stack.callback(registry.shutdown)
    broker = stack.enter_context(EmbeddedBroker())
    ensure_topics(DriftlineSettings(kafka_bootstrap_servers=broker.bootstrap_servers)
                  .admin_config(), Catalog.load().all_topics())  # fmt: skip
    port = free_port()
    env = {**os.environ, "DRIFTLINE_SPEC_PATH": str(ROOT / "driftline.yaml"),
           "DRIFTLINE_ARTIFACT_STORE_URL": str(root / "artifacts"), "DRIFTLINE_STATE_DIR": str(root),
           "DRIFTLINE_FEATURES_REPO_DIR": str(root / "feast"), "DRIFTLINE_SERVING_PORT": str(port),
           "DRIFTLINE_REGISTRY_URL": f"http://127.0.0.1:{registry.server_port}",
           "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
           "DRIFTLINE_LOG_LEVEL": "WARNING", "DRIFTLINE_SERVING_INSTANCE_ID": "bench",
           "DRIFTLINE_SERVING_PROCESSES": str(processes)}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = start_process(stack, [sys.executable, "-m", "driftline_serving"], env,
                    root / "driftline-serving.log", f"http://127.0.0.1:{port}/v2/models/{MODEL}/ready")  # fmt: skip
    # every replica must have its champion: ask until a burst of fresh connections all succeed
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        codes = {httpx.post(f"http://127.0.0.1:{port}/v1/models/{MODEL}/predict",
                            json={"entity_key": "app-0"}).status_code for _ in range(20)}  # fmt: skip
        if codes == {200}:
            break
        time.sleep(0.5)
    return port, proc


def scrape(port: int) -> dict[str, float]:
    """Predictions answered, logged to Kafka and dropped from the log, the mean batch size
    (`/metrics`, added up over the replicas)."""
    names = ["driftline_serving_predictions_total", "driftline_prediction_log_dropped_total",
             "driftline_prediction_log_sent_total", "driftline_serving_batch_size_sum",
             "driftline_serving_batch_size_count"]  # fmt: skip
    sums = {n.removeprefix("driftline_"): v
            for n, v in metric_sums(f"http://127.0.0.1:{port}", names).items()}  # fmt: skip
    batches = sums.pop("serving_batch_size_count")
    requests = sums.pop("serving_batch_size_sum")
    return {**sums, "mean_batch": round(requests / batches, 2) if batches else 0.0}


def replica_pids(proc: subprocess.Popen[bytes]) -> list[int]:
    return children(proc.pid) or [proc.pid]


# -- the run --------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--targets", nargs="+", choices=TARGETS, default=TARGETS)
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1),
                        help="Driftline serving processes (DRIFTLINE_SERVING_PROCESSES)")  # fmt: skip
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--profile", action="store_true", help="py-spy Driftline at concurrency 8")
    args = parser.parse_args()
    stop_on_sigterm()
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "python")
    if client == "python":
        print("wrk is not installed (apt-get install wrk): the load comes from an async Python "
              "client, which needs a core of its own and caps what can be measured", flush=True)  # fmt: skip
    load = run_wrk if client == "wrk" else run_python
    spec = load_spec(ROOT / "driftline.yaml")
    results: dict[str, list[dict[str, Any]]] = {}
    log_counts: dict[str, float] = {}
    hotspots: list[tuple[float, str]] = []
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="serving-bench-")))
        stored, fitted = train(spec, ArtifactStore.from_url(str(root / "artifacts")))
        keys = write_online(root / "feast" / "online.db", spec, args.entities)
        for target in args.targets:
            with ExitStack() as server:
                if target == "driftline":
                    port, proc = start_driftline(server, spec, root, stored, args.processes)
                    path = f"/v1/models/{MODEL}/predict"
                else:  # the whole pipeline, or only its estimator (preprocessing done here)
                    model = fitted if target == "mlserver" else fitted.named_steps["estimator"]
                    port, proc = start_mlserver(server, root, target, model)
                    path = f"/v2/models/{target}/infer"
                body_file = root / f"{target}-bodies.jsonl"
                body_file.write_bytes(b"\n".join(bodies(target, spec, keys, fitted)))
                load(port, path, body_file, 8, args.warmup)
                results[target] = []
                for c in args.concurrency:
                    r = {"concurrency": c, **load(port, path, body_file, c, args.duration)}
                    results[target].append(r)
                    print(f"  {target:<9} c={c:<3} {r['rps']:>8.0f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                          f"p99 {r['p99_ms']:6.2f} ms  errors {r['errors']}", flush=True)  # fmt: skip
                if target == "driftline":
                    log_counts = scrape(port)
                    print(f"  driftline: {log_counts}", flush=True)
                if target == "driftline" and args.profile:
                    loaded = threading.Thread(
                        target=load, args=(port, path, body_file, 8, args.duration)
                    )
                    loaded.start()
                    hotspots = profile(replica_pids(proc), args.duration - 1, root / "profile")
                    loaded.join()
    report(results, client, args, hotspots, log_counts)


LABELS = {"driftline": "Driftline", "mlserver-estimator": "MLServer est.",
          "mlserver": "MLServer pipe."}  # fmt: skip


def report(results: dict[str, list[dict[str, Any]]], client: str, args: argparse.Namespace,
           hotspots: list[tuple[float, str]], log_counts: dict[str, float]) -> None:  # fmt: skip
    """The table: req/s, p50, p99 per target and concurrency; Driftline's throughput over each
    MLServer's (the ratio that counts is against the faster, the estimator-only one)."""
    targets = [t for t in TARGETS if t in results]
    print(f"\nserving, {client} load, {args.duration:.0f} s per point, latencies in ms. Driftline: "
          f"{args.processes} processes, entity key in, online lookup, every prediction logged to "
          f"Kafka. MLServer {MLSERVER['mlserver']} (default settings), features in the request: "
          "est. = the estimator on pre-encoded features (numpy codec), pipe. = the same sklearn "
          "pipeline as Driftline's on raw features (pandas codec)")  # fmt: skip
    head = " | ".join(f"{LABELS[t]:>14} {'p50':>6} {'p99':>6}" for t in targets)
    others = [t for t in targets if t != "driftline"] if "driftline" in targets else []
    print(f"{'conc':>5} | {head}" + "".join(f" | {'vs ' + LABELS[t]:>16}" for t in others))
    rows = []
    for i, c in enumerate(args.concurrency):
        row: dict[str, Any] = {"concurrency": c}
        cells = []
        for t in targets:
            r = results[t][i]
            row[t] = r
            cells.append(f"{r['rps']:>8.0f} req/s {r['p50_ms']:>6.2f} {r['p99_ms']:>6.2f}")
        ratios = []
        for t in others:
            ratio = results["driftline"][i]["rps"] / results[t][i]["rps"]
            row[f"ratio_vs_{t}"] = round(ratio, 2)
            ratios.append(f" | {ratio:>15.2f}x")
        rows.append(row)
        print(f"{c:>5} | " + " | ".join(cells) + "".join(ratios))
    if log_counts:
        print(f"Driftline's counters after the runs: {log_counts}")
    if hotspots:
        print(
            "\nwhere Driftline's GIL went at concurrency 8 (py-spy --gil, own time, all replicas):"
        )
        for share, frame in hotspots:
            print(f"  {share:6.1%}  {frame[:110]}")
    path = write_result("serving", {
        "client": client, "duration_s": args.duration, "processes": args.processes,
        "entities": args.entities, "mlserver": MLSERVER, "rows": rows,
        "driftline_counters": log_counts,
        "profile": [{"share": s, "frame": f} for s, f in hotspots],
    })  # fmt: skip
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
