"""Errors the service's decisions raise; transports map them to status codes or dead letters."""

from __future__ import annotations

__all__ = ["BatchRejectedError", "UnknownNameError", "WindowError"]


class BatchRejectedError(ValueError):
    """An ingested batch cannot be materialised; the message says why (it is dead-lettered)."""


class UnknownNameError(LookupError):
    """A dataset, model or feature that the spec does not declare."""


class WindowError(ValueError):
    """A time window that is empty, reversed or not timezone-aware."""
