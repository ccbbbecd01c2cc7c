"""The data-plane benchmark's view of the online store: how many entities a Feast SQLite online
table holds (polled while waiting for a phase to land), and a read-back through the features
service that compares what it serves with what was sent."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from driftline.spec import ProjectSpec


class OnlineCounter:
    """Entities in a Feast SQLite online table (one row per entity and feature).

    Calling it is the cheap upper bound polled while waiting: ``MAX(rowid)`` (the table has
    rowids, rows are only ever inserted or updated in place, so it is at least the row count);
    `exact` is ``COUNT(*)``, which confirms. Each query runs to its end, so no read snapshot
    stays open between polls to hold back the writer's WAL checkpoints.
    """

    def __init__(self, path: Path, table: str, width: int) -> None:
        self.path, self.width = path, width
        self.table = '"' + table.replace('"', '""') + '"'  # a name from the spec
        self.db: sqlite3.Connection | None = None

    def _rows(self, sql: str) -> int:
        try:
            if self.db is None:
                if not self.path.exists():
                    return 0
                self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            return int(self.db.execute(sql).fetchall()[0][0] or 0)
        except sqlite3.OperationalError:  # the table is not there yet
            return 0

    def __call__(self) -> int:
        return self._rows(f"SELECT MAX(rowid) FROM {self.table}") // self.width

    def exact(self) -> int:
        return self._rows(f"SELECT COUNT(*) FROM {self.table}") // self.width

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


def wait_online(count: OnlineCounter, target: int, procs: dict[str, subprocess.Popen[bytes]],
                poll: float, timeout: float, logs: Path) -> float:  # fmt: skip
    """perf_counter() when `count()` first reaches `target`; fails if a service dies."""
    deadline = time.monotonic() + timeout
    while True:
        if count() >= target:
            reached = time.perf_counter()
            if count.exact() >= target:
                return reached
        dead = [name for name, p in procs.items() if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            why = f"{', '.join(dead)} exited" if dead else f"{timeout:.0f} s passed"
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in logs.glob("*.log"))
            raise SystemExit(f"only {count.exact()} of {target} entities online: {why}\n{tails}")
        time.sleep(poll)


def check_sample(features_url: str, dataset: str, rows: list[dict[str, Any]], spec: ProjectSpec,
                 sample: int = 200) -> int:  # fmt: skip
    """Read `sample` sent records back through the features API; count wrong or missing values."""
    ds = spec.dataset(dataset)
    picked = rows[:: max(1, len(rows) // sample)][:sample]
    got = httpx.post(f"{features_url}/online-features", timeout=30,
                     json={"dataset": dataset, "entity_keys": [r[ds.entity_key] for r in picked]})  # fmt: skip
    got.raise_for_status()
    wrong = 0
    for sent, result in zip(picked, got.json()["results"], strict=True):
        values = result["features"]
        if values is None:
            wrong += len(ds.features)
            continue
        for name in ds.features:
            a, b = sent[name], values.get(name)
            same = abs(a - b) < 1e-9 if isinstance(a, float) and b is not None else a == b
            wrong += not same
    return wrong
