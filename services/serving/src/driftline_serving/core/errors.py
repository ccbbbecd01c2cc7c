"""Errors the core raises; each carries the HTTP status a transport answers with."""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BadInputError",
    "FeaturesUnavailableError",
    "ModelNotReadyError",
    "ServingError",
    "UnknownEntityError",
    "UnknownModelError",
    "VersionNotLoadedError",
]


class ServingError(Exception):
    """A request the service cannot answer; `status` is what an HTTP transport returns."""

    status: ClassVar[int] = 500


class UnknownModelError(ServingError, LookupError):
    """The spec declares no model of that name."""

    status = 404


class VersionNotLoadedError(ServingError, LookupError):
    """That version of the model is not loaded (neither champion nor challenger)."""

    status = 404


class UnknownEntityError(ServingError, LookupError):
    """The online store has no features for an entity key."""

    status = 404


class BadInputError(ServingError, ValueError):
    """The request's inputs do not fit the model."""

    status = 422


class ModelNotReadyError(ServingError):
    """The model has no champion loaded yet."""

    status = 503


class FeaturesUnavailableError(ServingError):
    """The online store cannot be read (e.g. never materialised)."""

    status = 503
