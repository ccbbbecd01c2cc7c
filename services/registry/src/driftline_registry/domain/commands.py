"""Commands: what an operator asks the registry to do (imperative, frozen)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

__all__ = ["Command", "PromoteVersion", "RollBack"]


def _request_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class PromoteVersion:
    """Make `version` the champion now, whatever the gate said."""

    model_name: str
    version: int
    reason: str
    requested_by: str
    correlation_id: str
    request_id: str = field(default_factory=_request_id)


@dataclass(frozen=True, slots=True)
class RollBack:
    """Restore a former champion (`to_version`, default the previous one)."""

    model_name: str
    reason: str
    requested_by: str
    correlation_id: str
    to_version: int | None = None
    request_id: str = field(default_factory=_request_id)


Command = PromoteVersion | RollBack
