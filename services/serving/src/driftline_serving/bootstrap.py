"""The composition root: the one place that builds serving's concrete adapters.

`bootstrap(settings)` gives a ready-to-run `ServingService`; tests pass fakes through the
same function (``loader=FakeLoader()``, ``champions=FakeChampionSource()``,
``features=FakeFeatureSource()``, ``sink=FakeSink()``, ``consume=False``). Nothing connects
at import, and nothing here blocks: the champion read and the consumer run as workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Producer
from driftline.artifacts import ArtifactStore
from driftline.bus import Subscriber
from driftline.codec import EventCodec
from driftline.events import ModelPromoted
from driftline.featurestore import online_reader
from driftline.runner import Worker
from driftline.spec import ProjectSpec, load_spec

from driftline_serving import metrics
from driftline_serving.adapters import (
    ArtifactModelLoader,
    ConsumerPosition,
    HttpChampionSource,
    KafkaPredictionLog,
)
from driftline_serving.config import ServingSettings
from driftline_serving.core import (
    AdaptiveBatcher,
    ChampionSource,
    DataPlane,
    FeatureRows,
    FeatureSource,
    Job,
    ModelLoader,
    ModelSlots,
    PredictionSink,
    Result,
    ShadowScorer,
    Telemetry,
)
from driftline_serving.handlers import Context, routing_table
from driftline_serving.startup import StartupLoader

__all__ = ["ServingService", "bootstrap"]


@dataclass(slots=True)
class ServingService:
    """The assembled service: what the entrypoints run."""

    settings: ServingSettings
    spec: ProjectSpec
    slots: ModelSlots
    dataplane: DataPlane
    batcher: AdaptiveBatcher
    startup: StartupLoader
    shadow: ShadowScorer
    prediction_log: KafkaPredictionLog | None
    subscriber: Subscriber | None
    position: ConsumerPosition | None

    def ready_checks(self) -> dict[str, Callable[[], bool | str]]:
        """Ready: champions looked up (a model without one does not count) and, when
        consuming, the lifecycle consumer positioned."""
        checks = {"champions": self.startup.check}
        if self.position is not None:
            checks["lifecycle"] = self.position.check
        return checks

    def workers(self) -> list[Worker]:
        """The loops beside the API, in stop order (the log last: it flushes what is left)."""
        found = [self.subscriber, self.startup, self.shadow, self.prediction_log]
        return [w for w in found if w is not None]


def bootstrap(
    settings: ServingSettings,
    *,
    spec: ProjectSpec | None = None,
    loader: ModelLoader | None = None,
    champions: ChampionSource | None = None,
    features: FeatureSource | None = None,
    sink: PredictionSink | None = None,
    telemetry: Telemetry | None = None,
    consume: bool | None = None,
    executor: ThreadPoolExecutor | None = None,
    producer_config: dict[str, Any] | None = None,
) -> ServingService:
    """Build the service: slots, loader, registry reader, online reader, log, consumer."""
    common = settings.common
    spec = spec or load_spec(common.spec_path)
    slots = ModelSlots(spec.models)
    slots.subscribe(metrics.on_swap)
    telemetry = telemetry or metrics.PrometheusTelemetry()
    consume = settings.consume if consume is None else consume
    codec = EventCodec.from_settings(common) if consume or sink is None else None
    loader = loader or ArtifactModelLoader(
        ArtifactStore.from_settings(common), spec,
        on_loaded=lambda m, s: metrics.MODEL_LOAD_SECONDS.labels(m).observe(s),
    )  # fmt: skip
    log = None
    if sink is None and settings.log_predictions:
        assert codec is not None
        log = KafkaPredictionLog(
            Producer({**common.producer_config("driftline-serving-predictions"),
                      "linger.ms": 20, **(producer_config or {})}),
            codec, source=settings.source, capacity=settings.log_queue_size,
            batch_size=settings.log_batch_size,
            on_drop=lambda reason, n: metrics.LOG_DROPPED.labels(reason).inc(n),
            on_depth=metrics.LOG_QUEUE_DEPTH.set, on_sent=metrics.LOG_SENT.inc,
        )  # fmt: skip
        sink = log
    shadow = ShadowScorer(sink, telemetry, capacity=settings.shadow_queue_size)
    rows = FeatureRows(spec, features or online_reader(common, settings.features, spec))
    plane = DataPlane(slots=slots, feature_rows=rows, sink=sink, shadow=shadow, telemetry=telemetry)

    def process(name: str, jobs: Sequence[Job]) -> list[Result]:
        metrics.BATCH_SIZE.labels(name).observe(len(jobs))
        return plane.run(name, jobs)

    if executor is None and settings.predict_threads:
        executor = ThreadPoolExecutor(settings.predict_threads, thread_name_prefix="predict")
    batcher = AdaptiveBatcher(process, executor, max_size=settings.batch_max_size,
                              max_wait_s=settings.batch_wait_ms / 1000)  # fmt: skip
    subscriber = position = None
    if consume:
        assert codec is not None
        topic = codec.catalog.event(ModelPromoted.__name__).topic
        position = ConsumerPosition(topic)
        context = Context(slots, loader, lambda m, v: metrics.REFUSED_UNLOADS.labels(m).inc())
        subscriber = Subscriber(
            settings=common, codec=codec, service="serving", group_id=settings.group_id,
            topics=[topic], handlers=routing_table(context),
            consumer_config={"auto.offset.reset": settings.lifecycle_offset_reset,
                             **position.consumer_config()},
        )  # fmt: skip
    champions = champions or HttpChampionSource(
        common.registry_url, timeout=settings.registry_timeout_seconds,
        token=settings.registry_token,
    )  # fmt: skip
    startup = StartupLoader(
        slots, champions, loader, wait_positioned=position.wait if position else None,
        wait_timeout=settings.consumer_ready_timeout_seconds,
        max_delay=settings.registry_retry_max_seconds,
    )  # fmt: skip
    return ServingService(settings, spec, slots, plane, batcher, startup, shadow, log,
                          subscriber, position)  # fmt: skip
