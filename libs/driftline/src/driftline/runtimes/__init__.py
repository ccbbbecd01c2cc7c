"""Model runtimes by flavor name: ``get_runtime(spec.model(m).flavor)``.

Built-in runtimes are listed in `BUILTIN_RUNTIMES` and imported on first use (so
importing this package does not import any framework). Other packages add a
flavor through the ``driftline.runtimes`` entry-point group, e.g.::

    [project.entry-points."driftline.runtimes"]
    xgboost = "my_package.runtime:XGBoostRuntime"

or at run time with `register_runtime` (tests, notebooks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points

from driftline.runtimes.base import (
    Frame,
    ModelRuntime,
    RuntimeConfigError,
    Task,
    UnknownFlavorError,
    UntrustedArtifactError,
)

__all__ = [
    "BUILTIN_RUNTIMES",
    "ENTRY_POINT_GROUP",
    "Frame",
    "ModelRuntime",
    "RuntimeConfigError",
    "Task",
    "UnknownFlavorError",
    "UntrustedArtifactError",
    "available_flavors",
    "get_runtime",
    "register_runtime",
]

ENTRY_POINT_GROUP = "driftline.runtimes"
BUILTIN_RUNTIMES: dict[str, str] = {"sklearn": "driftline.runtimes.sklearn:SklearnRuntime"}
"""flavor -> ``module:Class`` of the runtimes that ship with the library."""

RuntimeFactory = Callable[[], ModelRuntime]
_registered: dict[str, RuntimeFactory] = {}
_instances: dict[str, ModelRuntime] = {}
_lock = threading.Lock()


def register_runtime(flavor: str, factory: RuntimeFactory) -> None:
    """Make `flavor` available; replaces an earlier registration of the same name."""
    with _lock:
        _registered[flavor] = factory
        _instances.pop(flavor, None)


def available_flavors() -> list[str]:
    """Every flavor `get_runtime` can return: built-in, registered and entry points."""
    plugged = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(set(BUILTIN_RUNTIMES) | set(_registered) | plugged)


def get_runtime(flavor: str) -> ModelRuntime:
    """The runtime of `flavor` (one shared, stateless instance per flavor)."""
    with _lock:
        if flavor not in _instances:
            runtime = _find(flavor)()
            if not isinstance(runtime, ModelRuntime):
                raise TypeError(f"runtime factory for {flavor!r} gave {type(runtime).__name__}")
            _instances[flavor] = runtime
        return _instances[flavor]


def _find(flavor: str) -> RuntimeFactory:
    if flavor in _registered:
        return _registered[flavor]
    if flavor in BUILTIN_RUNTIMES:
        module, _, name = BUILTIN_RUNTIMES[flavor].partition(":")
        factory: RuntimeFactory = getattr(import_module(module), name)
        return factory
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=flavor):
        loaded: RuntimeFactory = ep.load()
        return loaded
    raise UnknownFlavorError(
        f"no model runtime for flavor {flavor!r}; available: {available_flavors()} "
        f"(add one through the {ENTRY_POINT_GROUP!r} entry-point group)"
    )
