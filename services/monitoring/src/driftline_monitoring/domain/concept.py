"""Concept drift: a change in the error stream of labelled predictions (river ADWIN or Page-Hinkley).

Each labelled prediction feeds its error (0/1 for a classifier, the absolute
error for a regressor) to the detector. A detection counts only when the error
went *up*: the recent errors (the last `recent` ones) are compared with the
errors before them since the last reset; a model getting better is not an
incident. Detections before `grace` errors are ignored by the detectors
themselves.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from river import drift

__all__ = ["ConceptMonitor", "ConceptShift"]

Detector = Literal["adwin", "page_hinkley"]


@dataclass(frozen=True, slots=True)
class ConceptShift:
    detector: Detector
    baseline_error: float
    recent_error: float
    samples: int
    start: datetime
    end: datetime

    @property
    def relative_increase(self) -> float:
        return (self.recent_error - self.baseline_error) / max(self.baseline_error, 1e-3)


class ConceptMonitor:
    def __init__(self, detector: Detector, delta: float, *, grace: int, recent: int = 100):
        self.detector_name: Detector = detector
        self.delta = delta
        self.grace = grace
        self.recent: deque[tuple[float, datetime]] = deque(maxlen=recent)
        self.reset()

    def reset(self) -> None:
        self.detector: drift.ADWIN | drift.PageHinkley = (
            drift.ADWIN(delta=self.delta, grace_period=self.grace)  # type: ignore[no-untyped-call]
            if self.detector_name == "adwin"
            else drift.PageHinkley(min_instances=self.grace, delta=self.delta, mode="up")
        )
        self.count = 0
        self.total = 0.0
        self.recent.clear()

    @property
    def mean_error(self) -> float | None:
        return self.total / self.count if self.count else None

    def update(self, error: float, at: datetime) -> ConceptShift | None:
        self.count += 1
        self.total += error
        self.recent.append((error, at))
        self.detector.update(error)  # type: ignore[no-untyped-call]
        if not self.detector.drift_detected:
            return None
        recent_total = sum(e for e, _ in self.recent)
        older = self.count - len(self.recent)
        baseline = (self.total - recent_total) / older if older else recent_total / len(self.recent)
        shift = ConceptShift(
            self.detector_name, baseline, recent_total / len(self.recent), self.count,
            min(t for _, t in self.recent), max(t for _, t in self.recent),
        )  # fmt: skip
        self.count, self.total = len(self.recent), recent_total  # a new regime starts here
        return shift if shift.recent_error > shift.baseline_error else None
