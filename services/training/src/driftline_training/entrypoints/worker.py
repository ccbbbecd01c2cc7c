"""The trigger consumer: TrainingRequested and DriftDetected from ``driftline.models``."""

from __future__ import annotations

from driftline.bus import SqliteDedupeStore, Subscriber
from driftline.codec import EventCodec

from driftline_training.bootstrap import TrainingApp

__all__ = ["build_subscriber"]

TOPICS = ("driftline.models",)


def build_subscriber(app: TrainingApp) -> Subscriber:
    """A consumer-group member feeding the routing table; event ids deduped on disk."""
    settings = app.settings
    common = settings.common
    return Subscriber(
        settings=common,
        codec=EventCodec.from_settings(common),
        service="training",
        group_id=settings.group_id,
        topics=TOPICS,
        handlers=app.handlers,
        dedupe=SqliteDedupeStore(common.state_dir / "training-dedupe.db"),
    )
