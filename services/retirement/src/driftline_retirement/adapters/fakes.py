"""In-memory ports for unit tests: they hold what they are told and record what they are asked.

Like `driftline.bus.FakePublisher`, they honour the same contract suites as the
real adapters (see tests/unit/test_registry_contract.py, test_archive_contract.py).
"""

from __future__ import annotations

from dataclasses import replace

from driftline.artifacts import ArtifactNotFoundError

from driftline_retirement.adapters.ports import RegistryUnavailableError
from driftline_retirement.domain import CHAMPION, Champion, VersionInfo

__all__ = ["FakeArchive", "FakeRegistryReader"]


class FakeRegistryReader:
    """A registry whose versions the test sets with `put`; `down = True` makes it unreachable."""

    def __init__(self) -> None:
        self.models: dict[str, dict[int, VersionInfo]] = {}
        self.calls: list[tuple[str, str]] = []
        self.down = False

    def put(self, *versions: VersionInfo) -> None:
        """Add or replace versions; a new champion demotes the old one to superseded."""
        for version in versions:
            book = self.models.setdefault(version.model, {})
            if version.status == CHAMPION:
                for number, other in list(book.items()):
                    if other.status == CHAMPION and number != version.version:
                        book[number] = replace(other, status="superseded")
            book[version.version] = version

    def set_status(self, model: str, version: int, status: str) -> None:
        self.put(replace(self.models[model][version], status=status))

    def versions(self, model: str) -> list[VersionInfo]:
        self._called("versions", model)
        return sorted(self.models.get(model, {}).values(), key=lambda v: v.version)

    def champion(self, model: str) -> Champion | None:
        self._called("champion", model)
        for version in self.models.get(model, {}).values():
            if version.status == CHAMPION:
                return Champion(version.version, version.artifact_uri, version.artifact_sha256)
        return None

    def ping(self) -> bool:
        self._called("ping", "")
        return True

    def _called(self, what: str, model: str) -> None:
        self.calls.append((what, model))
        if self.down:
            raise RegistryUnavailableError("the fake registry is down")


class FakeArchive:
    """An archive over a dict of URIs; records every move and purge."""

    def __init__(
        self, root_uri: str = "mem://archive", store_root: str = "mem://artifacts"
    ) -> None:
        self.root_uri = root_uri
        self.store_root = store_root
        self.files: set[str] = set()
        self.moved: list[tuple[str, str]] = []
        self.purged: list[str] = []

    def add(self, uri: str) -> str:
        self.files.add(uri)
        return uri

    def archive(self, uri: str) -> str:
        if uri.startswith(self.root_uri + "/"):
            if uri not in self.files:
                raise ArtifactNotFoundError(f"no artifact at {uri}")
            return uri
        target = self.root_uri + uri.removeprefix(self.store_root)
        if uri not in self.files:
            if target in self.files:
                return target
            raise ArtifactNotFoundError(f"no artifact at {uri} (nor already at {target})")
        self.files.discard(uri)
        self.files.add(target)
        self.moved.append((uri, target))
        return target

    def purge(self, uri: str) -> bool:
        if not uri.startswith(self.root_uri + "/"):
            raise ValueError(
                f"refusing to purge {uri}: it is not under the archive {self.root_uri}"
            )
        self.purged.append(uri)
        if uri not in self.files:
            return False
        self.files.discard(uri)
        return True

    def ping(self) -> bool:
        return True
