"""The data plane end to end: records in until readable online, beside Feast's own push.

Run: ``uv run python bench/dataplane_bench.py [--records 50000] [--batch 10000]``.
Prints a table and writes ``bench/results/dataplane.json``.

Real processes over real sockets: the embedded broker (Tansu), ``python -m
driftline_ingestion`` and ``python -m driftline_features`` on free ports, sharing an offline
store and a Feast repository in a temporary folder. Loan applications for the spec's dataset
``loans`` (``driftline.demo.data.LoanGenerator``, labels left out: they arrive later), fresh
entity keys in every phase:

* **HTTP batched**: ``--records`` records POSTed to ingestion's ``/datasets/loans/records``
  in ``--batch``-record batches, one after the other, timed from the first POST until every
  record's entity is readable in the features service's SQLite online table (ingestion
  stores Parquet and publishes ``DataIngested``; features reads it and upserts the online
  table). Also the ingest-only part: until ingestion has answered every POST.
* **Kafka streamed**: as many fresh records produced one message each (JSON, keyed by entity
  key) with a plain confluent-kafka producer to ``driftline.records.loans``, which ingestion
  consumes in micro-batches; timed from the first produce until all are readable online.
* **Feast push**: the HTTP phase's records, in the same batches, into a fresh Feast repository
  with the same definitions (derived from the spec). They have no PushSource, so this calls
  ``FeatureStore.write_to_online_store`` — what ``push(..., to=PushMode.ONLINE)`` calls for
  the online store — in the bench process: no validation, no offline store, no bus.

Completion is detected by polling the online table (``COUNT(*)`` over Feast's table, one row
per entity and feature; the service writes an entity's features in one transaction) every
``--poll`` seconds; every phase then reads a sample back through the features service's
``POST /online-features`` and compares it with what was sent. A small warm-up over both
paths first (not timed) lets both consumer groups join (Tansu's join takes about half the
session timeout) and loads every code path.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("FEAST_USAGE", "False")

import httpx
import numpy as np
import orjson
import pandas as pd
from _common import (
    ROOT,
    children,
    cpu_seconds,
    free_port,
    metric_sums,
    start_process,
    stop_on_sigterm,
    write_result,
)
from confluent_kafka import Producer
from driftline.broker import EmbeddedBroker
from driftline.bus.topics import ensure_topics
from driftline.catalog import Catalog
from driftline.demo.data import LoanGenerator
from driftline.featurestore import online_table
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec, load_spec
from online_table import OnlineCounter, check_sample, wait_online

DATASET = "loans"
SPEC_PATH = ROOT / "driftline.yaml"


# -- records ---------------------------------------------------------------------------------
def loan_frame(n: int, seed: int) -> pd.DataFrame:
    """`n` loan applications with keys `l<seed>-NNNNNN`, event times in the recent past."""
    gen = LoanGenerator(seed=seed, history_rows=0, live_rows=n, drift_fraction=1.0,
                        live_spacing_s=min(1.0, 80_000 / max(n, 1)))  # fmt: skip
    frame = gen.generate().live.drop(columns=["defaulted"])  # labels arrive later
    return frame.assign(event_time=frame["event_time"].dt.floor("ms"))  # as ingestion stores it


def json_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame as ingestion's JSON records (ISO-8601 UTC event times)."""
    out = frame.copy()
    stamps = out["event_time"].to_numpy(dtype="datetime64[ms]")
    out["event_time"] = np.char.add(np.datetime_as_string(stamps).astype(str), "Z")
    rows: list[dict[str, Any]] = out.to_dict("records")
    return rows


# -- processes -------------------------------------------------------------------------------
def child_pid(needle: str) -> int | None:
    """The bench's own child process whose command line contains `needle` (the broker)."""
    for pid in children(os.getpid()):
        try:
            if needle in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode():
                return pid
        except OSError:
            continue
    return None


# -- the phases ------------------------------------------------------------------------------
def post_batches(url: str, rows: list[dict[str, Any]], batch: int) -> tuple[float, float]:
    """POST every batch, one after the other: (perf_counter at the first POST, when all done)."""
    bodies = [orjson.dumps({"records": rows[i : i + batch]}) for i in range(0, len(rows), batch)]
    accepted = 0
    with httpx.Client(timeout=300) as client:
        began = time.perf_counter()
        for body in bodies:
            answer = client.post(url, content=body, headers={"content-type": "application/json"})
            if answer.status_code != 200:
                raise SystemExit(f"ingestion answered {answer.status_code}: {answer.text[:2000]}")
            accepted += answer.json()["accepted"]
        done = time.perf_counter()
    if accepted != len(rows):
        raise SystemExit(f"ingestion accepted {accepted} of {len(rows)} records")
    return began, done


def produce(bootstrap: str, topic: str, rows: list[dict[str, Any]], key: str
            ) -> tuple[float, float]:  # fmt: skip
    """One JSON message per record: (perf_counter at the first produce, when all acknowledged)."""
    messages = [(r[key].encode(), orjson.dumps(r)) for r in rows]
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20,
                         "queue.buffering.max.messages": 200_000})  # fmt: skip
    began = time.perf_counter()
    for k, v in messages:
        while True:
            try:
                producer.produce(topic, key=k, value=v)
                break
            except BufferError:  # the local queue is full: let it drain
                producer.poll(0.05)
        producer.poll(0)
    if producer.flush(120) != 0:
        raise SystemExit("the producer could not deliver every record within 120 s")
    return began, time.perf_counter()


def feast_push(root: Path, spec: ProjectSpec, warm: pd.DataFrame, frame: pd.DataFrame,
               batch: int, width: int) -> dict[str, Any]:  # fmt: skip
    """Feast's own online write of `frame` in `batch`-row calls, into a fresh repository."""
    before = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    from driftline import featurestore as fs
    from feast import PushSource

    common = DriftlineSettings(state_dir=root, offline_store_url=str(root / "offline"),
                               spec_path=SPEC_PATH)  # fmt: skip
    store_settings = fs.FeatureStoreSettings(repo_dir=root / "feast")
    store = fs.feature_store(fs.repo_config(common, store_settings, spec))
    if before is None:  # importing feast switches prometheus_client to multi-process mode
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    definitions = fs.feast_definitions(spec, common)
    fs.apply_definitions(store, definitions)
    push = [s for s in definitions.sources if isinstance(s, PushSource)]
    now = pd.Timestamp.now(tz="UTC").floor("ms")

    def feast_frame(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(created_at=now)

    def write(f: pd.DataFrame) -> None:
        if push:
            from feast.data_source import PushMode

            store.push(push[0].name, f, to=PushMode.ONLINE)
        else:
            store.write_to_online_store(DATASET, f)

    write(feast_frame(warm))  # registry load, lazy imports: not Feast's pace
    chunks = [feast_frame(frame.iloc[i : i + batch]) for i in range(0, len(frame), batch)]
    counter = OnlineCounter(root / "feast" / "online.db", online_table(store.project, DATASET), width)  # fmt: skip
    cpu = time.process_time()
    began = time.perf_counter()
    for chunk in chunks:
        write(chunk)
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu
    online = counter.exact() - len(warm)
    counter.close()
    if online != len(frame):
        raise SystemExit(f"Feast's online table holds {online} of {len(frame)} new entities")
    method = "FeatureStore.push(to=ONLINE)" if push else "FeatureStore.write_to_online_store"
    return {"seconds": seconds, "cpu_s": cpu, "method": method}


# -- the run ---------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000, help="records per path")
    parser.add_argument("--batch", type=int, default=10_000, help="records per POST / Feast call")
    parser.add_argument("--warmup", type=int, default=500, help="untimed records per path first")
    parser.add_argument("--poll", type=float, default=0.05, help="online-table poll interval, s")
    parser.add_argument("--timeout", type=float, default=600, help="longest wait per phase, s")
    args = parser.parse_args()
    stop_on_sigterm()  # unwind: stop every process
    spec = load_spec(SPEC_PATH)
    ds = spec.dataset(DATASET)
    width = len(ds.features)
    topic = spec.records_topic(DATASET)
    n = args.records
    warm_frames = [loan_frame(args.warmup, seed) for seed in (11, 12, 13)]
    http_frame, kafka_frame = loan_frame(n, 21), loan_frame(n, 22)
    warm_http, warm_kafka = json_rows(warm_frames[0]), json_rows(warm_frames[1])
    http_rows, kafka_rows = json_rows(http_frame), json_rows(kafka_frame)
    load_start = os.getloadavg()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dataplane-bench-")))
        logs = tmp / "logs"
        logs.mkdir()
        started = time.monotonic()
        broker = stack.enter_context(EmbeddedBroker(log_path=logs / "broker.log"))
        common = DriftlineSettings(kafka_bootstrap_servers=broker.bootstrap_servers)
        records = [t for r in spec.record_topics() for t in (r, r.with_name(r.dlq, 1))]
        ensure_topics(common.admin_config(), [*Catalog.load().all_topics(), *records])
        ports = {"ingestion": free_port(), "features": free_port()}
        env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
               "DRIFTLINE_SPEC_PATH": str(SPEC_PATH), "DRIFTLINE_STATE_DIR": str(tmp / "state"),
               "DRIFTLINE_OFFLINE_STORE_URL": str(tmp / "offline"), "DRIFTLINE_LOG_JSON": "false",
               "DRIFTLINE_LOG_LEVEL": "WARNING",
               "DRIFTLINE_FEATURES_REPO_DIR": str(tmp / "state" / "feast"),
               **{f"DRIFTLINE_{s.upper()}_PORT": str(p) for s, p in ports.items()},
               **{f"DRIFTLINE_{s.upper()}_URL": f"http://127.0.0.1:{p}" for s, p in ports.items()}}  # fmt: skip
        for name in ("PROMETHEUS_MULTIPROC_DIR", "DRIFTLINE_API_TOKENS"):
            env.pop(name, None)
        urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
        procs = {s: start_process(stack, [sys.executable, "-m", f"driftline_{s}"], env,
                                  logs / f"{s}.log", f"{urls[s]}/readyz")
                 for s in ("features", "ingestion")}  # fmt: skip
        startup_s = time.monotonic() - started
        pids = {s: p.pid for s, p in procs.items()}
        if (broker_pid := child_pid(broker.bootstrap_servers)) is not None:
            pids["broker"] = broker_pid
        counter = OnlineCounter(tmp / "state" / "feast" / "online.db",
                                online_table(spec.project, DATASET), width)  # fmt: skip
        stack.callback(counter.close)
        post_url = f"{urls['ingestion']}/datasets/{DATASET}/records"
        key = ds.entity_key

        def wait_for(target: int) -> float:
            return wait_online(counter, target, procs, args.poll, args.timeout, logs)

        # warm-up: both consumer groups join, every code path loaded
        began = time.perf_counter()
        post_batches(post_url, warm_http, args.batch)
        produce(broker.bootstrap_servers, topic, warm_kafka, key)
        warmup_s = wait_for(2 * args.warmup) - began
        print(f"services ready in {startup_s:.1f} s; warm-up ({2 * args.warmup} records, "
              f"consumer groups joining) {warmup_s:.1f} s", flush=True)  # fmt: skip

        busy = {"features_materialize_s": (urls["features"], "driftline_features_materialize_seconds_sum"),
                "features_batches": (urls["features"], "driftline_features_materialize_seconds_count"),
                "ingestion_stages_s": (urls["ingestion"], "driftline_ingestion_stage_seconds_sum")}  # fmt: skip

        def phase(run: Callable[[], tuple[float, float]], target: int) -> dict[str, Any]:
            cpu = {s: cpu_seconds(p) for s, p in pids.items()}
            handlers = {k: metric_sums(u, [m])[m] for k, (u, m) in busy.items()}
            bench_cpu = time.process_time()
            first, sent = run()
            online = wait_for(target)
            used = {s: round(cpu_seconds(p) - cpu[s], 2) for s, p in pids.items()}
            used["bench"] = round(time.process_time() - bench_cpu, 2)  # the client and the poller
            inside = {
                k: round(metric_sums(u, [m])[m] - handlers[k], 3) for k, (u, m) in busy.items()
            }
            return {"sent_s": sent - first, "seconds": online - first, "cpu_s": used, **inside}

        base = counter.exact()
        http = phase(lambda: post_batches(post_url, http_rows, args.batch), base + n)
        http["wrong_values"] = check_sample(urls["features"], DATASET, http_rows, spec)
        print(f"HTTP batched: {n} records online in {http['seconds']:.2f} s "
              f"(ingest {http['sent_s']:.2f} s)", flush=True)  # fmt: skip
        kafka = phase(
            lambda: produce(broker.bootstrap_servers, topic, kafka_rows, key), base + 2 * n
        )
        kafka["wrong_values"] = check_sample(urls["features"], DATASET, kafka_rows, spec)
        print(f"Kafka streamed: {n} records online in {kafka['seconds']:.2f} s "
              f"(produce {kafka['sent_s']:.2f} s)", flush=True)  # fmt: skip
        feast = feast_push(tmp / "feast-push", spec, warm_frames[2], http_frame, args.batch, width)
        print(f"Feast {feast['method']}: {n} records in {feast['seconds']:.2f} s", flush=True)
    report(args, spec, http, kafka, feast, startup_s, warmup_s, load_start)


def report(args: argparse.Namespace, spec: ProjectSpec, http: dict[str, Any],
           kafka: dict[str, Any], feast: dict[str, Any], startup_s: float, warmup_s: float,
           load_start: tuple[float, float, float]) -> None:  # fmt: skip
    n = args.records
    feast_rate = n / feast["seconds"]
    rows = [
        ("HTTP batched: ingest only (all POSTs answered)", http["sent_s"]),
        ("HTTP batched: end to end (readable online)", http["seconds"]),
        ("Kafka streamed: end to end (readable online)", kafka["seconds"]),
        (f"Feast push: {feast['method'].removeprefix('FeatureStore.')}", feast["seconds"]),
    ]
    width = len(spec.dataset(DATASET).features)
    print(f"\ndata plane, dataset {DATASET} ({width} features), {n} records per path, batches of "
          f"{args.batch}; {os.cpu_count()} CPUs, load average at start "
          f"{', '.join(f'{x:.2f}' for x in load_start)}\n")  # fmt: skip
    print(
        f"{'path':<50} | {'records':>8} | {'seconds':>8} | {'records/s':>10} | {'vs Feast push':>13}"
    )
    print("-" * 101)
    table = []
    for path, seconds in rows:
        rate = n / seconds
        table.append({"path": path, "records": n, "seconds": round(seconds, 3),
                      "records_per_s": round(rate), "ratio_vs_feast_push": round(rate / feast_rate, 2)})  # fmt: skip
        print(
            f"{path:<50} | {n:>8} | {seconds:>8.2f} | {rate:>10,.0f} | {rate / feast_rate:>12.2f}x"
        )
    print("-" * 101)
    print(f"CPU seconds per process, HTTP phase: {http['cpu_s']}; Kafka phase: {kafka['cpu_s']}; "
          f"Feast push (bench process): {feast['cpu_s']:.2f}")  # fmt: skip
    for name, p in (("HTTP", http), ("Kafka", kafka)):
        print(f"{name} phase: features spent {p['features_materialize_s']:.2f} s materialising "
              f"{p['features_batches']:.0f} batches; ingestion {p['ingestion_stages_s']:.2f} s "
              "in its stages (parse, validate, plan, store, publish)")  # fmt: skip
    print(f"Kafka producer done after {kafka['sent_s']:.2f} s; wrong or missing values in a "
          f"200-entity read-back: HTTP {http['wrong_values']}, Kafka {kafka['wrong_values']}")  # fmt: skip
    path = write_result("dataplane", {
        "parameters": {"records": n, "batch": args.batch, "warmup": args.warmup,
                       "poll_s": args.poll, "dataset": DATASET, "features": width},
        "rows": table, "http": http, "kafka": kafka, "feast_push": feast,
        "feast_method": feast["method"], "startup_s": round(startup_s, 2),
        "warmup_s": round(warmup_s, 2), "completion": "COUNT(*) of the Feast SQLite online "
        "table / features per entity, polled", "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    })  # fmt: skip
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
