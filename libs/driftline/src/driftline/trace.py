"""Rebuild one workflow from the bus: every event sharing a correlation id, in order.

The audit trail is the topics themselves (`driftline.models` is kept forever):
`collect` reads them from the beginning, keeps the records whose
``correlation_id`` header matches, decodes them, and `summarize` states each
decision with its evidence in one line.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer

from driftline.bus.ports import Message
from driftline.bus.reading import assign_all
from driftline.bus.records import RawRecord, header_dict
from driftline.codec import EventCodec
from driftline.envelope import EnvelopeError
from driftline.events import Event
from driftline.serde import DecodeError
from driftline.settings import DriftlineSettings

__all__ = ["TraceStep", "collect", "summarize"]


@dataclass(frozen=True, slots=True)
class TraceStep:
    message: Message[Event]

    @property
    def type(self) -> str:
        return type(self.message.event).__name__

    def as_dict(self) -> dict[str, Any]:
        meta = self.message.meta
        return {
            "time": meta.time.isoformat(),
            "type": self.type,
            "source": meta.source,
            "id": meta.id,
            "causation_id": meta.causation_id,
            "topic": self.message.topic,
            "key": self.message.key,
            "summary": summarize(self.message.event),
            "event": self.message.event.model_dump(mode="json"),
        }


def collect(
    settings: DriftlineSettings,
    correlation_id: str,
    topics: Iterable[str],
    *,
    idle_timeout: float = 2.0,
    max_seconds: float = 120.0,
) -> list[TraceStep]:
    """Every decodable event of the workflow, ordered by event time then causation."""
    codec = EventCodec.from_settings(settings)
    consumer = Consumer({**settings.admin_config(), "group.id": f"driftline-trace-{uuid.uuid4()}",
                         "enable.auto.commit": False})  # fmt: skip
    assign_all(consumer, topics)
    steps: list[TraceStep] = []
    started = quiet_since = time.monotonic()
    try:
        while (
            time.monotonic() - quiet_since < idle_timeout
            and time.monotonic() - started < max_seconds
        ):
            msg = consumer.poll(0.2)
            if msg is None or msg.error():
                continue
            quiet_since = time.monotonic()
            record = RawRecord.of(msg)
            if header_dict(record.headers).get("correlation_id") != correlation_id:
                continue
            try:
                message = codec.decode(record.value, record.headers, topic=record.topic,
                                       key=record.key, partition=record.partition, offset=record.offset)  # fmt: skip
            except (DecodeError, EnvelopeError):
                continue  # undecodable records live in the dead-letter topics
            steps.append(TraceStep(message))
    finally:
        consumer.close()
    return sorted(steps, key=lambda s: (s.message.meta.time, s.message.offset))


def _fmt(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def summarize(event: Event) -> str:
    """One line: what was decided, and on which evidence."""
    data = event.model_dump()
    match type(event).__name__:
        case "DriftDetected":
            drifted = [
                f"{t['feature']}:{t['statistic']}={t['value']:.3f}"
                for t in data["tests"]
                if t["drifted"]
            ]
            detector = f" detector={data['detector']}" if data.get("detector") else ""
            return (f"{data['kind']} drift on v{data['model_version']} severity={data['severity']} "
                    f"n={data['sample_size']}{detector} {' '.join(drifted)}").strip()  # fmt: skip
        case "TrainingRequested":
            return f"reason={data['reason']!r} by {data['requested_by']} force={data['force']}"
        case "TrainingStarted":
            window = data["data_window"]
            return f"run {data['run_id']} ({data['trigger_type']}) on {window['start']:%Y-%m-%d}..{window['end']:%Y-%m-%d}"
        case "ModelTrained":
            metrics = " ".join(f"{k}={v:.4f}" for k, v in sorted(data["metrics"].items()))
            return f"run {data['run_id']} {data['estimator']} rows={data['lineage']['row_count']} {metrics} in {data['duration_seconds']:.1f}s"
        case "ModelEvaluated":
            ref = (
                data["champion_score"]
                if data["champion_score"] is not None
                else data["baseline_score"]
            )
            against = (
                f"champion v{data['champion_version']}" if data["champion_version"] else "baseline"
            )
            return (f"{data['decision'].upper()} {data['primary_metric']} {_fmt(data['challenger_score'])} vs "
                    f"{against} {_fmt(ref)} delta={_fmt(data['delta'])} "
                    f"CI=[{_fmt(data['ci_low'])}, {_fmt(data['ci_high'])}] p={_fmt(data['p_value'])} "
                    f"min_improvement={data['min_improvement']}")  # fmt: skip
        case "ModelRegistered":
            return f"version {data['version']} ({data['status']}) run {data['run_id']}"
        case "ModelPromoted":
            previous = f" replacing v{data['previous_version']}" if data["previous_version"] else ""
            return f"v{data['version']} -> champion ({data['rollout']}){previous}: {data['reason']}"
        case "ModelRejected":
            return f"v{data['version']} rejected: {data['reason']}"
        case "ModelRolledBack":
            return f"v{data['from_version']} -> v{data['to_version']}: {data['reason']}"
        case "ModelRetired":
            return f"v{data['version']} retired ({data['reason']}) archive={data['archive_uri']}"
        case "TrainingFailed":
            return f"{data['error_type']}: {data['reason']}"
        case "CanaryVerdict":
            return f"canary v{data['canary_version']} vs v{data['champion_version']}: {data['verdict']} (n={data['sample_size']})"
        case "DataIngested":
            return f"{data['dataset']} batch {data['batch_id']}: {data['row_count']} rows, {data['rejected_count']} rejected"
        case _:
            return ", ".join(f"{k}={v}" for k, v in list(data.items())[:4])
