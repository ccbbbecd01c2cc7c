"""Run one service process: its HTTP API in the foreground, its consumers in threads.

Uvicorn owns SIGTERM/SIGINT; when it exits, every worker is asked to stop, then
joined, so a service shuts down in order: no new requests, current events
finished and committed, consumer group left.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from collections.abc import Sequence
from typing import Protocol

import uvicorn
from fastapi import FastAPI

__all__ = ["Worker", "serve"]

log = logging.getLogger(__name__)


class Worker(Protocol):
    """A long-running loop, e.g. a `Subscriber` (run/stop) or an outbox relay."""

    def run(self) -> None: ...

    def stop(self) -> None: ...


def _reusable_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(
    app: FastAPI,
    *,
    host: str,
    port: int,
    workers: Sequence[Worker] = (),
    join_timeout: float = 30.0,
    reuse_port: bool = False,
) -> None:
    """Serve `app` until SIGTERM/SIGINT, the workers beside it; `reuse_port` binds with
    SO_REUSEPORT so several processes can share the port (the kernel spreads connections)."""
    failures: list[BaseException] = []

    def guarded(worker: Worker) -> None:
        try:
            worker.run()
        except BaseException as exc:  # surface, do not die silently in a thread
            log.exception("worker crashed", extra={"worker": type(worker).__name__})
            failures.append(exc)
            server.should_exit = True

    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    threads = [
        threading.Thread(target=guarded, args=(w,), name=type(w).__name__, daemon=True)
        for w in workers
    ]
    for thread in threads:
        thread.start()
    # uvicorn re-raises the signal it shut down on after restoring the previous handler; with
    # the default SIGTERM handler that would kill the process before the workers below stop.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        server.run(sockets=[_reusable_socket(host, port)] if reuse_port else None)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.join(join_timeout)
            if thread.is_alive():
                log.error("worker did not stop in time", extra={"worker": thread.name})
    if failures:
        raise SystemExit(f"a worker crashed: {failures[0]!r}")
