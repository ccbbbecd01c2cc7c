"""The background loop: finish deferred work often, sweep on schedule.

Runs beside the Kafka subscriber in the service process (see `__main__`). Every
`resume_interval` it finishes outstanding retirements (the registry was down,
the broker did not acknowledge); every `sweep_interval` it runs a full sweep.
A failing round is logged and retried at the next tick: a registry outage must
not take the whole service down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from driftline_retirement.operations import Retirer, Sweeper

__all__ = ["SweepLoop"]

log = logging.getLogger(__name__)


class SweepLoop:
    """A `driftline.runner.Worker`: `run()` until `stop()`."""

    def __init__(
        self,
        sweeper: Sweeper,
        retirer: Retirer,
        *,
        sweep_interval: float,
        resume_interval: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sweeper, self.retirer = sweeper, retirer
        self.sweep_interval, self.resume_interval = sweep_interval, resume_interval
        self._monotonic = monotonic
        self._stop = threading.Event()
        self.rounds = 0

    def run(self) -> None:
        next_sweep = self._monotonic() + self.sweep_interval
        while not self._stop.wait(
            max(0.0, min(self.resume_interval, next_sweep - self._monotonic()))
        ):
            try:
                if self._monotonic() >= next_sweep:
                    next_sweep = self._monotonic() + self.sweep_interval
                    self.sweeper.sweep("schedule")
                else:
                    self.retirer.resume()
            except Exception:
                log.exception("background retirement round failed; retrying at the next tick")
            self.rounds += 1

    def stop(self) -> None:
        self._stop.set()
