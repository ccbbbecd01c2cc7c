"""The content-addressed model artifact store: a local folder by default, S3 by configuration.

An artifact lives at ``<root>/<sha256[:2]>/<sha256>/<name>``: its address is its
content, so a write is idempotent and a reader can prove it got the bytes that
were registered. `get` checks the SHA-256 before handing bytes to anyone (a
model is never loaded from bytes that were not checked). The file system is
chosen by the URL through fsspec: a path or ``file://`` for the local folder,
``s3://bucket/prefix`` for S3 (MinIO, moto or LocalStack with an endpoint URL).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec  # type: ignore[import-untyped]
from fsspec.implementations.local import LocalFileSystem  # type: ignore[import-untyped]

from driftline.settings import DriftlineSettings

__all__ = [
    "ArtifactIntegrityError",
    "ArtifactNotFoundError",
    "ArtifactStore",
    "StoredArtifact",
    "storage_options",
]


class ArtifactIntegrityError(ValueError):
    """The bytes read back do not have the SHA-256 the caller expected."""


class ArtifactNotFoundError(LookupError):
    """No artifact at that URI."""


@dataclass(frozen=True, slots=True)
class StoredArtifact:
    """Where an artifact was written, and what it must hash to when read back."""

    uri: str
    sha256: str
    size: int


class ArtifactStore:
    """Content-addressed blobs on one fsspec file system under one root."""

    def __init__(self, fs: Any, root: str) -> None:
        self._fs = fs
        self._root = root.rstrip("/")
        self._local = isinstance(fs, LocalFileSystem)

    @classmethod
    def from_url(cls, url: str, **storage_options: Any) -> ArtifactStore:
        """A store rooted at `url`; `storage_options` go to the fsspec file system."""
        if "://" not in url:
            url = Path(url).resolve().as_uri()
        fs, root = fsspec.core.url_to_fs(url, **storage_options)
        return cls(fs, root)

    @classmethod
    def from_settings(cls, settings: DriftlineSettings) -> ArtifactStore:
        """The store at ``artifact_store_url``, through ``storage_endpoint_url`` when set."""
        return cls.from_url(settings.artifact_store_url, **storage_options(settings))

    @property
    def root_uri(self) -> str:
        return self._uri(self._root)

    # -- the port ----------------------------------------------------------------
    def put(self, data: bytes, *, name: str) -> StoredArtifact:
        """Store `data` under its SHA-256; writing the same bytes twice is a no-op."""
        _check_name(name)
        digest = hashlib.sha256(data).hexdigest()
        path = posixpath.join(self._root, digest[:2], digest, name)
        if not self._fs.exists(path):
            self._write(path, data)
        return StoredArtifact(uri=self._uri(path), sha256=digest, size=len(data))

    def get(self, uri: str, expected_sha256: str) -> bytes:
        """The bytes at `uri`, after checking that they hash to `expected_sha256`."""
        path = self._path(uri)
        try:
            data: bytes = self._fs.cat_file(path)
        except FileNotFoundError:
            raise ArtifactNotFoundError(f"no artifact at {uri}") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected_sha256.lower():
            raise ArtifactIntegrityError(
                f"artifact {uri} has SHA-256 {actual} but {expected_sha256} was expected; "
                "refusing to hand out bytes that differ from the registered artifact"
            )
        return data

    def exists(self, uri: str) -> bool:
        return bool(self._fs.exists(self._path(uri)))

    def move(self, uri: str, archive_root: str) -> str:
        """Move an artifact under `archive_root` (same layout); replaying a done move is a no-op."""
        source = self._path(uri)
        parts = source.rsplit("/", 3)
        if len(parts) != 4:
            raise ValueError(f"{uri} is not an artifact address <root>/<aa>/<sha256>/<name>")
        target_root = self._path(archive_root if "://" in archive_root else self._abs(archive_root))
        target = posixpath.join(target_root.rstrip("/"), *parts[1:])
        if not self._fs.exists(source):
            if self._fs.exists(target):
                return self._uri(target)
            raise ArtifactNotFoundError(f"no artifact at {uri} (nor already at {target})")
        if self._local:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(source).replace(target)
        else:
            self._fs.mv(source, target)
        return self._uri(target)

    # -- helpers -------------------------------------------------------------------
    def _write(self, path: str, data: bytes) -> None:
        if not self._local:  # one PUT: the object appears whole or not at all
            self._fs.pipe_file(path, data)
            return
        folder = Path(path).parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{uuid.uuid4().hex}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _uri(self, path: str) -> str:
        uri: str = self._fs.unstrip_protocol(path)
        return uri

    def _abs(self, path: str) -> str:
        return Path(path).resolve().as_uri() if self._local else path

    def _path(self, uri: str) -> str:
        protocols = (
            self._fs.protocol if isinstance(self._fs.protocol, tuple) else (self._fs.protocol,)
        )
        scheme, sep, _ = uri.partition("://")
        if sep and scheme not in protocols:
            raise ValueError(f"{uri} is not on this store's file system ({protocols[0]})")
        path: str = self._fs._strip_protocol(uri)
        return path


def storage_options(settings: DriftlineSettings) -> dict[str, Any]:
    """fsspec options for the settings' object-store URLs (the endpoint override, if any).

    Credentials and region come from botocore's usual chain (environment, ECS task role).
    """
    if settings.storage_endpoint_url:
        return {"endpoint_url": settings.storage_endpoint_url}
    return {}


def _check_name(name: str) -> None:
    if not name or "/" in name or "\\" in name or name in {".", ".."} or name.startswith("."):
        raise ValueError(f"artifact name {name!r} must be a plain file name")
