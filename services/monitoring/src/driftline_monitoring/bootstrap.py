"""The composition root: the one place that builds the monitoring service's concrete adapters.

`bootstrap(settings)` gives a ready `Monitoring`; tests pass fakes through the
same function (``publisher=FakePublisher()``, ``references=...``,
``store=MemoryStateStore()``). Nothing connects at import time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from driftline.bus import Handler, KafkaPublisher, Message, Publisher
from driftline.codec import EventCodec
from driftline.spec import ProjectSpec, SpecError, load_spec

from driftline_monitoring.adapters import (
    FallbackReferenceSource,
    FirstWindowReferenceSource,
    HttpReferenceSource,
    JsonFileStateStore,
    ReferenceSource,
    StateStore,
)  # fmt: skip
from driftline_monitoring.config import MonitoringSettings
from driftline_monitoring.domain import FeatureKind, ModelMonitor, PendingPredictions
from driftline_monitoring.handlers import Context, routing_table
from driftline_monitoring.snapshot import restore

__all__ = ["Monitoring", "bootstrap", "feature_kinds"]

log = logging.getLogger(__name__)
NUMERIC_TYPES = {"float", "int"}


@dataclass(slots=True)
class Monitoring:
    """The assembled service: what the entrypoints run."""

    settings: MonitoringSettings
    context: Context
    handlers: dict[str, Handler]
    codec: EventCodec | None = None
    ready: dict[str, bool] = field(default_factory=lambda: {"worker": False})

    def handle(self, message: Message[Any]) -> bool:
        """Run the message's handler; False when monitoring does not consume its type."""
        handler = self.handlers.get(message.meta.type)
        if handler is None:
            return False
        handler(message)
        return True

    def checkpoint(self) -> None:
        with self.context.lock:
            self.context.checkpoint()


def feature_kinds(spec: ProjectSpec, model: str) -> dict[str, FeatureKind]:
    """numeric for float/int features; categorical for category, bool and string ones."""
    features = spec.datasets[spec.model(model).dataset].features
    return {
        name: "numeric" if features[name].type in NUMERIC_TYPES else "categorical"
        for name in spec.model_features(model)
    }


def _monitors(spec: ProjectSpec, history: int) -> dict[str, ModelMonitor]:
    monitors = {}
    for name, model in spec.models.items():
        drift = model.drift
        if drift.min_samples > drift.window:
            raise SpecError(
                f"models.{name}.drift.min_samples ({drift.min_samples}) exceeds "
                f"drift.window ({drift.window}): no window could ever be tested"
            )
        monitors[name] = ModelMonitor(
            name, feature_kinds(spec, name), drift, regression=model.task == "regression",
            canary_alpha=1.0 - model.promotion.confidence, history=history,
        )  # fmt: skip
    return monitors


def bootstrap(
    settings: MonitoringSettings,
    *,
    spec: ProjectSpec | None = None,
    publisher: Publisher | None = None,
    references: ReferenceSource | None = None,
    store: StateStore | None = None,
) -> Monitoring:
    """Build the monitors (from the spec), restore their durable state, wire the adapters."""
    common = settings.common
    spec = spec or load_spec(common.spec_path)
    monitors = _monitors(spec, settings.history)
    if references is None and settings.reference == "first_window":
        references = FirstWindowReferenceSource()
    if references is None:
        kinds = {name: feature_kinds(spec, name) for name in spec.models}
        http = HttpReferenceSource(common.registry_url, common.features_url, kinds,
                                   timeout_s=settings.reference_timeout_s)  # fmt: skip
        windows = {name: m.drift.window for name, m in spec.models.items()}
        references = FallbackReferenceSource(http, window_of=windows)
    store = store or JsonFileStateStore(common.state_dir / settings.state_file)
    codec = None
    if publisher is None:
        codec = EventCodec.from_settings(common)
        publisher = KafkaPublisher(common, codec, source=settings.source)
    if (saved := store.load()) is not None:
        restore(monitors, saved)
        log.info("monitoring state restored for %d model(s)", len(saved.get("models", {})))
    pending = PendingPredictions(settings.pending_capacity,
                                 timedelta(hours=settings.pending_ttl_hours))  # fmt: skip
    context = Context(spec, monitors, pending, publisher, references, store)
    return Monitoring(settings, context, routing_table(context), codec)
