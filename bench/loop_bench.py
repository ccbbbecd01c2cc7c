"""The loop end to end: drift onset -> DriftDetected -> new champion serving, by training-set size.

Run: ``uv run python bench/loop_bench.py [--rows 10000 100000]``. Prints a table and writes
``bench/results/loop.json``.

Each size is one run of the demo's closed loop (`driftline.demo`) on a fresh embedded stack on
free ports: the real broker, all seven services as processes, live traffic replayed as fast as
the platform takes it. Only the spec differs from `make demo`'s:

* ``retrain.window_rows`` = the size, so the retrain after the drift trains on that many rows
  (checked: the incident's ModelTrained reports its training set's row count);
* ``retrain.min_new_labelled_rows`` = 60 % of it: the retrain waits for that many post-drift
  labels, so the new model has the new business to learn;
* live traffic at 1 000 applications/s, 50 entity keys per predict request (labels join on
  the per-row request ids);
* ``retrain.window_days`` = 365: the generated history sits before the whole (long) live
  period's timestamps, which would push it out of the demo's 14 days;
* ``retrain.cooldown_minutes`` = 0: the bootstrap's training is seconds old when the drift is
  detected, and the cooldown would measure the policy, not the platform.

Reported, from the lifecycle events as the bench sees them on the bus: drift onset ->
DriftDetected (predictions and seconds), then DriftDetected -> TrainingStarted (waiting for the
post-drift labels to arrive: set by the traffic), -> ModelTrained (the training run),
-> ModelPromoted (evaluation gate, registry), -> the first answer of the new version (the hot
swap), and the total.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import yaml
from _common import ROOT, stop_on_sigterm, write_result
from driftline.demo.run import DemoConfig, run_demo
from driftline.demo.summary import Summary
from rich.console import Console

MODEL = "loan_default"
NEW_SHARE = 0.6
"""Post-drift labels the retrain waits for, as a share of the training set: the time-ordered
hold-out (the last 20 %) is all new business, and most of what the model learns from is too
(at 40 % the retrained model was sometimes not significantly better than the old one)."""
LIVE_RATE = 1000
"""Live applications per second (the demo's 100/s would make a 100k-row run wait 10 minutes
for its post-drift labels); the replay stops once the loop has closed."""
STAGES = ["TrainingStarted", "ModelTrained", "ModelPromoted", "served"]


def spec_for(rows: int, directory: Path) -> Path:
    spec = yaml.safe_load((ROOT / "driftline.yaml").read_text())
    retrain = spec["models"][MODEL]["retrain"]
    retrain.update(window_rows=rows, min_new_labelled_rows=int(rows * NEW_SHARE),
                   cooldown_minutes=0, window_days=365)  # fmt: skip
    path = directory / f"driftline-{rows}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def run_size(rows: int, directory: Path, drift_at: int) -> tuple[Summary, float]:
    new_labels = int(rows * NEW_SHARE)
    config = DemoConfig(
        state_dir=directory / f"loop-{rows}", spec_path=spec_for(rows, directory),
        history_rows=max(4000, int(rows * (1 - NEW_SHARE)) + 2000), drift_at=drift_at,
        max_live_rows=drift_at + new_labels + LIVE_RATE * 240, after_swap=300, rate=LIVE_RATE,
        chunk=500, replay_workers=4, predict_batch=50, quiet=True, free_ports=True,
    )  # fmt: skip
    began = time.monotonic()
    log = directory / f"loop-{rows}.log"
    with log.open("w") as output:
        summary = run_demo(config, Console(file=output, width=120, log_time=True, log_path=False))
    wall = time.monotonic() - began
    if not summary.loop_closed:
        print(log.read_text())
        raise SystemExit(f"the loop did not close with {rows} rows: {summary}")
    return summary, wall


def stages(summary: Summary) -> dict[str, float | None]:
    """Seconds after DriftDetected at which each stage was first seen."""
    first: dict[str, float] = {}
    for event, seconds in summary.incident_timeline:
        first.setdefault(event, seconds)
    return {stage: first.get(stage) for stage in STAGES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--drift-at", type=int, default=2400)
    args = parser.parse_args()
    stop_on_sigterm()
    results = []
    directory = ROOT / "var" / "bench" / "loop"
    directory.mkdir(parents=True, exist_ok=True)
    for rows in args.rows:
        print(f"loop with a {rows}-row training set (log: {directory / f'loop-{rows}.log'}) ...",
              flush=True)  # fmt: skip
        summary, wall = run_size(rows, directory, args.drift_at)
        at = stages(summary)
        results.append({
            "rows": rows, "training_rows": summary.training_rows,
            "training_seconds": summary.training_seconds,
            "detection_delay_predictions": summary.detection_delay_predictions,
            "detection_delay_seconds": summary.detection_delay_seconds,
            "detected_kind": summary.detected_kind,
            "after_detection_s": at,
            "detection_to_champion_seconds": summary.detection_to_champion_seconds,
            "drift_to_champion_seconds": summary.drift_to_champion_seconds,
            "auc_after_drift_old": summary.auc_after_drift_old_model,
            "auc_new": summary.auc_new_model, "served": summary.served,
            "live_predictions_per_s": round(summary.detection_delay_predictions
                                            / summary.detection_delay_seconds, 1)
            if summary.detection_delay_predictions and summary.detection_delay_seconds else None,
            "run_seconds": round(wall, 1),
        })  # fmt: skip
        print(f"  done in {wall:.0f} s: {results[-1]}", flush=True)
    report(results)


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def report(results: list[dict[str, Any]]) -> None:
    print("\nthe loop (seconds; stages are time after DriftDetected, as seen on the bus)")
    print(f"{'rows':>7} | {'onset->Drift':>13} | {'->Started':>9} {'->Trained':>9} "
          f"{'->Promoted':>10} {'->served':>8} | {'Drift->champion':>15} | {'train run':>9} | "
          f"{'AUC old->new':>12}")  # fmt: skip
    for r in results:
        at = r["after_detection_s"]
        onset = f"{r['detection_delay_predictions']} p / {_s(r['detection_delay_seconds'])}"
        auc = f"{r['auc_after_drift_old'] or 0:.3f}->{r['auc_new'] or 0:.3f}"
        print(f"{r['training_rows'] or r['rows']:>7} | {onset:>13} | {_s(at['TrainingStarted']):>9} "
              f"{_s(at['ModelTrained']):>9} {_s(at['ModelPromoted']):>10} {_s(at['served']):>8} | "
              f"{_s(r['detection_to_champion_seconds']):>15} | {_s(r['training_seconds']):>9} | "
              f"{auc:>12}")  # fmt: skip
    print(
        f"(onset->Drift: predictions / seconds after the first drifted prediction, live traffic at "
        f"{LIVE_RATE}/s; ->Started is the wait for {NEW_SHARE:.0%} of the rows as post-drift "
        "labels, looked for every 15 s: DRIFTLINE_TRAINING_RECHECK_S)"
    )
    path = write_result("loop", {"results": results})
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
