"""Replay the demo's business through the platform: history, then live traffic with late labels."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from driftline.demo.clients import Platform, wait_until

__all__ = ["Replay", "Served"]

FEATURES = ("income", "loan_amount", "credit_score", "age", "debt_to_income", "employment_years",
            "region", "has_mortgage")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Served:
    index: int
    at: float
    """time.monotonic() when the answer came back."""
    version: int
    score: float
    label: int


def _rows(
    frame: pd.DataFrame, *, with_label: bool, event_time: datetime | None = None
) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {"application_id": record["application_id"]}
        stamp = event_time or record["event_time"]
        row["event_time"] = stamp.isoformat()
        for name in FEATURES:
            value = record[name]
            row[name] = value.item() if hasattr(value, "item") else value
        if with_label:
            row["defaulted"] = int(record["defaulted"])
        rows.append(row)
    return rows


@dataclass
class Replay:
    platform: Platform
    chunk: int = 100
    label_delay: int = 200
    workers: int = 4
    rate: float | None = 100.0
    """Live applications per second (None: as fast as the platform answers)."""
    predict_batch: int = 0
    """Entity keys per predict request; 0: one request per key, as single clients send them."""
    served: list[Served] = field(default_factory=list)
    progress: Callable[[int], None] = lambda _: None
    stop: Callable[[], bool] = lambda: False
    """Checked after each chunk: end the live replay early (the loop has closed)."""
    _ids: dict[int, str] = field(default_factory=dict)
    """Request ids of batched predictions by row, until their labels are sent."""

    def history(self, frame: pd.DataFrame, batch: int = 2000) -> int:
        """Labelled history through the ingestion API; returns rows accepted."""
        accepted = 0
        for start in range(0, len(frame), batch):
            part = frame.iloc[start : start + batch]
            receipt = self.platform.post_records(f"history-{start}", _rows(part, with_label=True))
            accepted += int(receipt["accepted"])
        last = str(frame["application_id"].iloc[-1])
        wait_until(lambda: self.platform.online(last), 120, f"history in the online store ({last})")
        return accepted

    def live(self, frame: pd.DataFrame) -> None:
        """Records (now-stamped) -> online -> predictions -> labels `label_delay` rows later."""
        stamps: dict[int, datetime] = {}
        labelled = 0
        began = time.monotonic()
        with ThreadPoolExecutor(self.workers) as pool:
            for start in range(0, len(frame), self.chunk):
                if self.rate:  # live traffic arrives at its own pace, not as fast as we can send it
                    time.sleep(max(0.0, began + start / self.rate - time.monotonic()))
                part = frame.iloc[start : start + self.chunk]
                now = datetime.now(UTC)
                rows = _rows(part, with_label=False, event_time=now)
                for i in range(start, start + len(part)):
                    stamps[i] = now
                self.platform.post_records(f"live-{start}", rows)
                last: str = rows[-1]["application_id"]
                wait_until(
                    lambda key=last: self.platform.online(key),  # type: ignore[misc]
                    60,
                    f"live rows online ({last})",
                    0.05,
                )
                keys = [
                    (start + j, r["application_id"], int(part["defaulted"].iloc[j]))
                    for j, r in enumerate(rows)
                ]
                if self.predict_batch:
                    size = self.predict_batch
                    groups = [keys[i : i + size] for i in range(0, len(keys), size)]
                    for answered in pool.map(self._predict_many, groups):
                        self.served += answered
                else:
                    self.served += pool.map(self._predict, keys)
                self.progress(start + len(part))
                due = max(0, start + len(part) - self.label_delay)
                if due > labelled:
                    self._labels(frame, labelled, due, stamps)
                    labelled = due
                if self.stop():
                    break

    def _predict(self, item: tuple[int, str, int]) -> Served:
        index, key, label = item
        answer = self.platform.predict(key, f"req-{key}")
        return Served(
            index, time.monotonic(), int(answer["model_version"]), float(answer["score"]), label
        )

    def _predict_many(self, items: list[tuple[int, str, int]]) -> list[Served]:
        answers = self.platform.predict_many([key for _, key, _ in items], f"req-{items[0][1]}")
        served = []
        for (index, _, label), answer in zip(items, answers, strict=True):
            self._ids[index] = answer["request_id"]
            served.append(Served(index, time.monotonic(), int(answer["model_version"]),
                                 float(answer["score"]), label))  # fmt: skip
        return served

    def _labels(
        self, frame: pd.DataFrame, start: int, end: int, stamps: dict[int, datetime]
    ) -> None:
        part = frame.iloc[start:end]
        labels = [
            {"prediction_id": self._ids.pop(start + j, f"req-{key}"), "application_id": key,
             "event_time": stamps[start + j].isoformat(), "defaulted": int(y)}
            for j, (key, y) in enumerate(zip(part["application_id"], part["defaulted"], strict=True))
        ]  # fmt: skip
        self.platform.post_labels(f"labels-{start}-{end}", labels)
