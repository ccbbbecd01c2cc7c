"""The registry's domain: pure decisions about model versions (no database, bus or HTTP)."""

from driftline_registry.domain.commands import Command, PromoteVersion, RollBack
from driftline_registry.domain.errors import (
    ConcurrencyError,
    InvalidTransitionError,
    RegistryError,
    StaleEventError,
    UnknownModelError,
    UnknownRunError,
    UnknownVersionError,
)
from driftline_registry.domain.model import (
    ALLOWED,
    MANUAL_PREFIX,
    Announcement,
    Cause,
    ModelVersion,
    Status,
    Transition,
)
from driftline_registry.domain.policy import Decision, decide
from driftline_registry.domain.registered_model import RegisteredModel
from driftline_registry.domain.versions import CHALLENGER, CHAMPION

__all__ = [
    "ALLOWED",
    "CHALLENGER",
    "CHAMPION",
    "MANUAL_PREFIX",
    "Announcement",
    "Cause",
    "Command",
    "ConcurrencyError",
    "Decision",
    "InvalidTransitionError",
    "ModelVersion",
    "PromoteVersion",
    "RegisteredModel",
    "RegistryError",
    "RollBack",
    "StaleEventError",
    "Status",
    "Transition",
    "UnknownModelError",
    "UnknownRunError",
    "UnknownVersionError",
    "decide",
]
