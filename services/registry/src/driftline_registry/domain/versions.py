"""A model's versions and aliases, and the low-level moves every decision is made of.

`_move` is the only way a status changes: it checks `ALLOWED`, records a
`Transition` and marks the version changed. Moves that the bus must hear about
queue an `Announcement`. Nothing here touches a database or a bus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from driftline.events import Event, ModelPromoted, ModelRejected, ModelRolledBack

from driftline_registry.domain.errors import InvalidTransitionError, UnknownVersionError
from driftline_registry.domain.model import (
    ALLOWED,
    Announcement,
    Cause,
    ModelVersion,
    Status,
    Transition,
)
from driftline_registry.domain.policy import Decision

__all__ = ["CHALLENGER", "CHAMPION", "VersionBook"]

CHAMPION, CHALLENGER = "champion", "challenger"


class VersionBook:
    """A model's versions and aliases; `revision` counts saved changes (optimistic lock)."""

    def __init__(
        self,
        name: str,
        versions: Iterable[ModelVersion] = (),
        aliases: Mapping[str, int] | None = None,
        revision: int = 0,
    ) -> None:
        self.name = name
        self.versions = {v.version: v for v in versions}
        self.aliases = dict(aliases or {})
        self.revision = revision
        self.new_versions: set[int] = set()
        self.changed_versions: set[int] = set()
        self.transitions: list[Transition] = []
        self.announcements: list[Announcement] = []

    # -- queries ------------------------------------------------------------------
    def get(self, version: int) -> ModelVersion:
        try:
            return self.versions[version]
        except KeyError:
            raise UnknownVersionError(f"model {self.name!r} has no version {version}") from None

    def by_run(self, run_id: str) -> ModelVersion | None:
        return next((v for v in self.versions.values() if v.run_id == run_id), None)

    @property
    def champion(self) -> ModelVersion | None:
        number = self.aliases.get(CHAMPION)
        return None if number is None else self.versions[number]

    @property
    def challenger(self) -> ModelVersion | None:
        number = self.aliases.get(CHALLENGER)
        return None if number is None else self.versions[number]

    def previous_champion(self) -> ModelVersion | None:
        """The most recent former champion that was replaced (not rolled back)."""
        former = [
            v
            for v in self.versions.values()
            if v.champion_since is not None and v.status in (Status.SUPERSEDED, Status.RETIRED)
        ]
        return max(former, key=lambda v: v.champion_since or v.registered_at, default=None)

    @property
    def has_changes(self) -> bool:
        return bool(self.new_versions or self.changed_versions or self.transitions)

    # -- moves ------------------------------------------------------------------------
    def _crown(
        self, version: ModelVersion, cause: Cause, reason: str, evidence: dict[str, Any]
    ) -> None:
        previous = self.champion
        announcement = self._announce(
            ModelPromoted(
                model_name=self.name,
                version=version.version,
                previous_version=previous.version if previous else None,
                run_id=version.run_id,
                artifact_uri=version.location,
                artifact_sha256=version.artifact_sha256,
                flavor=version.flavor,
                rollout="full",
                canary_fraction=0.0,
                reason=reason,
                evidence_event_id=cause.evidence_event_id,
            )
        )
        if previous is not None:
            self._move(
                previous,
                Status.SUPERSEDED,
                cause,
                f"superseded by version {version.version}",
                announcement,
            )
        self._displace_challenger(version.version, cause)
        self._move(version, Status.CHAMPION, cause, reason, announcement, evidence)
        version.champion_since = cause.at
        self.aliases[CHAMPION] = version.version
        if self.aliases.get(CHALLENGER) == version.version:
            del self.aliases[CHALLENGER]

    def _enter_rollout(
        self, version: ModelVersion, cause: Cause, decision: Decision, evidence: dict[str, Any]
    ) -> None:
        champion = self.champion
        announcement = self._announce(
            ModelPromoted(
                model_name=self.name,
                version=version.version,
                previous_version=champion.version if champion else None,
                run_id=version.run_id,
                artifact_uri=version.location,
                artifact_sha256=version.artifact_sha256,
                flavor=version.flavor,
                rollout=decision.rollout,
                canary_fraction=decision.canary_fraction,
                reason=decision.reason,
                evidence_event_id=cause.evidence_event_id,
            )
        )
        self._displace_challenger(version.version, cause)
        reason = f"{decision.rollout} rollout: {decision.reason}"
        self._move(version, Status.CHALLENGER, cause, reason, announcement, evidence)
        self.aliases[CHALLENGER] = version.version

    def _reject(
        self, version: ModelVersion, cause: Cause, reason: str, evidence: dict[str, Any]
    ) -> None:
        announcement = self._announce(
            ModelRejected(
                model_name=self.name,
                version=version.version,
                run_id=version.run_id,
                reason=reason,
                evidence_event_id=cause.evidence_event_id,
            )
        )
        self._move(version, Status.REJECTED, cause, reason, announcement, evidence)

    def _displace_challenger(self, keep: int, cause: Cause) -> None:
        challenger = self.challenger
        if challenger is None or challenger.version == keep:
            return
        reason = f"displaced as challenger: the champion changed to version {keep}"
        self._reject(challenger, cause, reason, cause.evidence)
        del self.aliases[CHALLENGER]

    def _rolled_back(
        self, out: ModelVersion, to: ModelVersion, reason: str, requested_by: str
    ) -> Announcement:
        return self._announce(
            ModelRolledBack(
                model_name=self.name,
                from_version=out.version,
                to_version=to.version,
                artifact_uri=to.location,
                artifact_sha256=to.artifact_sha256,
                flavor=to.flavor,
                reason=reason,
                requested_by=requested_by,
            )
        )

    def _announce(self, event: Event) -> Announcement:
        announcement = Announcement(event)
        self.announcements.append(announcement)
        return announcement

    def _move(
        self,
        version: ModelVersion,
        to: Status,
        cause: Cause,
        reason: str,
        announcement: Announcement | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> None:
        if to not in ALLOWED[version.status]:
            raise InvalidTransitionError(
                f"version {version.version} of {self.name!r} cannot go from {version.status} to {to}"
            )
        self._record(version, version.status, cause, reason, announcement, evidence, to)
        version.status = to
        self.changed_versions.add(version.version)

    def _record(
        self,
        version: ModelVersion,
        before: Status | None,
        cause: Cause,
        reason: str,
        announcement: Announcement | None = None,
        evidence: dict[str, Any] | None = None,
        to: Status | None = None,
    ) -> None:
        version.status_changed_at = cause.at
        self.transitions.append(
            Transition(
                model_name=self.name,
                version=version.version,
                from_status=before,
                to_status=to or version.status,
                at=cause.at,
                event_id=cause.event_id,
                event_type=cause.event_type,
                correlation_id=cause.correlation_id,
                actor=cause.actor,
                reason=reason,
                evidence=cause.evidence if evidence is None else evidence,
                announced_by=announcement.id if announcement else None,
            )
        )

    def mark_saved(self) -> None:
        """Forget the pending changes once they are durable; the revision moved on by one."""
        self.revision += 1
        self.new_versions.clear()
        self.changed_versions.clear()
        self.transitions.clear()
        self.announcements.clear()
