"""Driftline's model registry: versions, aliases, statuses, history and lineage, with an outbox."""

from driftline_registry.bootstrap import Registry, bootstrap
from driftline_registry.config import RegistrySettings

__all__ = ["Registry", "RegistrySettings", "bootstrap"]
