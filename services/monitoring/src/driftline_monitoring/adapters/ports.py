"""The monitoring service's ports: where references come from, where durable state goes."""

from __future__ import annotations

from typing import Any, Protocol

from driftline_monitoring.domain import Reference

__all__ = ["ReferenceSource", "ReferenceUnavailableError", "StateStore"]


class ReferenceUnavailableError(RuntimeError):
    """The reference of a model version could not be loaded; the message says why."""


class ReferenceSource(Protocol):
    def load(self, model: str, version: int) -> Reference | None:
        """The version's reference profile; None means "learn it from its first window".

        Raises `ReferenceUnavailableError` when the source cannot answer.
        """
        ...


class StateStore(Protocol):
    """Keeps the durable part of the monitors (a JSON-able mapping) across restarts."""

    def load(self) -> dict[str, Any] | None: ...

    def save(self, state: dict[str, Any]) -> None: ...
