"""Publishing the run store's outbox, in order, and building caused-by envelopes.

Events are written to the store in the same transaction as the state change
they announce, then published from here; a crash in between re-publishes them
with the same ce_id on restart, and consumers dedupe by that id.
"""

from __future__ import annotations

import logging
import threading

from driftline.bus.ports import Publisher
from driftline.events import Event

from driftline_training.adapters.ports import Outgoing, RunStore
from driftline_training.domain.model import Trigger

__all__ = ["OutboxRelay", "caused_by"]

log = logging.getLogger(__name__)


def caused_by(trigger: Trigger, event: Event, source: str) -> Outgoing:
    """`event` with an envelope in the trigger's workflow: same correlation id, caused by it."""
    return Outgoing(event, trigger.meta.caused(type(event).__avro_name__, source))


class OutboxRelay:
    def __init__(self, store: RunStore, publisher: Publisher) -> None:
        self._store = store
        self._publisher = publisher
        self._lock = threading.Lock()

    def flush(self) -> bool:
        """Publish every stored event, oldest first; False if the broker refused one."""
        with self._lock:
            for seq, outgoing in self._store.outbox():
                try:
                    self._publisher.publish(outgoing.event, meta=outgoing.meta)
                except Exception:
                    log.warning("publishing failed; the event stays in the outbox", exc_info=True)
                    return False
                self._store.sent(seq)
        return True
