"""Transports that only translate: the HTTP API (`api.py`) and the Kafka worker (`worker.py`)."""

__all__: list[str] = []
