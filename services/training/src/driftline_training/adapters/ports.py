"""The training service's ports: what the run needs from the outside world.

Concrete adapters live beside this module and are chosen in `bootstrap`; unit
tests pass hand-made fakes with the same methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from driftline.artifacts import StoredArtifact
from driftline.envelope import Metadata
from driftline.events import Event

from driftline_training.domain.model import (
    Champion,
    Claim,
    ModelState,
    TrainingSet,
    Trigger,
    Window,
)

__all__ = ["Artifacts", "Champions", "Outgoing", "RunStore", "TrainingSets"]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An event to publish with its envelope, fixed before it is stored (so a re-publish
    after a crash carries the same ce_id and consumers dedupe it)."""

    event: Event
    meta: Metadata


class TrainingSets(Protocol):
    def training_set(self, model: str, window: Window) -> TrainingSet:
        """Labelled rows of `model`'s dataset in `window` (feature service, POST /training-sets).

        Raises UnknownModelError, TrainingSetError or DependencyUnavailableError.
        """
        ...


class Champions(Protocol):
    def champion(self, model: str) -> Champion | None:
        """The registry's champion of `model`, None when it has none."""
        ...


class Artifacts(Protocol):
    """The content-addressed artifact store (`driftline.artifacts.ArtifactStore`)."""

    def put(self, data: bytes, *, name: str) -> StoredArtifact: ...

    def get(self, uri: str, expected_sha256: str) -> bytes: ...


class RunStore(Protocol):
    """Durable policy state, run queue (one pending slot per model) and outbox.

    Each method is one transaction, so the queue, the policy state and the events
    that announce a change never diverge, whatever moment the process dies at.
    """

    def state(self, model: str) -> ModelState: ...

    def enqueue(self, trigger: Trigger) -> Trigger | None:
        """Queue `trigger` in its model's pending slot, as `trigger.replacing` the one
        there; return the pending trigger it replaced, if any."""
        ...

    def pending(self) -> list[Trigger]:
        """Every pending trigger, waiting ones included, oldest first."""
        ...

    def claim_next(self, run_id: str, now: datetime) -> Claim | None:
        """Move into flight the oldest pending trigger whose ``not_before`` has come, of a
        model with no run in flight."""
        ...

    def in_flight(self) -> list[Claim]: ...

    def start(self, claim: Claim, started: Outgoing) -> Claim:
        """Mark the claim's run started and store its TrainingStarted."""
        ...

    def finish(
        self,
        claim: Claim,
        events: Sequence[Outgoing],
        state: ModelState | None = None,
        requeue: Trigger | None = None,
    ) -> None:
        """End the claim: store `events`, the model's new `state` and put `requeue` back
        in the queue; if a newer trigger is pending, it stays, as `newer.replacing(requeue)`."""
        ...

    def record(self, events: Sequence[Outgoing]) -> None:
        """Store events that no run owns (e.g. the refusal of an unknown model)."""
        ...

    def outbox(self) -> list[tuple[int, Outgoing]]:
        """Stored events not yet published, oldest first."""
        ...

    def sent(self, seq: int) -> None:
        """Forget an outbox event the broker acknowledged."""
        ...
