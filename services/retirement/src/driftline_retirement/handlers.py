"""One handler per consumed event, and the routing table the subscriber uses.

- `ModelPromoted` (full rollout, with a previous version): retire the previous
  champion, reason ``replaced``, the `ModelRetired` caused by the promotion.
- `ModelRolledBack`: the restored version is back in service; its retirement
  record becomes ``restored`` so that its archived bytes are never purged.

Both remember what the event says about versions (artifact URI, status), so a
later retirement knows where the bytes are even before the registry answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from driftline.bus import Handler, Message, routes
from driftline.events import ModelPromoted, ModelRolledBack
from driftline.spec import ProjectSpec

from driftline_retirement import metrics
from driftline_retirement.adapters.ports import Ledger
from driftline_retirement.domain import CHAMPION, Retirement, VersionInfo, replaced_version
from driftline_retirement.operations import Retirer

__all__ = ["Context", "on_model_promoted", "on_model_rolled_back", "routing_table"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Context:
    spec: ProjectSpec
    ledger: Ledger
    retirer: Retirer
    clock: Callable[[], datetime]


def on_model_promoted(message: Message[ModelPromoted], ctx: Context) -> None:
    event = message.event
    if event.model_name not in ctx.spec.models:
        metrics.IGNORED.labels("ModelPromoted", "model_not_in_spec").inc()
        log.info("promotion of a model the spec does not declare; nothing to retire")
        return
    status = CHAMPION if event.rollout == "full" else "challenger"
    ctx.ledger.remember(
        VersionInfo(event.model_name, event.version, status, event.artifact_uri,
                    event.artifact_sha256),
        ctx.clock(),
    )  # fmt: skip
    previous = replaced_version(event.rollout, event.version, event.previous_version)
    if previous is None:
        metrics.IGNORED.labels("ModelPromoted", "nothing_replaced").inc()
        return
    detail = f"replaced by version {event.version} as champion: {event.reason}"
    retirement = Retirement(event.model_name, previous, "replaced", detail)
    outcome = ctx.retirer.retire(retirement, caused_by=message.meta)
    log.info(
        "promotion handled",
        extra={"model": event.model_name, "version": previous, "result": outcome.result},
    )


def on_model_rolled_back(message: Message[ModelRolledBack], ctx: Context) -> None:
    event = message.event
    if event.model_name not in ctx.spec.models:
        metrics.IGNORED.labels("ModelRolledBack", "model_not_in_spec").inc()
        return
    now = ctx.clock()
    ctx.ledger.remember(
        VersionInfo(event.model_name, event.to_version, CHAMPION, event.artifact_uri,
                    event.artifact_sha256),
        now,
    )  # fmt: skip
    ctx.ledger.remember(VersionInfo(event.model_name, event.from_version, "rejected"), now)
    note = f"version {event.to_version} restored as champion by rollback: {event.reason}"
    ctx.retirer.restored(event.model_name, event.to_version, note)


def routing_table(ctx: Context) -> dict[str, Handler]:
    """The subscriber's table: `ce_type` -> handler bound to the service's context."""
    return routes(
        {
            ModelPromoted: partial(on_model_promoted, ctx=ctx),
            ModelRolledBack: partial(on_model_rolled_back, ctx=ctx),
        }
    )
