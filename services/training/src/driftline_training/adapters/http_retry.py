"""Calling a sibling service: retries with backoff on transport errors and 5xx answers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

from driftline_training.domain.errors import DependencyUnavailableError

__all__ = ["RetryingCaller"]

log = logging.getLogger(__name__)


class RetryingCaller:
    """Runs one HTTP call up to `attempts` times; 4xx answers are returned, not retried."""

    def __init__(
        self, attempts: int, backoff_s: float, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.attempts = attempts
        self.backoff_s = backoff_s
        self._sleep = sleep

    def __call__(self, what: str, send: Callable[[], httpx.Response]) -> httpx.Response:
        error = "no attempt made"
        for attempt in range(1, self.attempts + 1):
            try:
                response = send()
            except httpx.TransportError as exc:
                error = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 500:
                    return response
                error = f"HTTP {response.status_code}: {response.text[:300]}"
            log.warning("call failed", extra={"call": what, "attempt": attempt, "error": error})
            if attempt < self.attempts:
                self._sleep(self.backoff_s * 2 ** (attempt - 1))
        raise DependencyUnavailableError(f"{what} failed after {self.attempts} attempt(s): {error}")
