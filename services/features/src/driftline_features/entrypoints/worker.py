"""The consumer entrypoint: DataIngested records -> `handlers.materialize` (via the shared Subscriber)."""

from __future__ import annotations

from driftline.bus import Subscriber

from driftline_features.bootstrap import FeatureService

__all__ = ["build_worker"]


def build_worker(service: FeatureService) -> Subscriber:
    """The Subscriber of group `features` on the data topic, routing DataIngested to its handler."""
    return service.subscriber()
