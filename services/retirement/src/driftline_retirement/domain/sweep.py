"""The retention policy applied to one model's versions, and to the archive.

`plan_sweep` picks the versions to retire (stale ones past `candidate_ttl_days`,
then those beyond the newest `keep_last`); `plan_purge` picks the archived
artifacts that can no longer be restored (`restore_within_days` is over).
Neither ever picks the champion or bytes that something still needs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from driftline.spec import RetentionPolicy

from driftline_retirement.domain.model import (
    CHAMPION,
    RETIRED,
    Retirement,
    RetirementRecord,
    VersionInfo,
)

__all__ = ["plan_purge", "plan_sweep"]


def plan_sweep(
    model: str,
    policy: RetentionPolicy,
    versions: Sequence[VersionInfo],
    champion: int | None,
    now: datetime,
    already_retired: Collection[int] = (),
) -> list[Retirement]:
    """The versions of `model` that the policy retires now, newest first.

    A version's age is the time since it last changed status (`updated_at`, else
    `created_at`): a candidate left undecided, a challenger whose rollout never
    ended, a superseded or rejected version. When both rules apply, `ttl` is the
    reason given. The champion is never picked, nor counted as stale.
    """
    live = sorted(
        (v for v in versions if v.status != RETIRED and v.version not in already_retired),
        key=lambda v: v.version,
        reverse=True,
    )
    newest = {v.version for v in live[: policy.keep_last]}
    ttl = timedelta(days=policy.candidate_ttl_days)
    picked: list[Retirement] = []
    for v in live:
        if v.version == champion or v.status == CHAMPION:
            continue
        idle = v.idle_since
        if idle is not None and now - idle > ttl:
            detail = (
                f"{v.status} since {idle:%Y-%m-%d %H:%M} UTC, longer than "
                f"candidate_ttl_days ({policy.candidate_ttl_days:g})"
            )
            picked.append(Retirement(model, v.version, "ttl", detail))
        elif v.version not in newest:
            detail = f"not among the {policy.keep_last} newest live versions (keep_last)"
            picked.append(Retirement(model, v.version, "keep_last", detail))
    return picked


def plan_purge(
    records: Sequence[RetirementRecord],
    policies: Mapping[str, RetentionPolicy],
    now: datetime,
    live: Collection[tuple[str, int]] = (),
) -> list[RetirementRecord]:
    """Archived artifacts to delete: retired longer ago than `restore_within_days`.

    Skipped: models without a policy (not in the spec), versions the registry
    still lists as live (`live`: (model, version) pairs), and archive files that
    another record still needs (shared bytes of a version still restorable,
    pending or restored by rollback).
    """
    expired: list[RetirementRecord] = []
    for record in records:
        policy = policies.get(record.model)
        if (
            policy is None
            or record.state != RETIRED
            or not record.archived
            or record.archive_uri is None
            or record.purged_at is not None
            or record.retired_at is None
            or (record.model, record.version) in live
        ):
            continue
        if now - record.retired_at > timedelta(days=policy.restore_within_days):
            expired.append(record)
    expired_ids = {r.id for r in expired}
    needed = {
        r.archive_uri
        for r in records
        if r.id not in expired_ids
        and r.archive_uri is not None
        and r.purged_at is None
        and r.state in ("pending", "retired", "restored")
    }
    return [r for r in expired if r.archive_uri not in needed]
