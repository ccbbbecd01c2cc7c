"""The bus against a real broker: delivery, dead letters, dedupe, redelivery after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer
from driftline.bus import KafkaPublisher, Message, RetryPolicy, Subscriber, routes
from driftline.bus.records import header_dict
from driftline.catalog import Catalog
from driftline.codec import EventCodec
from driftline.envelope import Metadata
from driftline.events import ModelRetired
from driftline.settings import DriftlineSettings
from driftline.testing.kafka import read_topic

pytestmark = pytest.mark.integration
HERE = Path(__file__).parent


def retired(model: str, version: int = 1) -> ModelRetired:
    return ModelRetired(model_name=model, version=version, reason="replaced", retired_by="test")


def subscriber(
    settings: DriftlineSettings,
    handler: Callable[[Message[Any]], None],
    topic: str = "driftline.models",
    **kw: Any,
) -> Subscriber:
    return Subscriber(
        settings=settings,
        codec=EventCodec.from_settings(settings),
        service="test",
        group_id=f"test-{uuid.uuid4()}",
        topics=[topic],
        handlers=routes({ModelRetired: handler}),
        **kw,
    )


def private_topic(settings: DriftlineSettings) -> str:
    """A topic (and its dead-letter twin) of this test only: poison must not reach other tests."""
    from driftline.bus import ensure_topics
    from driftline.catalog import TopicSpec

    name = f"test.poison.{uuid.uuid4().hex[:8]}"
    ensure_topics(
        settings.admin_config(), [TopicSpec(name, 1, -1), TopicSpec(name + ".dlq", 1, -1)]
    )
    return name


def drain(sub: Subscriber, done: Callable[[list[str]], bool], timeout: float = 30.0) -> list[str]:
    """Poll until `done(outcomes)` holds; return every outcome seen."""
    outcomes: list[str] = []
    deadline = time.monotonic() + timeout
    while not done(outcomes) and time.monotonic() < deadline:
        if outcome := sub.poll_once(0.2):
            outcomes.append(outcome)
    sub.close()
    return outcomes


def test_published_event_arrives_typed_with_its_envelope(bus_settings: DriftlineSettings) -> None:
    model = f"m-{uuid.uuid4().hex[:8]}"
    publisher = KafkaPublisher(
        bus_settings, EventCodec.from_settings(bus_settings), source="driftline/test"
    )
    sent = publisher.publish(retired(model), correlation_id="workflow-1")
    got: list[Message[Any]] = []
    sub = subscriber(bus_settings, lambda m: got.append(m) if m.event.model_name == model else None)
    drain(sub, lambda _: bool(got))
    assert got[0].event == retired(model)
    assert got[0].meta.id == sent.id
    assert got[0].meta.correlation_id == "workflow-1"
    assert got[0].meta.type == "driftline.events.ModelRetired"
    assert got[0].key == model  # the catalog keys lifecycle events by model name


def test_poison_record_goes_to_dead_letter_and_consumer_goes_on(
    bus_settings: DriftlineSettings, kafka_bootstrap: str
) -> None:
    model = f"m-{uuid.uuid4().hex[:8]}"
    topic = private_topic(bus_settings)
    codec = EventCodec.from_settings(bus_settings)
    raw = Producer({"bootstrap.servers": kafka_bootstrap})
    poison_key = f"poison-{model}".encode()
    raw.produce(topic, key=poison_key, value=b"\xde\xad\xbe\xef not avro",
                headers=[("ce_id", b"p1"), ("ce_type", b"driftline.events.ModelRetired"), ("ce_source", b"x")])  # fmt: skip
    good = Metadata(type="driftline.events.ModelRetired", source="t")
    raw.produce(
        topic, key=model.encode(), value=codec.encode(retired(model)), headers=good.to_headers()
    )
    raw.flush(10)
    got: list[Message[Any]] = []
    sub = subscriber(
        bus_settings, lambda m: got.append(m) if m.event.model_name == model else None, topic
    )
    drain(sub, lambda outcomes: bool(got) and "dead_lettered" in outcomes)
    assert [m.event.model_name for m in got] == [model]  # the consumer went on with the next record
    dead = read_topic(kafka_bootstrap, topic + ".dlq",
                      want=lambda rs: any(r.key == poison_key for r in rs))  # fmt: skip
    letter = next(r for r in dead if r.key == poison_key)
    headers = header_dict(letter.headers)
    assert letter.value == b"\xde\xad\xbe\xef not avro"  # the original bytes, kept
    assert headers["dlq_reason"] == "undecodable"
    assert "unknown framing" in headers["dlq_error"]
    assert headers["dlq_source_topic"] == topic


def test_handler_that_always_fails_is_dead_lettered_after_retries(
    bus_settings: DriftlineSettings, kafka_bootstrap: str
) -> None:
    bad, good = f"bad-{uuid.uuid4().hex[:8]}", f"good-{uuid.uuid4().hex[:8]}"
    publisher = KafkaPublisher(bus_settings, EventCodec.from_settings(bus_settings), source="t")
    failing = publisher.publish(retired(bad))
    publisher.publish(retired(good))
    attempts: list[str] = []
    handled: list[str] = []

    def handler(message: Message[Any]) -> None:
        name = message.event.model_name
        if name == bad:
            attempts.append(name)
            raise RuntimeError("model store is on fire")
        if name == good:
            handled.append(name)

    sub = subscriber(bus_settings, handler, retry=RetryPolicy(max_attempts=3, backoff_s=0.01))
    drain(sub, lambda _: bool(handled) and len(attempts) == 3)
    assert len(attempts) == 3
    assert handled == [good]  # the consumer went on with the next record
    dead = read_topic(kafka_bootstrap, "driftline.models.dlq",
                      want=lambda rs: any(header_dict(r.headers).get("ce_id") == failing.id for r in rs))  # fmt: skip
    letter = next(r for r in dead if header_dict(r.headers).get("ce_id") == failing.id)
    headers = header_dict(letter.headers)
    assert headers["dlq_reason"] == "handler_failed"
    assert headers["dlq_attempts"] == "3"
    assert headers["dlq_error"] == "RuntimeError: model store is on fire"
    assert EventCodec.from_settings(bus_settings).decode(
        letter.value, letter.headers
    ).event == retired(bad)


def test_same_event_delivered_twice_has_one_effect(bus_settings: DriftlineSettings) -> None:
    model = f"m-{uuid.uuid4().hex[:8]}"
    publisher = KafkaPublisher(bus_settings, EventCodec.from_settings(bus_settings), source="t")
    meta = Metadata(type="driftline.events.ModelRetired", source="t")
    publisher.publish(retired(model), meta=meta)
    publisher.publish(retired(model), meta=meta)  # a producer retry / replay: same ce_id
    publisher.publish(retired(model, version=2))  # a different event, as the end marker
    effects: list[int] = []
    sub = subscriber(
        bus_settings,
        lambda m: effects.append(m.event.version) if m.event.model_name == model else None,
    )
    outcomes = drain(sub, lambda _: 2 in effects)
    assert effects == [1, 2]
    assert "duplicate" in outcomes


def test_consumer_killed_before_commit_gets_the_event_again(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    publisher = KafkaPublisher(settings, EventCodec.from_settings(settings), source="t")
    model, group = f"m-{uuid.uuid4().hex[:8]}", f"crash-{uuid.uuid4()}"
    marker = tmp_path / "handled.txt"
    first_event = publisher.publish(retired(model, version=1))

    def consumer(mode: str, stop_version: int) -> list[str]:
        args = [kafka_bootstrap, group, model, str(marker), mode, str(stop_version)]
        return [sys.executable, str(HERE / "consumer_proc.py"), *args]

    hanging = subprocess.Popen(consumer("hang", 1))
    deadline = time.monotonic() + 60
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(hanging.pid, signal.SIGKILL)  # inside the handler: nothing was committed
    hanging.wait(10)
    subprocess.run(consumer("ok", 1), check=True, timeout=90)
    assert marker.read_text().splitlines() == [
        f"hang v1 {first_event.id}",
        f"ok v1 {first_event.id}",  # redelivered after the restart
    ]
    second_event = publisher.publish(retired(model, version=2))
    subprocess.run(consumer("ok", 2), check=True, timeout=90)
    assert marker.read_text().splitlines()[2:] == [f"ok v2 {second_event.id}"]  # v1 committed


def test_topics_are_created_idempotently(kafka_bootstrap: str) -> None:
    from driftline.bus import ensure_topics, list_topics

    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    catalog = Catalog.load()
    again = ensure_topics(settings.admin_config(), catalog.all_topics())
    assert set(again.values()) == {"exists"}
    present = list_topics(settings.admin_config())
    for topic in catalog.topics.values():
        assert present[topic.name] == topic.partitions
        assert present[topic.dlq] == 1
