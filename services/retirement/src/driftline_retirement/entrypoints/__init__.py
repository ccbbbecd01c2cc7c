"""Transports: the HTTP API (`api.create_api`) and the background loop (`worker.SweepLoop`).

They translate a request or a clock tick into a call on the operations and
decide nothing themselves. Import the modules directly; nothing here is eager.
"""

__all__: list[str] = []
