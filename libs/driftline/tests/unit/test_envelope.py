"""The CloudEvents envelope in Kafka headers, and how workflows are chained."""

from __future__ import annotations

import pytest
from driftline.envelope import EnvelopeError, Metadata


def test_headers_round_trip_every_attribute() -> None:
    meta = Metadata(type="driftline.events.ModelTrained", source="driftline/training")
    names = [name for name, _ in meta.to_headers()]
    assert {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"} <= set(
        names
    )
    assert Metadata.from_headers(meta.to_headers()) == meta


def test_first_event_opens_a_workflow_named_after_itself() -> None:
    meta = Metadata(type="t", source="s")
    assert meta.correlation_id == meta.id
    assert meta.causation_id is None


def test_caused_event_keeps_workflow_and_trace_and_points_at_its_cause() -> None:
    cause = Metadata(type="a", source="s")
    effect = cause.caused("b", "other")
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.id
    assert effect.trace_id == cause.trace_id
    assert effect.traceparent != cause.traceparent
    assert effect.id != cause.id


def test_missing_ids_are_an_envelope_error() -> None:
    with pytest.raises(EnvelopeError, match="ce_id"):
        Metadata.from_headers([("ce_type", b"x"), ("ce_source", b"y")])


def test_bad_time_is_an_envelope_error() -> None:
    headers = Metadata(type="t", source="s").to_headers()
    headers = [(k, b"yesterday" if k == "ce_time" else v) for k, v in headers]
    with pytest.raises(EnvelopeError, match="ce_time"):
        Metadata.from_headers(headers)
