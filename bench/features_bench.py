"""Online-store write rate and read latency of the feature service, side by side with Feast's own.

Run: ``uv run python bench/features_bench.py [--records 100000]``. Prints a table and writes
``bench/results/features.json``. Everything runs in one process, on the repo's spec (dataset
``loans``: 8 features), in a fresh temporary Feast repository (local provider, SQLite).

Measured:
- bulk writes: the service's path (vectorised ValueProto encoding + one executemany upsert
  into Feast's own SQLite table) vs Feast's ``FeatureStore.write_to_online_store`` (what
  ``push`` calls for the online store), batched and record by record;
- the handler end to end (read the batch's Parquet, keep the latest per entity, write);
- reads: the in-process ``SqliteOnlineReader`` vs Feast's ``get_online_features``;
- training sets: the vectorised point-in-time join vs Feast's ``get_historical_features``.
Every bulk-written value is checked with Feast's own reader on a sample.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("FEAST_USAGE", "False")

import feast
import numpy as np
import pandas as pd
import pyarrow as pa
from driftline import featurestore as fs
from driftline.bus import FakePublisher, Message
from driftline.envelope import Metadata
from driftline.events import DataIngested
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec, load_spec
from driftline_features.adapters.offline import ParquetOfflineStore
from driftline_features.adapters.offline_schema import records_schema
from driftline_features.adapters.online_sqlite import SqliteBulkWriter
from driftline_features.handlers import Dependencies, materialize
from driftline_features.queries import Queries
from driftline_features.testing import OfflineBatchWriter, data_ingested

ROOT = Path(__file__).resolve().parents[1]
DATASET = "loans"
BASE = pd.Timestamp("2026-11-01T00:00:00Z")


def _values(rng: Any, kind: str, lo: float, hi: float, categories: Any, n: int) -> Any:
    if kind == "float":
        return rng.uniform(lo, hi, n)
    if kind == "int":
        return rng.integers(int(lo), int(hi) + 1, n)
    if kind == "bool":
        return rng.random(n) > 0.5
    return rng.choice(list(categories or ["a", "b"]), n)


def records(spec: ProjectSpec, n: int, seed: int, *, days: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    ds = spec.dataset(DATASET)
    stamps = BASE + pd.to_timedelta(rng.integers(0, days * 86_400_000, n), unit="ms")
    columns: dict[str, Any] = {ds.entity_key: [uuid.UUID(int=int(x)).hex for x in rng.integers(0, 2**62, n)],
                               ds.event_timestamp: stamps}  # fmt: skip
    for name, f in ds.features.items():
        columns[name] = _values(rng, f.type, f.min or 0, f.max or 1e5, f.categories, n)
    columns[ds.label.name if ds.label else "label"] = rng.integers(0, 2, n)
    columns["created_at"] = stamps
    columns["batch_id"] = ["bench"] * n
    return pa.Table.from_pandas(
        pd.DataFrame(columns), schema=records_schema(ds), preserve_index=False
    )


def fresh_store(
    spec: ProjectSpec, tmp: Path, name: str
) -> tuple[DriftlineSettings, feast.FeatureStore]:
    common = DriftlineSettings(state_dir=tmp / name, offline_store_url=str(tmp / "offline"))
    store = fs.feature_store(fs.repo_config(common, fs.FeatureStoreSettings(), spec))
    fs.apply_definitions(store, fs.feast_definitions(spec, common))
    return common, store


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def feast_frame(table: pa.Table, spec: ProjectSpec) -> pd.DataFrame:
    ds = spec.dataset(DATASET)
    return table.select([ds.entity_key, ds.event_timestamp, "created_at", *ds.features]).to_pandas()


def check_with_feast(
    store: feast.FeatureStore, spec: ProjectSpec, table: pa.Table, sample: int
) -> int:
    """Compare a sample of written rows with what Feast's own reader returns; count mismatches."""
    ds = spec.dataset(DATASET)
    rows = table.slice(0, sample).to_pylist()
    got = store.get_online_features(
        features=[f"{DATASET}:{f}" for f in ds.features],
        entity_rows=[{ds.entity_key: r[ds.entity_key]} for r in rows],
    ).to_dict()
    return sum(got[f][i] != r[f] for i, r in enumerate(rows) for f in ds.features)


def latencies(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return {"p50_us": round(statistics.median(samples), 1),
            "p99_us": round(samples[int(len(samples) * 0.99) - 1], 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records in the bulk batch")
    parser.add_argument(
        "--feast-records", type=int, default=20_000, help="records for Feast's batched write"
    )
    parser.add_argument("--one-by-one", type=int, default=300, help="records written one at a time")
    parser.add_argument(
        "--labels", type=int, default=100_000, help="label rows of the training set"
    )
    parser.add_argument("--batches", type=int, default=5, help="batches of the sustained run")
    parser.add_argument(
        "--batch-records", type=int, default=20_000, help="records per sustained batch"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/features.json")
    args = parser.parse_args()
    spec = load_spec(ROOT / "driftline.yaml")
    width = len(spec.dataset(DATASET).features)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="features-bench-") as tmp_name:
        tmp = Path(tmp_name)
        batch = records(spec, args.records, seed=1)

        # -- writes: the bulk path ------------------------------------------------------
        common, store = fresh_store(spec, tmp, "bulk")
        db = fs.repo_dir(common, fs.FeatureStoreSettings()) / "online.db"
        writer = SqliteBulkWriter(db, store.project, spec)
        seconds, _ = timed(lambda: writer.write(DATASET, batch))
        results["bulk_batched_insert"] = {"records": args.records, "seconds": seconds,
                                          **writer.last_timings}  # fmt: skip
        newer = batch.set_column(
            1,
            "event_time",
            pa.compute.add(batch.column("event_time"), pa.scalar(timedelta(hours=1))),
        )
        seconds, _ = timed(lambda: writer.write(DATASET, newer))
        results["bulk_batched_update"] = {"records": args.records, "seconds": seconds,
                                          **writer.last_timings}  # fmt: skip
        results["bulk_mismatches_vs_feast_reader"] = check_with_feast(store, spec, newer, 2000)
        singles = [batch.slice(i, 1) for i in range(args.one_by_one)]
        one_store = fresh_store(spec, tmp, "bulk1")
        one_writer = SqliteBulkWriter(fs.repo_dir(one_store[0], fs.FeatureStoreSettings()) / "online.db",
                                      store.project, spec)  # fmt: skip
        seconds, _ = timed(lambda: [one_writer.write(DATASET, s) for s in singles])
        results["bulk_one_by_one"] = {"records": args.one_by_one, "seconds": seconds}

        # -- writes: Feast's own ---------------------------------------------------------
        _, feast_store = fresh_store(spec, tmp, "feast")
        frame = feast_frame(batch.slice(0, args.feast_records), spec)
        seconds, _ = timed(lambda: feast_store.write_to_online_store(DATASET, frame))
        results["feast_batched"] = {"records": args.feast_records, "seconds": seconds}
        frames = [feast_frame(s, spec) for s in singles]
        _, feast_one = fresh_store(spec, tmp, "feast1")
        seconds, _ = timed(lambda: [feast_one.write_to_online_store(DATASET, f) for f in frames])
        results["feast_one_by_one"] = {"records": args.one_by_one, "seconds": seconds}

        # -- the handler end to end: Parquet read + latest per entity + write ----------------
        e2e_common, _ = fresh_store(spec, tmp, "e2e")
        written = OfflineBatchWriter(tmp / "offline", spec)._write(
            "records", DATASET, "bench", batch
        )
        deps = Dependencies(spec, ParquetOfflineStore(str(tmp / "offline"), spec),
                            SqliteBulkWriter(fs.repo_dir(e2e_common, fs.FeatureStoreSettings()) / "online.db",
                                             store.project, spec), FakePublisher())  # fmt: skip
        message = Message(
            event=data_ingested(written),
            meta=Metadata(type=DataIngested.__avro_name__, source="bench"),
        )
        seconds, _ = timed(lambda: materialize(message, deps))
        results["handler_end_to_end"] = {"records": args.records, "seconds": seconds}
        batches = [records(spec, args.batch_records, seed=100 + i) for i in range(args.batches)]
        messages = [Message(event=data_ingested(OfflineBatchWriter(tmp / "offline", spec)._write(
            "records", DATASET, f"sustained-{i}", b)), meta=Metadata(type=DataIngested.__avro_name__,
            source="bench")) for i, b in enumerate(batches)]  # fmt: skip
        seconds, _ = timed(lambda: [materialize(m, deps) for m in messages])
        results["handler_sustained"] = {"records": args.batches * args.batch_records,
                                        "batches": args.batches, "seconds": seconds}  # fmt: skip

        # -- reads ---------------------------------------------------------------------------
        reader = fs.SqliteOnlineReader(db, store.project, spec)
        keys = batch.column(spec.dataset(DATASET).entity_key).to_pylist()
        key_iter = iter(keys * 2)
        features = [f"{DATASET}:{f}" for f in spec.dataset(DATASET).features]
        results["read_one_key_fast"] = latencies(
            lambda: reader.get(DATASET, [next(key_iter)]), 5000
        )
        results["read_one_key_feast"] = latencies(lambda: store.get_online_features(
            features=features, entity_rows=[{"application_id": next(key_iter)}]).to_dict(), 500)  # fmt: skip
        hundred = keys[:100]
        results["read_100_keys_fast"] = latencies(lambda: reader.get(DATASET, hundred), 300)
        results["read_100_keys_feast"] = latencies(lambda: store.get_online_features(
            features=features, entity_rows=[{"application_id": k} for k in hundred]).to_dict(), 50)  # fmt: skip

        # -- training sets ---------------------------------------------------------------------
        rng = np.random.default_rng(5)
        history = records(spec, args.labels, seed=2, days=5)
        pit_tmp = tmp / "pit"
        pit_writer = OfflineBatchWriter(pit_tmp / "offline", spec)
        pit_writer._write("records", DATASET, "history", history)
        label_keys = rng.choice(
            np.asarray(history.column("application_id").to_pylist()), args.labels
        )
        label_times = BASE + pd.to_timedelta(
            rng.integers(0, 5 * 86_400_000, args.labels), unit="ms"
        )
        pit_writer.labels(DATASET, "labels", [
            {"application_id": k, "event_time": t.to_pydatetime(), "defaulted": 1}
            for k, t in zip(label_keys.tolist(), label_times, strict=True)])  # fmt: skip
        _, pit_store = fresh_store(spec, pit_tmp, "state")
        offline = ParquetOfflineStore(str(pit_tmp / "offline"), spec)
        queries = Queries(spec=spec, reader=reader, offline=offline)
        window = (BASE.to_pydatetime(), (BASE + pd.Timedelta(days=6)).to_pydatetime())
        seconds, ours = timed(lambda: queries.training_set("loan_default", *window))
        results["training_set_merge_asof"] = {"labels": args.labels, "rows": ours.table.num_rows,
                                              "dropped": ours.dropped, "seconds": seconds}  # fmt: skip
        entity_df = pd.DataFrame({"application_id": label_keys, "event_timestamp": label_times})
        seconds, theirs = timed(lambda: pit_store.get_historical_features(
            entity_df=entity_df, features=pit_store.get_feature_service("loan_default")).to_df())  # fmt: skip
        results["training_set_feast"] = {
            "labels": args.labels,
            "rows": len(theirs),
            "seconds": seconds,
        }
    report(results, args, width)


def rate(entry: dict[str, Any]) -> float:
    return float(entry["records"] / entry["seconds"])


def report(results: dict[str, Any], args: argparse.Namespace, width: int) -> None:
    rows = [
        ("online write, batched", "bulk (this service)", rate(results["bulk_batched_insert"]), "records/s (new keys)"),
        ("online write, batched", "bulk (this service)", rate(results["bulk_batched_update"]), "records/s (newer values)"),
        ("online write, batched", "Feast write_to_online_store", rate(results["feast_batched"]), "records/s"),
        ("online write, one by one", "bulk (this service)", rate(results["bulk_one_by_one"]), "records/s"),
        ("online write, one by one", "Feast write_to_online_store", rate(results["feast_one_by_one"]), "records/s"),
        ("handler end to end", "Parquet read + write", rate(results["handler_end_to_end"]), "records/s"),
        ("handler sustained", f"{args.batches} batches in a row", rate(results["handler_sustained"]), "records/s"),
        ("read 1 key (p50)", "SqliteOnlineReader", results["read_one_key_fast"]["p50_us"], "µs"),
        ("read 1 key (p50)", "Feast get_online_features", results["read_one_key_feast"]["p50_us"], "µs"),
        ("read 100 keys (p50)", "SqliteOnlineReader", results["read_100_keys_fast"]["p50_us"], "µs"),
        ("read 100 keys (p50)", "Feast get_online_features", results["read_100_keys_feast"]["p50_us"], "µs"),
        ("training set", "merge_asof (this service)", results["training_set_merge_asof"]["seconds"], "s"),
        ("training set", "Feast get_historical_features", results["training_set_feast"]["seconds"], "s"),
    ]  # fmt: skip
    ratios = {
        "batched_write_bulk_over_feast": rate(results["bulk_batched_insert"]) / rate(results["feast_batched"]),
        "one_by_one_write_bulk_over_feast": rate(results["bulk_one_by_one"]) / rate(results["feast_one_by_one"]),
        "read_one_key_feast_over_fast": results["read_one_key_feast"]["p50_us"] / results["read_one_key_fast"]["p50_us"],
        "training_set_feast_over_merge_asof": results["training_set_feast"]["seconds"]
        / results["training_set_merge_asof"]["seconds"],
    }  # fmt: skip
    print(f"\nfeature service benchmark ({width} features per record, {os.cpu_count()} CPUs)\n")
    print(f"{'measure':<26} {'path':<32} {'value':>12}  unit")
    print("-" * 86)
    for measure, path, value, unit in rows:
        print(f"{measure:<26} {path:<32} {value:>12,.1f}  {unit}")
    print("-" * 86)
    split = results["bulk_batched_insert"]
    print(
        f"bulk insert: {split['prepare_s']:.2f} s preparing rows, {split['sqlite_s']:.2f} s in SQLite"
    )
    for name, value in ratios.items():
        print(f"{name:<58} {value:>8.1f}x")
    payload = {
        "environment": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version,
            "feast": feast.__version__,
            "features_per_record": width,
            "load_average": os.getloadavg(),
        },
        "parameters": {k: v for k, v in vars(args).items() if k != "out"},
        "results": results,
        "rates_records_per_s": {
            k: rate(v) for k, v in results.items() if isinstance(v, dict) and "records" in v
        },
        "ratios": ratios,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
