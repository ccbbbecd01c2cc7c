"""One contract for every processed-event store (STYLE rule 8)."""

from __future__ import annotations

from pathlib import Path

from driftline.bus.dedupe import DedupeStore, MemoryDedupeStore, SqliteDedupeStore


class DedupeStoreContract:
    def make(self, tmp_path: Path) -> DedupeStore:
        raise NotImplementedError

    def test_unknown_id_is_not_seen(self, tmp_path: Path) -> None:
        assert not self.make(tmp_path).seen("a")

    def test_marked_id_is_seen(self, tmp_path: Path) -> None:
        store = self.make(tmp_path)
        store.mark("a")
        assert store.seen("a")
        assert not store.seen("b")

    def test_marking_twice_is_harmless(self, tmp_path: Path) -> None:
        store = self.make(tmp_path)
        store.mark("a")
        store.mark("a")
        assert store.seen("a")


class TestMemoryDedupeStore(DedupeStoreContract):
    def make(self, tmp_path: Path) -> DedupeStore:
        return MemoryDedupeStore()

    def test_forgets_oldest_beyond_capacity(self, tmp_path: Path) -> None:
        store = MemoryDedupeStore(capacity=2)
        for event_id in "abc":
            store.mark(event_id)
        assert not store.seen("a")
        assert store.seen("c")


class TestSqliteDedupeStore(DedupeStoreContract):
    def make(self, tmp_path: Path) -> DedupeStore:
        return SqliteDedupeStore(tmp_path / "dedupe.db")

    def test_remembers_across_restarts(self, tmp_path: Path) -> None:
        first = SqliteDedupeStore(tmp_path / "dedupe.db")
        first.mark("a")
        first.close()
        assert SqliteDedupeStore(tmp_path / "dedupe.db").seen("a")
