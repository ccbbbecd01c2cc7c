"""Ingestion throughput: records/s through parsing, validation and the offline store.

Runs in one process, side by side: the same records ingested as large batches,
as small batches and record by record (one batch per record), clean and with
10 % bad rows, plus a stage breakdown of one large batch. With `--kafka`, also
the Kafka path end to end on the embedded broker (a plain producer, then the
service's micro-batch worker), micro-batched and record by record.

Events are encoded (Avro, as they would be sent) but not sent, except in the
Kafka scenarios, where they go to the broker. Prints a table and writes
`bench/results/ingestion.json`.

    uv run python bench/ingestion_bench.py [--records 100000] [--kafka]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from driftline.codec import EventCodec
from driftline.envelope import Metadata
from driftline.events import Event
from driftline.settings import DriftlineSettings
from driftline.spec import load_spec
from driftline_ingestion.adapters.record_decoder import SerdeRecordDecoder
from driftline_ingestion.bootstrap import bootstrap
from driftline_ingestion.config import IngestionSettings
from driftline_ingestion.domain.raw import RawBatch
from driftline_ingestion.domain.validation import validate_records
from driftline_ingestion.entrypoints.translate import batch_command
from driftline_ingestion.service import Ingestion

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "ingestion.json"
NOW = datetime.now(UTC)


class EncodingPublisher:
    """Encodes every event as the Kafka publisher would, and keeps only the byte count."""

    def __init__(self, codec: EventCodec) -> None:
        self.codec = codec
        self.events = 0
        self.bytes = 0

    def publish(self, event: Event, *, meta: Metadata | None = None, **_: Any) -> Metadata:
        self.bytes += len(self.codec.encode(event))
        self.events += 1
        return meta or Metadata(type=type(event).__name__, source="bench")

    def flush(self, timeout: float = 10.0) -> None:
        return None


def make_records(n: int, bad_share: float, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = NOW - timedelta(days=2)
    regions = ["north", "south", "east", "west"]
    rows = []
    for i in range(n):
        row: dict[str, Any] = {
            "application_id": f"app-{i:08d}",
            "event_time": (start + timedelta(seconds=i * 1.5)).isoformat(timespec="milliseconds"),
            "income": round(rng.uniform(15_000, 250_000), 2),
            "loan_amount": round(rng.uniform(1_000, 80_000), 2),
            "credit_score": rng.randint(300, 850),
            "age": rng.randint(18, 90),
            "debt_to_income": round(rng.uniform(0, 2), 3),
            "employment_years": round(rng.uniform(0, 40), 1),
            "region": rng.choice(regions),
            "has_mortgage": rng.random() < 0.4,
            "defaulted": rng.choice([0, 1, None]),
        }
        if rng.random() < bad_share:
            spoil = rng.choice(["income", "credit_score", "region", "event_time", "application_id"])
            row[spoil] = {"income": -5, "credit_score": 999, "region": "mars",
                          "event_time": "not a time", "application_id": None}[spoil]  # fmt: skip
        rows.append(row)
    return rows


def service(root: Path, codec: EventCodec, *, fsync: bool = True
            ) -> tuple[Ingestion, EncodingPublisher]:  # fmt: skip
    common = DriftlineSettings(offline_store_url=str(root), spec_path=ROOT / "driftline.yaml")
    spec = load_spec(common.spec_path)
    publisher = EncodingPublisher(codec)
    decoder = SerdeRecordDecoder(spec, codec.serde)
    app = bootstrap(IngestionSettings(common=common, fsync=fsync), spec=spec, publisher=publisher,  # type: ignore[arg-type]
                    decoder=decoder, consume=False)  # fmt: skip
    return app.ingestion, publisher


def ingest_http(svc: Ingestion, rows: list[dict[str, Any]], batch_size: int) -> int:
    accepted = 0
    for start in range(0, len(rows), batch_size):
        body = orjson.dumps({"records": rows[start : start + batch_size]})
        cmd = batch_command(svc, "loans", "records", body, "application/json", batch_id=None,
                            correlation_id=None, max_rows=1_000_000)  # fmt: skip
        accepted += svc.handle(cmd).manifest.accepted
    return accepted


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def best_of(repeat: int, run: Callable[[int], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of `repeat` runs (each gets its own index)."""
    runs = []
    for i in range(repeat):
        cpu = time.process_time()
        wall, _ = timed(lambda i=i: run(i))
        runs.append((wall, time.process_time() - cpu))
    return min(runs)


def run_local(n: int, n_single: int, repeat: int, codec: EventCodec, tmp: Path
              ) -> list[dict[str, Any]]:  # fmt: skip
    results: list[dict[str, Any]] = []
    clean, dirty = make_records(n, 0.0), make_records(n, 0.10)
    gc.collect()
    gc.freeze()  # the benchmark's own input is no garbage to scan; a service does not hold it
    warm, _ = service(tmp / "warmup", codec)
    ingest_http(warm, clean[:2000], 1000)  # imports, caches
    layout = warm.layout("loans")

    def add(name: str, rows: int, spent: tuple[float, float], batch: int, note: str = "") -> None:
        seconds, cpu = spent
        results.append({"scenario": name, "records": rows, "batch_size": batch,
                        "seconds": round(seconds, 4), "records_per_s": round(rows / seconds),
                        "cpu_seconds": round(cpu, 4), "records_per_cpu_s": round(rows / cpu),
                        "note": note})  # fmt: skip

    for label, rows in (("clean", clean), ("10% bad", dirty)):
        raw = RawBatch.from_rows(rows, layout.record_fields)
        seconds = best_of(
            repeat, lambda _, raw=raw: validate_records(raw, layout, warm.policy, NOW)
        )
        add(f"validate only ({label})", n, seconds, n, "rows already parsed")
    for batch, label, rows in ((n, "clean", clean), (10_000, "clean", clean),
                               (1_000, "clean", clean), (n, "10% bad rows", dirty)):  # fmt: skip

        def run(
            i: int, batch: int = batch, rows: list[dict[str, Any]] = rows, label: str = label
        ) -> None:
            svc, _ = service(tmp / f"batched-{batch}-{label[:2]}-{i}", codec)
            ingest_http(svc, rows, batch)

        add("batched: parse+validate+store+events", n, best_of(repeat, run), batch, label)
    for fsync in (True, False):

        def single(i: int, fsync: bool = fsync) -> None:
            svc, _ = service(tmp / f"single-{fsync}-{i}", codec, fsync=fsync)
            ingest_http(svc, clean[:n_single], 1)

        add("record by record: one batch per record", n_single, best_of(1, single), 1,
            "clean, fsync on" if fsync else "clean, fsync off")  # fmt: skip
    return results


def run_kafka(n: int, n_single: int, tmp: Path) -> list[dict[str, Any]]:
    """Plain producer -> raw-records topic -> the service's micro-batch worker -> store + events."""
    from confluent_kafka import Producer
    from driftline.broker import EmbeddedBroker
    from driftline.bus.batch import BatchConsumer, RecordBatch
    from driftline.bus.topics import ensure_topics
    from driftline.catalog import Catalog, TopicSpec
    from driftline_ingestion.entrypoints.worker import batch_handler

    out: list[dict[str, Any]] = []
    with EmbeddedBroker() as broker:
        common = DriftlineSettings(kafka_bootstrap_servers=broker.bootstrap_servers,
                                   spec_path=ROOT / "driftline.yaml", log_json=False)  # fmt: skip
        ensure_topics(common.admin_config(), Catalog.load().all_topics())
        scenarios = (("kafka micro-batches", n, 5000, True), ("kafka micro-batches", n, 5000, False),
                     ("kafka micro-batches", n, 20000, True), ("kafka record by record", n_single, 1, True))  # fmt: skip
        topic = "driftline.records.loans"
        producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "linger.ms": 20})
        ensure_topics(common.admin_config(), [TopicSpec(topic, 3, 3_600_000)])
        started = time.perf_counter()
        for row in make_records(n, 0.0, seed=3):  # once: every scenario reads it with its own group
            producer.produce(topic, key=row["application_id"], value=orjson.dumps(row))
            producer.poll(0)
        producer.flush(60)
        produced_s = time.perf_counter() - started
        for name, count, max_records, fsync in scenarios:
            folder = f"{name}-{max_records}-{fsync}".replace(" ", "-")
            settings = IngestionSettings(common=common.model_copy(
                update={"offline_store_url": str(tmp / folder)}), fsync=fsync)  # fmt: skip
            app = bootstrap(settings, consume=False)
            app.create_topics()
            handle = batch_handler(app.ingestion)
            done = {"rows": 0, "first": 0.0, "cpu": 0.0}

            def counting(batch: RecordBatch, handle: Any = handle, done: Any = done) -> Any:
                if not done["first"]:
                    done["first"], done["cpu"] = time.perf_counter(), time.process_time()
                outcome = handle(batch)
                done["rows"] += len(batch.records)
                return outcome

            worker = BatchConsumer(settings=common, service="bench", group_id=f"bench-{folder}",
                                   topics=[topic], handler=counting, max_records=max_records)  # fmt: skip
            deadline = time.monotonic() + 600
            while done["rows"] < count and time.monotonic() < deadline:
                worker.poll_once()
            seconds = time.perf_counter() - done["first"]
            cpu = time.process_time() - done["cpu"]
            worker.close()
            out.append({"scenario": name, "records": done["rows"], "batch_size": max_records,
                        "seconds": round(seconds, 4), "records_per_s": round(done["rows"] / seconds),
                        "cpu_seconds": round(cpu, 4), "records_per_cpu_s": round(done["rows"] / cpu),
                        "note": f"events sent; fsync {'on' if fsync else 'off'}; "
                                f"producing {n} took {produced_s:.2f}s"})  # fmt: skip
    return out


def run_socket(n: int, n_single: int, codec: EventCodec, tmp: Path) -> list[dict[str, Any]]:
    """The same batches over real HTTP: uvicorn in a thread, urllib posting (client CPU included)."""
    import threading
    import urllib.request

    import uvicorn
    from driftline.broker import free_port

    common = DriftlineSettings(
        offline_store_url=str(tmp / "socket"), spec_path=ROOT / "driftline.yaml"
    )
    spec = load_spec(common.spec_path)
    app = bootstrap(IngestionSettings(common=common), spec=spec, publisher=EncodingPublisher(codec),  # type: ignore[arg-type]
                    decoder=SerdeRecordDecoder(spec, codec.serde), consume=False)  # fmt: skip
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app.api, port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/datasets/loans/records"

    def post(rows: list[dict[str, Any]]) -> None:
        body = orjson.dumps({"records": rows})
        request = urllib.request.Request(
            url, data=body, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200

    out = []
    rows = make_records(n, 0.0, seed=5)
    for batch, count in ((10_000, n), (1, n_single)):
        cpu, started = time.process_time(), time.perf_counter()
        for start in range(0, count, batch):
            post(rows[start : start + batch])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        out.append({"scenario": "over a socket: HTTP POST to uvicorn", "records": count,
                    "batch_size": batch, "seconds": round(seconds, 4),
                    "records_per_s": round(count / seconds), "cpu_seconds": round(cpu, 4),
                    "records_per_cpu_s": round(count / cpu), "note": "client in the same process"})  # fmt: skip
    server.should_exit = True
    thread.join(10)
    return out


def stage_breakdown(n: int, codec: EventCodec, tmp: Path) -> dict[str, float]:
    from driftline_ingestion import metrics

    svc, _ = service(tmp / "stages", codec)
    rows = make_records(n, 0.10, seed=11)
    body = orjson.dumps({"records": rows})
    t_parse, cmd = timed(lambda: batch_command(svc, "loans", "records", body, "application/json",
                                               batch_id=None, correlation_id=None,
                                               max_rows=1_000_000))  # fmt: skip
    before = {
        s: _histogram_sum(metrics.STAGE_SECONDS, s)
        for s in ("validate", "plan", "store", "publish")
    }
    svc.handle(cmd)
    stages = {"parse (orjson + to Arrow)": t_parse}
    for stage, start in before.items():
        stages[stage] = _histogram_sum(metrics.STAGE_SECONDS, stage) - start
    return {k: round(v, 4) for k, v in stages.items()}


def _histogram_sum(histogram: Any, stage: str) -> float:
    for metric in histogram.collect():
        for sample in metric.samples:
            if sample.name.endswith("_sum") and sample.labels.get("stage") == stage:
                return float(sample.value)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=1_000, help="records sent one by one")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per batched scenario (best kept)"
    )
    parser.add_argument(
        "--kafka", action="store_true", help="also the Kafka path (embedded broker)"
    )
    args = parser.parse_args()
    os.environ.setdefault("FEAST_USAGE", "False")
    codec = EventCodec.from_settings(DriftlineSettings())
    with tempfile.TemporaryDirectory(prefix="ingestion-bench-") as folder:
        tmp = Path(folder)
        load_before = os.getloadavg()
        results = run_local(args.records, args.single, args.repeat, codec, tmp)
        stages = stage_breakdown(args.records, codec, tmp)
        results += run_socket(args.records, args.single, codec, tmp)
        if args.kafka:
            results += run_kafka(args.records, args.single, tmp)
    best = max(r["records_per_s"] for r in results if r["scenario"].startswith("batched"))
    single = next(r["records_per_s"] for r in results if r["scenario"].startswith("record by"))
    ratios = {"batched_to_record_by_record": round(best / single, 1)}
    kafka = {
        r["batch_size"]: r["records_per_s"] for r in results if r["scenario"].startswith("kafka")
    }
    if 1 in kafka and 20000 in kafka:
        ratios["kafka_micro_batches_to_record_by_record"] = round(kafka[20000] / kafka[1], 1)
    print(f"\n{'scenario':<40} {'batch':>6} {'records':>7} {'wall s':>7} {'records/s':>10} "
          f"{'records/CPU-s':>13}  note")  # fmt: skip
    for r in results:
        print(f"{r['scenario']:<40} {r['batch_size']:>6} {r['records']:>7} {r['seconds']:>7.3f} "
              f"{r['records_per_s']:>10,} {r['records_per_cpu_s']:>13,}  {r['note']}")  # fmt: skip
    print(f"\nratios: {ratios}")
    print(f"stages of one {args.records}-record batch with 10% bad rows (s): {stages}")
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in load_before],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "results": results,
        "stages_seconds": stages,
        "ratios": ratios,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
