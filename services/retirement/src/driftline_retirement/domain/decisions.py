"""Whether a version may be retired now, and what happens to its artifact.

Pure functions over what the registry and the ledger say; the operations layer
fetches the facts, asks these, and carries the answers out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from driftline_retirement.domain.model import RETIRED, Champion, VersionInfo

__all__ = ["ArchivePlan", "plan_archive", "refusal", "replaced_version"]


def replaced_version(rollout: str, version: int, previous_version: int | None) -> int | None:
    """The version a promotion retires: the previous champion, on a full rollout only.

    A canary or shadow rollout keeps the champion serving next to the challenger,
    so nothing is replaced yet; the full promotion that ends it will say so.
    """
    if rollout != "full" or previous_version is None or previous_version == version:
        return None
    return previous_version


def refusal(version: int, champion: Champion | None, current: VersionInfo | None) -> str | None:
    """Why `version` must not be retired now, or None when it may be.

    `champion` and `current` are the registry's present view. The champion is
    never retired, whatever an older event said (e.g. a re-delivered promotion
    after a rollback that made this version champion again).
    """
    if champion is not None and champion.version == version:
        return f"version {version} is the current champion"
    if current is not None and current.status == RETIRED:
        return f"the registry already lists version {version} as retired"
    return None


@dataclass(frozen=True, slots=True)
class ArchivePlan:
    """move: into the archive; keep: leave the bytes where they are (see `why`); none: unknown."""

    action: Literal["move", "keep", "none"]
    archived: bool
    """Whether, after the plan, the bytes sit in the archive (and may be purged later)."""
    why: str = ""


def plan_archive(
    target: VersionInfo | None,
    others: Iterable[VersionInfo | Champion],
    archive_root: str,
) -> ArchivePlan:
    """Where the retired version's artifact goes.

    Artifacts are content-addressed: two versions with the same bytes share one
    file. Bytes that a live version (the champion above all) still uses stay in
    place; bytes already in the archive (a version restored by rollback and
    retired again) stay there.
    """
    uri = target.artifact_uri if target is not None else None
    if target is None or not uri:
        return ArchivePlan("none", False, "the artifact location is unknown")
    if uri.startswith(archive_root.rstrip("/") + "/"):
        return ArchivePlan("keep", True, "already in the archive")
    sharers = sorted(
        other.version
        for other in others
        if other.version != target.version
        and (isinstance(other, Champion) or other.status != RETIRED)
        and _same_bytes(target, other)
    )
    if sharers:
        listed = ", ".join(str(v) for v in dict.fromkeys(sharers))
        return ArchivePlan("keep", False, f"left in place: version(s) {listed} use the same bytes")
    return ArchivePlan("move", True)


def _same_bytes(target: VersionInfo, other: VersionInfo | Champion) -> bool:
    if target.artifact_uri and other.artifact_uri == target.artifact_uri:
        return True
    sha = target.artifact_sha256
    return bool(sha) and (other.artifact_sha256 or "").lower() == (sha or "").lower()
