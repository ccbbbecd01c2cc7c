"""One `Deployment` per model of the spec, swapped atomically by reference.

Readers call `get` (a dict lookup: no lock on the request path); writers go through
`apply`, which holds a lock only while computing the next snapshot from the current one,
never while a model loads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from driftline_serving.core.deployment import Deployment
from driftline_serving.core.errors import UnknownModelError

__all__ = ["ModelSlots"]

Listener = Callable[[Deployment, Deployment], None]


class ModelSlots:
    def __init__(self, model_names: Iterable[str]) -> None:
        self._slots: dict[str, Deployment] = {name: Deployment(name) for name in model_names}
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    @property
    def names(self) -> list[str]:
        return sorted(self._slots)

    def get(self, name: str) -> Deployment:
        """The current snapshot of model `name`; `UnknownModelError` if the spec has none."""
        try:
            return self._slots[name]
        except KeyError:
            raise UnknownModelError(
                f"unknown model {name!r}; known: {sorted(self._slots)}"
            ) from None

    def knows(self, name: str) -> bool:
        return name in self._slots

    def apply(self, name: str, change: Callable[[Deployment], Deployment]) -> Deployment:
        """Swap in `change(current)`; listeners hear (before, after) when it differs."""
        with self._lock:
            before = self.get(name)
            after = change(before)
            if after is before:
                return after
            self._slots[name] = after
        for listener in self._listeners:
            listener(before, after)
        return after

    def subscribe(self, listener: Listener) -> None:
        """Be told of every swap (metrics, logs)."""
        self._listeners.append(listener)
