"""Transports: the faust worker and the HTTP API. They translate; handlers decide."""

from driftline_monitoring.entrypoints.api import create_api
from driftline_monitoring.entrypoints.worker import BatchHandler, create_worker

__all__ = ["BatchHandler", "create_api", "create_worker"]
