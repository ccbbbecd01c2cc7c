"""What the demo measured: detection delay, drift-to-champion time, accuracy before and after."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

from driftline.demo.lifecycle import LifecycleTail
from driftline.demo.replay import Served

__all__ = ["Summary", "auc", "summarize_run"]


def auc(rows: list[Served]) -> float | None:
    labels = [r.label for r in rows]
    if len(rows) < 50 or len(set(labels)) < 2:
        return None
    return float(roc_auc_score(labels, [r.score for r in rows]))


@dataclass(frozen=True)
class Summary:
    drift_index: int
    served: int
    first_version: int | None
    new_version: int | None
    false_alarms_before_drift: int
    detection_index: int | None
    detection_delay_predictions: int | None
    detection_delay_seconds: float | None
    detected_kind: str | None
    drift_to_champion_seconds: float | None
    detection_to_champion_seconds: float | None
    predictions_after_swap: int
    auc_before_drift: float | None
    auc_after_drift_old_model: float | None
    auc_new_model: float | None
    old_version_retired: bool
    archive_uri: str | None
    incident_correlation_id: str | None
    incident_events: list[str]
    """Event types of the drift incident's workflow, in the order they were seen."""
    dead_letters: int
    loop_closed: bool
    incident_timeline: list[tuple[str, float]] = field(default_factory=list)
    """(event type, seconds after DriftDetected) of the incident's events, as seen on the bus;
    the new champion's first answer is the last entry (``served``)."""
    training_rows: int | None = None
    """Rows in the incident's training set (ModelTrained's lineage)."""
    training_seconds: float | None = None
    """Wall time of the incident's training run (ModelTrained)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _workflow(tail: LifecycleTail, correlation_id: str | None) -> list[str]:
    seen = tail.events()
    return [
        e.type for e in seen if correlation_id and e.message.meta.correlation_id == correlation_id
    ]


def summarize_run(served: list[Served], tail: LifecycleTail, drift_index: int) -> Summary:
    served = sorted(served, key=lambda s: s.index)
    first = served[0].version if served else None
    drift_row = next((s for s in served if s.index >= drift_index), None)
    t_drift = drift_row.at if drift_row else None
    detections = tail.events("DriftDetected")
    false_alarms = [d for d in detections if t_drift is None or d.at < t_drift]
    detection = next((d for d in detections if t_drift is not None and d.at >= t_drift), None)
    promoted = None
    if detection is not None:
        promoted = next((p for p in tail.events("ModelPromoted")
                         if p.at >= detection.at and p.get("version") != first), None)  # fmt: skip
    new_version: int | None = promoted.get("version") if promoted else None
    swap = next((s for s in served if new_version is not None and s.version == new_version), None)
    det_index = None if detection is None else sum(1 for s in served if s.at <= detection.at)
    retired = tail.first("ModelRetired", version=first) if first is not None else None
    old = [s for s in served if s.version == first]
    closed = bool(detection and swap and retired)
    timeline: list[tuple[str, float]] = []
    trained = None
    if detection is not None:
        incident = detection.message.meta.correlation_id
        for seen in tail.events():
            if seen.message.meta.correlation_id == incident:
                timeline.append((seen.type, round(seen.at - detection.at, 3)))
                trained = seen if seen.type == "ModelTrained" else trained
        if swap is not None:
            timeline.append(("served", round(swap.at - detection.at, 3)))
    return Summary(
        drift_index=drift_index,
        served=len(served),
        first_version=first,
        new_version=new_version,
        false_alarms_before_drift=len(false_alarms),
        detection_index=det_index,
        detection_delay_predictions=None if det_index is None else det_index - drift_index,
        detection_delay_seconds=None
        if detection is None or t_drift is None
        else detection.at - t_drift,
        detected_kind=detection.get("kind") if detection else None,
        drift_to_champion_seconds=None if swap is None or t_drift is None else swap.at - t_drift,
        detection_to_champion_seconds=None
        if swap is None or detection is None
        else swap.at - detection.at,
        predictions_after_swap=sum(
            1 for s in served if new_version is not None and s.version == new_version
        ),
        auc_before_drift=auc([s for s in old if s.index < drift_index]),
        auc_after_drift_old_model=auc([s for s in old if s.index >= drift_index]),
        auc_new_model=auc(
            [s for s in served if new_version is not None and s.version == new_version]
        ),
        old_version_retired=retired is not None,
        archive_uri=retired.get("archive_uri") if retired else None,
        incident_correlation_id=detection.message.meta.correlation_id if detection else None,
        incident_events=_workflow(
            tail, detection.message.meta.correlation_id if detection else None
        ),
        dead_letters=len(tail.dead_letters),
        loop_closed=closed,
        incident_timeline=timeline,
        training_rows=trained.get("lineage").row_count if trained else None,
        training_seconds=trained.get("duration_seconds") if trained else None,
    )
