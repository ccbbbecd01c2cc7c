"""The training service's Prometheus metrics (all ``driftline_``-prefixed)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "EVALUATIONS",
    "METRIC_NAMES",
    "QUEUED",
    "RUNS",
    "RUN_SECONDS",
    "TRAINING_ROWS",
    "TRIGGERS",
]

TRIGGERS = Counter(
    "driftline_training_triggers_total",
    "Training triggers by what the retrain policy did with them: queued, superseded (a newer "
    "trigger replaced it in the queue), waiting (first sent to wait for new labelled rows or, "
    "a drift, for the cooldown's end), expired (given up after max_wait_minutes), cooldown "
    "(dropped), unknown_model, invalid.",
    ["model", "trigger_type", "outcome"],
)
RUNS = Counter(
    "driftline_training_runs_total",
    "Finished training runs by outcome: trained, failed, interrupted.",
    ["model", "outcome"],
)
RUN_SECONDS = Histogram(
    "driftline_training_duration_seconds",
    "Wall time of a training run, from TrainingStarted to ModelEvaluated.",
    ["model"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
EVALUATIONS = Counter(
    "driftline_training_evaluations_total",
    "Evaluation-gate decisions (promote, reject) by reference (champion, baseline).",
    ["model", "decision", "reference"],
)
TRAINING_ROWS = Histogram(
    "driftline_training_rows",
    "Labelled rows of the training sets that runs used (training and evaluation together).",
    ["model"],
    buckets=(100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000),
)
QUEUED = Gauge(
    "driftline_training_queued_triggers",
    "Pending triggers, at most one per model: waiting for their model's current run to "
    "finish, for new labelled rows, or for the cooldown's end.",
)

METRIC_NAMES = (
    "driftline_training_triggers_total",
    "driftline_training_runs_total",
    "driftline_training_duration_seconds",
    "driftline_training_evaluations_total",
    "driftline_training_rows",
    "driftline_training_queued_triggers",
)
