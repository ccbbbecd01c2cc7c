"""The feature service's one event handler, and its routing table.

`materialize` turns a DataIngested fact into the online store's latest values and announces
it with FeaturesMaterialized, caused by the DataIngested (same correlation id). It is
idempotent: a re-delivered batch writes the same values, and an older batch never replaces a
newer value. A batch that cannot be read raises `BatchRejectedError`, which the subscriber
retries and then dead-letters with the reason: nothing is dropped silently.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from driftline.bus import Handler, Message, Publisher, routes
from driftline.events import DataIngested, DataWindow, FeaturesMaterialized
from driftline.spec import ProjectSpec

from driftline_features import metrics
from driftline_features.adapters.ports import OfflineStore, OnlineWriter
from driftline_features.domain.batches import check_columns, time_range
from driftline_features.domain.errors import BatchRejectedError

__all__ = ["Dependencies", "materialize", "routing"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dependencies:
    """What the handlers need; built by `bootstrap`, faked in unit tests."""

    spec: ProjectSpec
    offline: OfflineStore
    online: OnlineWriter
    publisher: Publisher


def materialize(message: Message[DataIngested], deps: Dependencies) -> FeaturesMaterialized:
    event = message.event
    if event.dataset not in deps.spec.datasets:
        metrics.BATCHES_REJECTED.labels("unknown").inc()
        raise BatchRejectedError(
            f"unknown dataset {event.dataset!r}; the spec declares {sorted(deps.spec.datasets)}"
        )
    ds = deps.spec.dataset(event.dataset)
    started = time.perf_counter()
    try:
        table = deps.offline.read_batch(event.dataset, event.storage_path)
        check_columns(table, event.dataset, ds)
    except BatchRejectedError:
        metrics.BATCHES_REJECTED.labels(event.dataset).inc()
        raise
    outcome = deps.online.write(event.dataset, table)
    metrics.MATERIALIZE_SECONDS.labels(event.dataset).observe(time.perf_counter() - started)
    metrics.ROWS_MATERIALIZED.labels(event.dataset, deps.online.kind).inc(outcome.written)
    metrics.STALE_ROWS.labels(event.dataset).inc(outcome.stale)
    bounds = time_range(table, ds.event_timestamp)
    fact = FeaturesMaterialized(
        dataset=event.dataset,
        feature_view=event.dataset,
        batch_id=event.batch_id,
        row_count=outcome.written,
        time_range=_window(bounds),
        online_store=deps.online.kind,
    )
    deps.publisher.publish(fact, caused_by=message.meta)
    log.info("batch materialised", extra={"dataset": event.dataset, "batch_id": event.batch_id,
             "rows": table.num_rows, "written": outcome.written, "stale": outcome.stale})  # fmt: skip
    return fact


def _window(bounds: tuple[Any, Any] | None) -> DataWindow | None:
    if bounds is None:
        return None
    start, last = bounds
    assert isinstance(start, datetime)
    assert isinstance(last, datetime)
    # DataWindow is half-open [start, end): the end is just after the latest event.
    return DataWindow(start=start, end=last + timedelta(milliseconds=1))


def routing(deps: Dependencies) -> dict[str, Handler]:
    """The routing table: ce_type -> handler (everything else on the topic is ignored)."""

    def handle(message: Message[Any]) -> None:
        materialize(message, deps)

    return routes({DataIngested: handle})
