"""The ingestion service's Prometheus metrics (all `driftline_ingestion_*`).

Shared metrics (HTTP latency, events produced, dead letters) live in
`driftline.http`, `driftline.telemetry` and `driftline.bus.batch`.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "BATCHES",
    "BATCH_ROWS",
    "LAST_BATCH_TIME",
    "RECORDS",
    "REJECTIONS",
    "STAGE_SECONDS",
]

RECORDS = Counter(
    "driftline_ingestion_records_total",
    "Rows received, by dataset, kind (records/labels), source (http/kafka) and outcome.",
    ["dataset", "kind", "source", "outcome"],
)
REJECTIONS = Counter(
    "driftline_ingestion_rejections_total",
    "Rejected rows by dataset and the field first to blame ('_row' for whole-row problems).",
    ["dataset", "field"],
)
BATCHES = Counter(
    "driftline_ingestion_batches_total",
    "Batches handled, by dataset, kind, source and outcome (stored, duplicate, failed).",
    ["dataset", "kind", "source", "outcome"],
)
BATCH_ROWS = Histogram(
    "driftline_ingestion_batch_rows",
    "Rows per batch received.",
    ["kind", "source"],
    buckets=(1, 10, 100, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000),
)
STAGE_SECONDS = Histogram(
    "driftline_ingestion_stage_seconds",
    "Time per batch spent in each stage (parse, validate, plan, store, publish).",
    ["stage"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
LAST_BATCH_TIME = Gauge(
    "driftline_ingestion_last_batch_timestamp_seconds",
    "Unix time of the last batch stored, by dataset and kind (data freshness).",
    ["dataset", "kind"],
)
