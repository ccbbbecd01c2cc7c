"""The aggregate: one model and every decision about its versions.

Each decision checks the state, moves statuses (a `Transition` per move) and
queues the `Announcement`s the bus must receive; the unit of work saves all of
it in one transaction. Nothing here touches a database or a bus.
"""

from __future__ import annotations

from datetime import timedelta

from driftline.events import (
    CanaryVerdict,
    ModelEvaluated,
    ModelRegistered,
    ModelRetired,
    ModelTrained,
)
from driftline.spec import PromotionPolicy

from driftline_registry.domain.errors import (
    InvalidTransitionError,
    StaleEventError,
    UnknownRunError,
)
from driftline_registry.domain.model import Cause, ModelVersion, Status
from driftline_registry.domain.policy import decide
from driftline_registry.domain.versions import CHALLENGER, CHAMPION, VersionBook

__all__ = ["RegisteredModel"]


class RegisteredModel(VersionBook):
    """A model's lifecycle decisions, driven by events and by operators."""

    # -- decisions driven by events --------------------------------------------------
    def register(self, trained: ModelTrained, cause: Cause) -> ModelVersion:
        """Record a trained run as a new candidate version; a known run_id registers once."""
        existing = self.by_run(trained.run_id)
        if existing is not None:
            return existing
        number = max(self.versions, default=0) + 1
        version = ModelVersion(
            model_name=self.name,
            version=number,
            run_id=trained.run_id,
            status=Status.CANDIDATE,
            flavor=trained.flavor,
            estimator=trained.estimator,
            artifact_uri=trained.artifact_uri,
            artifact_sha256=trained.artifact_sha256,
            artifact_size_bytes=trained.artifact_size_bytes,
            registered_at=cause.at,
            status_changed_at=cause.at,
            trained_event_id=cause.event_id,
            correlation_id=cause.correlation_id,
            params=dict(trained.params),
            metrics=dict(trained.metrics),
            lineage=trained.lineage.model_dump(mode="json"),
        )
        self.versions[number] = version
        self.new_versions.add(number)
        announcement = self._announce(
            ModelRegistered(
                model_name=self.name,
                version=number,
                run_id=trained.run_id,
                artifact_uri=trained.artifact_uri,
                artifact_sha256=trained.artifact_sha256,
                status=Status.CANDIDATE.value,
            )
        )
        self._record(version, None, cause, f"registered run {trained.run_id}", announcement)
        return version

    def apply_evaluation(
        self, evaluated: ModelEvaluated, policy: PromotionPolicy, cause: Cause
    ) -> ModelVersion:
        """Promote (full, canary or shadow) or reject the evaluated run under `policy`."""
        version = self.by_run(evaluated.run_id)
        if version is None:
            raise UnknownRunError(
                f"model {self.name!r} has no version for run {evaluated.run_id!r} (not registered yet?)"
            )
        if version.status is not Status.CANDIDATE:
            raise StaleEventError(
                f"version {version.version} is already {version.status}; evaluation ignored"
            )
        decision = decide(evaluated, version, self.champion, policy)
        evidence = {**cause.evidence, **decision.as_evidence(policy)}
        if not decision.promote:
            self._reject(version, cause, decision.reason, evidence)
        elif decision.rollout == "full":
            self._crown(version, cause, decision.reason, evidence)
        else:
            self._enter_rollout(version, cause, decision, evidence)
        return version

    def apply_canary_verdict(self, verdict: CanaryVerdict, cause: Cause) -> ModelVersion:
        """Make the challenger champion, or take it out of service (`ModelRolledBack`)."""
        challenger = self.challenger
        if challenger is None or challenger.version != verdict.canary_version:
            raise StaleEventError(
                f"version {verdict.canary_version} is not the challenger of {self.name!r}"
            )
        metrics = f"on {verdict.sample_size} labelled requests"
        if verdict.verdict == "promote":
            self._crown(challenger, cause, f"canary verdict: promote {metrics}", cause.evidence)
        elif verdict.verdict == "rollback":
            champion = self.champion
            if champion is None:
                raise InvalidTransitionError(
                    f"model {self.name!r} has a challenger but no champion"
                )
            reason = f"canary verdict: rollback {metrics}"
            announcement = self._rolled_back(challenger, champion, reason, cause.actor)
            self._move(challenger, Status.REJECTED, cause, reason, announcement)
            del self.aliases[CHALLENGER]
        else:
            raise InvalidTransitionError(
                f"unknown canary verdict {verdict.verdict!r}; expected promote or rollback"
            )
        return challenger

    def retire(self, retired: ModelRetired, cause: Cause) -> ModelVersion:
        """Record that retirement archived a version; a retired version stays retired."""
        version = self.get(retired.version)
        if version.status is Status.RETIRED:
            return version
        if version.status is Status.CHAMPION:
            raise InvalidTransitionError(
                f"version {version.version} of {self.name!r} is the champion; "
                "it cannot be retired while it serves"
            )
        reason = f"retired ({retired.reason}) by {retired.retired_by}"
        if version.status is Status.CHALLENGER:  # a stale canary/shadow past its TTL
            del self.aliases[CHALLENGER]
        self._move(version, Status.RETIRED, cause, reason)
        version.retired_at = cause.at
        version.archive_uri = retired.archive_uri
        return version

    # -- decisions asked for by operators ------------------------------------------------
    def promote(self, number: int, reason: str, cause: Cause) -> ModelVersion:
        """Make a version champion at once (full rollout), overriding the gate."""
        version = self.get(number)
        if version.status is Status.CHAMPION:
            raise InvalidTransitionError(f"version {number} is already the champion")
        if version.status is Status.RETIRED:
            raise InvalidTransitionError(f"version {number} is retired; restore it with a rollback")
        self._crown(version, cause, reason, cause.evidence)
        return version

    def rollback(
        self, to: int | None, reason: str, restore_within: timedelta, cause: Cause
    ) -> ModelVersion:
        """Replace the champion with a former champion (default: the previous one)."""
        current = self.champion
        if current is None:
            raise InvalidTransitionError(f"model {self.name!r} has no champion to roll back from")
        target = self.get(to) if to is not None else self.previous_champion()
        if target is None:
            raise InvalidTransitionError(f"model {self.name!r} has no former champion")
        if target.version == current.version:
            raise InvalidTransitionError(f"version {target.version} is the champion already")
        if target.champion_since is None:
            raise InvalidTransitionError(
                f"version {target.version} never served as champion; promote it instead"
            )
        retired_at = target.retired_at if target.status is Status.RETIRED else None
        if retired_at is not None and cause.at - retired_at > restore_within:
            raise InvalidTransitionError(
                f"version {target.version} was retired on {retired_at:%Y-%m-%d}, "
                f"longer ago than restore_within_days ({restore_within.days} days)"
            )
        announcement = self._rolled_back(current, target, reason, cause.actor)
        self._move(current, Status.REJECTED, cause, f"rolled back: {reason}", announcement)
        self._displace_challenger(target.version, cause)
        self._move(target, Status.CHAMPION, cause, f"restored by rollback: {reason}", announcement)
        target.champion_since = cause.at
        self.aliases[CHAMPION] = target.version
        return target
