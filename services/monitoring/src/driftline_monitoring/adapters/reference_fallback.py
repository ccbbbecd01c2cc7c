"""The fallback chain: try the platform, else learn from traffic, and say so loudly."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from driftline_monitoring.adapters.ports import ReferenceSource, ReferenceUnavailableError
from driftline_monitoring.domain import Reference

__all__ = ["FallbackReferenceSource", "FirstWindowReferenceSource", "StaticReferenceSource"]

log = logging.getLogger(__name__)


class FirstWindowReferenceSource:
    """Always learn the reference from the version's first window of traffic."""

    def load(self, model: str, version: int) -> Reference | None:
        return None


class StaticReferenceSource:
    """References given up front, by model (any version); unknown models learn from traffic."""

    def __init__(self, references: Mapping[str, Reference]) -> None:
        self.references = dict(references)

    def load(self, model: str, version: int) -> Reference | None:
        return self.references.get(model)


class FallbackReferenceSource:
    """`primary`, or -- when it cannot answer -- the version's first window, with an error log."""

    def __init__(self, primary: ReferenceSource, *, window_of: Mapping[str, int]) -> None:
        self.primary = primary
        self.window_of = window_of
        self.fallbacks = 0

    def load(self, model: str, version: int) -> Reference | None:
        try:
            return self.primary.load(model, version)
        except ReferenceUnavailableError as exc:
            self.fallbacks += 1
            log.error(
                "drift reference of %s v%s unavailable (%s): learning it from the first %s "
                "predictions that version serves -- drift already present in them will not show",
                model, version, exc, self.window_of.get(model, "?"),
                extra={"model": model, "version": version, "reason": str(exc)},
            )  # fmt: skip
            return None
