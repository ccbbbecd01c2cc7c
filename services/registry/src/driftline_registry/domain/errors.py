"""What can go wrong when the registry decides; each error says how the caller should react."""

from __future__ import annotations

__all__ = [
    "ConcurrencyError",
    "InvalidTransitionError",
    "RegistryError",
    "StaleEventError",
    "UnknownModelError",
    "UnknownRunError",
    "UnknownVersionError",
]


class RegistryError(Exception):
    """Base of the registry's domain errors."""


class UnknownModelError(RegistryError, LookupError):
    """No such model in the registry."""


class UnknownVersionError(RegistryError, LookupError):
    """No such version of a known model."""


class UnknownRunError(RegistryError, LookupError):
    """An event names a run the registry has not registered (yet): retry, then dead-letter."""


class InvalidTransitionError(RegistryError):
    """The request contradicts the registry's state (HTTP 409; a consumed event is dead-lettered)."""


class StaleEventError(RegistryError):
    """An event arrived after the decision it would cause was already made: acknowledge and log."""


class ConcurrencyError(RegistryError):
    """Another writer changed the model first (optimistic lock or a unique constraint): retry."""
