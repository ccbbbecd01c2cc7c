"""Problems found in a batch, column by column, and the per-row rejections they add up to.

Checks are vectorised: each yields one boolean mask over the batch. Only the
rows that fail are visited one by one, to write their reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

__all__ = ["Issue", "Mask", "RejectedRow", "render_value"]

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Issue:
    """Rows where `field` (None: the row as a whole) fails one check, and why."""

    field: str | None
    mask: Mask
    reason: str | Callable[[int], str]
    """A fixed text, or a function of the row index for row-specific reasons."""
    show_value: bool = True
    """Append the offending value to the reason."""
    exclusive: bool = False
    """When the row has this problem, its other problems are consequences: omit them."""

    def describe(self, row: int, value: Callable[[int, str], Any]) -> str:
        reason = self.reason if isinstance(self.reason, str) else self.reason(row)
        if self.field is None:
            return reason
        text = f"{self.field}: {reason}"
        if self.show_value:
            text += f" (got {render_value(value(row, self.field))})"
        return text


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """One refused row: its position in the batch, the first field to blame, every reason."""

    row_index: int
    field: str | None
    reason: str
    raw: str


def render_value(value: Any, limit: int = 80) -> str:
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= limit else text[: limit - 3] + "..."
