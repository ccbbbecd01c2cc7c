"""A request as the data plane sees it, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftline_serving.core.errors import ServingError
from driftline_serving.core.types import Answer

__all__ = ["Job", "Result", "Rows"]

Rows = list[dict[str, Any]]


@dataclass(slots=True)
class Job:
    """One request: explicit rows (OIP) or entity keys whose features are read (friendly)."""

    request_id: str
    started: float
    """`time.perf_counter()` when the request arrived (its latency includes the queue)."""
    rows: Rows | None = None
    entity_keys: list[str] | None = None
    overrides: dict[str, Any] | None = None
    """Values used where the online store has none (friendly path)."""
    version: int | None = None
    """Pin a loaded version instead of routing (OIP ``/versions/{v}``)."""

    def row_id(self, index: int, count: int) -> str:
        """Request id of one row: the request's own for one row, ``<id>:<index>`` for more."""
        return self.request_id if count == 1 else f"{self.request_id}:{index}"


Result = list[Answer] | ServingError
"""One answer per row, or why the request cannot be answered."""
