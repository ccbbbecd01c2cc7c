"""Retirement's Prometheus metrics (all ``driftline_``-prefixed; dashboards use these names).

Counters move as things happen. The gauges are read from the ledger at scrape
time, so they are right after a restart: ``driftline_archived_artifacts{model}``
(archived artifacts still restorable or awaiting their purge) and
``driftline_retirement_outstanding`` (retirements decided but not yet done or
announced).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = [
    "DEFERRED",
    "IGNORED",
    "LAST_SWEEP",
    "METRIC_NAMES",
    "PURGED",
    "REFUSED",
    "RETIRED",
    "SWEEPS",
    "SWEEP_SECONDS",
    "LedgerSnapshot",
    "observe",
]

log = logging.getLogger(__name__)

RETIRED = Counter(
    "driftline_models_retired_total",
    "Model versions retired (artifact archived, ModelRetired announced), by reason.",
    ["model", "reason"],
)
REFUSED = Counter(
    "driftline_retirement_refused_total",
    "Retirements cancelled when due: the version is the champion, or already retired.",
    ["model"],
)
DEFERRED = Counter(
    "driftline_retirement_deferred_total",
    "Retirements put off because the registry could not be asked; retried in the background.",
    ["model"],
)
IGNORED = Counter(
    "driftline_retirement_ignored_events_total",
    "Consumed lifecycle events that asked nothing of retirement, by reason.",
    ["type", "reason"],
)
PURGED = Counter(
    "driftline_archive_purged_total",
    "Archived artifacts deleted because their restore window closed (no longer restorable).",
    ["model"],
)
SWEEPS = Counter(
    "driftline_retirement_sweeps_total",
    "Retention sweeps run, by trigger (schedule, api) and outcome (ok, partial).",
    ["trigger", "outcome"],
)
SWEEP_SECONDS = Histogram(
    "driftline_retirement_sweep_seconds",
    "Duration of one retention sweep.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
LAST_SWEEP = Gauge(
    "driftline_retirement_last_sweep_timestamp_seconds",
    "Unix time at which the last retention sweep finished.",
)


@dataclass(frozen=True, slots=True)
class LedgerSnapshot:
    archived: Mapping[str, int] = field(default_factory=dict)
    outstanding: int = 0


class _LedgerCollector(Collector):
    def __init__(self) -> None:
        self.source: Callable[[], LedgerSnapshot] | None = None

    def describe(self) -> Iterator[Metric]:
        return iter(self._families(LedgerSnapshot()))

    def collect(self) -> Iterator[Metric]:
        snapshot = LedgerSnapshot()
        if self.source is not None:
            try:
                snapshot = self.source()
            except Exception:  # a scrape must not fail because the ledger blinked
                log.warning("retirement metrics unavailable", exc_info=True)
        return iter(self._families(snapshot))

    @staticmethod
    def _families(snapshot: LedgerSnapshot) -> list[Metric]:
        archived = GaugeMetricFamily(
            "driftline_archived_artifacts",
            "Artifacts of retired versions held in the archive (not yet purged).",
            labels=["model"],
        )
        for model, count in sorted(snapshot.archived.items()):
            archived.add_metric([model], count)
        outstanding = GaugeMetricFamily(
            "driftline_retirement_outstanding",
            "Retirements decided but not yet carried out or announced.",
        )
        outstanding.add_metric([], snapshot.outstanding)
        return [archived, outstanding]


_collector = _LedgerCollector()
REGISTRY.register(_collector)

METRIC_NAMES = (
    "driftline_models_retired_total",
    "driftline_retirement_refused_total",
    "driftline_retirement_deferred_total",
    "driftline_retirement_ignored_events_total",
    "driftline_archive_purged_total",
    "driftline_retirement_sweeps_total",
    "driftline_retirement_sweep_seconds",
    "driftline_retirement_last_sweep_timestamp_seconds",
    "driftline_archived_artifacts",
    "driftline_retirement_outstanding",
)


def observe(source: Callable[[], LedgerSnapshot]) -> None:
    """Read the gauges from `source` at each scrape (bootstrap binds the ledger)."""
    _collector.source = source
