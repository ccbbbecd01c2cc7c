"""The champion of every model, read from the registry at start (in the background).

It waits until the lifecycle consumer is positioned (so no promotion can fall between the
registry's answer and the first event consumed), then asks the registry for each model's
champion, retrying with backoff while the registry is down. A model without a champion (404)
is simply not ready, while the service is (the stack starts before the first model exists):
its first promotion will arrive as an event. A champion that fails to load is retried, and
keeps the service unready. A champion installed by an event in the meantime wins over the
registry's (older) answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from driftline_serving.core import ChampionSource, ModelLoader, ModelSlots

__all__ = ["StartupLoader"]

log = logging.getLogger(__name__)


class StartupLoader:
    def __init__(
        self,
        slots: ModelSlots,
        source: ChampionSource,
        loader: ModelLoader,
        *,
        wait_positioned: Callable[[float], bool] | None = None,
        wait_timeout: float = 30.0,
        first_delay: float = 0.5,
        max_delay: float = 30.0,
    ) -> None:
        self.slots, self.source, self.loader = slots, source, loader
        self.wait_positioned, self.wait_timeout = wait_positioned, wait_timeout
        self.first_delay, self.max_delay = first_delay, max_delay
        self.status: dict[str, str] = dict.fromkeys(slots.names, "pending")
        self.done = threading.Event()
        self._stop = threading.Event()

    def run(self) -> None:
        if self.wait_positioned is not None and not self.wait_positioned(self.wait_timeout):
            log.warning("lifecycle consumer not positioned in time; reading the registry anyway",
                        extra={"waited_s": self.wait_timeout})  # fmt: skip
        pending, delay = list(self.slots.names), self.first_delay
        while pending and not self._stop.is_set():
            pending = [name for name in pending if not self._try(name)]
            if pending:
                self._stop.wait(delay)
                delay = min(delay * 2, self.max_delay)
        self.done.set()
        self._stop.wait()  # a Worker runs until stopped

    def _try(self, name: str) -> bool:
        """True when the model is settled (its champion loaded, or none); False: retry later."""
        try:
            ref = self.source.champion(name)
        except Exception as exc:
            self.status[name] = f"registry unavailable: {exc}"
            log.warning(
                "registry unavailable; will retry", extra={"model": name, "error": str(exc)}
            )
            return False
        if ref is None:
            self.status[name] = "no champion yet"
            log.info("no champion yet; waiting for a promotion", extra={"model": name})
            return True
        try:
            model = self.slots.get(name).loaded(ref.version) or self.loader.load(ref)
        except Exception as exc:
            self.status[name] = f"champion v{ref.version} failed to load: {exc}"
            log.exception("the registry's champion cannot be loaded; will retry",
                          extra={"model": name})  # fmt: skip
            return False
        self.slots.apply(name, lambda d: d.with_initial(model))
        self.status[name] = f"champion v{ref.version} loaded"
        return True

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> bool | str:
        """Readiness: every model's champion was looked up (models without one are fine)."""
        if self.done.is_set():
            return True
        return "; ".join(
            f"{name}: {status}"
            for name, status in self.status.items()
            if not status.startswith(("no champion", "champion v")) or "failed" in status
        )
