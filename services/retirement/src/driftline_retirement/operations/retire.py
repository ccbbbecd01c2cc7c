"""Carrying out one retirement: record the decision, ask the registry, archive, announce.

Every step can be replayed. The decision is recorded first (pending), with the
envelope ids of the `ModelRetired` it will announce; the registry's present view
is checked (the champion is never retired); the bytes are archived (idempotent
move); the record is marked retired; then `ModelRetired` is published with the
recorded ids and marked announced. A crash anywhere leaves an outstanding record
that `resume()` finishes, and consumers dedupe the re-announcement by its id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from driftline.bus import Publisher
from driftline.bus.ports import event_type_name
from driftline.envelope import Metadata
from driftline.events import ModelRetired

from driftline_retirement import metrics
from driftline_retirement.adapters.ports import Archive, Ledger, RegistryReader
from driftline_retirement.adapters.ports import RegistryUnavailableError as Unavailable
from driftline_retirement.domain import Retirement, RetirementRecord, refusal
from driftline_retirement.operations.archiving import archive_artifact
from driftline_retirement.operations.outcome import Outcome

__all__ = ["Retirer"]

log = logging.getLogger(__name__)
RETIRED_TYPE = event_type_name(ModelRetired)


class Retirer:
    """Retires versions; safe to call from the consumer, the sweeper and the API at once."""

    def __init__(
        self,
        *,
        ledger: Ledger,
        registry: RegistryReader,
        archive: Archive,
        publisher: Publisher,
        source: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.ledger, self.registry, self.archive = ledger, registry, archive
        self.publisher, self.source, self.clock = publisher, source, clock
        self._lock = threading.RLock()

    def retire(
        self,
        retirement: Retirement,
        *,
        caused_by: Metadata | None = None,
        correlation_id: str | None = None,
    ) -> Outcome:
        """Decide `retirement` (a second decision finds the first) and carry it out."""
        if caused_by is not None:
            envelope = caused_by.caused(RETIRED_TYPE, self.source)
        else:
            envelope = Metadata(RETIRED_TYPE, self.source, correlation_id=correlation_id or "")
        with self._lock:
            hint = self.ledger.known(retirement.model, retirement.version)
            record = self.ledger.request(retirement, envelope, hint, self.clock())
            return self.carry_out(record)

    def resume(self) -> list[Outcome]:
        """Finish outstanding work: pending decisions and unannounced retirements."""
        return [self.carry_out(record) for record in self.ledger.outstanding()]

    def restored(self, model: str, version: int, note: str) -> RetirementRecord | None:
        """A rollback brought `version` back: close its retirement (restored or cancelled)."""
        with self._lock:
            record = self.ledger.active(model, version)
            if record is None:
                return None
            state = "restored" if record.state == "retired" else "cancelled"
            self.ledger.close_record(record.id, state, note, self.clock())
            log.info("retirement closed by rollback", extra=_ids(record) | {"state": state})
            return self.ledger.get(record.id)

    def carry_out(self, record: RetirementRecord) -> Outcome:
        with self._lock:
            record = self.ledger.get(record.id)
            if record.state == "retired":
                if record.announced_at is None:
                    self._announce(record)
                return Outcome.of(record, "already_retired")
            if record.state != "pending":
                return Outcome.of(record, "refused")
            try:
                champion = self.registry.champion(record.model)
                versions = self.registry.versions(record.model)
            except Unavailable as exc:
                metrics.DEFERRED.labels(record.model).inc()
                log.warning("retirement deferred", extra=_ids(record) | {"error": str(exc)})
                return Outcome.of(record, "deferred", str(exc))
            current = next((v for v in versions if v.version == record.version), None)
            why_not = refusal(record.version, champion, current)
            if why_not is not None:
                self.ledger.close_record(record.id, "cancelled", why_not, self.clock())
                metrics.REFUSED.labels(record.model).inc()
                log.info("retirement refused", extra=_ids(record) | {"why": why_not})
                return Outcome.of(self.ledger.get(record.id), "refused", why_not)
            known = self.ledger.known(record.model, record.version)
            placed = archive_artifact(self.archive, record, current, known, versions, champion)
            record = self.ledger.mark_retired(
                record.id, archive_uri=placed.uri, archived=placed.archived,
                note=placed.note, at=self.clock(),
            )  # fmt: skip
            metrics.RETIRED.labels(record.model, record.reason).inc()
            log.info("version retired", extra=_ids(record) | {"archive_uri": placed.uri or ""})
            self._announce(record)
            return Outcome.of(record, "retired")

    def _announce(self, record: RetirementRecord) -> None:
        event = ModelRetired(
            model_name=record.model, version=record.version, reason=record.reason,
            archive_uri=record.archive_uri, retired_by=self.source,
        )  # fmt: skip
        meta = Metadata(
            type=RETIRED_TYPE, source=self.source, id=record.event_id,
            time=record.retired_at or self.clock(), correlation_id=record.correlation_id,
            causation_id=record.causation_id, traceparent=record.traceparent,
        )  # fmt: skip
        self.publisher.publish(event, meta=meta)
        self.publisher.flush()
        self.ledger.mark_announced(record.id, self.clock())


def _ids(record: RetirementRecord) -> dict[str, str | int]:
    return {"model": record.model, "version": record.version, "reason": record.reason}
