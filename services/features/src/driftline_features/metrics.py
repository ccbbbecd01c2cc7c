"""The feature service's Prometheus metrics (the shared bus and HTTP metrics come from the library)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "BATCHES_REJECTED",
    "MATERIALIZE_SECONDS",
    "ONLINE_LOOKUPS",
    "ONLINE_LOOKUP_SECONDS",
    "ROWS_MATERIALIZED",
    "STALE_ROWS",
    "STATS_SECONDS",
    "TRAINING_ROWS",
    "TRAINING_ROWS_DROPPED",
    "TRAINING_SET_SECONDS",
]

_FAST = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
_SLOW = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

ROWS_MATERIALIZED = Counter(
    "driftline_features_rows_materialized_total",
    "Entity rows written to the online store as the newest value.",
    ["dataset", "online_store"],
)
STALE_ROWS = Counter(
    "driftline_features_stale_rows_skipped_total",
    "Entity rows not written because the online store already held a newer value.",
    ["dataset"],
)
BATCHES_REJECTED = Counter(
    "driftline_features_batches_rejected_total",
    "DataIngested batches that could not be materialised (each attempt), by dataset.",
    ["dataset"],
)
MATERIALIZE_SECONDS = Histogram(
    "driftline_features_materialize_seconds",
    "Time to read one ingested batch and write it to the online store.",
    ["dataset"],
    buckets=_SLOW,
)
ONLINE_LOOKUPS = Counter(
    "driftline_features_online_lookups_total",
    "Entity keys looked up in the online store, by outcome (hit, miss).",
    ["dataset", "outcome"],
)
ONLINE_LOOKUP_SECONDS = Histogram(
    "driftline_features_online_lookup_seconds",
    "Time of one online-features lookup (all keys of a request).",
    ["dataset"],
    buckets=_FAST,
)
TRAINING_ROWS = Counter(
    "driftline_features_training_rows_total", "Rows returned in training sets.", ["model"]
)
TRAINING_ROWS_DROPPED = Counter(
    "driftline_features_training_rows_dropped_total",
    "Label rows left out of training sets because no feature was known at the label's time.",
    ["model"],
)
TRAINING_SET_SECONDS = Histogram(
    "driftline_features_training_set_seconds",
    "Time to build one point-in-time training set.",
    ["model"],
    buckets=_SLOW,
)
STATS_SECONDS = Histogram(
    "driftline_features_stats_seconds",
    "Time to compute the feature statistics of a window.",
    ["dataset"],
    buckets=_SLOW,
)
