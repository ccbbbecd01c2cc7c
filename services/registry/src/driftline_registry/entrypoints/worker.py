"""The registry's background workers: the lifecycle-event consumer and the outbox relay."""

from __future__ import annotations

from driftline.runner import Worker

from driftline_registry.bootstrap import Registry

__all__ = ["workers"]


def workers(registry: Registry) -> list[Worker]:
    """What `driftline.runner.serve` runs beside the API: consumer first, then the relay."""
    found: list[Worker] = [registry.relay]
    if registry.subscriber is not None:
        found.insert(0, registry.subscriber)
    return found
