"""The retention sweep: per model of the spec, retire what the policy says and purge the archive.

One sweep is one workflow: every `ModelRetired` it announces carries the sweep's
correlation id (the API request's ``X-Correlation-ID`` when asked over HTTP).
A model whose registry view cannot be read is skipped and named in the report.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime

from driftline.spec import ProjectSpec, RetentionPolicy

from driftline_retirement import metrics
from driftline_retirement.adapters.ports import Archive, Ledger, RegistryReader
from driftline_retirement.adapters.ports import RegistryUnavailableError as Unavailable
from driftline_retirement.domain import RETIRED, plan_purge, plan_sweep
from driftline_retirement.operations.outcome import PurgeOutcome, SweepReport
from driftline_retirement.operations.retire import Retirer

__all__ = ["Sweeper"]

log = logging.getLogger(__name__)


class Sweeper:
    """Applies each model's retention policy; one sweep at a time."""

    def __init__(
        self,
        *,
        spec: ProjectSpec,
        ledger: Ledger,
        registry: RegistryReader,
        archive: Archive,
        retirer: Retirer,
        clock: Callable[[], datetime],
    ) -> None:
        self.spec, self.ledger, self.registry = spec, ledger, registry
        self.archive, self.retirer, self.clock = archive, retirer, clock
        self._lock = threading.Lock()

    def sweep(self, trigger: str = "schedule", correlation_id: str | None = None) -> SweepReport:
        with self._lock:
            started = time.perf_counter()
            report = SweepReport(trigger, correlation_id or str(uuid.uuid4()), self.clock())
            report.resumed = self.retirer.resume()
            for model, spec in self.spec.models.items():
                try:
                    self._sweep_model(model, spec.retention, report)
                except Unavailable as exc:
                    report.errors[model] = str(exc)
                except Exception as exc:  # one model's trouble must not stop the others
                    log.exception("sweep of a model failed", extra={"model": model})
                    report.errors[model] = f"{type(exc).__name__}: {exc}"
            report.finished_at = self.clock()
            metrics.SWEEPS.labels(trigger, report.outcome).inc()
            metrics.SWEEP_SECONDS.observe(time.perf_counter() - started)
            metrics.LAST_SWEEP.set_to_current_time()
            log.info(
                "sweep done",
                extra={"trigger": trigger, "retired": len(report.retired),
                       "purged": len(report.purged), "errors": len(report.errors)},
            )  # fmt: skip
            return report

    def _sweep_model(self, model: str, policy: RetentionPolicy, report: SweepReport) -> None:
        versions = self.registry.versions(model)
        champion = self.registry.champion(model)
        now = self.clock()
        for version in versions:
            self.ledger.remember(version, now)
        plan = plan_sweep(
            model, policy, versions, champion.version if champion else None, now,
            already_retired=self.ledger.retired_versions(model),
        )  # fmt: skip
        for retirement in plan:
            outcome = self.retirer.retire(retirement, correlation_id=report.correlation_id)
            (report.retired if outcome.result == "retired" else report.not_retired).append(outcome)
        live = {(model, v.version) for v in versions if v.status != RETIRED}
        live |= {(model, champion.version)} if champion else set()
        records = self.ledger.records(limit=None)
        for record in plan_purge(records, {model: policy}, self.clock(), live):
            assert record.archive_uri is not None  # plan_purge only picks archived records
            existed = self.archive.purge(record.archive_uri)
            self.ledger.mark_purged(record.id, self.clock())
            metrics.PURGED.labels(model).inc()
            detail = (
                f"retired {record.retired_at:%Y-%m-%d}; restore_within_days "
                f"({policy.restore_within_days:g}) is over: version {record.version} can no "
                "longer be restored" + ("" if existed else " (the file was already gone)")
            )
            log.warning("archived artifact purged", extra={"model": model, "detail": detail})
            report.purged.append(PurgeOutcome(model, record.version, record.archive_uri, detail))
