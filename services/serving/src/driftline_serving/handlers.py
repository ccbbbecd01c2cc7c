"""Lifecycle events -> swaps: one handler per event type, and the routing table.

Each handler loads what it needs first (artifact fetched, hash checked, runtime load, one
warm-up prediction) on the consumer's thread, and only then swaps the model's `Deployment`
in one step, so requests never wait on a load and never see a half-loaded model. A load that
fails raises: the old deployment keeps serving, the bus retries, then dead-letters the event.
Events about models the spec does not declare are ignored. Replays change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from driftline.bus import Handler, Message, routes
from driftline.events import ModelPromoted, ModelRetired, ModelRolledBack

from driftline_serving.core import Deployment, Model, ModelLoader, ModelRef, ModelSlots
from driftline_serving.core.deployment import RetireOutcome

__all__ = ["Context", "promoted", "retired", "rolled_back", "routing_table"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Context:
    slots: ModelSlots
    loader: ModelLoader
    on_refused_unload: Callable[[str, int], None] = lambda model, version: None


def _model(ctx: Context, ref: ModelRef) -> Model:
    """The loaded model of that version and artifact, or a freshly loaded one."""
    current = ctx.slots.get(ref.name).loaded(ref.version)
    if current is not None and current.sha256 == ref.sha256:
        return current
    return ctx.loader.load(ref)


def _ignored(ctx: Context, name: str, event: str) -> bool:
    if ctx.slots.knows(name):
        return False
    log.info("lifecycle event for a model the spec does not declare; ignored",
             extra={"model": name, "type": event})  # fmt: skip
    return True


def promoted(ctx: Context, msg: Message[ModelPromoted]) -> None:
    e = msg.event
    if _ignored(ctx, e.model_name, "ModelPromoted"):
        return
    ref = ModelRef(e.model_name, e.version, e.artifact_uri, e.artifact_sha256, e.flavor)
    model = _model(ctx, ref)
    ctx.slots.apply(e.model_name, lambda d: d.promoted(model, e.rollout, e.canary_fraction))
    log.info("promotion applied", extra={"model": e.model_name, "version": e.version,
                                         "rollout": e.rollout})  # fmt: skip


def rolled_back(ctx: Context, msg: Message[ModelRolledBack]) -> None:
    e = msg.event
    if _ignored(ctx, e.model_name, "ModelRolledBack"):
        return
    ref = ModelRef(e.model_name, e.to_version, e.artifact_uri, e.artifact_sha256, e.flavor)
    model = _model(ctx, ref)
    ctx.slots.apply(e.model_name, lambda d: d.rolled_back(e.from_version, model))
    log.info("rollback applied", extra={"model": e.model_name, "from_version": e.from_version,
                                        "to_version": e.to_version})  # fmt: skip


def retired(ctx: Context, msg: Message[ModelRetired]) -> None:
    e = msg.event
    if _ignored(ctx, e.model_name, "ModelRetired"):
        return
    outcome: list[RetireOutcome] = []

    def retire(d: Deployment) -> Deployment:
        after, result = d.retired(e.version)
        outcome.append(result)
        return after

    ctx.slots.apply(e.model_name, retire)
    if outcome[-1] == "refused_champion":
        log.error(
            "REFUSED to unload the champion: a ModelRetired names the version that is serving "
            "all traffic (the registry never retires a champion); it keeps serving",
            extra={"model": e.model_name, "version": e.version, "reason": e.reason},
        )
        ctx.on_refused_unload(e.model_name, e.version)
    else:
        log.info("retirement applied", extra={"model": e.model_name, "version": e.version,
                                              "outcome": outcome[-1]})  # fmt: skip


def routing_table(ctx: Context) -> dict[str, Handler]:
    def bind(fn: Callable[[Context, Any], None]) -> Handler:
        return lambda msg: fn(ctx, msg)

    return routes({
        ModelPromoted: bind(promoted),
        ModelRolledBack: bind(rolled_back),
        ModelRetired: bind(retired),
    })  # fmt: skip
