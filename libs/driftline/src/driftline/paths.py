"""Locating the `schemas/` folder, the single source of truth for the event contract."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["SchemasNotFoundError", "schemas_dir"]

ENV_VAR = "DRIFTLINE_SCHEMAS_DIR"


class SchemasNotFoundError(RuntimeError):
    """The event contract could not be found."""


def schemas_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder holding `catalog.yaml` and the `.avsc` files.

    Order: an explicit path, then `$DRIFTLINE_SCHEMAS_DIR`, then the first
    `schemas/` found walking up from this file (a source checkout) or from the
    working directory (a container with the repo copied in).
    """
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    if env := os.environ.get(ENV_VAR):
        candidates.append(Path(env))
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        candidates.extend(parent / "schemas" for parent in start.parents)
    for candidate in candidates:
        if (candidate / "catalog.yaml").is_file():
            return candidate
    raise SchemasNotFoundError(
        f"no schemas/catalog.yaml found; set {ENV_VAR} to the folder holding the Avro contract"
    )
