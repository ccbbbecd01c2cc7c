"""Fixtures shared by the training service's tests: a small spec, synthetic data, fakes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from driftline.artifacts import ArtifactStore
from driftline.bus import FakePublisher, Message
from driftline.envelope import Metadata
from driftline.events import DataWindow, DriftDetected, Event, TrainingRequested
from driftline.runtimes import get_runtime
from driftline.settings import DriftlineSettings
from driftline.spec import EstimatorSpec, ProjectSpec, parse_spec
from driftline_training import TrainingApp, TrainingSettings, bootstrap
from driftline_training.adapters.state_sqlite import SqliteRunStore
from driftline_training.domain import Champion, TrainingSet, Window
from driftline_training.synthetic import synthetic_rows, to_parquet

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MODEL = "loan_default"

SPEC: dict[str, Any] = {
    "project": "test",
    "datasets": {
        "loans": {
            "entity_key": "application_id",
            "event_timestamp": "event_time",
            "features": {
                "income": {"type": "float", "min": 0, "max": 200000},
                "credit_score": {"type": "int", "min": 300, "max": 850},
                "region": {"type": "category", "categories": ["north", "south", "east", "west"]},
                "has_mortgage": {"type": "bool"},
            },
            "label": {"name": "defaulted", "type": "int"},
        },
    },
    "models": {
        MODEL: {
            "dataset": "loans",
            "task": "classification",
            "estimator": {"name": "logistic_regression", "params": {"C": 1.0}},
            "primary_metric": "roc_auc",
            "retrain": {
                "window_days": 14,
                "holdout_fraction": 0.25,
                "min_rows": 200,
                "min_new_labelled_rows": 100,
                "cooldown_minutes": 5,
            },
            "promotion": {
                "min_improvement": 0.005,
                "test": "paired_bootstrap",
                "confidence": 0.95,
                "bootstrap_samples": 300,
                "max_latency_ms_p99": 500,
            },
        },
    },
}


def make_spec(**model_overrides: Any) -> ProjectSpec:
    raw = {**SPEC, "models": {MODEL: {**SPEC["models"][MODEL], **model_overrides}}}
    return parse_spec(raw)


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeTrainingSets:
    """Serves rows for the asked window, through real Parquet bytes; records calls.

    By default `rows` synthetic rows spread over whatever window is asked (so their
    density depends on it); with `frame` set, the rows of that frame inside the window,
    as the feature service serves them (rows after the clock are not served yet).
    """

    def __init__(self, spec: ProjectSpec) -> None:
        self.spec = spec
        self.calls: list[tuple[str, Window]] = []
        self.rows, self.seed, self.signal = 1200, 1, 2.0
        self.frame: Any = None
        self.error: Exception | None = None
        self.during: Callable[[], object] | None = None
        """Called while serving, once: something that happens while a run is going on."""

    def training_set(self, model: str, window: Window) -> TrainingSet:
        self.calls.append((model, window))
        if self.during is not None:
            during, self.during = self.during, None
            during()
        if self.error is not None:
            raise self.error
        frame = self.frame
        if frame is not None:
            stamps = frame["event_time"]
            frame = frame[(stamps >= window.start) & (stamps < window.end)]
        else:
            frame = synthetic_rows(
                self.spec,
                model,
                self.rows,
                window.start,
                window.end,
                seed=self.seed,
                signal=self.signal,
            )
        body = to_parquet(frame)
        table = pq.read_table(pa.BufferReader(body)).to_pandas()
        return TrainingSet(table, hashlib.sha256(body).hexdigest(), {"loans": "v-abc"})


class FakeChampions:
    def __init__(self) -> None:
        self.current: Champion | None = None
        self.calls: list[str] = []
        self.error: Exception | None = None

    def champion(self, model: str) -> Champion | None:
        self.calls.append(model)
        if self.error is not None:
            raise self.error
        return self.current


class Harness:
    """A bootstrapped app on fakes, plus ways to send it triggers."""

    def __init__(
        self,
        app: TrainingApp,
        publisher: FakePublisher,
        sets: FakeTrainingSets,
        champions: FakeChampions,
        clock: FakeClock,
        artifacts: ArtifactStore,
    ) -> None:
        self.app, self.publisher, self.sets = app, publisher, sets
        self.champions, self.clock, self.artifacts = champions, clock, artifacts

    def send(self, event: Event) -> Metadata:
        meta = Metadata(type=type(event).__avro_name__, source="test")
        self.app.handlers[meta.type](Message(event, meta))
        return meta

    def request(self, **kw: Any) -> Metadata:
        return self.send(TrainingRequested(model_name=kw.pop("model_name", MODEL), **kw))

    def drift(self, model: str = MODEL, start: datetime | None = None) -> Metadata:
        """A DriftDetected whose window of live traffic began at `start` (an hour ago)."""
        window = DataWindow(start=start or self.clock() - timedelta(hours=1), end=self.clock())
        return self.send(
            DriftDetected(
                model_name=model,
                model_version=1,
                kind="data",
                severity="high",
                window=window,
                sample_size=500,
            )
        )

    def events(self, cls: type[Event] | None = None) -> list[Any]:
        return self.publisher.events(cls)

    def metas(self) -> list[Metadata]:
        return [meta for _, meta, _ in self.publisher.published]

    def champion_from(self, frame: Any, version: int = 1, **estimator: Any) -> Champion:
        """Train a model on `frame` the way a past run would have, and make it champion."""
        runtime = get_runtime("sklearn")
        spec = self.app.spec
        features = list(spec.model_features(MODEL))
        types = {f: spec.dataset("loans").features[f].type for f in features}
        est = EstimatorSpec(**(estimator or {"name": "logistic_regression"}))
        model = runtime.build(est, features, types, "classification")
        runtime.fit(model, frame[features], frame["defaulted"].to_numpy())
        stored = self.artifacts.put(runtime.save(model), name="model.skops")
        self.champions.current = Champion(version, stored.uri, stored.sha256, "sklearn")
        return self.champions.current


@pytest.fixture
def harness_factory(tmp_path: Path) -> Callable[..., Harness]:
    def make(
        spec: ProjectSpec | None = None, publisher: FakePublisher | None = None, **settings: Any
    ) -> Harness:
        spec = spec or make_spec()
        publisher = publisher or FakePublisher(source="driftline/training")
        sets, champions, clock = FakeTrainingSets(spec), FakeChampions(), FakeClock()
        artifacts = ArtifactStore.from_url(str(tmp_path / "artifacts"))
        config = TrainingSettings(
            common=DriftlineSettings(state_dir=tmp_path / "state"),
            code_version="driftline-training test",
            latency_sample_rows=20,
            **settings,
        )
        app = bootstrap(
            config,
            spec=spec,
            store=SqliteRunStore(tmp_path / "training.db"),
            training_sets=sets,
            champions=champions,
            artifacts=artifacts,
            publisher=publisher,
            clock=clock,
        )
        return Harness(app, publisher, sets, champions, clock, artifacts)

    return make


@pytest.fixture
def harness(harness_factory: Callable[..., Harness]) -> Harness:
    return harness_factory()


@pytest.fixture
def frames() -> Callable[..., Any]:
    """Synthetic labelled rows over the 14 days before NOW."""

    def make(rows: int = 1200, seed: int = 1, signal: float = 2.0, **kw: Any) -> Any:
        return synthetic_rows(
            make_spec(), MODEL, rows, NOW - timedelta(days=14), NOW, seed=seed, signal=signal, **kw
        )

    return make


@pytest.fixture
def spec() -> ProjectSpec:
    return make_spec()


@pytest.fixture
def spec_with() -> Callable[..., ProjectSpec]:
    """The test spec with some of the model's fields replaced."""
    return make_spec
