"""Where a retired version's bytes end up: the plan from the domain, carried out on the archive."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from driftline.artifacts import ArtifactNotFoundError

from driftline_retirement.adapters.ports import Archive
from driftline_retirement.domain import Champion, RetirementRecord, VersionInfo, plan_archive

__all__ = ["Placement", "archive_artifact"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Placement:
    uri: str | None
    """Where the bytes are now (None: nowhere known, so the version cannot be restored)."""
    archived: bool
    """The bytes sit in the archive, to be purged when the restore window closes."""
    note: str = ""


def archive_artifact(
    archive: Archive,
    record: RetirementRecord,
    current: VersionInfo | None,
    known: VersionInfo | None,
    versions: Sequence[VersionInfo],
    champion: Champion | None,
) -> Placement:
    """Archive the artifact of `record`'s version unless something live shares its bytes.

    The artifact's location comes from the registry (`current`), else from what
    the ledger saw in events (`known`), else from the decision itself.
    """
    target = _target(record, current, known)
    others: list[VersionInfo | Champion] = [*versions, *([champion] if champion else [])]
    plan = plan_archive(target, others, archive.root_uri)
    if plan.action == "none" or target is None or target.artifact_uri is None:
        log.error("retired version's artifact location unknown; it cannot be restored")
        return Placement(None, False, plan.why)
    if plan.action == "keep":
        return Placement(target.artifact_uri, plan.archived, plan.why)
    try:
        return Placement(archive.archive(target.artifact_uri), True)
    except ArtifactNotFoundError as exc:
        log.error("retired version's artifact is missing; it cannot be restored", exc_info=True)
        return Placement(None, False, f"artifact missing, cannot be restored: {exc}")


def _target(
    record: RetirementRecord, current: VersionInfo | None, known: VersionInfo | None
) -> VersionInfo | None:
    for view in (current, known):
        if view is not None and view.artifact_uri:
            return view
    if record.artifact_uri:
        return VersionInfo(
            record.model, record.version, "unknown", record.artifact_uri, record.artifact_sha256
        )
    return current or known
