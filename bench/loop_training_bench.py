"""Training run + evaluation gate: wall time for loan-shaped training sets of 10k and 100k rows.

The data has the shape of the demo's `loans` dataset and the model is the demo's
`loan_default` from driftline.yaml (gradient boosting, 100 trees, depth 3; paired
bootstrap with 1000 resamples; 20 % time-ordered hold-out). For each size:

* ``run (no champion)``: one whole run through the service's `TrainingService`
  (Parquet decode, policy, split, fit, skops save, artifact store put, trusted
  load, baseline, latency guardrail, paired bootstrap, events into the outbox);
* ``run (vs champion)``: the same with the first model as champion (its artifact
  read back, hash-checked and type-checked, then scored on the same rows);
* a stage breakdown of the second run's parts, timed one by one, plus the
  McNemar test for comparison.

Neither Kafka nor HTTP is involved (the integration tests cover them); events are
counted, not sent. Prints a table and writes `bench/results/training.json`.

    uv run python bench/loop_training_bench.py [--rows 10000 100000] [--threads 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from driftline.artifacts import ArtifactStore
from driftline.bus import FakePublisher, Message
from driftline.envelope import Metadata
from driftline.events import ModelEvaluated, ModelTrained, TrainingRequested
from driftline.runtimes import get_runtime
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec, load_spec
from driftline_training import TrainingSettings, bootstrap
from driftline_training.adapters.state_sqlite import SqliteRunStore
from driftline_training.domain import Champion, TrainingSet, Window
from driftline_training.domain.dataset import labelled_rows
from driftline_training.domain.gate import Measured, judge
from driftline_training.domain.significance import mcnemar
from driftline_training.domain.split import time_ordered_split
from driftline_training.evaluation import EvalRows, latency_p99_ms, outputs_of
from driftline_training.synthetic import synthetic_rows, to_parquet
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "training.json"
MODEL = "loan_default"
NOW = datetime.now(UTC)


class ParquetTrainingSets:
    """Serves one pre-built Parquet body, decoded per call as the HTTP adapter would."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def training_set(self, model: str, window: Window) -> TrainingSet:
        frame = pq.read_table(pa.BufferReader(self.body)).to_pandas()
        return TrainingSet(frame, hashlib.sha256(self.body).hexdigest(), {"loans": "bench"})


class StaticChampions:
    def __init__(self) -> None:
        self.current: Champion | None = None

    def champion(self, model: str) -> Champion | None:
        return self.current


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def bench_size(spec: ProjectSpec, rows: int, threads: int, workdir: Path) -> list[dict[str, Any]]:
    window_days = spec.model(MODEL).retrain.window_days
    frame = synthetic_rows(spec, MODEL, rows, NOW - timedelta(days=window_days), NOW, seed=rows)
    body = to_parquet(frame)
    champions, publisher = StaticChampions(), FakePublisher(source="bench")
    artifacts = ArtifactStore.from_url(str(workdir / f"artifacts-{rows}"))
    settings = TrainingSettings(
        common=DriftlineSettings(state_dir=workdir / f"state-{rows}"),
        code_version="bench",
        compute_threads=threads,
    )
    app = bootstrap(
        settings,
        spec=spec,
        store=SqliteRunStore(":memory:"),
        training_sets=ParquetTrainingSets(body),
        champions=champions,
        artifacts=artifacts,
        publisher=publisher,
        clock=lambda: NOW,
    )
    results: list[dict[str, Any]] = []

    def run(label: str) -> ModelEvaluated:
        meta = Metadata(type="driftline.events.TrainingRequested", source="bench")
        command = TrainingRequested(model_name=MODEL, force=True)
        app.handlers[meta.type](Message(command, meta))
        seconds, outcomes = timed(app.worker.drain)
        assert outcomes == ["trained"], outcomes
        evaluated = publisher.events(ModelEvaluated)[-1]
        assert isinstance(evaluated, ModelEvaluated)
        results.append(
            {
                "rows": rows,
                "scenario": label,
                "seconds": round(seconds, 3),
                "decision": evaluated.decision,
                "eval_rows": evaluated.eval_rows,
                "latency_ms_p99": round(evaluated.guardrails["latency_ms_p99"], 2),
                "artifact_bytes": int(evaluated.guardrails["artifact_bytes"]),
            }
        )
        return evaluated

    run("run (no champion)")
    first = publisher.events(ModelTrained)[-1]
    assert isinstance(first, ModelTrained)
    champions.current = Champion(1, first.artifact_uri, first.artifact_sha256, first.flavor)
    run("run (vs champion)")
    results.extend(breakdown(spec, body, champions.current, artifacts, threads, rows))
    return results


def breakdown(
    spec: ProjectSpec,
    body: bytes,
    champion: Champion,
    artifacts: ArtifactStore,
    threads: int,
    rows: int,
) -> list[dict[str, Any]]:
    """The second run's parts, one by one, with the same building blocks."""
    model_spec = spec.model(MODEL)
    features = list(spec.model_features(MODEL))
    types = {f: spec.dataset("loans").features[f].type for f in features}
    runtime = get_runtime("sklearn")
    stages: dict[str, float] = {}
    with threadpool_limits(limits=threads):
        stages["parquet decode"], frame = timed(
            lambda: pq.read_table(pa.BufferReader(body)).to_pandas()
        )
        stages["labelled rows + split"], (train, held) = timed(
            lambda: time_ordered_split(labelled_rows(spec, MODEL, frame), 0.2)
        )
        model = runtime.build(model_spec.estimator, features, types, "classification")
        y = train["defaulted"].to_numpy()
        stages["fit"], _ = timed(lambda: runtime.fit(model, train[features], y))
        stages["skops save"], data = timed(lambda: runtime.save(model))
        stages["artifact put"], _ = timed(lambda: artifacts.put(data, name="model.skops"))
        stages["trusted load (challenger)"], loaded = timed(lambda: runtime.load(data))
        stages["champion get + load"], old = timed(
            lambda: runtime.load(artifacts.get(champion.artifact_uri, champion.artifact_sha256))
        )
        rows_ = EvalRows.of(held[features], held["defaulted"].to_numpy(), y, "classification")
        stages["score both"], (ours, theirs) = timed(
            lambda: (
                outputs_of(runtime, loaded, rows_, "classification"),
                outputs_of(runtime, old, rows_, "classification"),
            )
        )
        stages["latency guardrail (200 rows)"], p99 = timed(
            lambda: latency_p99_ms(runtime, loaded, rows_.features, 200)
        )
        measured = Measured(p99, len(data))
        stages["gate: paired bootstrap x1000"], _ = timed(
            lambda: judge(
                metric="roc_auc",
                higher_is_better=True,
                policy=model_spec.promotion,
                truth=rows_.truth,
                challenger=ours,
                reference=theirs,
                reference_name="champion",
                rows=rows_.rows,
                measured=measured,
                rng=np.random.default_rng(0),
            )
        )
        stages["McNemar (for comparison)"], _ = timed(
            lambda: mcnemar(
                "roc_auc", rows_.truth, ours, theirs, rows=rows_.rows, higher_is_better=True
            )
        )
    return [
        {"rows": rows, "scenario": f"  stage: {name}", "seconds": round(seconds, 4)}
        for name, seconds in stages.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads")
    args = parser.parse_args()
    spec = load_spec(ROOT / "driftline.yaml")
    load = os.getloadavg()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            results.extend(bench_size(spec, rows, args.threads, Path(tmp)))
    print(f"{'rows':>8}  {'scenario':<36} {'seconds':>9}  notes")
    for r in results:
        notes = ""
        if "decision" in r:
            notes = (
                f"{r['decision']}, {r['eval_rows']} eval rows, p99 {r['latency_ms_p99']} ms, "
                f"artifact {r['artifact_bytes'] / 1024:.0f} KiB"
            )
        print(f"{r['rows']:>8}  {r['scenario']:<36} {r['seconds']:>9.3f}  {notes}")
    estimator = spec.model(MODEL).estimator
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_at_start": [round(x, 2) for x in load],
                },
                "model": {
                    "name": MODEL,
                    "estimator": estimator.name,
                    "params": estimator.params,
                    "test": spec.model(MODEL).promotion.test,
                    "bootstrap_samples": spec.model(MODEL).promotion.bootstrap_samples,
                    "compute_threads": args.threads,
                },
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
