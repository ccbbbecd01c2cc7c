"""Ports (`ports.py`) and their implementations: offline store, upload bodies, record decoder."""

__all__: list[str] = []
