"""Value objects of the training domain: triggers, windows, policy state, data, champions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from driftline.envelope import Metadata

__all__ = ["Champion", "Claim", "ModelState", "TrainingSet", "Trigger", "TriggerType", "Window"]

TriggerType = Literal["manual", "schedule", "bootstrap", "drift"]


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open event-time window [start, end), UTC."""

    start: datetime
    end: datetime

    @classmethod
    def last_days(cls, end: datetime, days: int) -> Window:
        end = end.replace(microsecond=end.microsecond // 1000 * 1000)  # Avro keeps milliseconds
        return cls(end - timedelta(days=days), end)


@dataclass(frozen=True, slots=True)
class Trigger:
    """A request to train one model, from a command or a drift fact, with its envelope."""

    model: str
    trigger_type: TriggerType
    meta: Metadata
    """Envelope of the triggering event: every event of the run is caused by it."""
    received_at: datetime
    reason: str = ""
    force: bool = False
    """Skip the cooldown and minimum-new-rows checks."""
    window_days: int | None = None
    """Override of the policy's training window."""
    attempt: int = 1
    """1 for a fresh trigger; more when a run of it was cut short and it was queued again."""
    since: datetime | None = None
    """Count new labelled rows from this event time (a drift's window start); None: from the
    last training's data-window end."""
    not_before: datetime | None = None
    """Set once the policy made the trigger wait: it is not looked at again before then."""

    @property
    def event_id(self) -> str:
        return self.meta.id

    @property
    def has_waited(self) -> bool:
        return self.not_before is not None

    def replacing(self, older: Trigger) -> Trigger:
        """This trigger as it takes `older`'s pending slot (newer wins).

        A drift replacing a drift keeps the earlier ``since``: the labels that arrived
        since the first alert of an incident still count, so alerts that keep coming
        cannot keep resetting the count.
        """
        if self.trigger_type == older.trigger_type == "drift" and older.since is not None:
            earliest = older.since if self.since is None else min(self.since, older.since)
            return replace(self, since=earliest)
        return self


@dataclass(frozen=True, slots=True)
class Claim:
    """A trigger taken off the queue for one run, with the run's id."""

    trigger: Trigger
    run_id: str
    started: bool = False
    """Whether TrainingStarted was recorded (a cut-short run then owes a TrainingFailed)."""


@dataclass(frozen=True, slots=True)
class ModelState:
    """What the retrain policy remembers about a model between runs and restarts."""

    model: str
    last_trained_at: datetime | None = None
    """Start of the last run that produced a model (the cooldown counts from it)."""
    last_data_end: datetime | None = None
    """End of that run's data window (new labelled rows are counted from it)."""
    last_run_id: str | None = None

    @property
    def never_trained(self) -> bool:
        return self.last_trained_at is None


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Labelled rows of one window, as the feature service served them."""

    frame: Any
    """pandas DataFrame: entity key, event timestamp (UTC), features, label."""
    content_sha256: str
    """SHA-256 of the bytes served (checked against the service's own header)."""
    feature_view_versions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Champion:
    """The registry's current champion of a model."""

    version: int
    artifact_uri: str
    artifact_sha256: str
    flavor: str
