"""Driftline's shared library: event contract, serde, Kafka bus, settings, telemetry, CLI."""

__version__ = "0.1.0"
__all__ = ["__version__"]
