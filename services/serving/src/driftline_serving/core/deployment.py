"""What serves one model right now: an immutable snapshot, replaced whole on every change.

A request takes the `Deployment` once when it starts and uses only that snapshot, so a
swap (a new object put in the slot by reference) never changes a request in flight. The
transitions below are pure: they return a new snapshot, or the same one when the event
changes nothing (idempotency).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Literal

from driftline_serving.core.types import Model, Role

__all__ = ["Challenger", "Deployment", "RetireOutcome", "canary_bucket"]

Mode = Literal["canary", "shadow"]
RetireOutcome = Literal["unloaded", "not_loaded", "refused_champion"]


def canary_bucket(model: str, version: int, key: str) -> float:
    """A stable number in [0, 1) for a routing key: the same key always lands the same way."""
    digest = hashlib.blake2b(f"{model}:{version}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True, slots=True)
class Challenger:
    model: Model
    mode: Mode
    fraction: float = 0.0
    """Share of traffic answered by a canary (0 for shadow: it answers none)."""


@dataclass(frozen=True, slots=True)
class Deployment:
    model_name: str
    champion: Model | None = None
    challenger: Challenger | None = None

    # -- reading ---------------------------------------------------------------------
    def loaded(self, version: int) -> Model | None:
        """The loaded model of that version, champion or challenger."""
        if self.champion is not None and self.champion.version == version:
            return self.champion
        if self.challenger is not None and self.challenger.model.version == version:
            return self.challenger.model
        return None

    def role_of(self, version: int) -> Role | None:
        if self.champion is not None and self.champion.version == version:
            return "champion"
        if self.challenger is not None and self.challenger.model.version == version:
            return self.challenger.mode
        return None

    def versions_by_role(self) -> dict[Role, int]:
        """Loaded versions by role: champion, and canary or shadow."""
        out: dict[Role, int] = {}
        if self.champion is not None:
            out["champion"] = self.champion.version
        if self.challenger is not None:
            out[self.challenger.mode] = self.challenger.model.version
        return out

    def route(self, key: str) -> tuple[Model, Role]:
        """Champion, or the canary for its stable share of routing keys. Needs a champion."""
        assert self.champion is not None, "route() needs a champion"
        ch = self.challenger
        if (
            ch is not None
            and ch.mode == "canary"
            and canary_bucket(self.model_name, ch.model.version, key) < ch.fraction
        ):
            return ch.model, "canary"
        return self.champion, "champion"

    @property
    def shadow(self) -> Model | None:
        ch = self.challenger
        return ch.model if ch is not None and ch.mode == "shadow" else None

    # -- transitions -------------------------------------------------------------------
    def promoted(self, model: Model, rollout: str, fraction: float = 0.0) -> Deployment:
        """ModelPromoted: `full` makes `model` champion (any challenger leaves: the registry
        rejects a challenger displaced by a new champion); canary/shadow make it challenger."""
        if rollout == "full":
            if self.champion is not None and self.champion.version == model.version:
                return self if self.challenger is None else replace(self, challenger=None)
            return Deployment(self.model_name, champion=model)
        if rollout not in ("canary", "shadow"):
            raise ValueError(f"unknown rollout {rollout!r}: full, canary or shadow")
        share = fraction if rollout == "canary" else 0.0
        wanted = Challenger(model, rollout, share)  # type: ignore[arg-type]
        current = self.challenger
        if current is not None and (current.model.version, current.mode, current.fraction) == (
            model.version, wanted.mode, share,
        ):  # fmt: skip
            return self
        return replace(self, challenger=wanted)

    def rolled_back(self, from_version: int, model: Model) -> Deployment:
        """ModelRolledBack: `model` is champion and `from_version` serves no more. A canary
        rolled back leaves the champion as it is; a new champion displaces any challenger."""
        same_champion = self.champion is not None and self.champion.version == model.version
        challenger = self.challenger if same_champion else None
        if challenger is not None and challenger.model.version == from_version:
            challenger = None
        if same_champion and challenger is self.challenger:
            return self
        return Deployment(self.model_name, champion=self.champion if same_champion else model,
                          challenger=challenger)  # fmt: skip

    def with_initial(self, model: Model) -> Deployment:
        """The champion read at start, unless a lifecycle event already installed one."""
        return self if self.champion is not None else replace(self, champion=model)

    def retired(self, version: int) -> tuple[Deployment, RetireOutcome]:
        """ModelRetired: unload a challenger of that version; never the champion."""
        if self.champion is not None and self.champion.version == version:
            return self, "refused_champion"
        if self.challenger is not None and self.challenger.model.version == version:
            return replace(self, challenger=None), "unloaded"
        return self, "not_loaded"
