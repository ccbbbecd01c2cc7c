"""One handler per consumed event, and the routing table; decisions become events here.

Handlers run one at a time (the worker's single handler thread) and hold
`Context.lock` while they change the monitors, so the API reads consistent
state. Loading a reference (HTTP) happens before the lock is taken.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from driftline.bus import Handler, Message, Publisher, routes
from driftline.envelope import Metadata
from driftline.events import (
    CanaryVerdict,
    DataWindow,
    DriftDetected,
    FeatureDrift,
    LabelsObserved,
    ModelPromoted,
    PredictionLogged,
)  # fmt: skip
from driftline.spec import ProjectSpec

from driftline_monitoring import metrics
from driftline_monitoring.adapters.ports import ReferenceSource, StateStore
from driftline_monitoring.domain import (
    CanaryDecision,
    DriftAlert,
    ModelMonitor,
    Outcome,
    PendingPredictions,
    Prediction,
    error_of,
)  # fmt: skip
from driftline_monitoring.snapshot import dump

__all__ = ["Context", "routing_table"]

log = logging.getLogger(__name__)
CAUSE_FIELDS = ("id", "type", "source", "correlation_id", "traceparent")


@dataclass(slots=True)
class Context:
    spec: ProjectSpec
    monitors: dict[str, ModelMonitor]
    pending: PendingPredictions
    publisher: Publisher
    references: ReferenceSource
    store: StateStore
    lock: threading.Lock = field(default_factory=threading.Lock)
    batches: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def checkpoint(self) -> None:
        if any(m.changed for m in self.monitors.values()):
            self.store.save(dump(self.monitors))
            for monitor in self.monitors.values():
                monitor.changed = False


def _ensure_reference(ctx: Context, monitor: ModelMonitor, version: int) -> None:
    if monitor.needs_reference(version):
        reference = ctx.references.load(monitor.name, version)
        if reference is None:
            metrics.REFERENCE_FALLBACKS.labels(monitor.name).inc()
        with ctx.lock:
            monitor.set_reference(version, reference)


def on_prediction(ctx: Context, message: Message[PredictionLogged]) -> None:
    e = message.event
    monitor = ctx.monitors.get(e.model_name)
    if monitor is None:
        metrics.IGNORED.labels("unknown_model").inc()
        return
    _ensure_reference(ctx, monitor, e.model_version)
    p = Prediction(e.request_id, e.model_name, e.model_version, e.role, e.features,
                   e.prediction, e.score, e.event_time, e.entity_key)  # fmt: skip
    with ctx.lock:
        if not ctx.pending.add(p):
            metrics.IGNORED.labels("duplicate").inc()
            return
        before = dict(monitor.counts)
        alert = monitor.observe(p)
        closed = monitor.counts["closed"] > before.get("closed", 0)
        report = monitor.history[-1] if closed else None
    metrics.PREDICTIONS.labels(p.model, str(p.version)).inc()
    metrics.PENDING.set(len(ctx.pending))
    if monitor.counts["stale"] > before.get("stale", 0):
        metrics.IGNORED.labels("stale_version").inc()
    if report is not None:
        metrics.record_window(monitor.name, report)
    if alert is not None:
        _publish_alert(ctx, alert)


def on_labels(ctx: Context, message: Message[LabelsObserved]) -> None:
    e = message.event
    if e.batch_id in ctx.batches:
        metrics.IGNORED.labels("duplicate").inc()
        return
    models = {n for n, m in ctx.spec.models.items() if m.dataset == e.dataset}
    decisions: list[DriftAlert | CanaryDecision] = []
    with ctx.lock:
        ctx.batches[e.batch_id] = None
        while len(ctx.batches) > 10_000:
            ctx.batches.popitem(last=False)
        for label in e.labels:
            found = ctx.pending.take(label.prediction_id) if label.prediction_id else []
            if not found and label.entity_key is not None:
                found = ctx.pending.take_entity(label.entity_key, label.event_time, models)
            metrics.LABELS.labels("matched" if found else "unmatched").inc()
            for p in found:
                monitor = ctx.monitors[p.model]
                error = error_of(p, label.value, regression=monitor.regression)
                if error is not None:
                    decisions += monitor.observe_outcome(Outcome(p, label.value, error))
                    _record_online(monitor, p.version)
        metrics.PENDING.set(len(ctx.pending))
    for decision in decisions:
        if isinstance(decision, DriftAlert):
            _publish_alert(ctx, decision)
        else:
            _publish_verdict(ctx, decision)


def on_promoted(ctx: Context, message: Message[ModelPromoted]) -> None:
    e = message.event
    monitor = ctx.monitors.get(e.model_name)
    if monitor is None:
        metrics.IGNORED.labels("unknown_model").inc()
        return
    _ensure_reference(ctx, monitor, e.version)
    cause = {name: str(getattr(message.meta, name)) for name in CAUSE_FIELDS}
    with ctx.lock:
        monitor.promoted(e.version, e.rollout, e.previous_version, message.meta.time, cause)
    log.info("%s v%s promoted (%s): monitoring follows", e.model_name, e.version, e.rollout)


def _record_online(monitor: ModelMonitor, version: int) -> None:
    errors = monitor.online[version]
    mean = sum(errors) / len(errors)
    metrics.ONLINE_ERROR.labels(monitor.name, str(version)).set(mean)
    if not monitor.regression:
        metrics.ONLINE_ACCURACY.labels(monitor.name, str(version)).set(1.0 - mean)


def _publish_alert(ctx: Context, alert: DriftAlert) -> None:
    """A DriftDetected opens a new workflow: its own id becomes the correlation id."""
    tests = [FeatureDrift(feature=t.feature, statistic=t.statistic, value=t.value,
                          threshold=t.threshold, p_value=t.p_value, drifted=t.drifted)
             for t in alert.tests]  # fmt: skip
    event = DriftDetected(
        model_name=alert.model, model_version=alert.version, kind=alert.kind,
        severity=alert.severity, tests=tests, window=DataWindow(start=alert.start, end=alert.end),
        sample_size=alert.sample_size, detector=alert.detector,
    )  # fmt: skip
    sent = ctx.publisher.publish(event)
    metrics.record_alert(alert)
    log.warning("%s drift on %s v%s (%s): DriftDetected %s", alert.kind, alert.model,
                alert.version, alert.severity, sent.id)  # fmt: skip


def _publish_verdict(ctx: Context, decision: CanaryDecision) -> None:
    """Caused by the ModelPromoted(rollout=canary) that started the trial, in its workflow."""
    assert decision.champion_version is not None
    cause = decision.cause
    caused_by = (
        Metadata(type=cause["type"], source=cause["source"], id=cause["id"],
                 correlation_id=cause["correlation_id"], traceparent=cause["traceparent"])
        if cause.get("id") else None
    )  # fmt: skip
    event = CanaryVerdict(
        model_name=decision.model, canary_version=decision.canary_version,
        champion_version=decision.champion_version, verdict=decision.verdict,
        canary_metrics=decision.canary_metrics, champion_metrics=decision.champion_metrics,
        sample_size=decision.sample_size,
    )  # fmt: skip
    ctx.publisher.publish(event, caused_by=caused_by)
    metrics.CANARY_VERDICTS.labels(decision.model, decision.verdict).inc()
    log.warning("canary %s v%s: %s", decision.model, decision.canary_version, decision.verdict)


def routing_table(ctx: Context) -> dict[str, Handler]:
    """ce_type -> handler; types not listed here are ignored by the worker."""

    def bind(handler: Callable[[Context, Message[Any]], None]) -> Handler:
        return lambda message: handler(ctx, message)

    return routes({PredictionLogged: bind(on_prediction), LabelsObserved: bind(on_labels),
                   ModelPromoted: bind(on_promoted)})  # fmt: skip
