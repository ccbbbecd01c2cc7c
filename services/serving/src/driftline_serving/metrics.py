"""Serving's Prometheus metrics (all `driftline_`-prefixed) and the core's `Telemetry` on them.

Besides these, `/metrics` carries the shared `driftline_http_request_seconds`,
`driftline_events_consumed_total`, `driftline_events_produced_total`,
`driftline_events_dead_lettered_total` and `driftline_handler_seconds`.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from driftline_serving.core import Deployment, Role

__all__ = [
    "BATCH_SIZE",
    "LOG_DROPPED",
    "LOG_QUEUE_DEPTH",
    "LOG_SENT",
    "MODEL_LOAD_SECONDS",
    "MODEL_VERSION_LIVE",
    "PREDICTIONS",
    "REFUSED_UNLOADS",
    "REQUEST_SECONDS",
    "SHADOW_DROPPED",
    "SWAPS",
    "PrometheusTelemetry",
    "on_swap",
]

REQUEST_SECONDS = Histogram(
    "driftline_serving_request_seconds",
    "Time from a prediction request's arrival to its answer, by model version and role.",
    ["model", "version", "role"],
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1),
)
PREDICTIONS = Counter(
    "driftline_serving_predictions_total",
    "Rows predicted, by model version and role (champion, canary, shadow).",
    ["model", "version", "role"],
)
MODEL_VERSION_LIVE = Gauge(
    "driftline_model_version_live",
    "Version loaded per model and role (champion, canary, shadow); 0 when none.",
    ["model", "role"],
    multiprocess_mode="livemax",  # several processes (`processes` > 1): the newest any serves
)
SWAPS = Counter(
    "driftline_serving_swaps_total",
    "Deployment changes per model and role that changed (champion, challenger).",
    ["model", "slot"],
)
REFUSED_UNLOADS = Counter(
    "driftline_serving_refused_unloads_total",
    "ModelRetired events naming the serving champion, refused (the champion keeps serving).",
    ["model"],
)
MODEL_LOAD_SECONDS = Histogram(
    "driftline_serving_model_load_seconds",
    "Time to fetch, check, load and warm up a model version.",
    ["model"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BATCH_SIZE = Histogram(
    "driftline_serving_batch_size",
    "Requests answered by one micro-batch.",
    ["model"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
SHADOW_DROPPED = Counter(
    "driftline_serving_shadow_dropped_total",
    "Shadow scoring jobs dropped because the shadow model fell behind.",
    ["model"],
)
LOG_DROPPED = Counter(
    "driftline_prediction_log_dropped_total",
    "PredictionLogged records dropped rather than blocking requests, by reason "
    "(queue_full, producer_full, delivery_failed, unencodable, not_flushed_at_stop).",
    ["reason"],
)
LOG_SENT = Counter(
    "driftline_prediction_log_sent_total",
    "PredictionLogged records handed to the Kafka producer.",
)
LOG_QUEUE_DEPTH = Gauge(
    "driftline_prediction_log_queue_depth",
    "PredictionLogged records waiting for the producer.",
    multiprocess_mode="livesum",
)


class PrometheusTelemetry:
    def request_done(self, model: str, version: int, role: Role, seconds: float) -> None:
        REQUEST_SECONDS.labels(model, str(version), role).observe(seconds)

    def predicted(self, model: str, version: int, role: Role, rows: int) -> None:
        PREDICTIONS.labels(model, str(version), role).inc(rows)

    def shadow_dropped(self, model: str) -> None:
        SHADOW_DROPPED.labels(model).inc()


def on_swap(before: Deployment, after: Deployment) -> None:
    """A `ModelSlots` listener: keeps `driftline_model_version_live` and the swap count true."""
    name = after.model_name
    live = after.versions_by_role()
    for role in ("champion", "canary", "shadow"):
        # 0 rather than removing the series: label removal is unsupported in prometheus_client's
        # multi-process mode, which importing feast switches on process-wide.
        MODEL_VERSION_LIVE.labels(name, role).set(live.get(role, 0))
    if before.champion is not after.champion:
        SWAPS.labels(name, "champion").inc()
    if before.challenger != after.challenger:
        SWAPS.labels(name, "challenger").inc()
