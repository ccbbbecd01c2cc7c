"""The workers that run beside the API, for `python -m driftline_serving worker` (no API).

The usual process (`python -m driftline_serving`) runs them in threads next to the API;
this entry point runs only the lifecycle consumer and the champion read, for checking a
deployment's event flow without serving traffic.
"""

from __future__ import annotations

import logging
import signal
import threading

from driftline_serving.bootstrap import ServingService

__all__ = ["run_workers"]

log = logging.getLogger(__name__)


def run_workers(service: ServingService) -> None:
    """Run every worker until SIGTERM or SIGINT, then stop them in order."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _s, _f: stop.set())
    threads = [threading.Thread(target=w.run, name=type(w).__name__, daemon=True)
               for w in service.workers()]  # fmt: skip
    for thread in threads:
        thread.start()
    stop.wait()
    for worker in service.workers():
        worker.stop()
    for thread in threads:
        thread.join(30)
