"""The registry's Prometheus metrics (all ``driftline_``-prefixed; dashboards use these names).

Counters move as things happen. The gauges are read from the database at scrape
time by a collector, so they are right after a restart and across replicas:
``driftline_model_versions{model,status}``, ``driftline_model_champion_version{model}``,
``driftline_outbox_pending`` and ``driftline_outbox_oldest_pending_seconds``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = [
    "CONFLICTS",
    "IGNORED_EVENTS",
    "METRIC_NAMES",
    "OUTBOX_PUBLISHED",
    "TRANSITIONS",
    "RegistrySnapshot",
    "observe",
]

log = logging.getLogger(__name__)

TRANSITIONS = Counter(
    "driftline_registry_transitions_total",
    "Status transitions of model versions.",
    ["model", "from_status", "to_status"],
)
OUTBOX_PUBLISHED = Counter(
    "driftline_outbox_published_total", "Outbox records the relay published to Kafka."
)
CONFLICTS = Counter(
    "driftline_registry_conflicts_total",
    "Writes that lost a concurrent change (optimistic lock or unique constraint) and were retried or refused.",
)
IGNORED_EVENTS = Counter(
    "driftline_registry_ignored_events_total",
    "Consumed events that changed nothing, by reason (unknown_model, stale, duplicate).",
    ["type", "reason"],
)


@dataclass(frozen=True, slots=True)
class RegistrySnapshot:
    versions: dict[tuple[str, str], int] = field(default_factory=dict)
    champions: dict[str, int] = field(default_factory=dict)
    outbox_pending: int = 0
    oldest_pending_at: datetime | None = None


class _StateCollector(Collector):
    def __init__(self) -> None:
        self.source: Callable[[], RegistrySnapshot] | None = None

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        snapshot = RegistrySnapshot()
        if self.source is not None:
            try:
                snapshot = self.source()
            except Exception:  # a scrape must not fail because the database blinked
                log.warning("registry metrics unavailable", exc_info=True)
        return iter(self._families(snapshot))

    @staticmethod
    def _families(snapshot: RegistrySnapshot | None = None) -> list[Metric]:
        snapshot = snapshot or RegistrySnapshot()
        versions = GaugeMetricFamily(
            "driftline_model_versions", "Model versions by status.", labels=["model", "status"]
        )
        for (model, status), count in sorted(snapshot.versions.items()):
            versions.add_metric([model, status], count)
        champion = GaugeMetricFamily(
            "driftline_model_champion_version", "Version serving as champion.", labels=["model"]
        )
        for model, version in sorted(snapshot.champions.items()):
            champion.add_metric([model], version)
        pending = GaugeMetricFamily(
            "driftline_outbox_pending", "Outbox records not yet published to Kafka."
        )
        pending.add_metric([], snapshot.outbox_pending)
        age = GaugeMetricFamily(
            "driftline_outbox_oldest_pending_seconds",
            "Age of the oldest unpublished outbox record (0 when none): a stuck relay grows it.",
        )
        oldest = snapshot.oldest_pending_at
        age.add_metric([], (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0)
        return [versions, champion, pending, age]


_collector = _StateCollector()
REGISTRY.register(_collector)

METRIC_NAMES = (
    "driftline_registry_transitions_total",
    "driftline_outbox_published_total",
    "driftline_registry_conflicts_total",
    "driftline_registry_ignored_events_total",
    "driftline_model_versions",
    "driftline_model_champion_version",
    "driftline_outbox_pending",
    "driftline_outbox_oldest_pending_seconds",
)


def observe(source: Callable[[], RegistrySnapshot] | None) -> None:
    """Read the gauges from `source` at each scrape (bootstrap binds the database; None unbinds)."""
    _collector.source = source
