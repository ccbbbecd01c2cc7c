"""`Archive` over the shared artifact store: `ArtifactStore.move` in, fsspec delete out.

The archive keeps the store's content-addressed layout
(``<archive>/<sha[:2]>/<sha>/<name>``) on the same file system (a local folder
or S3), so moving is a rename and a restored version loads from its archive URI.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import fsspec  # type: ignore[import-untyped]
from driftline.artifacts import ArtifactNotFoundError, ArtifactStore, storage_options
from driftline.settings import DriftlineSettings
from fsspec.implementations.local import LocalFileSystem  # type: ignore[import-untyped]

__all__ = ["StoreArchive"]


class StoreArchive:
    """Moves artifacts from `store` into the archive at `archive_url`, and purges them there."""

    def __init__(self, store: ArtifactStore, archive_url: str, **options: Any) -> None:
        if "://" not in archive_url:
            archive_url = Path(archive_url).resolve().as_uri()
        self._store = store
        self._fs, root = fsspec.core.url_to_fs(archive_url, **options)
        self._root = root.rstrip("/")
        self._local = isinstance(self._fs, LocalFileSystem)
        self._root_uri: str = self._fs.unstrip_protocol(self._root)

    @classmethod
    def from_settings(cls, settings: DriftlineSettings) -> StoreArchive:
        """The archive at ``archive_store_url`` for the store at ``artifact_store_url``."""
        store = ArtifactStore.from_settings(settings)
        return cls(store, settings.archive_store_url, **storage_options(settings))

    @property
    def root_uri(self) -> str:
        return self._root_uri

    def archive(self, uri: str) -> str:
        if self._inside(uri):
            if not self._fs.exists(self._path(uri)):
                raise ArtifactNotFoundError(f"no artifact at {uri}")
            return uri
        return self._store.move(uri, self._root_uri)

    def purge(self, uri: str) -> bool:
        if not self._inside(uri):
            raise ValueError(
                f"refusing to purge {uri}: it is not under the archive {self._root_uri}"
            )
        path = self._path(uri)
        if not self._fs.exists(path):
            return False
        self._fs.rm(path)
        if self._local:  # drop the emptied <sha256>/ and <aa>/ folders
            for folder in (posixpath.dirname(path), posixpath.dirname(posixpath.dirname(path))):
                if folder.startswith(self._root + "/") and not any(Path(folder).iterdir()):
                    Path(folder).rmdir()
        return True

    def ping(self) -> bool:
        if self._local:
            Path(self._root).mkdir(parents=True, exist_ok=True)
            return True
        return bool(self._fs.exists(self._root.split("/", 1)[0]))

    def _inside(self, uri: str) -> bool:
        return uri.startswith(self._root_uri + "/") and ".." not in uri.split("/")

    def _path(self, uri: str) -> str:
        path: str = self._fs._strip_protocol(uri)
        return path
